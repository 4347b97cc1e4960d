"""Threat 36: a process SIGKILLed at any write point leaves no torn file; a restart
finds nothing or a complete verified file, and cleans up."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

import pytest
from glass_updater.resume import PartialInfo
from glass_updater.staging import file_name_for, verify_file

from tests.doubles import MockTransport
from tests.updater.download.crash_child import SIZE
from tests.updater.download.fakes import (
    content_of,
    honest,
    make_asset,
    make_downloader,
    make_release,
)

ROOT = Path(__file__).resolve().parents[3]
POINTS = [
    ("part-opened", 1),
    ("chunk-written", 1),
    ("chunk-written", 7),
    ("sidecar-temp-written", 1),  # inside the atomic write: the temp is left behind
    ("sidecar-written", 1),
    ("part-opened", 2),  # the resume
    ("chunk-written", 30),  # in the middle of the resume
    ("part-fsynced", 1),
    ("replaced", 1),
]


@pytest.mark.parametrize(("point", "nth"), POINTS, ids=[f"{p}-{n}" for p, n in POINTS])
def test_kill_at_each_write_point_leaves_consistent_state(
    tmp_path: Path, point: str, nth: int
) -> None:
    staging = tmp_path / "staging"
    child = subprocess.run(
        [sys.executable, "-m", "tests.updater.download.crash_child", str(staging), point, str(nth)],
        cwd=ROOT,
        capture_output=True,
        timeout=60,
        check=False,
    )
    assert child.returncode == -signal.SIGKILL, child.stderr.decode()[-2000:]
    content = content_of(SIZE)
    asset = make_asset(content)
    final = staging / asset.sha256 / file_name_for(asset)
    # Right after the kill: the final name holds nothing or the complete, verified file.
    assert not final.exists() or verify_file(final, asset)
    sidecar = staging / f"{asset.sha256}.part.json"
    part = staging / f"{asset.sha256}.part"
    if sidecar.exists():
        info = PartialInfo.load(sidecar)
        assert info is not None  # written atomically: never torn
        assert not part.exists() or part.stat().st_size >= info.done
    # A restart completes and leaves no partial, sidecar or temp behind.
    transport = MockTransport(honest(content))
    verified = make_downloader(transport, staging).download(
        make_release(asset), asset, on_progress=lambda p: None
    )
    assert verified.path == final and final.read_bytes() == content
    left = [
        p.name
        for p in staging.iterdir()
        if p.name.endswith((".part", ".part.json")) or p.name.startswith(".glass-tmp-")
    ]
    assert left == []
