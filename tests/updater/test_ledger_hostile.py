"""Threat 46: malformed or hostile ledger lines are skipped (and counted) or shown
printable; ``log``, ``check`` and ``download`` are unaffected. Threat 43's write-ahead
record is unit-tested here; the SIGKILL test is tests/e2e/test_kill_cli.py."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from glass_updater.cli import main
from glass_updater.ledger import INTERRUPTED, LOG_NAME, Ledger
from glass_updater.printable import printable

from tests.updater.test_ledger import _exchange

HOSTILE = "\x1b]0;owned\x07\x1b[2J\r\u202eexe.txt\u202c\x85\u2028"


def good_line(tmp_path: Path) -> dict[str, object]:
    Ledger(tmp_path / "scratch").record(_exchange(), outcome="accepted feed serial 1")
    line = (tmp_path / "scratch" / LOG_NAME).read_bytes().splitlines()[0]
    doc = json.loads(line)
    assert isinstance(doc, dict)
    return doc


BAD_VALUES: list[tuple[str, object]] = [
    ("time", "NaN"),  # spliced in raw below: a JSON NaN
    ("time", "1e400"),  # raw: a float too large (inf)
    ("time", "-Infinity"),
    ("time", 1e300),
    ("time", True),
    ("time", "12"),
    ("status", 10**400),  # raw digits: too large for a float
    ("status", 2.5),
    ("status", 99),
    ("bytes_received", -1),
    ("bytes_received", 1.5),
    ("duration", float("inf")),
    ("id", 7),
    ("url", None),
    ("outcome", ["a"]),
    ("sent", "AAAA"),
    ("sent", [{"channel": "carrier-pigeon", "b64": ""}]),
    ("sent", [{"channel": "tls", "b64": "***"}]),
    ("response_headers", [["a", "b", "c"]]),
    ("response_headers", [[1, 2]]),
]
RAW = {"NaN": "NaN", "1e400": "1e400", "-Infinity": "-Infinity"}


def write_lines(path: Path, lines: list[bytes]) -> None:
    path.mkdir(parents=True, exist_ok=True)
    (path / LOG_NAME).write_bytes(b"".join(line + b"\n" for line in lines))


def mutated(base: dict[str, object], key: str, value: object) -> bytes:
    doc = dict(base)
    if isinstance(value, str) and value in RAW:
        doc[key] = "__RAW__"
        return json.dumps(doc).replace('"__RAW__"', RAW[value]).encode()
    if isinstance(value, int) and not isinstance(value, bool) and value > 10**300:
        doc[key] = "__RAW__"
        return json.dumps(doc).replace('"__RAW__"', str(value)).encode()
    doc[key] = value
    return json.dumps(doc).encode()


@pytest.mark.parametrize(
    ("key", "value"), BAD_VALUES, ids=[f"{k}={v!r}"[:40] for k, v in BAD_VALUES]
)
def test_a_malformed_line_is_skipped_and_counted(tmp_path: Path, key: str, value: object) -> None:
    base = good_line(tmp_path)
    ok = json.dumps(base).encode()
    other = ok.replace(b'"id": "', b'"id": "9')
    write_lines(tmp_path / "log", [ok, mutated(base, key, value), other])
    read = Ledger(tmp_path / "log").read()
    assert read.skipped == 1
    assert len(read.entries) == 2


def test_garbage_lines_of_every_shape_are_skipped(tmp_path: Path) -> None:
    base = good_line(tmp_path)
    lines = [b"", b"null", b"[]", b"42", b'"text"', b"{", b"\xff\xfe", b"{}" * 5000,
             b"[" * 100_000, json.dumps(base).encode()]
    write_lines(tmp_path / "log", lines)
    read = Ledger(tmp_path / "log").read()
    assert len(read.entries) == 1 and read.skipped == len(lines) - 2  # the empty line is no line


def test_updater_log_counts_skipped_lines_and_shows_hostile_text_escaped(tmp_path: Path) -> None:
    base = good_line(tmp_path)
    hostile = dict(base, outcome=HOSTILE, url="https://h.example/" + HOSTILE, reason=HOSTILE)
    write_lines(tmp_path / "state" / "log",
                [json.dumps(hostile).encode(), mutated(base, "time", "NaN"), b"{torn"])
    out, err = io.StringIO(), io.StringIO()
    assert main(["log", "--state-dir", str(tmp_path / "state")], out, err) == 0, err.getvalue()
    text = out.getvalue()
    for char in "\x1b\x07\r\u202e\u202c\x85\u2028":
        assert char not in text
    assert printable(HOSTILE) in text  # shown, as escapes
    folder = tmp_path / "state" / "log"
    assert text.rstrip().endswith(f"2 unreadable lines were skipped in {folder}.")
    out = io.StringIO()
    assert main(["log", "--json", "--state-dir", str(tmp_path / "state")], out, err) == 0
    doc = json.loads(out.getvalue())
    assert doc["skipped_lines"] == 2 and doc["entries"][0]["outcome"] == printable(HOSTILE)


def test_write_ahead_record_lists_a_request_whose_outcome_never_came(tmp_path: Path) -> None:
    ledger = Ledger(tmp_path)
    exchange = _exchange()
    pending = ledger.begin(exchange.request)
    (entry,) = ledger.entries()
    assert entry.id == pending and entry.outcome == INTERRUPTED and entry.status is None
    assert entry.request_bytes == exchange.request.request_bytes
    done = ledger.record(exchange, "accepted feed serial 2", pending_id=pending)
    assert list(ledger.entries()) == [done]  # completed: one record, with the outcome
    assert (tmp_path / LOG_NAME).read_bytes().count(b"\n") == 2  # appended, never rewritten


def test_write_ahead_and_completion_meet_across_a_rotation(tmp_path: Path) -> None:
    from glass_updater.limits import Limits

    ledger = Ledger(tmp_path, Limits(ledger_max_bytes=1500, ledger_keep_files=3))
    exchange = _exchange()
    pending = ledger.begin(exchange.request)
    ledger.record(exchange, "x" * 1200, pending_id=pending)  # rotates between the two
    assert (tmp_path / f"{LOG_NAME}.1").exists()
    (entry,) = ledger.entries()
    assert entry.id == pending and entry.outcome == "x" * 1200
