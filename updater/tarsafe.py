"""Unpack a verified tar.gz next to the app folder and swap the two folders atomically.

The archive is read once, as a stream, and hashed while it is unpacked: what lands on
disk comes from exactly the bytes that were hashed (a file swapped during unpacking fails
the final hash and the new folder is thrown away). Every member is checked before it is
written: no absolute names, no ``..``, no links that leave the folder, no device files,
FIFOs or other special files. Python's ``data`` extraction filter runs as a second guard.
"""

from __future__ import annotations

import contextlib
import ctypes
import hashlib
import os
import posixpath
import shutil
import stat
import tarfile
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

from glass_updater.atomic import fsync_dir
from glass_updater.errors import InstallError
from glass_updater.handoff import SWAPPED_MESSAGE

_CHUNK = 1024 * 1024
_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


class _HashingReader:
    """A read-only file object that hashes every byte handed to tarfile."""

    def __init__(self, raw: BinaryIO) -> None:
        self._raw = raw
        self.digest = hashlib.sha256()
        self.size = 0

    def read(self, n: int = -1) -> bytes:
        data = self._raw.read(n)
        self.digest.update(data)
        self.size += len(data)
        return data

    def drain(self) -> None:
        while self.read(_CHUNK):
            pass


def _shown(name: str) -> str:
    return repr(name[:80])


def _check_member(member: tarfile.TarInfo, dest: Path, names: set[str]) -> None:
    """Refuse anything that could write outside ``dest`` or create a special file."""
    name = member.name
    parts = name.replace("\\", "/").split("/")
    if name.startswith(("/", "\\")) or (len(name) > 1 and name[1] == ":"):
        raise InstallError(f"the update archive holds an absolute path {_shown(name)}; "
                           "it was not installed, tell the publisher")
    if ".." in parts:
        raise InstallError(f"the update archive holds a path leaving its folder {_shown(name)}; "
                           "it was not installed, tell the publisher")
    if not (member.isreg() or member.isdir() or member.issym() or member.islnk()):
        raise InstallError(f"the update archive holds a device or special file {_shown(name)}; "
                           "it was not installed, tell the publisher")
    norm = posixpath.normpath(name.replace("\\", "/"))
    if member.issym():
        link = member.linkname
        target = posixpath.normpath(posixpath.join(posixpath.dirname(norm), link))
        if link.startswith("/") or target == ".." or target.startswith("../"):
            raise InstallError(f"the update archive holds a link leaving its folder "
                               f"{_shown(name)}; it was not installed, tell the publisher")
    if member.islnk():
        target = posixpath.normpath(member.linkname)
        if target not in names:
            raise InstallError(f"the update archive holds a hard link to something outside it "
                               f"{_shown(name)}; it was not installed, tell the publisher")
    real_dest = os.path.realpath(dest)
    parent = os.path.realpath(os.path.join(dest, posixpath.dirname(norm)))
    if parent != real_dest and not parent.startswith(real_dest + os.sep):
        raise InstallError(f"the update archive writes through a link {_shown(name)}; "
                           "it was not installed, tell the publisher")
    if member.isreg():
        names.add(norm)


def extract_verified(archive: Path, size: int, sha256: str, dest: Path) -> None:
    """Unpack ``archive`` into the existing empty folder ``dest`` while hashing it."""
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0)
    try:
        fd = os.open(archive, flags)
    except OSError as exc:
        raise InstallError(
            f"the downloaded update at {archive} can no longer be read "
            f"({exc.strerror or exc}); download it again"
        ) from exc
    with os.fdopen(fd, "rb") as raw:
        reader = _HashingReader(raw)
        try:
            with tarfile.open(fileobj=reader, mode="r|gz") as tar:  # type: ignore[call-overload]
                names: set[str] = set()
                for member in tar:
                    _check_member(member, dest, names)
                    tar.extract(member, dest, filter="data")
            reader.drain()
        except (tarfile.TarError, EOFError, OSError, ValueError) as exc:
            reader.drain()
            if reader.size != size or reader.digest.hexdigest() != sha256:
                raise InstallError(SWAPPED_MESSAGE) from exc
            raise InstallError(
                f"the update archive could not be unpacked ({exc}); it was not installed"
            ) from exc
    if reader.size != size or reader.digest.hexdigest() != sha256:
        with contextlib.suppress(OSError):
            archive.unlink()
        raise InstallError(SWAPPED_MESSAGE)


def new_folder_beside(app_dir: Path) -> Path:
    """An empty 0700 folder next to the app folder (same file system: renames are atomic)."""
    try:
        return Path(tempfile.mkdtemp(prefix=f".{app_dir.name}.new-", dir=app_dir.parent))
    except OSError as exc:
        raise InstallError(
            f"cannot write next to {app_dir} ({exc.strerror or exc}); the update needs a "
            "folder you can write to"
        ) from exc


def root_of(unpacked: Path) -> Path:
    """An archive with one top-level folder and nothing else: that folder is the app."""
    entries = list(unpacked.iterdir())
    if len(entries) == 1 and entries[0].is_dir() and not entries[0].is_symlink():
        return entries[0]
    return unpacked


def old_folder(app_dir: Path) -> Path:
    return app_dir.parent / f".{app_dir.name}.old"


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths in one step (Linux ``renameat2(RENAME_EXCHANGE)``); False if unsupported."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p,
                          ctypes.c_uint]
    result = renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    if result == 0:
        return True
    errno = ctypes.get_errno()
    if errno in (22, 38, 95):  # EINVAL, ENOSYS, EOPNOTSUPP: this file system cannot
        return False
    raise OSError(errno, os.strerror(errno), str(a))


def swap_in(
    app_dir: Path, new_root: Path, checkpoint: Callable[[str], None] = lambda point: None
) -> Path:
    """Put ``new_root`` at ``app_dir``; the old folder moves to ``.<name>.old`` (kept).

    With ``RENAME_EXCHANGE`` there is no moment without an app folder; without it, two
    renames leave a window of microseconds, and a crash between them leaves the old
    folder at ``.<name>.old`` (restored by the next install).
    """
    old = old_folder(app_dir)
    shutil.rmtree(old, ignore_errors=True)
    with contextlib.suppress(OSError):
        os.chmod(new_root, stat.S_IMODE(os.stat(app_dir).st_mode))
    try:
        if _exchange(new_root, app_dir):
            checkpoint("tar-exchanged")
            os.rename(new_root, old)
        else:
            os.rename(app_dir, old)
            checkpoint("tar-exchanged")
            os.rename(new_root, app_dir)
    except OSError as exc:
        raise InstallError(f"could not swap in the new {app_dir} ({exc.strerror or exc})") from exc
    fsync_dir(app_dir.parent)
    return old


def swap_back(app_dir: Path, old: Path) -> None:
    """The new version did not start: the old folder returns, the new one is removed."""
    failed = app_dir.parent / f".{app_dir.name}.failed"
    shutil.rmtree(failed, ignore_errors=True)
    if not _exchange(old, app_dir):
        os.rename(app_dir, failed)
        os.rename(old, app_dir)
    else:
        os.rename(old, failed)
    fsync_dir(app_dir.parent)
    shutil.rmtree(failed, ignore_errors=True)


def recover(app_dir: Path) -> None:
    """A helper killed between two renames: the old folder is put back; temps swept."""
    old = old_folder(app_dir)
    if not app_dir.exists() and old.is_dir():
        os.rename(old, app_dir)
    for leftover in app_dir.parent.glob(f".{app_dir.name}.new-*"):
        shutil.rmtree(leftover, ignore_errors=True)
