"""PyInstaller support, found through the ``pyinstaller40`` entry point (pyproject.toml).

With the wheel installed, a host app's plain ``pyinstaller myapp.py`` runs the hooks in
this folder: they bundle the allowlist and icons (``glass_updater/resources``), the
package metadata (``updater --version``) and the modules the updater imports lazily at
the first check, which PyInstaller's import scan cannot see.
"""

from __future__ import annotations

from pathlib import Path


def get_hook_dirs() -> list[str]:
    return [str(Path(__file__).resolve().parent)]
