"""Threats 43 and 44: the CLI killed or interrupted at random points (seeded, bounded).

The loopback server (tests/loopback.py) pauses at a chosen point of a chosen request
(its head read, its response head sent, N body bytes sent), tells the test, and waits;
the test then sends the signal to the CLI and lets the server go on. No sleeps: every
wait is on an event or a process, with a bound.

- SIGKILL anywhere: every request the server saw has its record in the log (the
  write-ahead record, written before the first byte).
- SIGINT / SIGTERM / SIGHUP / SIGKILL in the middle of a download: exit 130 / 143 / 129
  / killed, the
  resume record is kept, the log lists the interrupted request, and the next run asks
  for exactly the bytes missing on disk with Range + If-Range.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import signal
import subprocess
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from glass_updater.config import current_platform
from glass_updater.ledger import INTERRUPTED, Ledger
from glass_updater.publish.demo import write_config
from glass_updater.publish.keys import load_private_key, write_keypair
from glass_updater.resume import PartialInfo
from glass_updater.signing import sign_envelope

from tests.e2e.netwatch import ROOT
from tests.loopback import Head, LoopbackServer, Reply

pytestmark = [pytest.mark.e2e, pytest.mark.loopback]

SIZE = 3 * 1024 * 1024
ETAG = '"asset-v1"'
CHUNK = 64 * 1024
BOUND = 60.0  # seconds any single wait may take before the test fails


def asset_bytes() -> bytes:
    rng = random.Random(7)
    return rng.randbytes(SIZE)


@dataclass(frozen=True)
class Pause:
    kind: str  # "feed" | "asset"
    point: str  # "head" (request read) | "headers" (response head sent) | "body"
    after: int = 0  # body bytes sent before pausing ("body" only)


class Pauser:
    """The loopback server's checkpoint: pauses at one point of one request, tells the
    test (``reached``) and waits for ``release``; ``arm`` chooses the next point."""

    def __init__(self) -> None:
        self.pause: Pause | None = None
        self.reached = threading.Event()
        self.release = threading.Event()

    def arm(self, pause: Pause | None) -> None:
        self.reached.clear()
        self.release.clear()
        self.pause = pause

    def __call__(self, head: Head, point: str, sent: int) -> None:
        kind = "feed" if "feed.json" in head.target else "asset"
        pause = self.pause
        if pause is None or (pause.kind, pause.point) != (kind, point) or sent < pause.after:
            return
        self.pause = None
        self.reached.set()
        self.release.wait(BOUND)


def serve(asset: bytes, feed: list[bytes]) -> Callable[[Head], Reply]:
    """One signed feed (``feed[0]``) and one asset, with Range + If-Range."""

    def reply(head: Head) -> Reply:
        if "feed.json" in head.target:
            return Reply(headers=(("Content-Type", "application/json"),
                                  ("Content-Length", str(len(feed[0]))),
                                  ("Connection", "close")), body=feed[0], piece=CHUNK)
        start = 0
        if head.get("Range") is not None and head.get("If-Range") == ETAG:
            start = int(str(head.get("Range")).removeprefix("bytes=").rstrip("-"))
        body = asset[start:]
        ranged = (("Content-Range", f"bytes {start}-{SIZE - 1}/{SIZE}"),) if start else ()
        headers = (("ETag", ETAG), *ranged, ("Content-Length", str(len(body))),
                   ("Connection", "close"))
        if start:
            return Reply(206, "Partial Content", headers, body, piece=CHUNK)
        return Reply(200, "OK", headers, body, piece=CHUNK)

    return reply


@dataclass
class Rig:
    server: LoopbackServer
    pauser: Pauser
    config: Path
    root: Path
    asset: bytes

    def state(self, name: str) -> Path:
        return self.root / name

    def wait_idle(self) -> None:
        """Until every connection so far is finished (a killed client's included)."""
        self.server.wait_connections(len(self.server.connections), timeout=BOUND)

    def start(self, state: Path) -> subprocess.Popen[str]:
        return subprocess.Popen(
            [sys.executable, "-m", "glass_updater", "download", "--config", str(self.config),
             "--state-dir", str(state)],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )

    def interrupt(self, state: Path, pause: Pause, signum: int) -> tuple[int, str]:
        """Run a download, send ``signum`` when the server reaches ``pause``."""
        self.wait_idle()
        self.pauser.arm(pause)
        child = self.start(state)
        try:
            assert self.pauser.reached.wait(BOUND), child.communicate(timeout=BOUND)
            child.send_signal(signum)
            _, err = child.communicate(timeout=BOUND)
        finally:
            if child.poll() is None:
                child.kill()
                child.communicate(timeout=BOUND)
            self.pauser.release.set()
        return child.returncode, err

    def complete(self, state: Path) -> subprocess.CompletedProcess[str]:
        self.wait_idle()
        self.pauser.arm(None)
        child = self.start(state)
        out, err = child.communicate(timeout=BOUND)
        return subprocess.CompletedProcess(child.args, child.returncode, out, err)


@pytest.fixture
def rig(tmp_path: Path) -> object:
    key = write_keypair(tmp_path / "keys")
    asset = asset_bytes()
    feed: list[bytes] = [b""]
    pauser = Pauser()
    server = LoopbackServer(serve(asset, feed), lifetime=10 * BOUND, checkpoint=pauser,
                            send_buffer=32 * 1024)  # sent is then nearly read by the client
    server.start()
    base = server.url("")
    now = datetime.now(UTC)
    payload = {
        "product": "demo-app", "serial": 1,
        "expires": (now + timedelta(days=30)).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "releases": [{
            "version": "1.4.0", "channel": "stable",
            "published": now.strftime("%Y-%m-%dT%H:%M:%SZ"), "critical": False,
            "min_os": {}, "notes": "",
            "assets": [{"platform": current_platform(), "kind": "sh",
                        "url": f"{base}/demo-app/demo-app-1.4.0.sh", "size": SIZE,
                        "sha256": hashlib.sha256(asset).hexdigest()}],
        }],
    }
    feed[0] = sign_envelope(
        json.dumps(payload).encode(), [load_private_key(tmp_path / "keys" / "private.key")]
    )
    config = tmp_path / "config.toml"
    write_config(config, f"{base}/demo-app/feed.json", key, None)
    yield Rig(server, pauser, config, tmp_path, asset)
    pauser.release.set()
    server.stop()


KILL_POINTS = [
    Pause("feed", "head"), Pause("feed", "headers"),
    Pause("asset", "head"), Pause("asset", "headers"),
    *(Pause("asset", "body", n * CHUNK) for n in (1, 5, 20, 40)),
]


def test_sigkill_at_random_points_never_loses_a_request(rig: Rig) -> None:
    rng = random.Random(20261129)
    state = rig.state("state")
    for _ in range(8):
        pause = rng.choice(KILL_POINTS)
        code, _ = rig.interrupt(state, pause, signal.SIGKILL)
        assert code == -signal.SIGKILL
    done = rig.complete(state)
    assert done.returncode == 0, done.stderr
    rig.wait_idle()
    entries = list(Ledger(state / "log").entries())
    # Every request the server read has its record, with exactly the bytes it read.
    assert sorted(e.request_bytes for e in entries) == sorted(rig.server.heads)
    assert sum(e.outcome == INTERRUPTED for e in entries) == 8
    final = Path(done.stdout.strip().splitlines()[-1])
    assert final.read_bytes() == rig.asset


RESULT = {signal.SIGINT: 130, signal.SIGTERM: 143, signal.SIGHUP: 129,
          signal.SIGKILL: -signal.SIGKILL}


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGKILL],
                         ids=["SIGINT", "SIGTERM", "SIGHUP", "SIGKILL"])
def test_interrupted_download_resumes_with_range_and_is_logged(
    rig: Rig, signum: signal.Signals
) -> None:
    rng = random.Random(int(signum) * 1000 + 44)
    for run in range(2):
        state = rig.state(f"state-{run}")
        # Past 1 MiB: more than the socket buffers hold, so the client has read (and
        # written) a good part of it when the server pauses.
        offset = rng.randrange(16, SIZE // CHUNK - 1) * CHUNK
        code, err = rig.interrupt(state, Pause("asset", "body", offset), signum)
        assert code == RESULT[signum], err
        if signum != signal.SIGKILL:
            assert err.count("\n") == 1 and err.startswith("updater: download cancelled"), err
        staging = state / "cache" / "downloads"
        sha = hashlib.sha256(rig.asset).hexdigest()
        part = staging / f"{sha}.part"
        on_disk = part.stat().st_size if part.exists() else 0
        # The server sent more than 1 MiB through a small send buffer: the client had
        # read and written part of it, whatever the signal.
        assert 0 < on_disk <= offset
        record = PartialInfo.load(staging / f"{sha}.part.json")  # written at the head
        assert record is not None and record.validator == ETAG
        heads_before = len(rig.server.heads)
        done = rig.complete(state)
        assert done.returncode == 0, done.stderr
        asked = rig.server.heads[heads_before:]
        (asset_head,) = [h for h in asked if b".sh " in h]
        assert f"Range: bytes={on_disk}-\r\n".encode() in asset_head
        assert f"If-Range: {ETAG}\r\n".encode() in asset_head
        final = Path(done.stdout.strip().splitlines()[-1])
        assert final.read_bytes() == rig.asset
        downloads = [e for e in Ledger(state / "log").entries() if e.kind == "download"]
        first = downloads[0]
        cancelled = "cancelled by you: download cancelled"
        expected = INTERRUPTED if signum == signal.SIGKILL else cancelled
        assert first.outcome.startswith(expected), first.outcome
        assert downloads[-1].outcome.startswith("verified")


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_interrupted_check_is_a_cancel_and_is_logged(rig: Rig, signum: signal.Signals) -> None:
    """Ctrl-C while waiting for the feed: exit 130/143 within the cancel bound, nothing
    trusted or changed, and the check request is in the log as cancelled."""
    state = rig.state("state")
    code, err = rig.interrupt(state, Pause("feed", "head"), signum)
    assert code == RESULT[signum], err
    assert err.count("\n") == 1 and "cancelled" in err, err
    (entry,) = Ledger(state / "log").entries()
    assert entry.kind == "check" and entry.outcome.startswith("cancelled"), entry.outcome
    assert entry.request_bytes == rig.server.heads[-1]
    assert not (state / "state.json").exists()
