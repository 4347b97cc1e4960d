"""P1 end to end: the real tray app, as a process, is silent until the user asks.

Two independent witnesses watch the same process: a PEP 578 audit hook (every socket
Python creates, resolves or connects) and strace (every socket() and connect() syscall,
including any made by Qt or OpenSSL in C). Before a check: nothing. After one forwarded
"Check for Updates": exactly one connection, to the feed server, and one request.
"""

from __future__ import annotations

import os
import select
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from glass_updater.ledger import Ledger

from tests.e2e.conftest import Site
from tests.e2e.netwatch import ROOT, read_events, watched_argv, watched_env
from tests.e2e.syscalls import STRACE, network_syscalls, strace_cmd

pytestmark = [pytest.mark.e2e, pytest.mark.loopback]


def _line(proc: subprocess.Popen[str], timeout: float = 30) -> str:
    assert proc.stdout is not None
    ready, _, _ = select.select([proc.stdout], [], [], timeout)
    assert ready, "the app printed nothing in time"
    return proc.stdout.readline()


def _ui(config: Path, state: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "glass_updater.qt", "--config", str(config),
         "--state-dir", str(state), *extra],
        env=env, cwd=ROOT, capture_output=True, text=True, timeout=30, check=False,
    )


def test_app_is_silent_until_asked_then_makes_exactly_one_check(
    site: Site, tmp_path: Path
) -> None:
    server, config, state = site.server, site.config, site.state
    got = threading.Event()
    server.on_request = lambda _head: got.set()
    events = tmp_path / "events.jsonl"
    trace = tmp_path / "strace.txt"
    argv = watched_argv("ui", "--config", str(config), "--state-dir", str(state))
    if STRACE is not None:
        argv = [*strace_cmd(trace), *argv]
    proc = subprocess.Popen(
        argv, env=watched_env(events, {"QT_QPA_PLATFORM": "offscreen"}), cwd=ROOT,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        assert _line(proc).startswith("glass-updater: ready")
        # Let the event loop run a while: no timer may fire a check by itself.
        assert not got.wait(1.5)
        assert read_events(events) == (), "network activity before the user asked"
        assert server.request_log == ()

        forwarded = _ui(config, state, "--check-now")  # Help → Check for Updates
        assert forwarded.returncode == 0, forwarded.stderr
        assert got.wait(30), "the running app never checked"
        assert _ui(config, state, "--quit").returncode == 0
        assert proc.wait(30) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(10)
        for stream in (proc.stdout, proc.stderr):
            if stream is not None:
                stream.close()
    (head,) = server.request_log
    port = server.port
    connects = [detail for name, detail in read_events(events) if name == "socket.connect"]
    assert len(connects) == 1 and f"('127.0.0.1', {port})" in connects[0]
    sends = [e for e in read_events(events) if e[0] == "http.client.send"]
    assert sends, "the request did not go through http.client (the gated path)"
    (entry,) = Ledger(state / "log").entries()  # the write-ahead record, then completed
    assert entry.outcome.startswith("accepted")
    assert entry.request_bytes == head  # what the panel shows is what the server read
    if STRACE is not None:
        inet_connects = [line for line in network_syscalls(trace) if "connect(" in line]
        assert len(inet_connects) == 1 and f"sin_port=htons({port})" in inet_connects[0]
