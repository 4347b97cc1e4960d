"""The core never imports Qt or the ui package, and only transport/ talks HTTP."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
CORE = REPO / "updater"

CHILD = """
import importlib, pkgutil, sys
for banned in ("PySide6", "shiboken6", "glass_updater.qt"):
    sys.modules[banned] = None  # any import of them raises ImportError
import glass_updater
names = sorted(m.name for m in pkgutil.walk_packages(glass_updater.__path__, "glass_updater.")
               if not m.name.startswith(("glass_updater.qt", "glass_updater.resources"))
               if not m.name.endswith(".__main__"))  # __main__ runs the CLI on import
for name in names:
    importlib.import_module(name)
loaded = sorted(m for m in sys.modules if sys.modules[m] is not None and (
    m.split(".")[0] in ("PySide6", "shiboken6") or m.startswith("glass_updater.qt")))
print(len(names), loaded)
"""


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text("utf-8"), str(path))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def test_every_core_module_imports_without_qt(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-c", CHILD], cwd=tmp_path, capture_output=True, text=True,
        timeout=120, env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
    )
    assert result.returncode == 0, result.stderr
    count, loaded = result.stdout.split(" ", 1)
    assert int(count) >= 10 and loaded.strip() == "[]"


def test_no_core_source_imports_qt_or_ui() -> None:
    offenders = {
        str(path.relative_to(REPO)): sorted(
            name for name in _imports(path)
            if name.split(".")[0] in ("PySide6", "shiboken6")
            or name.startswith("glass_updater.qt")
        )
        for path in CORE.rglob("*.py")
    }
    assert {k: v for k, v in offenders.items() if v} == {}


def test_http_clients_are_used_only_in_transport() -> None:
    """requests, urllib3 and http.client connections live under updater/transport/ only."""
    clients = ("requests", "urllib3", "http.client")
    offenders = {
        str(path.relative_to(REPO)): sorted(
            name for name in _imports(path) if name.startswith(clients)
        )
        for path in CORE.rglob("*.py")
        if "transport" not in path.relative_to(CORE).parts
        and "publish" not in path.relative_to(CORE).parts  # the publisher's own dev server
    }
    assert {k: v for k, v in offenders.items() if v} == {}
