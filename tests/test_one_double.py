"""House rule: one transport double (tests/doubles.py) and one fault server
(tests/loopback.py) for every test.

A new ad-hoc Transport (a ``send`` taking a ``sink``) or a new listening server would
drift from the real contract on its own; script MockTransport's handler or a
LoopbackServer reply instead.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOUBLE = "tests/doubles.py"
SERVER = "tests/loopback.py"
# Unix-socket channels of the tray app's single-instance tests: not HTTP servers.
UNIX_SOCKETS = {"tests/ui/test_single_instance.py", "tests/ui/test_app_process.py"}
SERVER_CALLS = {"listen", "create_server", "HTTPServer", "ThreadingHTTPServer", "TCPServer",
                "ThreadingTCPServer", "serve_forever", "start_server"}


def sources() -> list[tuple[str, ast.Module]]:
    files = sorted((ROOT / "tests").rglob("*.py")) + sorted((ROOT / "scripts").rglob("*.py"))
    return [(p.relative_to(ROOT).as_posix(), ast.parse(p.read_text(encoding="utf-8")))
            for p in files]


def _called(node: ast.Call) -> str:
    func = node.func
    return func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")


def test_one_transport_double() -> None:
    doubles = sorted(
        f"{path}:{node.lineno}"
        for path, tree in sources()
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and node.name == "send"
        and "sink" in {a.arg for a in node.args.args + node.args.kwonlyargs}
        and path != DOUBLE
    )
    assert doubles == [], f"use tests.doubles.MockTransport(handler) instead: {doubles}"


def test_one_fault_server() -> None:
    servers = sorted(
        f"{path}:{node.lineno}"
        for path, tree in sources()
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and _called(node) in SERVER_CALLS
        and path != SERVER and path not in UNIX_SOCKETS
    )
    assert servers == [], f"use tests.loopback.LoopbackServer instead: {servers}"
