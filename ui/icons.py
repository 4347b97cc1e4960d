"""Icons drawn from the SVGs in ``resources/``, crisp at every size.

Where the SVG file is on disk and Qt's SVG icon engine is present, the icon is rendered
lazily by Qt at each size asked for (cheap at start-up). Otherwise each size is rendered
once here with QSvgRenderer.
"""

from __future__ import annotations

from pathlib import Path

from glass_updater import resources
from PySide6.QtCore import QByteArray, Qt
from PySide6.QtGui import QGuiApplication, QIcon, QPainter, QPalette, QPixmap

SIZES = (16, 22, 24, 32, 48, 64, 128)


def _resource(name: str) -> Path:
    """The file shipped in the ``resources`` package (a plain folder, also when frozen)."""
    return Path(resources.__file__).parent / name


def svg_bytes(name: str) -> bytes:
    return _resource(name).read_bytes()


def render_svg(data: bytes, size: int) -> QPixmap:
    from PySide6.QtSvg import QSvgRenderer

    renderer = QSvgRenderer(QByteArray(data))
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter)
    painter.end()
    return pixmap


def svg_icon(name: str) -> QIcon:
    resource = _resource(name)
    if resource.is_file():
        icon = QIcon(str(resource))
        if not icon.isNull() and not icon.pixmap(16, 16).isNull():
            return icon
    data = resource.read_bytes()
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
