"""PyInstaller hook for ``glass_updater.qt``: the dialogs and panels load at first use."""

from PyInstaller.utils.hooks import collect_submodules

hiddenimports = collect_submodules("glass_updater.qt")
