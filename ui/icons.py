"""Icons drawn from the SVGs in ``resources/``, rendered crisply at each size."""

from __future__ import annotations

from importlib import resources

from PySide6.QtCore import QByteArray, Qt
from PySide6.QtGui import QGuiApplication, QIcon, QPainter, QPalette, QPixmap
from PySide6.QtSvg import QSvgRenderer

SIZES = (16, 22, 24, 32, 48, 64, 128)


def svg_bytes(name: str) -> bytes:
    return resources.files("resources").joinpath(name).read_bytes()


def render_svg(data: bytes, size: int) -> QPixmap:
    renderer = QSvgRenderer(QByteArray(data))
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter)
    painter.end()
    return pixmap


def svg_icon(name: str) -> QIcon:
    data = svg_bytes(name)
    icon = QIcon()
    for size in SIZES:
        icon.addPixmap(render_svg(data, size))
    return icon


def panel_is_dark() -> bool:
    """Whether the desktop uses a dark scheme (then the light-on-dark tray icon is used)."""
    hints = QGuiApplication.styleHints()
    scheme = hints.colorScheme()
    if scheme is Qt.ColorScheme.Dark:
        return True
    if scheme is Qt.ColorScheme.Light:
        return False
    return QGuiApplication.palette().color(QPalette.ColorRole.Window).lightness() < 128


def tray_icon(dark: bool | None = None) -> QIcon:
    dark = panel_is_dark() if dark is None else dark
    return svg_icon("tray-dark.svg" if dark else "tray-light.svg")


def app_icon() -> QIcon:
    return svg_icon("app-icon.svg")
