"""A strict, bounded JSON reader for documents that come from a server.

Python's ``json`` keeps the last of duplicate keys, accepts ``NaN``/``Infinity``, turns
``1e999`` into ``inf``, converts 5000-digit integers slowly (or refuses them with an odd
error), keeps lone surrogates from ``\\ud800`` escapes and recurses once per nesting level.
Each of those is a way for two readers to see different documents, or for a hostile
server to burn CPU, so every one of them is refused here with a plain ``JsonRejected``.
"""

from __future__ import annotations

import json
import re
from itertools import accumulate
from typing import NoReturn


class JsonRejected(ValueError):
    """The document is not strict, bounded JSON; the message says why in one line."""


def _fail(message: str) -> NoReturn:
    raise JsonRejected(message)


_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
_STRINGS = re.compile(r'"(?:[^"\\]|\\.)*"?', re.DOTALL)
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")
_STEP = {"[": 1, "{": 1, "]": -1, "}": -1}


def _check_depth(text: str, max_depth: int) -> None:
    """Measure nesting without recursion, before ``json`` recurses into it.

    Strings are skipped whole (brackets inside them do not count). Done with regular
    expressions and ``accumulate`` rather than a Python loop per token: on a feed of a
    few thousand releases the loop cost as much as the rest of the check.
    """
    brackets = _NOT_BRACKET.sub("", _STRINGS.sub("", text))
    if brackets and max(accumulate(map(_STEP.__getitem__, brackets))) > max_depth:
        _fail(f"nested deeper than {max_depth} levels")


def _check_strings(value: object) -> None:
    """Refuse lone surrogates anywhere (keys or values), iteratively."""
    stack: list[object] = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            try:
                item.encode("utf-8")
            except UnicodeEncodeError:
                _fail("contains a lone surrogate escape (invalid Unicode text)")
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


def loads(data: bytes, *, max_bytes: int, max_depth: int, max_digits: int) -> object:
    """Parse UTF-8 JSON bytes, or raise ``JsonRejected``; never anything else."""
    if len(data) > max_bytes:
        _fail(f"larger than {max_bytes} bytes")
    try:
        text = data.decode("utf-8", errors="strict")
    except UnicodeDecodeError:
        _fail("is not valid UTF-8 text")
    if text.startswith("\ufeff"):
        _fail("starts with a byte-order mark")
    _check_depth(text, max_depth)

    def pairs(items: list[tuple[str, object]]) -> dict[str, object]:
        out: dict[str, object] = {}
        for key, val in items:
            if key in out:
                _fail(f"has a duplicate key {key[:40]!r}")
            out[key] = val
        return out

    def constant(name: str) -> NoReturn:
        _fail(f"contains {name}, which is not a JSON number")

    def integer(digits: str) -> int:
        if not digits.isascii():
            _fail("contains a number with non-ASCII digits")
        if len(digits.lstrip("-")) > max_digits:
            _fail(f"contains a number longer than {max_digits} digits")
        return int(digits)

    def real(digits: str) -> float:
        if not digits.isascii():
            _fail("contains a number with non-ASCII digits")
        if len(digits) > max_digits + 8:
            _fail(f"contains a number longer than {max_digits} digits")
        number = float(digits)
        if number in (float("inf"), float("-inf")):
            _fail(f"contains a number too large to represent ({digits[:24]})")
        return number

    try:
        value = json.loads(
            text,
            object_pairs_hook=pairs,
            parse_constant=constant,
            parse_int=integer,
            parse_float=real,
        )
    except JsonRejected:
        raise
    except RecursionError:
        _fail("nested too deeply")
    except ValueError as exc:
        msg = exc.msg if isinstance(exc, json.JSONDecodeError) else str(exc)
        _fail(f"is not valid JSON ({msg[:80]})")
    if _SURROGATE_ESCAPE.search(text):  # lone surrogates can only come from \u escapes
        _check_strings(value)
    return value
