"""House rule: the core's tunable numbers (timeouts, caps, sizes) live in ``Limits``.

A module-level number in ``updater/`` or ``ui/`` is either a limit, and then it belongs in
``glass_updater.limits.Limits`` (one place to read and tune them, with why), or one of
the few constants below that are not limits at all.
"""

from __future__ import annotations

import ast
from pathlib import Path

from glass_updater.limits import DEFAULT_LIMITS, Limits

ROOT = Path(__file__).resolve().parents[1]

# By name, not file: modules get split and merged, the reason stays.
NOT_LIMITS = {
    "FORMAT": "a file format's version (state file, offline bundle)",
    "MAX_SERIAL": "the feed format's range for serial (int64)",
    "_LOGIN_AT": "an offset in the SOCKS5 byte layout",
    "VERSION": "a SOCKS5 protocol byte",
    "NO_AUTH": "a SOCKS5 protocol byte",
    "USER_PASS": "a SOCKS5 protocol byte",
    "NO_ACCEPTABLE": "a SOCKS5 protocol byte",
    "CMD_CONNECT": "a SOCKS5 protocol byte",
    "_AT_FDCWD": "a *at() system-call constant",
    "_DETACHED_PROCESS": "a Windows process-creation flag",
    "_CREATE_NEW_PROCESS_GROUP": "a Windows process-creation flag",
    "_RENAME_EXCHANGE": "a renameat2 flag",
    "_MB": "a unit for messages",
    "PLAIN_TEXT": "a Qt enum value",
    "ALIGN_HCENTER": "a Qt enum value",
    "MARGIN": "layout pixels",
    # The front end's own single-instance channel and quit question: not the core's.
    "TIMEOUT_S": "front end: single-instance channel",
    "MAX_LINE": "front end: single-instance channel",
    "MAX_CLIENTS": "front end: single-instance channel",
    "ASK_TIMEOUT_S": "front end: the GUI thread's quit answer",
}


def _is_number(node: ast.expr) -> bool:
    if isinstance(node, ast.Constant):
        return isinstance(node.value, int | float) and not isinstance(node.value, bool)
    if isinstance(node, ast.BinOp):
        return _is_number(node.left) and _is_number(node.right)
    if isinstance(node, ast.UnaryOp):
        return _is_number(node.operand)
    return False


def module_numbers() -> set[tuple[str, str]]:
    """(file, name) of every module-level name bound to a number, outside the publisher
    tools (``updater/publish``: the publisher's side, not the client)."""
    found = set()
    for folder in ("updater", "ui"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            rel = path.relative_to(ROOT).as_posix()
            if rel.startswith("updater/publish/") or rel == "updater/limits.py":
                continue
            for node in ast.parse(path.read_text(encoding="utf-8")).body:
                targets: list[ast.expr] = []
                if isinstance(node, ast.Assign):
                    targets, value = node.targets, node.value
                elif isinstance(node, ast.AnnAssign) and node.value is not None:
                    targets, value = [node.target], node.value
                if targets and _is_number(value):
                    found |= {(rel, t.id) for t in targets if isinstance(t, ast.Name)}
    return found


def test_every_number_of_the_core_is_a_limit_or_named_here() -> None:
    found = module_numbers()
    stray = sorted((path, name) for path, name in found if name not in NOT_LIMITS)
    assert stray == [], f"move these into glass_updater.limits.Limits: {stray}"
    gone = sorted(set(NOT_LIMITS) - {name for _path, name in found})
    assert gone == [], f"no longer in the code, remove from NOT_LIMITS: {gone}"


def test_the_notes_caps_are_two_on_purpose() -> None:
    """The feed may carry long notes (refused above ``max_notes_chars``); a dialog shows
    ``shown_notes_chars`` of them, then "(shortened)"."""
    from glass_updater.qt.text import SHORTENED_MARK, safe_notes

    assert DEFAULT_LIMITS.shown_notes_chars < DEFAULT_LIMITS.max_notes_chars
    shown = safe_notes("word " * DEFAULT_LIMITS.max_notes_chars)
    assert shown.endswith(SHORTENED_MARK)
    assert len(shown) <= DEFAULT_LIMITS.shown_notes_chars + len(SHORTENED_MARK)
    assert Limits().shown_notes_chars == 20_000 and Limits().max_notes_chars == 100_000
