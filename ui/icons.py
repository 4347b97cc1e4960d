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
from PySide6.QtCore import QRect, QSize
from PySide6.QtGui import QIcon, QIconEngine, QPainter, QPixmap

# Every size the UI draws (16, 22, 24, 32, 48) also at 2× and 3× device pixels, so no scale
# has to be stretched up from a smaller file (Qt picks the nearest size, even a smaller one).
SIZES = (16, 22, 24, 32, 44, 48, 64, 66, 72, 96, 128, 144, 256)
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
    from PySide6.QtSvg import QSvgRenderer

    renderer = QSvgRenderer(QByteArray(data))
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter)
    painter.end()
    return pixmap


class PngIconEngine(QIconEngine):
    """Draws one of ``ICONS`` from its PNGs, crisp at every device pixel ratio.

    Qt's file icon engine picks "the nearest" file, which at 2× or 3× can be a smaller
    one stretched up (a blurry 22 px icon at 2× drawn from the 32 px file). This engine
    always starts from the smallest file at least as large as the device pixels asked
    for, and only ever scales down (smoothly). Files are read when first needed.
    """

    def __init__(self, name: str) -> None:
        super().__init__()
        self._name = name
        self._files: dict[int, QPixmap] = {}

    def _source(self, device: int) -> QPixmap:
        size = next((s for s in SIZES if s >= device), SIZES[-1])
        pixmap = self._files.get(size)
        if pixmap is None:
            # Through a one-file QIcon: QPixmap(path)'s default arguments would create the
            # ``Qt`` namespace's enums (~12 ms at start-up).
            single = QIcon(str(png_path(self._name, size)))
            pixmap = self._files[size] = single.pixmap(QSize(size, size), 1.0)
        return pixmap

    def scaledPixmap(
        self, size: QSize, mode: QIcon.Mode, state: QIcon.State, scale: float
    ) -> QPixmap:
        side = max(1, min(size.width(), size.height()))
        device = max(1, round(side * scale))
        source = self._source(device)
        pixmap = source if source.width() == device else _smaller(source, device)
        if mode is QIcon.Mode.Disabled:
            pixmap = _faded(pixmap)
        pixmap.setDevicePixelRatio(scale)
        return pixmap

    def pixmap(self, size: QSize, mode: QIcon.Mode, state: QIcon.State) -> QPixmap:
        return self.scaledPixmap(size, mode, state, 1.0)

    def paint(self, painter: QPainter, rect: QRect, mode: QIcon.Mode, state: QIcon.State) -> None:
        scale = painter.device().devicePixelRatioF() if painter.device() else 1.0
        painter.drawPixmap(rect, self.scaledPixmap(rect.size(), mode, state, scale))

    def actualSize(self, size: QSize, mode: QIcon.Mode, state: QIcon.State) -> QSize:
        side = min(size.width(), size.height())
        return QSize(side, side)

    def availableSizes(
        self, mode: QIcon.Mode = QIcon.Mode.Normal, state: QIcon.State = QIcon.State.Off
    ) -> list[QSize]:
        return [QSize(s, s) for s in SIZES]

    def clone(self) -> QIconEngine:
        return PngIconEngine(self._name)

    def key(self) -> str:
        return "glass-updater-png"


def _smaller(pixmap: QPixmap, device: int) -> QPixmap:
    """Scaled down smoothly (imports ``Qt`` only when a size needs it, not at start-up)."""
    from PySide6.QtCore import Qt

    return pixmap.scaled(
        device, device, Qt.AspectRatioMode.KeepAspectRatio,
        Qt.TransformationMode.SmoothTransformation,
    )


def _faded(pixmap: QPixmap) -> QPixmap:
    """The disabled look: the same drawing at 40 % opacity."""
    from PySide6.QtCore import Qt

    faded = QPixmap(pixmap.size())
    faded.fill(Qt.GlobalColor.transparent)
    painter = QPainter(faded)
    painter.setOpacity(0.4)
    painter.drawPixmap(0, 0, pixmap)
    painter.end()
    return faded


def icon(name: str) -> QIcon:
    """One of ``ICONS``, crisp at every size and scale; nothing is decoded until painted."""
    return QIcon(PngIconEngine(name))


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
