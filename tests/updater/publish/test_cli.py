"""``updater-publish`` keygen / sign / verify through ``main()``."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from glass_updater.feed import verify_feed
from glass_updater.publish.cli import main

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
BODY = b"installer bytes\n"


def payload(**changes: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "product": "demo-app",
        "serial": 5,
        "expires": "2026-12-31T00:00:00Z",
        "releases": [
            {
                "version": "1.4.0",
                "channel": "stable",
                "published": "2026-11-20T10:00:00Z",
                "notes": "Faster",
                "assets": [
                    {
                        "platform": "linux-x86_64",
                        "kind": "appimage",
                        "url": "https://updates.example.com/demo-app-1.4.0.AppImage",
                        "size": len(BODY),
                        "sha256": hashlib.sha256(BODY).hexdigest(),
                    }
                ],
            }
        ],
    }
    doc.update(changes)
    return doc


@pytest.fixture
def keys(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[Path, str]:
    assert main(["keygen", "--out", str(tmp_path / "keys")]) == 0
    public = capsys.readouterr().out.strip()
    return tmp_path / "keys", public


def write(path: Path, doc: dict[str, Any]) -> Path:
    path.write_text(json.dumps(doc, indent=2))
    return path


def sign(tmp_path: Path, keydir: Path, doc: dict[str, Any], *extra: str) -> int:
    src = write(tmp_path / "payload.json", doc)
    return main(
        ["sign", "--key", str(keydir / "private.key"), str(src),
         "--out", str(tmp_path / "feed.json"), *extra],
        now=NOW,
    )


def test_keygen_writes_private_key_0600_and_prints_public(keys: tuple[Path, str]) -> None:
    keydir, public = keys
    assert public.startswith("ed25519:") and len(public) == len("ed25519:") + 44
    assert os.stat(keydir / "private.key").st_mode & 0o777 == 0o600
    assert b"PRIVATE KEY" in (keydir / "private.key").read_bytes()
    assert (keydir / "public.key").read_text().strip() == public


def test_keygen_refuses_to_overwrite_a_key(keys: tuple[Path, str]) -> None:
    keydir, _ = keys
    before = (keydir / "private.key").read_bytes()
    assert main(["keygen", "--out", str(keydir)]) == 2
    assert (keydir / "private.key").read_bytes() == before


def test_keygen_into_an_impossible_folder_says_what_to_do(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "a-file").write_text("x")
    assert main(["keygen", "--out", str(tmp_path / "a-file" / "keys")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Errno" not in err
    assert "check the path and its permissions" in err


@pytest.mark.parametrize("port", ["80000", "-1", "http"])
def test_serve_refuses_an_impossible_port_without_a_traceback(
    port: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["serve", "--dir", str(tmp_path), "--port", port]) == 2
    err = capsys.readouterr().err
    assert "is not a port number (0-65535)" in err and "Traceback" not in err


def test_sign_then_verify_round_trip(
    tmp_path: Path, keys: tuple[Path, str], capsys: pytest.CaptureFixture[str]
) -> None:
    keydir, public = keys
    assert sign(tmp_path, keydir, payload()) == 0
    feed_path = tmp_path / "feed.json"
    feed = verify_feed(
        feed_path.read_bytes(), trusted_keys=[public], product="demo-app", now=NOW, floor=None
    )
    assert feed.serial == 5 and feed.releases[0].version == "1.4.0"
    capsys.readouterr()
    assert main(["verify", "--key", public, str(feed_path)], now=NOW) == 0
    out = capsys.readouterr().out
    assert "serial   5" in out and "1.4.0 [stable]" in out
    key_file = str(keydir / "public.key")
    assert main(["verify", "--key", key_file, "--product", "demo-app", str(feed_path)],
                now=NOW) == 0


def test_sign_with_two_keys_for_rotation(tmp_path: Path, keys: tuple[Path, str]) -> None:
    keydir, public = keys
    assert main(["keygen", "--out", str(tmp_path / "next")]) == 0
    src = write(tmp_path / "payload.json", payload())
    out = tmp_path / "feed.json"
    assert main(["sign", "--key", str(keydir / "private.key"), "--key",
                 str(tmp_path / "next" / "private.key"), str(src), "--out", str(out)],
                now=NOW) == 0
    assert len(json.loads(out.read_bytes())["signatures"]) == 2
    next_public = (tmp_path / "next" / "public.key").read_text().strip()
    for key in (public, next_public):
        assert main(["verify", "--key", key, str(out)], now=NOW) == 0


def _asset(**changes: Any) -> dict[str, Any]:
    doc = payload()
    doc["releases"][0]["assets"][0].update(changes)
    return doc


def _no_hash() -> dict[str, Any]:
    doc = payload()
    del doc["releases"][0]["assets"][0]["sha256"]
    return doc


@pytest.mark.parametrize(
    ("name", "doc"),
    [
        ("http-url", _asset(url="http://updates.example.com/a")),
        ("relative-url", _asset(url="a.AppImage")),
        ("missing-hash", _no_hash()),
        ("unknown-hash", _asset(sha1="a" * 40)),
        ("bad-version", payload(releases=[dict(payload()["releases"][0], version="latest")])),
        ("expired", payload(expires="2026-11-01T00:00:00Z")),
        ("serial-string", payload(serial="6")),
        ("duplicate-key", None),
    ],
)
def test_sign_refuses_payload_clients_would_refuse(
    tmp_path: Path, keys: tuple[Path, str], name: str, doc: dict[str, Any] | None,
    capsys: pytest.CaptureFixture[str],
) -> None:
    keydir, _ = keys
    src = tmp_path / "payload.json"
    if doc is None:
        src.write_text('{"product": "demo-app", "product": "other"}')
    else:
        write(src, doc)
    out = tmp_path / "feed.json"
    rc = main(["sign", "--key", str(keydir / "private.key"), str(src), "--out", str(out)],
              now=NOW)
    assert rc == 4
    assert not out.exists()
    err = capsys.readouterr().err
    assert err.startswith("updater-publish: ") and err.count("\n") == 1
    assert "Traceback" not in err


@pytest.mark.parametrize("serial", [4, 5])
def test_sign_refuses_serial_not_above_previous(
    tmp_path: Path, keys: tuple[Path, str], serial: int
) -> None:
    keydir, _ = keys
    assert sign(tmp_path, keydir, payload()) == 0
    previous = tmp_path / "previous.json"
    (tmp_path / "feed.json").rename(previous)
    assert sign(tmp_path, keydir, payload(serial=serial), "--previous", str(previous)) == 4
    assert not (tmp_path / "feed.json").exists()
    assert sign(tmp_path, keydir, payload(serial=6), "--previous", str(previous)) == 0


def test_verify_failures_exit_4(tmp_path: Path, keys: tuple[Path, str]) -> None:
    keydir, public = keys
    assert sign(tmp_path, keydir, payload()) == 0
    feed = tmp_path / "feed.json"
    assert main(["keygen", "--out", str(tmp_path / "other")]) == 0
    other = (tmp_path / "other" / "public.key").read_text().strip()
    assert main(["verify", "--key", other, str(feed)], now=NOW) == 4
    assert main(["verify", "--key", public, "--product", "x", str(feed)], now=NOW) == 4
    assert main(["verify", "--key", public, str(feed)], now=NOW + timedelta(days=60)) == 4
    doc = json.loads(feed.read_bytes())
    doc["payload"] = doc["payload"][:-8] + "AAAAAAA="
    feed.write_text(json.dumps(doc))
    assert main(["verify", "--key", public, str(feed)], now=NOW) == 4
    feed.write_text("not json")
    assert main(["verify", "--key", public, str(feed)], now=NOW) == 4


def test_usage_and_config_errors_exit_2(tmp_path: Path, keys: tuple[Path, str]) -> None:
    keydir, _ = keys
    assert main([]) == 2
    assert main(["sign", "--out", "x"]) == 2
    assert main(["verify", "--key", "nonsense", str(tmp_path / "missing.json")]) == 2
    os.chmod(keydir / "private.key", 0o644)
    assert sign(tmp_path, keydir, payload()) == 2
    assert not (tmp_path / "feed.json").exists()


def test_python_dash_m_entry_point(tmp_path: Path) -> None:
    root = Path(__file__).resolve().parents[3]
    done = subprocess.run(
        [sys.executable, "-m", "glass_updater.publish", "keygen", "--out", str(tmp_path / "k")],
        capture_output=True, text=True, timeout=60, cwd=root, check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == (tmp_path / "k" / "public.key").read_text().strip()


@pytest.mark.loopback
def test_serve_command_prints_url_serves_and_stops_on_ctrl_c(tmp_path: Path) -> None:
    import signal
    import socket

    site = tmp_path / "site"
    site.mkdir()
    (site / "feed.json").write_bytes(b"{}\n")
    root = Path(__file__).resolve().parents[3]
    proc = subprocess.Popen(
        [sys.executable, "-m", "glass_updater.publish", "serve", "--dir", str(site), "--port", "0"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=root,
    )
    try:
        assert proc.stdout is not None
        url = proc.stdout.readline().decode().strip()
        assert url.startswith("http://127.0.0.1:") and url.endswith("/")
        port = int(url.rsplit(":", 1)[1].rstrip("/"))
        with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
            sock.sendall(b"GET /feed.json HTTP/1.1\r\nHost: x\r\n\r\n")
            sock.settimeout(5)
            assert sock.recv(12) == b"HTTP/1.1 200"
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=10) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=10)
        for stream in (proc.stdout, proc.stderr):
            if stream is not None:
                stream.close()
