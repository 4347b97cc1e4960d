"""Lay out the installed namespace as links: build/namespace/glass_updater -> updater/, ...

The repository keeps ``updater/``, ``ui/`` and ``resources/`` at its top level; installed,
they are ``glass_updater``, ``glass_updater.qt`` and ``glass_updater.resources``. Tools that
read source trees rather than import through the editable install's finder (mypy,
PyInstaller's analysis of ``build_installer.spec``) are pointed at this tree instead.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def lay_out(root: Path = ROOT) -> Path:
    """(Re)create the links; returns the folder to put on a search path."""
    namespace = root / "build" / "namespace"
    package = namespace / "glass_updater"
    package.mkdir(parents=True, exist_ok=True)
    wanted = {p.name: p for p in (root / "updater").iterdir() if p.name != "__pycache__"}
    wanted["qt"] = root / "ui"
    wanted["resources"] = root / "resources"
    for entry in package.iterdir():
        if entry.is_symlink() and (entry.name not in wanted or not entry.exists()):
            entry.unlink()
    for name, target in wanted.items():
        link = package / name
        if not link.is_symlink():
            link.symlink_to(target, target_is_directory=target.is_dir())
    return namespace


if __name__ == "__main__":
    print(lay_out(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT))
