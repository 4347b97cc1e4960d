"""Render resources/*.svg to resources/icons/<name>-<size>.png (run after editing an SVG).

The app shows these PNGs: QtGui decodes PNG itself, so start-up loads neither QtSvg nor
the SVG icon engine plugin (~2 ms, +3 MB RSS), and the bundle needs neither.
tests/ui/test_icons.py fails when a PNG no longer matches its SVG.

    QT_QPA_PLATFORM=offscreen .venv/bin/python scripts/render_icons.py
"""

from __future__ import annotations

import sys

from glass_updater.qt.icons import ICONS, SIZES, png_path, render_svg, svg_bytes
from PySide6.QtGui import QGuiApplication


def main() -> int:
    app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])
    assert app is not None
    for name in ICONS:
        data = svg_bytes(f"{name}.svg")
        for size in SIZES:
            path = png_path(name, size)
            path.parent.mkdir(exist_ok=True)
            if not render_svg(data, size).save(str(path), "PNG"):
                print(f"could not write {path}", file=sys.stderr)
                return 1
            print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
