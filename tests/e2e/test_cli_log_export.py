"""``updater log --format har|http|json [--out F]`` after a real check against a server."""

from __future__ import annotations

import json
from pathlib import Path

from tests.e2e.conftest import Site
from tests.updater.test_export_har_schema import _runner_requests, assert_valid_har


def test_log_exports_after_a_real_check(site: Site, tmp_path: Path) -> None:
    assert site.run("check").returncode == 0
    har = tmp_path / "history.har"
    proc = site.run("log", "--format", "har", "--out", str(har))
    assert proc.returncode == 0, proc.stderr
    assert "Wrote 1 exchange as har" in proc.stdout
    doc = json.loads(har.read_text())
    assert_valid_har(doc)
    (entry,) = doc["log"]["entries"]
    assert entry["request"]["url"].startswith(site.server.url + "/demo-app/feed.json?product=")
    assert entry["response"]["status"] == 200
    # The exact bytes the server read are in the HAR too.
    import base64

    sent = base64.b64decode(entry["_glass_sent"][-1]["b64"])
    assert sent in site.server.request_log

    http = site.run("log", "--format", "http")
    assert http.returncode == 0, http.stderr
    (request,) = _runner_requests(http.stdout)
    assert request[0] == f"GET {entry['request']['url']} HTTP/1.1"

    as_json = json.loads(site.run("log", "--format", "json").stdout)
    assert as_json["format"] == "glass-updater-ledger" and len(as_json["entries"]) == 1
    # --json keeps its documented shape.
    assert list(json.loads(site.run("log", "--json").stdout)) == ["entries", "skipped_lines"]


def test_log_out_to_an_unwritable_place_is_one_line(site: Site, tmp_path: Path) -> None:
    assert site.run("check").returncode == 0
    (tmp_path / "taken.har").mkdir()  # a folder where the file should go
    proc = site.run("log", "--format", "har", "--out", str(tmp_path / "taken.har"))
    assert proc.returncode == 1
    assert proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr
