"""P1 at the syscall level: offline commands make no AF_INET/AF_INET6 socket or connect."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from tests.e2e.netwatch import ROOT
from tests.e2e.syscalls import STRACE, network_syscalls, traced_run

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(STRACE is None, reason="strace not installed (scripts/venv.sh installs it)"),
]


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT)}


@pytest.mark.parametrize("argv", [["preview"], ["audit", "--format", "markdown"]])
def test_offline_command_makes_no_network_syscall(argv: list[str], tmp_path: Path) -> None:
    trace = tmp_path / "trace.txt"
    proc = traced_run([sys.executable, "-m", "glass_updater", *argv], trace, env=_env(), cwd=ROOT)
    assert proc.returncode == 0, proc.stderr
    assert trace.exists()
    assert network_syscalls(trace) == []


def test_strace_witness_sees_a_tcp_socket(tmp_path: Path) -> None:
    trace = tmp_path / "trace.txt"
    code = "import socket; socket.socket(socket.AF_INET, socket.SOCK_STREAM).close()"
    proc = traced_run([sys.executable, "-c", code], trace, env=_env())
    assert proc.returncode == 0
    assert len(network_syscalls(trace)) == 1
