"""Threat 40 end to end: the real CLI through a CONNECT proxy with credentials.

The proxy sees the CONNECT line and the credentials; the update server never does; the
credentials never reach the ledger, the log or the JSON output.
"""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli_schema import validate_cli_output
from tests.e2e.netwatch import ROOT
from tests.loopback import ConnectProxy, LoopbackServer, Reply, TestCA
from tests.sim import FeedSimulator

pytestmark = [pytest.mark.e2e, pytest.mark.loopback]


def proxied_config(path: Path, feed_url: str, sim: FeedSimulator, ca: TestCA,
                   proxy_port: int) -> Path:
    """A config reaching ``feed_url`` (trusting ``ca``) through alice's proxy on loopback."""
    path.write_text(
        f'[product]\nid = "demo-app"\nversion = "1.0.0"\nplatform = "linux-x86_64"\n'
        f'[feed]\nurl = "{feed_url}"\ntrusted_keys = ["{sim.public_key}"]\n'
        f'ca_file = "{ca.ca_pem}"\n'
        f'[network]\nproxy = "http://alice:s3cret@127.0.0.1:{proxy_port}"\n'
    )
    return path


def test_check_through_proxy_keeps_credentials_to_the_proxy(tmp_path: Path) -> None:
    sim = FeedSimulator()
    sim.add_release("1.4.0")
    feed = sim.feed_bytes()
    ca = TestCA(tmp_path / "ca")
    reply = Reply(headers=(("Content-Type", "application/json"),), body=feed)
    with LoopbackServer(reply, tls=ca.server_context()) as origin, \
            ConnectProxy(("alice", "s3cret")) as proxy:
        feed_url = origin.url().replace("127.0.0.1", "localhost")
        config = proxied_config(tmp_path / "c.toml", feed_url, sim, ca, proxy.port)
        state = tmp_path / "state"
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        proc = subprocess.run(
            [sys.executable, "-m", "glass_updater", "check", "--json", "--config", str(config),
             "--state-dir", str(state)],
            capture_output=True, text=True, cwd=ROOT, env=env, timeout=60, check=False,
        )
        assert proc.returncode == 0, proc.stderr
        assert validate_cli_output(proc.stdout)["transmissions"][0]["proxy_request_b64"]
        preview = subprocess.run(
            [sys.executable, "-m", "glass_updater", "preview", "--json", "--config",
             str(config), "--state-dir", str(state)],
            capture_output=True, text=True, cwd=ROOT, env=env, timeout=60, check=False,
        )
        assert validate_cli_output(preview.stdout)["transmissions"][0]["proxy"]
        (connect,) = proxy.heads
        (origin_head,) = origin.wait_connections(1)
    token = base64.b64encode(b"alice:s3cret")
    port = feed_url.split(":")[2].split("/")[0]
    assert connect == (
        f"CONNECT localhost:{port} HTTP/1.1\r\nHost: localhost:{port}\r\n".encode()
        + b"Proxy-Authorization: Basic " + token + b"\r\n\r\n"
    )
    assert b"Proxy-Authorization" not in origin_head and token not in origin_head
    doc = json.loads(proc.stdout)
    assert doc["status"] == "update-available"
    (tx,) = doc["transmissions"]
    assert base64.b64decode(tx["request_b64"]) == origin_head
    assert tx["channel"] == "tls" and tx["proxy"] == f"http://127.0.0.1:{proxy.port}"
    shown_connect = base64.b64decode(tx["proxy_request_b64"])
    assert shown_connect.startswith(f"CONNECT localhost:{port} HTTP/1.1\r\n".encode())
    assert b"Basic <redacted 16 bytes>\r\n" in shown_connect and token not in shown_connect
    for path in state.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            assert token not in data and b"s3cret" not in data, path
    assert token not in proc.stdout.encode() and b"s3cret" not in proc.stdout.encode()


def test_check_in_text_shows_what_the_proxy_was_sent(tmp_path: Path) -> None:
    """The terminal lists every byte that left: the CONNECT to the proxy, then the check."""
    sim = FeedSimulator()
    sim.add_release("1.4.0")
    ca = TestCA(tmp_path / "ca")
    reply = Reply(headers=(("Content-Type", "application/json"),), body=sim.feed_bytes())
    with LoopbackServer(reply, tls=ca.server_context()) as origin, \
            ConnectProxy(("alice", "s3cret")) as proxy:
        feed_url = origin.url().replace("127.0.0.1", "localhost")
        config = proxied_config(tmp_path / "c.toml", feed_url, sim, ca, proxy.port)
        proc = subprocess.run(
            [sys.executable, "-m", "glass_updater", "check", "--config", str(config),
             "--state-dir", str(tmp_path / "state")],
            capture_output=True, text=True, cwd=ROOT,
            env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=60, check=False,
        )
        origin.wait_connections(1)
        log = subprocess.run(
            [sys.executable, "-m", "glass_updater", "log", "--config", str(config),
             "--state-dir", str(tmp_path / "state")],
            capture_output=True, text=True, cwd=ROOT,
            env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=60, check=False,
        )
    assert proc.returncode == 0, proc.stderr
    assert log.returncode == 0, log.stderr
    port = feed_url.split(":")[2].split("/")[0]
    for out in (proc.stdout, log.stdout):  # `updater check`, then the history
        _shows_proxy_then_server(out, port)


def _shows_proxy_then_server(out: str, port: str) -> None:
    proxy_part = out.index("[to your proxy, in clear]")
    server_part = out.index("[to the update server, inside TLS]")
    assert proxy_part < out.index(f"CONNECT localhost:{port} HTTP/1.1") < server_part
    assert "Proxy-Authorization: Basic <redacted" in out
    assert out.index("GET /") > server_part
    assert "s3cret" not in out and base64.b64encode(b"alice:s3cret").decode() not in out
