"""The PySide6 front end of Glass Updater: a controller for host apps, and the tray app.

A host app creates ONE ``UpdateController(config)`` and adds ``controller.check_action``
("Check for Updates…") to its Help menu (docs/packagers.md). Names load on first use, so
``import glass_updater.qt`` imports neither Qt nor the core.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from glass_updater.qt.app import main
    from glass_updater.qt.controller import UpdateController
    from glass_updater.qt.host_app import QtHostApp

_EXPORTS: dict[str, str] = {
    "UpdateController": "controller",
    "QtHostApp": "host_app",
    "main": "app",
}

__all__ = ["QtHostApp", "UpdateController", "main"]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'glass_updater.qt' has no attribute {name!r}")
    value = getattr(import_module(f"glass_updater.qt.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
