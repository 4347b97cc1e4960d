"""Threat 36 for state, settings and the ledger: SIGKILL mid-write never corrupts them.

A child process rewrites state.json and settings.json and appends to the ledger in a
loop, reporting each completed round on stdout; the parent kills it after a varying
number of rounds (so the kill lands at varying points inside the writes), then checks
that every file is old-or-new and parses, and that the next run cleans the temps.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from glass_updater.atomic import TEMP_PREFIX
from glass_updater.config import PackagerConfig
from glass_updater.ledger import Ledger
from glass_updater.paths import Paths
from glass_updater.settings import SettingsStore
from glass_updater.state import StateStore
from glass_updater.updater import Updater

from tests.sim import NOW, FeedSimulator

ROOT = Path(__file__).resolve().parents[2]

CHILD = r"""
import sys, time
sys.path.insert(0, sys.argv[1])
from pathlib import Path
from glass_updater.allowlist import load_allowlist
from glass_updater.ledger import Ledger
from glass_updater.paths import Paths
from glass_updater.request import build_check_request
from glass_updater.settings import SettingsStore, UserSettings
from glass_updater.state import LocalState, StateStore
from glass_updater.wire_types import Exchange
root = Path(sys.argv[2])
state = StateStore(root / "state.json")
settings = SettingsStore(root / "settings.json")
ledger = Ledger(root / "log")
req = build_check_request(load_allowlist(), feed_url="https://u.example.com/f.json",
                          product="demo-app", version="1.0.0", proxy=None, max_body=1)
i = 0
while True:
    i += 1
    state.save(LocalState(last_serial=i, last_digest="%064x" % i, skipped_version="1.%d" % i))
    settings.save(UserSettings(channel="beta" if i % 2 else "stable", ask_before_check=bool(i % 2)))
    ledger.record(Exchange(request=req, sent=req.transmissions, status=200), "round %d" % i)
    print(i, flush=True)
"""


@pytest.mark.parametrize("rounds", [1, 7, 23, 61, 150])
def test_kill_during_local_writes_leaves_old_or_new(tmp_path: Path, rounds: int) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(ROOT), str(tmp_path)],
        stdout=subprocess.PIPE, text=True,
    )
    assert proc.stdout is not None
    done = 0
    for _ in range(rounds):
        line = proc.stdout.readline()
        assert line, "the writer died on its own"
        done = int(line)
    os.kill(proc.pid, signal.SIGKILL)  # lands somewhere after round done
    proc.wait(10)
    # Rounds the child finished before the kill arrived are still in the pipe: the kill
    # landed inside the round after the last one reported (each report is one write).
    for line in proc.stdout:
        if line.endswith("\n"):
            done = int(line)
    proc.stdout.close()

    raw_state = json.loads((tmp_path / "state.json").read_bytes())  # parses: never torn
    state = StateStore(tmp_path / "state.json").load()
    assert state.last_serial in (done, done + 1)
    assert raw_state  # a real document, not an empty file
    settings = json.loads((tmp_path / "settings.json").read_bytes())
    assert settings["channel"] in ("beta", "stable")
    assert SettingsStore(tmp_path / "settings.json").load().channel == settings["channel"]
    outcomes = [e.outcome for e in Ledger(tmp_path / "log").entries()]
    assert outcomes[: done] == [f"round {i}" for i in range(1, done + 1)]
    assert len(outcomes) in (done, done + 1)
    for line in (tmp_path / "log" / "transmissions.jsonl").read_bytes().splitlines():
        json.loads(line)  # no torn record: each append is one write

    # The next check sweeps temps a killed process left (older than a minute); one is
    # planted so the sweep is proven even when this kill landed between two writes.
    (tmp_path / f"{TEMP_PREFIX}planted").write_bytes(b'{"last_ser')
    for temp in tmp_path.glob(TEMP_PREFIX + "*"):
        os.utime(temp, (temp.stat().st_atime - 120, temp.stat().st_mtime - 120))
    sim = FeedSimulator()
    sim.add_release("1.0.0")
    config = PackagerConfig(
        product_id="demo-app", product_name="Demo", version="1.0.0",
        feed_url=sim.base_url + sim.feed_path, trusted_keys=(sim.public_key,), proxy="none",
    )
    (tmp_path / "state.json").unlink()  # the simulator's serial 1 is below the killed run's
    Updater(config, paths=Paths.under(tmp_path), transport=sim.transport, clock=lambda: NOW).check()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(TEMP_PREFIX)]
