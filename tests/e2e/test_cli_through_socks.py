"""Threat 51 end to end: the real CLI through a SOCKS5 proxy with remote DNS.

The update host ``updates.glass.test`` exists in no DNS; only the proxy can resolve it.
Under strace, the process's only network syscalls are the TCP socket and the connect to
the proxy: no UDP socket for a DNS query, no connect anywhere else.
"""

from __future__ import annotations

import base64
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.e2e.netwatch import ROOT
from tests.e2e.syscalls import STRACE, network_syscalls, strace_cmd
from tests.loopback import LoopbackServer, Reply, Socks5Proxy, TestCA
from tests.sim import FeedSimulator

pytestmark = [pytest.mark.e2e, pytest.mark.loopback]
NAME = "updates.glass.test"


def test_check_through_socks5h_resolves_nothing_locally(tmp_path: Path) -> None:
    sim = FeedSimulator()
    sim.add_release("1.4.0")
    ca = TestCA(tmp_path / "ca")
    reply = Reply(headers=(("Content-Type", "application/json"),), body=sim.feed_bytes())
    trace = tmp_path / "trace.txt"
    with LoopbackServer(reply, tls=ca.server_context(NAME)) as origin, \
            Socks5Proxy(("alice", "s3cret")) as proxy:
        config = tmp_path / "c.toml"
        config.write_text(
            f'[product]\nid = "demo-app"\nversion = "1.0.0"\nplatform = "linux-x86_64"\n'
            f'[feed]\nurl = "https://{NAME}:{origin.port}/demo-app/feed.json"\n'
            f'trusted_keys = ["{sim.public_key}"]\nca_file = "{ca.ca_pem}"\n'
            f'[network]\nproxy = "socks5h://alice:s3cret@127.0.0.1:{proxy.port}"\n'
        )
        state = tmp_path / "state"
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        traced = strace_cmd(trace) if STRACE else []
        proc = subprocess.run(
            [*traced, sys.executable, "-m", "glass_updater", "check", "--json",
             "--config", str(config), "--state-dir", str(state)],
            capture_output=True, text=True, cwd=ROOT, env=env, timeout=60, check=False,
        )
        assert proc.returncode == 0, proc.stderr
        (handshake,) = proxy.handshakes
        (origin_head,) = origin.wait_connections(1)
    assert proxy.requested == [(NAME, origin.port)]
    assert b"s3cret" in handshake and b"s3cret" not in origin_head
    doc = json.loads(proc.stdout)
    assert doc["status"] == "update-available"
    (tx,) = doc["transmissions"]
    assert base64.b64decode(tx["request_b64"]) == origin_head
    assert tx["proxy"] == f"socks5h://127.0.0.1:{proxy.port}"
    shown = base64.b64decode(tx["proxy_request_b64"])
    assert shown.startswith(b"\x05\x01\x02\x01<redacted 13 bytes>\x05\x01\x00\x03")
    assert NAME.encode() in shown and b"s3cret" not in shown
    for path in state.rglob("*"):
        if path.is_file():
            assert b"s3cret" not in path.read_bytes(), path
    if STRACE:
        calls = network_syscalls(trace)
        assert calls, "strace saw no socket at all: the witness is broken"
        assert not any("SOCK_DGRAM" in line for line in calls), calls  # no DNS query
        connects = [line for line in calls if "connect(" in line]
        ports = {int(m) for line in connects for m in re.findall(r"htons\((\d+)\)", line)}
        assert ports == {proxy.port}, connects


def test_socks5_without_remote_dns_is_refused(tmp_path: Path) -> None:
    config = tmp_path / "c.toml"
    config.write_text(
        '[product]\nid = "demo-app"\nversion = "1.0.0"\n'
        '[feed]\nurl = "https://updates.example.com/f.json"\n'
        f'trusted_keys = ["{FeedSimulator().public_key}"]\n'
        '[network]\nproxy = "socks5://127.0.0.1:9050"\n'
    )
    proc = subprocess.run(
        [sys.executable, "-m", "glass_updater", "check", "--config", str(config),
         "--state-dir", str(tmp_path / "s")],
        capture_output=True, text=True, cwd=ROOT, timeout=60, check=False,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and "DNS" in proc.stderr and "socks5h" in proc.stderr
