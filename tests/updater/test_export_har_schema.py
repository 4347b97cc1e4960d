"""HAR 1.2 checked by an independent validator; ``.http`` as runners read it; honesty about
what a CONNECT-only exchange sent."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from glass_updater.export import to_har, to_http

from tests.updater.test_export import _entries

SCHEMAS = Path(__file__).resolve().parents[1] / "data" / "har-schema"


def har_validator():  # type: ignore[no-untyped-def]
    """jsonschema with the har-schema package's HAR 1.2 schema files (written by others)."""
    jsonschema = pytest.importorskip("jsonschema")
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT6

    resources = []
    for path in SCHEMAS.glob("*.json"):
        doc = json.loads(path.read_text())
        resources.append((doc["$id"], Resource.from_contents(doc, default_specification=DRAFT6)))
    registry = Registry().with_resources(resources)
    root = json.loads((SCHEMAS / "har.json").read_text())
    return jsonschema.Draft6Validator(
        root, registry=registry, format_checker=jsonschema.Draft6Validator.FORMAT_CHECKER
    )


def assert_valid_har(doc: object) -> None:
    errors = sorted(har_validator().iter_errors(doc), key=lambda e: list(e.path))
    assert not errors, [f"{list(e.path)}: {e.message}" for e in errors]


def test_har_export_is_valid_har_1_2(tmp_path: Path) -> None:
    assert_valid_har(json.loads(json.dumps(to_har(_entries(tmp_path)))))


def test_the_validator_catches_a_broken_har(tmp_path: Path) -> None:
    """The check can fail: a HAR missing a required field is refused."""
    doc = json.loads(json.dumps(to_har(_entries(tmp_path))))
    del doc["log"]["entries"][0]["request"]["headers"]
    with pytest.raises(AssertionError):
        assert_valid_har(doc)
    doc = json.loads(json.dumps(to_har(_entries(tmp_path))))
    doc["log"]["entries"][0]["time"] = "slow"
    with pytest.raises(AssertionError):
        assert_valid_har(doc)


def test_connect_only_entry_does_not_claim_the_query_was_sent(tmp_path: Path) -> None:
    entries = _entries(tmp_path)
    failed = entries[1]  # through a proxy, only the CONNECT left
    assert {t.channel.value for t in failed.sent} == {"proxy"}
    item = to_har(entries)["log"]["entries"][1]  # type: ignore[index]
    request = item["request"]
    assert request["method"] == "CONNECT"
    assert request["queryString"] == []
    assert "?" not in request["url"] and "product=" not in json.dumps(request)
    assert request["url"] == "https://updates.example.com/"
    assert "never sent" in item["comment"]
    sent_entry = to_har(entries)["log"]["entries"][0]  # type: ignore[index]
    assert sent_entry["request"]["queryString"]  # a request that was sent keeps its query


def _runner_requests(text: str) -> list[list[str]]:
    """Read a .http file as the runners do: blocks split at ###, comments skipped."""
    blocks: list[list[str]] = []
    for block in re.split(r"^###.*$", text, flags=re.M):
        lines = [line for line in block.split("\n") if line and not line.startswith("#")]
        if lines:
            blocks.append(lines)
    return blocks


def test_http_export_reads_as_runner_requests_with_absolute_urls(tmp_path: Path) -> None:
    entries = _entries(tmp_path)
    text = to_http(entries).decode()
    requests = _runner_requests(text)
    # The CONNECT-only exchange is only comments: a runner cannot send it by mistake.
    assert len(requests) == 2
    first = requests[0][0]
    assert first == (
        "GET http://127.0.0.1:8765/demo-app/feed.json?product=demo-app&version=1.0.0 HTTP/1.1"
    )
    assert "User-Agent: glass-updater" in requests[0]
    assert all(re.fullmatch(r"[A-Za-z-]+: .*", line) for line in requests[0][1:])
    assert "\r" not in text
    assert text.count("###") == len(entries)


def test_http_export_keeps_the_https_scheme(tmp_path: Path) -> None:
    from glass_updater.allowlist import load_allowlist
    from glass_updater.ledger import Ledger
    from glass_updater.request import build_check_request
    from glass_updater.wire_types import Exchange

    request = build_check_request(
        load_allowlist(), feed_url="https://updates.example.com/demo-app/feed.json",
        product="demo-app", version="1.0.0", proxy=None, max_body=1000,
    )
    entry = Ledger(tmp_path).record(Exchange(request, request.transmissions, 200, "OK"), "ok")
    (block,) = _runner_requests(to_http([entry]).decode())
    assert block[0].startswith("GET https://updates.example.com/demo-app/feed.json?product=")
    assert block[0].endswith(" HTTP/1.1")
