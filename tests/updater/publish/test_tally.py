"""``serve --tally``: a fleet on one version sends one request shape, the one audit prints."""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from glass_updater.config import load_config
from glass_updater.paths import Paths
from glass_updater.policy import check_request_sha256
from glass_updater.publish.demo import build_site, write_config
from glass_updater.publish.keys import write_keypair
from glass_updater.publish.serve import FeedServer
from glass_updater.publish.tally import RequestTally
from glass_updater.settings import UserSettings
from glass_updater.updater import Updater

pytestmark = pytest.mark.loopback
ROOT = Path(__file__).resolve().parents[3]


def _get(port: int, path: str) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(f"GET {path} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
        sock.settimeout(5)
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    return data.split(b"\r\n\r\n", 1)[1]


def test_one_shape_per_version_equal_to_audit(tmp_path: Path) -> None:
    key = write_keypair(tmp_path / "keys")
    tally = RequestTally()
    with FeedServer(tmp_path / "site", tally=tally) as server:
        build_site(tmp_path / "site", server.url, tmp_path / "keys" / "private.key",
                   datetime.now(UTC))
        config_path = tmp_path / "config.toml"
        write_config(config_path, f"{server.url}/demo-app/feed.json", key, None)
        config = load_config(config_path)
        for n, settings in enumerate([UserSettings(), UserSettings(channel="beta"),
                                      UserSettings(ask_before_check=True)]):
            updater = Updater(config, paths=Paths.under(tmp_path / f"user{n}"),
                              policy_path=tmp_path / "no-policy.toml")
            updater.settings.save(settings)  # different users, different local choices
            updater.check()
        assert len(tally.shapes()) == 1 and tally.total == 3
        (shape,) = tally.shapes()
        assert shape.sha256 == check_request_sha256(updater.allowlist, config)
        assert shape.request_line.startswith("GET /demo-app/feed.json?product=demo-app&")
        from dataclasses import replace

        other = replace(config, version="1.2.0")
        Updater(other, paths=Paths.under(tmp_path / "old"),
                policy_path=tmp_path / "no-policy.toml").check()
        doc = json.loads(_get(server.port, "/__tally"))
    assert doc["distinct"] == 2 and doc["requests"] == 4
    assert doc["shapes"][0] == {"sha256": shape.sha256, "count": 3,
                                "request_line": shape.request_line}
    assert "2 distinct request shape(s) in 4 request(s)" in tally.summary()


def test_serve_tally_reports_on_stderr_and_exit(tmp_path: Path) -> None:
    site = tmp_path / "site"
    site.mkdir()
    (site / "feed.json").write_bytes(b"{}\n")
    proc = subprocess.Popen(
        [sys.executable, "-m", "glass_updater.publish", "serve", "--dir", str(site),
         "--port", "0", "--tally"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT, text=True,
    )
    try:
        assert proc.stdout is not None and proc.stderr is not None
        url = proc.stdout.readline().strip()
        port = int(url.rsplit(":", 1)[1].rstrip("/"))
        for _ in range(3):
            _get(port, "/feed.json")
        _get(port, "/feed.json?version=2")
        doc = json.loads(_get(port, "/__tally"))
        assert (doc["distinct"], doc["requests"]) == (2, 4)
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=10) == 0
        err = proc.stderr.read()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=10)
        for stream in (proc.stdout, proc.stderr):
            if stream is not None:
                stream.close()
    assert err.count("tally: new request shape") == 2
    assert "tally: 2 distinct request shape(s) in 4 request(s)" in err


def test_audit_prints_the_same_check_sha256_for_every_user(tmp_path: Path) -> None:
    import os

    config = tmp_path / "config.toml"
    write_config(config, "https://updates.example.com/demo-app/feed.json",
                 write_keypair(tmp_path / "keys"), None)
    lines = []
    for n, extra in enumerate([{}, {"LANG": "de_DE.UTF-8", "TZ": "Asia/Tokyo",
                                    "https_proxy": "http://p.example:3128"}]):
        home = tmp_path / f"home{n}"
        home.mkdir()
        env = {**os.environ, "HOME": str(home), "XDG_STATE_HOME": str(home / "s"),
               "PYTHONPATH": str(ROOT), **extra}
        out = subprocess.run(
            [sys.executable, "-m", "glass_updater", "audit", "--config", str(config)],
            capture_output=True, text=True, cwd=ROOT, env=env, timeout=60, check=True,
        ).stdout
        lines.append(next(line for line in out.splitlines() if "check request sha256=" in line))
    assert lines[0] == lines[1]
    assert len(lines[0].split("sha256=", 1)[1].split()[0]) == 64
