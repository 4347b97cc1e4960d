"""An inter-process lock, so two checks or downloads never interleave their writes.

``flock`` (Unix) and ``msvcrt.locking`` (Windows) are released by the OS when the holder
dies, so a killed process never leaves a stale lock behind. The lock never waits: a
second holder is told at once that something is in progress (threat 39).
"""

from __future__ import annotations

import contextlib
import os
import sys
from pathlib import Path
from types import TracebackType

from glass_updater.errors import BusyError

BUSY_MESSAGE = "another check or download is in progress; wait for it to finish and try again"


def _try_lock(fd: int) -> bool:
    if sys.platform == "win32":
        import msvcrt

        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True
    import fcntl

    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except (BlockingIOError, PermissionError):
        return False
    return True


def _unlock(fd: int) -> None:
    if sys.platform == "win32":
        import msvcrt

        with contextlib.suppress(OSError):
            os.lseek(fd, 0, os.SEEK_SET)
            msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
        return
    import fcntl

    with contextlib.suppress(OSError):
        fcntl.flock(fd, fcntl.LOCK_UN)


class FileLock:
    """Exclusive, non-blocking lock on ``path``; raises BusyError when anyone else holds it.

    Each acquisition opens its own descriptor, so a second FileLock on the same path in
    the same process is refused exactly like one in another process.
    """

    def __init__(self, path: Path, message: str = BUSY_MESSAGE) -> None:
        self.path = Path(path)
        self.message = message
        self._fd: int | None = None

    @property
    def held(self) -> bool:
        return self._fd is not None

    def acquire(self) -> None:
        if self._fd is not None:
            raise BusyError(self.message)
        from glass_updater import safefs

        safefs.ensure_dir(self.path.parent)
        fd = safefs.open_file(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        if not _try_lock(fd):
            os.close(fd)
            raise BusyError(self.message)
        self._fd = fd

    def release(self) -> None:
        fd, self._fd = self._fd, None
        if fd is not None:
            _unlock(fd)
            os.close(fd)

    def __enter__(self) -> FileLock:
        self.acquire()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.release()
