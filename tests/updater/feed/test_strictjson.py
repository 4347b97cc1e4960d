"""The strict JSON reader refuses each ambiguity for its own reason, and nothing else."""

from __future__ import annotations

import time

import pytest
from glass_updater.strictjson import JsonRejected, loads


def read(data: bytes) -> object:
    return loads(data, max_bytes=2_000_000, max_depth=32, max_digits=20)


def test_accepts_ordinary_json() -> None:
    assert read(b'{"a": [1, -2, 3.5, true, null, "x\\u00e9\\ud83d\\ude00"], "b": {}}') == {
        "a": [1, -2, 3.5, True, None, "xé😀"], "b": {}
    }
    assert read(b'["' + b"[" * 42 + b'"]') == ["[" * 42]  # brackets in strings do not nest


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b'{"a": 1, "a": 1}', "duplicate key 'a'"),
        (b'[{"k": {"x": 1, "x": 2}}]', "duplicate key 'x'"),
        (b"[NaN]", "NaN"),
        (b"[Infinity]", "Infinity"),
        (b"[-Infinity]", "-Infinity"),
        (b"[1e400]", "too large"),
        (b"[" + b"7" * 21 + b"]", "longer than 20 digits"),
        (b"[-" + b"7" * 21 + b"]", "longer than 20 digits"),
        (b"[" + b"7" * 5000 + b"]", "longer than 20 digits"),
        (b"[0." + b"7" * 5000 + b"]", "longer than 20 digits"),
        (b"[" * 33 + b"]" * 33, "deeper than 32"),
        (b'{"a":' * 33 + b"1" + b"}" * 33, "deeper than 32"),
        (b'["\\ud800"]', "lone surrogate"),
        (b'{"\\udc00": 1}', "lone surrogate"),
        (b'["\xed\xa0\x80"]', "not valid UTF-8"),
        (b'["\xc0\xaf"]', "not valid UTF-8"),
        (b"\xef\xbb\xbf[]", "byte-order mark"),
        (b"[1,]", "not valid JSON"),
        (b"", "not valid JSON"),
        (b"[] []", "not valid JSON"),
        (b"x" * 2_000_001, "larger than"),
    ],
)
def test_refusals_name_their_reason(data: bytes, reason: str) -> None:
    with pytest.raises(JsonRejected, match=reason.replace("(", r"\(").replace("+", r"\+")):
        read(data)


def test_pathological_input_is_fast() -> None:
    started = time.perf_counter()
    for data in (b"[" * 1_000_000, b"9" * 1_000_000, b'"' + b"\\u0041" * 300_000):
        with pytest.raises(JsonRejected):
            read(data)
    assert read(b'"' + b"\\\\" * 500_000 + b'"') == "\\" * 500_000
    assert time.perf_counter() - started < 10.0  # a guard against blow-ups, not a benchmark
