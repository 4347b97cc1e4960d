"""FileLock: one holder at a time, across objects and processes; freed when a holder dies."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from glass_updater.errors import BusyError
from glass_updater.locks import BUSY_MESSAGE, FileLock

HOLDER = """
import sys
from pathlib import Path
from glass_updater.locks import FileLock
lock = FileLock(Path(sys.argv[1]))
lock.acquire()
print("held", flush=True)
sys.stdin.readline()
"""


def test_second_lock_object_is_busy_until_released(tmp_path: Path) -> None:
    path = tmp_path / "locks" / "a.lock"
    with FileLock(path) as first:
        assert first.held
        with pytest.raises(BusyError) as info:
            FileLock(path).acquire()
        assert str(info.value) == BUSY_MESSAGE
        with pytest.raises(BusyError):
            first.acquire()  # not re-entrant either: a double click is still busy
    assert not first.held
    with FileLock(path):
        pass  # free again


def test_other_locks_are_independent(tmp_path: Path) -> None:
    with FileLock(tmp_path / "a.lock"), FileLock(tmp_path / "b.lock") as second:
        assert second.held


def test_lock_held_by_another_process_is_busy_and_freed_when_it_dies(tmp_path: Path) -> None:
    path = tmp_path / "x.lock"
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        cwd=Path(__file__).resolve().parents[3],
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline() == b"held\n"
        with pytest.raises(BusyError, match="in progress"):
            FileLock(path).acquire()
        holder.kill()  # killed, not released: the OS frees the lock
        holder.wait(10)
        with FileLock(path) as lock:
            assert lock.held
    finally:
        if holder.poll() is None:
            holder.kill()
            holder.wait(10)
        for stream in (holder.stdin, holder.stdout):
            if stream is not None:
                stream.close()


def test_custom_message(tmp_path: Path) -> None:
    with FileLock(tmp_path / "c.lock"), pytest.raises(BusyError, match=r"^download busy$"):
        FileLock(tmp_path / "c.lock", "download busy").acquire()
