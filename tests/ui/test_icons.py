"""The PNG icons the app shows still match the SVGs they were rendered from."""

from __future__ import annotations

from glass_updater.qt.icons import ICONS, SIZES, app_icon, png_path, render_svg, svg_bytes
from PySide6.QtGui import QImage


def _max_channel_difference(a: QImage, b: QImage) -> int:
    a = a.convertToFormat(QImage.Format.Format_ARGB32)
    b = b.convertToFormat(QImage.Format.Format_ARGB32)
    worst = 0
    for y in range(a.height()):
        for x in range(a.width()):
            pa, pb = a.pixelColor(x, y), b.pixelColor(x, y)
            worst = max(worst, abs(pa.red() - pb.red()), abs(pa.green() - pb.green()),
                        abs(pa.blue() - pb.blue()), abs(pa.alpha() - pb.alpha()))
    return worst


def test_every_png_matches_its_svg(qapp: object) -> None:
    """After editing an SVG, run scripts/render_icons.py; this fails until then."""
    for name in ICONS:
        data = svg_bytes(f"{name}.svg")
        for size in SIZES:
            png = QImage(str(png_path(name, size)))
            assert (png.width(), png.height()) == (size, size), png_path(name, size)
            rendered = render_svg(data, size).toImage()
            # A few levels of slack: another Qt version may antialias edges differently.
            assert _max_channel_difference(png, rendered) <= 16, png_path(name, size)


def test_app_icon_has_every_size(qapp: object) -> None:
    icon = app_icon()
    assert sorted(s.width() for s in icon.availableSizes()) == sorted(SIZES)
    assert icon.pixmap(48, 48).toImage().pixelColor(24, 24).alpha() == 255
