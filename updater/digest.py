"""The one SHA-256 read loop: hash a file (or its first N bytes), optionally copying it.

Every place that checks bytes on disk against the signed hash (reuse of a finished
download, continuing the hash of a resumed one, the ``--dest`` copy, the installer's
re-check) goes through here, so there is one loop to get right and to make fast.
"""

from __future__ import annotations

import errno
import hashlib
import os
from pathlib import Path
from typing import BinaryIO

from glass_updater import safefs
from glass_updater.limits import DEFAULT_LIMITS


def sha256_stream(
    src: BinaryIO,
    *,
    limit: int | None = None,
    chunk: int = DEFAULT_LIMITS.file_chunk,
    copy_to: BinaryIO | None = None,
) -> tuple[int, hashlib._Hash]:
    """(bytes read, running SHA-256) of ``src`` from its position, up to ``limit`` bytes.

    With ``copy_to`` each chunk is also written there (copy while hashing).
    """
    digest = hashlib.sha256()
    read = 0
    while limit is None or read < limit:
        data = src.read(chunk if limit is None else min(chunk, limit - read))
        if not data:
            break
        digest.update(data)
        if copy_to is not None:
            copy_to.write(data)
        read += len(data)
    return read, digest


def open_checked(path: Path | str) -> BinaryIO:
    """A file of the updater's own folders, opened for reading without following links."""
    return os.fdopen(safefs.open_file(path, os.O_RDONLY), "rb")


def sha256_file(
    path: Path | str, *, limit: int | None = None, chunk: int = DEFAULT_LIMITS.file_chunk
) -> tuple[int, str]:
    """(size read, SHA-256 hex) of ``path``, reading at most ``limit`` bytes."""
    with open_checked(path) as fh:
        size, digest = sha256_stream(fh, limit=limit, chunk=chunk)
    return size, digest.hexdigest()


def sha256_prefix(
    path: Path | str, length: int, chunk: int = DEFAULT_LIMITS.file_chunk
) -> hashlib._Hash:
    """A running SHA-256 over exactly the first ``length`` bytes, to continue a resume."""
    with open_checked(path) as fh:
        size, digest = sha256_stream(fh, limit=length, chunk=chunk)
    if size != length:
        raise OSError(errno.EIO, "the partial download is shorter than recorded")
    return digest
