"""Window helpers shared by every surface; light, so start-up can import them."""

from __future__ import annotations

from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QWidget


def bring_to_front(window: QWidget) -> None:
    """Show and raise a window (raising is skipped where the platform cannot do it)."""
    window.show()
    if QGuiApplication.platformName() not in ("offscreen", "minimal"):
        window.raise_()
        window.activateWindow()
