"""Atomic file writes: temp file in the same folder, fsync, ``os.replace``, fsync folder.

A crash at any point leaves the old file or the new one, never a torn one. Temps carry a
recognisable prefix so a later run can sweep the ones a killed process left behind.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import BinaryIO

TEMP_PREFIX = ".glass-tmp-"


def fsync_dir(directory: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _nothing() -> None:
    pass


@contextlib.contextmanager
def replacing(
    path: Path,
    mode: int = 0o600,
    *,
    prefix: str = TEMP_PREFIX,
    ready: Callable[[], None] = _nothing,
) -> Iterator[BinaryIO]:
    """A temp beside ``path`` to write into: when the block ends, the temp is fsynced,
    given ``mode``, ``ready()`` is called and it is renamed over ``path``; if anything
    raises, the temp is removed and ``path`` is untouched.

    The one write-fsync-rename in the program; ``prefix`` (which must start with
    ``TEMP_PREFIX``) lets a caller sweep its own temps, ``ready`` is a test's kill point.
    """
    fd, tmp = tempfile.mkstemp(prefix=prefix, dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
            if hasattr(os, "fchmod"):
                os.fchmod(fh.fileno(), mode)  # through the descriptor, never a path
            else:
                os.chmod(tmp, mode)
        ready()
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    fsync_dir(path.parent)


def atomic_write_bytes(
    path: Path,
    data: bytes,
    mode: int = 0o600,
    *,
    prefix: str = TEMP_PREFIX,
    ready: Callable[[], None] = _nothing,
) -> None:
    """``data`` at ``path``, whole or not at all (the parent folder is created 0700)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    with replacing(path, mode, prefix=prefix, ready=ready) as fh:
        fh.write(data)


def sweep_temps(directory: Path, older_than: float = 0.0) -> int:
    """Remove temps a killed process left behind; returns how many were removed."""
    removed = 0
    now = time.time()
    with contextlib.suppress(FileNotFoundError):
        for entry in Path(directory).iterdir():
            if entry.name.startswith(TEMP_PREFIX):
                with contextlib.suppress(OSError):
                    if now - entry.lstat().st_mtime >= older_than:
                        entry.unlink()
                        removed += 1
    return removed
