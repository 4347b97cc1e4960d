"""HAR 1.2 / raw .http / JSON exports carry the exact recorded bytes."""

from __future__ import annotations

import base64
import json
import re
from datetime import datetime
from pathlib import Path

import pytest
from glass_updater.allowlist import load_allowlist
from glass_updater.export import to_har, to_json, to_raw_http
from glass_updater.ledger import Ledger, LedgerEntry
from glass_updater.request import build_check_request
from glass_updater.wire_types import Exchange, ProxySpec


def _entries(tmp_path: Path) -> list[LedgerEntry]:
    allowlist = load_allowlist()
    ledger = Ledger(tmp_path)
    plain = build_check_request(
        allowlist,
        feed_url="http://127.0.0.1:8765/demo-app/feed.json",
        product="demo-app",
        version="1.0.0",
        proxy=None,
        max_body=1 << 20,
    )
    proxied = build_check_request(
        allowlist,
        feed_url="https://updates.example.com/demo-app/feed.json",
        product="demo-app",
        version="1.0.0",
        proxy=ProxySpec("proxy.local", 3128),
        max_body=1 << 20,
    )
    ok = Exchange(
        plain,
        plain.transmissions,
        200,
        "OK",
        (("Content-Type", "application/json"), ("Content-Length", "321")),
        bytes_received=321,
        started_at=1_795_000_000.25,
        duration=0.042,
        remote="127.0.0.1:8765",
    )
    failed = Exchange(
        proxied, proxied.transmissions[:1], None, started_at=1_795_000_001.0, error="refused"
    )
    moved = Exchange(
        plain,
        plain.transmissions,
        302,
        "Found",
        (("Location", "/demo-app/other.json"),),
        started_at=1_795_000_002.0,
    )
    return [
        ledger.record(ok, "accepted feed serial 3"),
        ledger.record(failed, "refused: connection refused"),
        ledger.record(moved, "redirected (302)"),
    ]


def _check_pairs(items: object) -> None:
    assert isinstance(items, list)
    for item in items:
        assert set(item) >= {"name", "value"}
        assert isinstance(item["name"], str) and isinstance(item["value"], str)


def validate_har(doc: dict[str, object]) -> None:
    """The HAR 1.2 structure (http://www.softwareishard.com/blog/har-12-spec/)."""
    log = doc["log"]
    assert isinstance(log, dict)
    assert log["version"] == "1.2"
    assert isinstance(log["creator"], dict) and {"name", "version"} <= set(log["creator"])
    assert isinstance(log["entries"], list)
    for entry in log["entries"]:
        datetime.fromisoformat(entry["startedDateTime"].replace("Z", "+00:00"))
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", entry["startedDateTime"])
        assert isinstance(entry["time"], int | float) and entry["time"] >= 0
        req, resp = entry["request"], entry["response"]
        for key in ("method", "url", "httpVersion"):
            assert isinstance(req[key], str)
        for key in ("cookies", "headers", "queryString"):
            _check_pairs(req[key])
        assert isinstance(req["headersSize"], int) and isinstance(req["bodySize"], int)
        assert isinstance(resp["status"], int) and isinstance(resp["statusText"], str)
        assert isinstance(resp["httpVersion"], str) and isinstance(resp["redirectURL"], str)
        _check_pairs(resp["cookies"])
        _check_pairs(resp["headers"])
        assert isinstance(resp["content"]["size"], int)
        assert isinstance(resp["content"]["mimeType"], str)
        assert isinstance(resp["headersSize"], int) and isinstance(resp["bodySize"], int)
        assert isinstance(entry["cache"], dict)
        for key in ("send", "wait", "receive"):
            assert entry["timings"][key] >= 0
        extra = {k for k in entry if k not in HAR_ENTRY_KEYS}
        assert all(k.startswith("_") for k in extra), extra


HAR_ENTRY_KEYS = {
    "pageref", "startedDateTime", "time", "request", "response", "cache", "timings",
    "serverIPAddress", "connection", "comment",
}


def test_har_validates_structurally(tmp_path: Path) -> None:
    doc = to_har(_entries(tmp_path))
    validate_har(json.loads(json.dumps(doc)))


def test_har_carries_the_exact_bytes(tmp_path: Path) -> None:
    entries = _entries(tmp_path)
    har = to_har(entries)
    log = har["log"]
    assert isinstance(log, dict)
    for entry, item in zip(entries, log["entries"], strict=True):
        sent = [base64.b64decode(s["b64"]) for s in item["_glass_sent"]]
        assert sent == [t.data for t in entry.sent]
        assert [s["channel"] for s in item["_glass_sent"]] == [t.channel.value for t in entry.sent]
        assert item["_glass_id"] == entry.id
    first = log["entries"][0]
    assert first["request"]["method"] == "GET"
    assert {"name": "User-Agent", "value": "glass-updater"} in first["request"]["headers"]
    assert first["request"]["queryString"] == [
        {"name": "product", "value": "demo-app"},
        {"name": "version", "value": "1.0.0"},
    ]
    assert first["request"]["headersSize"] == len(entries[0].request_bytes)
    assert first["response"]["status"] == 200
    assert first["response"]["content"]["mimeType"] == "application/json"
    assert first["time"] == pytest.approx(42.0)
    assert first["startedDateTime"].endswith(".250Z")
    failed = log["entries"][1]
    assert failed["response"]["status"] == 0 and failed["_glass_error"] == "refused"
    assert failed["_glass_proxy"] == "http://proxy.local:3128"
    assert log["entries"][2]["response"]["redirectURL"] == "/demo-app/other.json"


def test_raw_http_holds_each_exchange_unchanged(tmp_path: Path) -> None:
    entries = _entries(tmp_path)
    raw = to_raw_http(entries)
    chunks = re.split(rb"(?m)^### [^\n]*\n", raw)[1:]
    expected = [t.data for e in entries for t in e.sent]
    assert chunks == expected
    assert raw.count(b"### ") == len(expected)


def test_json_round_trips_to_the_same_entries(tmp_path: Path) -> None:
    entries = _entries(tmp_path)
    doc = json.loads(json.dumps(to_json(entries)))
    assert doc["format"] == "glass-updater-ledger" and doc["version"] == 1
    assert [LedgerEntry.from_json(e) for e in doc["entries"]] == entries


def test_empty_history_exports_valid_documents() -> None:
    validate_har(to_har([]))
    assert to_raw_http([]) == b""
    assert to_json([])["entries"] == []
