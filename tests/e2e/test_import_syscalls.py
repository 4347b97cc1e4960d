"""Threat 50 at the syscall level: `updater import` opens no AF_INET/AF_INET6 socket.

Both for a good bundle (verified, kept, recorded) and a tampered one (refused, nothing
kept). strace sees sockets opened by any library, not only Python's.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

from tests.e2e.netwatch import ROOT
from tests.e2e.syscalls import STRACE, network_syscalls, traced_run
from tests.sim import FeedSimulator
from tests.updater.test_offline import _config_file, _flip_last, _rewrite, make_bundle

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(STRACE is None, reason="strace not installed (scripts/venv.sh installs it)"),
]


def _import(bundle: Path, config: Path, state: Path, trace: Path) -> tuple[int, str, str]:
    proc = traced_run(
        [sys.executable, "-m", "glass_updater", "import", str(bundle), "--json",
         "--config", str(config), "--state-dir", str(state)],
        trace, env={**os.environ, "PYTHONPATH": str(ROOT)}, cwd=ROOT, timeout=120,
    )
    return proc.returncode, proc.stdout, proc.stderr


def test_import_opens_no_socket_good_or_tampered(tmp_path: Path) -> None:
    sim = FeedSimulator()
    sim.add_release("1.4.0")
    bundle = make_bundle(sim, tmp_path)
    config = _config_file(sim, tmp_path)
    name = "assets/demo-app-1.4.0-linux-x86_64.appimage"
    tampered = _rewrite(bundle, lambda n, d: _flip_last(d) if n == name else d)

    bad_state = tmp_path / "bad-state"
    code, out, err = _import(tampered, config, bad_state, tmp_path / "bad.txt")
    assert code == 4, err
    assert network_syscalls(tmp_path / "bad.txt") == []
    assert [p for p in bad_state.rglob("*") if p.is_file() and p.suffix != ".lock"] == []

    code, out, err = _import(bundle, config, tmp_path / "state", tmp_path / "good.txt")
    assert code == 0, err
    doc = json.loads(out)
    assert doc["status"] == "downloaded" and doc["transmissions"] == []
    assert (tmp_path / "good.txt").exists()
    assert network_syscalls(tmp_path / "good.txt") == []
