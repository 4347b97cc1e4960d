"""The transmission ledger: append-only, torn-line tolerant, bounded by rotation."""

from __future__ import annotations

import time
from pathlib import Path

from glass_updater.allowlist import load_allowlist
from glass_updater.ledger import LOG_NAME, Ledger
from glass_updater.limits import Limits
from glass_updater.request import build_check_request
from glass_updater.wire_types import Channel, Exchange, Transmission


def _exchange(version: str = "1.0.0", status: int | None = 200) -> Exchange:
    req = build_check_request(
        load_allowlist(),
        feed_url="https://updates.example.com/demo-app/feed.json",
        product="demo-app",
        version=version,
        proxy=None,
        max_body=1024,
    )
    return Exchange(
        request=req,
        sent=req.transmissions,
        status=status,
        reason="OK",
        response_headers=(("Content-Type", "application/json"),),
        bytes_received=42,
        started_at=time.time(),
        duration=0.01,
        remote="127.0.0.1:443",
    )


def test_entry_round_trips_exact_bytes(tmp_path: Path) -> None:
    ledger = Ledger(tmp_path)
    exchange = _exchange()
    written = ledger.record(exchange, outcome="accepted feed serial 3")
    (read,) = list(ledger.entries())
    assert read == written
    assert read.sent == exchange.sent
    assert read.request_bytes == exchange.request.request_bytes
    assert read.outcome == "accepted feed serial 3"
    assert read.url == exchange.request.url


def test_torn_last_line_is_skipped_not_fatal(tmp_path: Path) -> None:
    ledger = Ledger(tmp_path)
    ledger.record(_exchange("1.0.0"))
    ledger.record(_exchange("1.0.1"))
    log = tmp_path / LOG_NAME
    data = log.read_bytes()
    log.write_bytes(data[:-20])  # a crash in the middle of the second write
    versions = [e.url.rsplit("=", 1)[1] for e in ledger.entries()]
    assert versions == ["1.0.0"]
    ledger.record(_exchange("1.0.2"))  # appending after a torn line still works
    assert [e.url.rsplit("=", 1)[1] for e in ledger.entries()][-1] == "1.0.2"


def test_log_is_bounded_by_rotation(tmp_path: Path) -> None:
    limits = Limits(ledger_max_bytes=4000, ledger_keep_files=2)
    ledger = Ledger(tmp_path, limits)
    for i in range(40):
        ledger.record(_exchange(f"1.0.{i}"))
    files = sorted(p.name for p in tmp_path.iterdir())
    assert files == [LOG_NAME, f"{LOG_NAME}.1", f"{LOG_NAME}.2"]
    assert all((tmp_path / f).stat().st_size <= 4000 for f in files)
    versions = [int(e.url.rsplit(".", 1)[1]) for e in ledger.entries()]
    assert versions == sorted(versions)  # oldest first across rotated files
    assert versions[-1] == 39


def test_ids_are_unique_and_ordered(tmp_path: Path) -> None:
    ledger = Ledger(tmp_path)
    exchange = _exchange()  # the same start time for every record: ids must still order
    ids = [ledger.record(exchange).id for _ in range(150)]
    assert ids == sorted(ids) and len(set(ids)) == 150


def test_failed_exchange_is_recorded_with_error(tmp_path: Path) -> None:
    ledger = Ledger(tmp_path)
    ex = _exchange(status=None)
    ex = Exchange(request=ex.request, sent=(Transmission(Channel.TLS, b"GET"),), status=None,
                  error="connection reset after 3 bytes")
    (entry,) = [ledger.record(ex, "refused: network")]
    assert entry.status is None and entry.error == "connection reset after 3 bytes"
    assert entry.request_bytes == b"GET"  # only what was really written, never the preview


def test_clear_removes_history(tmp_path: Path) -> None:
    ledger = Ledger(tmp_path, Limits(ledger_max_bytes=2000))
    for _ in range(10):
        ledger.record(_exchange())
    ledger.clear()
    assert list(ledger.entries()) == []


def test_proxy_credentials_never_reach_the_log(tmp_path: Path) -> None:
    from glass_updater.wire_types import ProxySpec

    req = build_check_request(
        load_allowlist(), feed_url="https://updates.example.com/demo-app/feed.json",
        product="demo-app", version="1.0.0",
        proxy=ProxySpec("127.0.0.1", 3128, "alice", "s3cret"), max_body=1024,
    )
    ledger = Ledger(tmp_path)
    entry = ledger.record(Exchange(request=req, sent=req.transmissions, status=200))
    raw = (tmp_path / LOG_NAME).read_bytes()
    token = req.transmissions[0].data.split(b"Basic ")[1].split(b"\r\n")[0]
    assert token not in raw and b"s3cret" not in raw
    connect = entry.sent[0].data
    assert connect.startswith(b"CONNECT updates.example.com:443 HTTP/1.1\r\n")
    assert b"Proxy-Authorization: Basic <redacted 16 bytes>\r\n" in connect
    assert entry.sent[1] == req.transmissions[1]  # the origin's bytes are kept exactly
