"""The app's icons: drawn as SVG in ``resources/``, shown from PNGs rendered from them.

``scripts/render_icons.py`` renders every size once; QtGui decodes PNG on its own, so
start-up loads neither QtSvg nor the SVG icon engine (~2 ms, +3 MB RSS). A QIcon built
from files reads each one only when that size is first painted. Sizes up to 256 px plus
Qt's own scaling keep the icons crisp on HiDPI screens; a test checks each PNG still
matches its SVG.
"""

from __future__ import annotations

from pathlib import Path

from glass_updater import resources
from PySide6.QtCore import QSize
from PySide6.QtGui import QIcon, QPixmap

SIZES = (16, 22, 24, 32, 48, 64, 128, 256)
ICONS = ("app-icon", "tray-light", "tray-dark")


def _resource(name: str) -> Path:
    """The file shipped in the ``resources`` package (a plain folder, also when frozen)."""
    return Path(resources.__file__).parent / name


def png_path(name: str, size: int) -> Path:
    return _resource("icons") / f"{name}-{size}.png"


def svg_bytes(name: str) -> bytes:
    return _resource(name).read_bytes()


def render_svg(data: bytes, size: int) -> QPixmap:
    """Render SVG bytes at one size (for scripts/render_icons.py and the tests)."""
    from PySide6.QtCore import QByteArray, Qt
    from PySide6.QtGui import QPainter
    from PySide6.QtSvg import QSvgRenderer

    renderer = QSvgRenderer(QByteArray(data))
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter)
    painter.end()
    return pixmap


def icon(name: str) -> QIcon:
    """One of ``ICONS`` at every size; nothing is decoded until a size is painted."""
    result = QIcon()
    for size in SIZES:
        result.addFile(str(png_path(name, size)), QSize(size, size))
    return result


def panel_is_dark() -> bool:
    """Whether the desktop uses a dark scheme (then the light-on-dark tray icon is used).

    Only the tray asks: reading the scheme loads the ``Qt`` namespace's enums (~12 ms),
    which the fallback window never needs.
    """
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QGuiApplication, QPalette

    hints = QGuiApplication.styleHints()
    scheme = hints.colorScheme()
    if scheme is Qt.ColorScheme.Dark:
        return True
    if scheme is Qt.ColorScheme.Light:
        return False
    return QGuiApplication.palette().color(QPalette.ColorRole.Window).lightness() < 128


def tray_icon(dark: bool | None = None) -> QIcon:
    dark = panel_is_dark() if dark is None else dark
    return icon("tray-dark" if dark else "tray-light")


def app_icon() -> QIcon:
    return icon("app-icon")
