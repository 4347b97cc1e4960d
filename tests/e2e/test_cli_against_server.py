"""The real CLI as a subprocess against the real feed server (updater-publish serve).

Judged on the four signals of THREATS.md: result and exit code, local state before and
after, the server's raw request log, and files on disk.
"""

from __future__ import annotations

import base64
import json
import os
import select
from pathlib import Path

import pytest
from glass_updater.publish.keys import write_keypair

from tests.e2e.conftest import Site
from tests.processes import wait_for_process

pytestmark = [pytest.mark.e2e, pytest.mark.loopback]

ALLOWED_CHECK_HEADERS = ["Host", "User-Agent", "Accept", "Accept-Encoding", "Connection"]


def head_fields(head: bytes) -> tuple[str, list[str]]:
    lines = head.decode("ascii").split("\r\n")
    target = lines[0].split(" ")[1]
    return target, [line.split(":", 1)[0] for line in lines[1:] if line]


def test_check_json_bytes_equal_what_the_server_read(site: Site) -> None:
    proc = site.run("check", "--json")
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert doc["status"] == "update-available"
    assert doc["current_version"] == "1.0.0"
    assert doc["latest"]["version"] == "1.4.0"
    assert doc["error"] is None
    (tx,) = doc["transmissions"]
    (head,) = site.server.request_log
    assert base64.b64decode(tx["request_b64"]) == head
    assert tx["status"] == 200 and tx["bytes_received"] > 0 and tx["channel"] == "plain"


def test_server_log_shows_only_allowlisted_fields(site: Site) -> None:
    site.run("check")
    site.run("check")  # the second check is byte-identical: no state leaks into requests
    first, second = site.server.request_log
    assert first == second
    target, headers = head_fields(first)
    assert target == "/demo-app/feed.json?product=demo-app&version=1.0.0"
    assert headers == ALLOWED_CHECK_HEADERS


def test_untrusted_key_exits_4_and_changes_no_state(site: Site, tmp_path: Path) -> None:
    other = write_keypair(tmp_path / "other-keys")
    config = tmp_path / "untrusting.toml"
    config.write_text(site.config.read_text().replace(site.public_key, other))
    before = site.state_snapshot()
    proc = site.run("check", "--json", config=config)
    assert proc.returncode == 4
    assert proc.stderr.count("\n") == 1 and "trust" in proc.stderr.lower()
    doc = json.loads(proc.stdout)
    assert doc["status"] == "error" and doc["error"]["kind"] == "untrusted-key"
    assert doc["latest"] is None
    assert site.state_snapshot() == before
    # What was sent is still on record, with the verdict:
    log = json.loads(site.run("log", "--json").stdout)["entries"]
    assert [e["outcome"].split(":")[0] for e in log] == ["refused"]


def test_no_trusted_key_is_a_config_error_and_nothing_is_fetched(
    site: Site, tmp_path: Path
) -> None:
    """Threat 8: exit 2 before any request; the server sees nothing."""
    config = tmp_path / "nokey.toml"
    config.write_text(site.config.read_text().replace(f'"{site.public_key}"', ""))
    for command in ("check", "download", "install"):
        proc = site.run(command, config=config)
        assert proc.returncode == 2, proc.stderr
        assert "trusted_keys" in proc.stderr and proc.stderr.count("\n") == 1
    assert site.server.request_log == ()
    assert site.state_snapshot() == {}


def test_server_down_exits_3_with_one_line(site: Site) -> None:
    site.server.stop()
    proc = site.run("check")
    assert proc.returncode == 3
    assert proc.stderr.startswith("updater: ") and proc.stderr.count("\n") == 1
    assert site.state_snapshot() == {}


def test_download_verifies_and_reports_path(site: Site) -> None:
    proc = site.run("download", "--json")
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert doc["status"] == "downloaded"
    path = Path(doc["path"])
    assert path.read_bytes() == (site.root / "site/demo-app/demo-app-1.4.0.sh").read_bytes()
    check_head, download_head = site.server.request_log
    target, headers = head_fields(download_head)
    assert target == "/demo-app/demo-app-1.4.0.sh"
    assert headers == ["Host", "User-Agent", "Accept", "Accept-Encoding", "Connection"]
    sent = [base64.b64decode(t["request_b64"]) for t in doc["transmissions"]]
    assert sent == [check_head, download_head]


def test_install_hands_the_verified_file_to_the_installer(site: Site, tmp_path: Path) -> None:
    """The CLI quits; the detached helper runs the installer on a private verified copy,
    then deletes both the copy and the staged download."""
    fifo = tmp_path / "installed.fifo"
    os.mkfifo(fifo)
    script = site.root / "site/demo-app/demo-app-1.4.0.sh"
    script.write_bytes(f'#!/bin/sh\necho "$PPID ran $0" > "{fifo}"\n'.encode())
    build_site_keep_asset(site)
    reader = os.open(fifo, os.O_RDWR | os.O_NONBLOCK)  # RDWR: select waits for a writer
    try:
        proc = site.run("install", "--json")
        assert proc.returncode == 0, proc.stderr
        doc = json.loads(proc.stdout)
        assert doc["status"] == "downloaded" and doc["handed_off"] is True
        ran = b""
        while not ran.endswith(b"\n"):
            ready, _, _ = select.select([reader], [], [], 30)
            assert ready, "the installer never ran"
            ran += os.read(reader, 4096)
    finally:
        os.close(reader)
    helper_pid, ran_path = ran.decode().strip().split(" ran ", 1)
    wait_for_process(int(helper_pid))
    staged = Path(doc["path"])
    handoff = site.state / "cache" / "handoff"
    assert Path(ran_path).parent.parent == handoff  # a private copy, not the staged file
    assert Path(ran_path).name == staged.name
    assert not Path(ran_path).exists() and list(handoff.iterdir()) == []  # copy removed
    assert not staged.exists() and not staged.parent.exists()  # staged download removed
    report = json.loads((site.state / "install-report.json").read_text())
    assert report["status"] == "installed" and report["version"] == "1.4.0"


def test_uninstallable_asset_is_refused_before_the_download(site: Site, tmp_path: Path) -> None:
    """No handler for the feed's asset here: exit 5 with what to change, no asset byte."""
    config = tmp_path / "no-command.toml"
    text = site.config.read_text()
    config.write_text(text[: text.index("[install]")])
    # The check says so first (text and JSON), naming no kind the feed lacks.
    proc = site.run("check", config=config)
    assert proc.returncode == 0, proc.stderr
    assert "This copy cannot update itself: there is no installer for a sh file" in proc.stdout
    assert "Run `updater download`" not in proc.stdout
    proc = site.run("check", "--json", config=config)
    from tests.cli_schema import validate_cli_output

    latest = validate_cli_output(proc.stdout)["latest"]
    assert latest["installable"] is False
    problem = latest["install_problem"]
    assert "this release has no file this installation can install (it offers only sh" in problem
    assert "[install] kind" not in problem  # the feed offers no kind to switch to
    for command in ("download", "install"):
        proc = site.run(command, "--json", config=config)
        assert proc.returncode == 5, proc.stderr
        assert proc.stderr.count("\n") == 1 and problem in proc.stderr
        doc = json.loads(proc.stdout)
        assert doc["status"] == "error" and doc["error"]["kind"] == "install"
    targets = [head_fields(h)[0] for h in site.server.request_log]
    assert all(t.startswith("/demo-app/feed.json") for t in targets)  # checks only
    assert not (site.state / "cache" / "downloads").exists()
    # Fetching the file for yourself (--dest) is not an install and needs no preflight.
    proc = site.run("download", "--dest", str(tmp_path / "out"), config=config)
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "out" / "demo-app-1.4.0.sh").is_file()


def build_site_keep_asset(site: Site) -> None:
    """Re-sign the feed for the asset bytes now on disk (a publisher's new build)."""
    import hashlib

    from glass_updater.publish.keys import load_private_key
    from glass_updater.signing import sign_envelope

    feed_path = site.root / "site/demo-app/feed.json"
    envelope = json.loads(feed_path.read_bytes())
    payload = json.loads(base64.b64decode(envelope["payload"]))
    body = (site.root / "site/demo-app/demo-app-1.4.0.sh").read_bytes()
    asset = payload["releases"][0]["assets"][0]
    asset["size"], asset["sha256"] = len(body), hashlib.sha256(body).hexdigest()
    key = load_private_key(site.root / "keys" / "private.key")
    feed_path.write_bytes(sign_envelope(json.dumps(payload).encode(), [key]))


def test_download_failure_lists_the_check_that_was_sent_too(site: Site) -> None:
    (site.root / "site/demo-app/demo-app-1.4.0.sh").unlink()
    proc = site.run("download", "--json")
    assert proc.returncode == 3
    doc = json.loads(proc.stdout)
    assert doc["status"] == "error" and "not found" in doc["error"]["message"]
    sent = [base64.b64decode(t["request_b64"]) for t in doc["transmissions"]]
    assert sent == list(site.server.request_log)  # the check and the refused download


def test_download_dest_gets_an_exact_copy(site: Site, tmp_path: Path) -> None:
    dest = tmp_path / "out"
    proc = site.run("download", "--dest", str(dest))
    assert proc.returncode == 0, proc.stderr
    (copied,) = dest.iterdir()
    assert copied.read_bytes() == (site.root / "site/demo-app/demo-app-1.4.0.sh").read_bytes()
    assert proc.stdout.strip().splitlines()[-1] == str(copied)


def test_config_error_with_json_still_prints_the_json_object(site: Site, tmp_path: Path) -> None:
    proc = site.run("check", "--json", config=tmp_path / "missing.toml")
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1
    doc = json.loads(proc.stdout)
    assert doc["status"] == "error" and doc["error"]["kind"] == "config"
    assert doc["transmissions"] == [] and doc["latest"] is None


def test_state_dir_that_is_a_file_is_one_clear_line(site: Site, tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("x")
    site.state = blocker
    proc = site.run("check")
    assert proc.returncode == 1
    assert proc.stderr.startswith("updater: could not write") and proc.stderr.count("\n") == 1
    assert "Traceback" not in proc.stderr


def test_preview_reads_the_same_settings_as_check(site: Site) -> None:
    """A proxy chosen in the user's settings shows up in preview --state-dir as in check."""
    site.state.mkdir(parents=True)
    (site.state / "settings.json").write_text('{"proxy": "http://127.0.0.1:9"}')
    https_config = site.root / "https.toml"
    https_config.write_text(
        site.config.read_text().replace("http://127.0.0.1", "https://localhost")
    )
    proc = site.run("preview", "--json", config=https_config)
    assert proc.returncode == 0, proc.stderr
    (tx,) = json.loads(proc.stdout)["transmissions"]
    assert tx["proxy"] == "http://127.0.0.1:9"
    assert base64.b64decode(tx["proxy_request_b64"]).startswith(b"CONNECT localhost:")


def test_stale_feed_exits_4_and_never_says_up_to_date(site: Site) -> None:
    """Threat 11 at the CLI: a genuine feed whose `expires` has passed."""
    from datetime import UTC, datetime, timedelta

    from glass_updater.publish.demo import build_site

    build_site(site.root / "site", site.server.url, site.root / "keys" / "private.key",
               datetime.now(UTC) - timedelta(days=60))  # signed then, expired 30 days ago
    proc = site.run("check", "--json")
    assert proc.returncode == 4
    doc = json.loads(proc.stdout)
    assert doc["status"] == "error" and doc["error"]["kind"] == "stale"
    assert "stale" in proc.stderr.lower() and "up to date" not in proc.stdout.lower()
    assert site.state_snapshot() == {}


def test_failed_dest_copy_still_reports_everything_sent(site: Site, tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    proc = site.run("download", "--json", "--dest", str(blocker / "sub"))
    assert proc.returncode == 1 and proc.stderr.count("\n") == 1
    doc = json.loads(proc.stdout)
    assert doc["status"] == "error" and doc["error"]["kind"] == "storage"
    assert doc["latest"]["version"] == "1.4.0"
    sent = [base64.b64decode(t["request_b64"]) for t in doc["transmissions"]]
    assert sent == list(site.server.request_log)  # the check and the download
