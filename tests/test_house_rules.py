"""House rules as checks (as qutebrowser does): cheap scans that keep the design honest."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CORE = sorted((ROOT / "updater").rglob("*.py"))
TESTS = sorted((ROOT / "tests").rglob("test_*.py"))

NETWORK_CALLS = {
    ("requests", "get"), ("requests", "post"), ("requests", "Session"), ("requests", "request"),
    ("urllib.request", "urlopen"), ("http.client", "HTTPConnection"),
    ("http.client", "HTTPSConnection"), ("socket", "create_connection"),
}


def _imports(tree: ast.AST) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def _rel(path: Path) -> str:
    return str(path.relative_to(ROOT))


@pytest.mark.parametrize("path", CORE, ids=_rel)
def test_core_module_never_imports_qt_or_ui(path: Path) -> None:
    tree = ast.parse(path.read_text())
    bad = {n for n in _imports(tree)
           if n.split(".")[0] in {"PySide6", "shiboken6"} or n.startswith("glass_updater.qt")}
    assert not bad, f"{_rel(path)} imports {bad}: the core must never depend on the UI"


@pytest.mark.parametrize("path", CORE, ids=_rel)
def test_network_calls_only_in_transport(path: Path) -> None:
    if path.parent.name == "transport":
        return
    text = path.read_text()
    tree = ast.parse(text)
    offenders = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            base = ast.unparse(node.func.value)
            if (base, node.func.attr) in NETWORK_CALLS:
                offenders.append(f"line {node.lineno}: {ast.unparse(node.func)}")
    assert not offenders, f"{_rel(path)} opens connections outside the transport: {offenders}"


@pytest.mark.parametrize("path", CORE, ids=_rel)
def test_core_module_says_why_it_exists(path: Path) -> None:
    tree = ast.parse(path.read_text())
    if path.name in {"__init__.py", "__main__.py"} and not tree.body:
        return
    if path.name == "__main__.py":
        return
    assert ast.get_docstring(tree), f"{_rel(path)} has no module docstring"


@pytest.mark.parametrize("path", TESTS, ids=_rel)
def test_tests_do_not_sleep_or_mock_blindly(path: Path) -> None:
    """Tests wait on events and signals, and use fakes implementing the real protocol."""
    tree = ast.parse(path.read_text())
    problems = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            name = ast.unparse(node.func)
            if name in {"time.sleep", "sleep", "qtbot.wait", "QTest.qWait"}:
                problems.append(f"line {node.lineno}: {name}() — wait on an event or signal")
            if name.split(".")[-1] in {"MagicMock", "Mock"}:
                problems.append(f"line {node.lineno}: {name}() — write a fake of the protocol")
    assert not problems, f"{_rel(path)}: {problems}"
