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
from glass_updater.limits import DEFAULT_LIMITS

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
        while self.read(DEFAULT_LIMITS.file_chunk):
            pass


def _shown(name: str) -> str:
    return repr(name[:80])


def _link_leaves(folder: str, link: str) -> bool:
    """True if a symlink in ``folder`` (relative) could point outside the top folder.

    ``..`` is allowed only at the start of the target: ``x/..`` is refused, because ``x``
    may itself be a link (``x -> .`` makes ``x/..`` the folder above), which a purely
    textual check would miss.
    """
    if link.startswith(("/", "\\")) or (len(link) > 1 and link[1] == ":"):
        return True
    parts = [p for p in link.replace("\\", "/").split("/") if p not in ("", ".")]
    ups = 0
    while ups < len(parts) and parts[ups] == "..":
        ups += 1
    if ".." in parts[ups:]:
        return True
    depth = len([p for p in folder.split("/") if p not in ("", ".")])
    return ups > depth


def _refuse_linked_parent(dest: Path, norm: str) -> None:
    """No member is written through a link already unpacked (its place must be literal)."""
    here = str(dest)
    for part in posixpath.dirname(norm).split("/"):
        if part in ("", "."):
            continue
        here = os.path.join(here, part)
        try:
            info = os.lstat(here)
        except FileNotFoundError:
            return
        except OSError as exc:
            raise InstallError(f"the update archive could not be unpacked ({exc}); "
                               "it was not installed") from exc
        if stat.S_ISLNK(info.st_mode):
            raise InstallError(f"the update archive writes through a link {_shown(norm)}; "
                               "it was not installed, tell the publisher")


def _check_links(root: Path) -> None:
    """Every link in the folder that becomes the app stays inside it (checked after the
    choice of root, since ``demo/lib -> ../x`` is inside the archive but not inside demo)."""
    for folder, dirs, files in os.walk(root):
        rel = os.path.relpath(folder, root)
        for entry in (*dirs, *files):
            path = os.path.join(folder, entry)
            if os.path.islink(path) and _link_leaves(rel, os.readlink(path)):
                raise InstallError(
                    f"the update archive holds a link leaving its folder "
                    f"{_shown(os.path.relpath(path, root))}; it was not installed, tell the "
                    "publisher"
                )


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
    if member.issym() and _link_leaves(posixpath.dirname(norm), member.linkname):
        raise InstallError(f"the update archive holds a link leaving its folder "
                           f"{_shown(name)}; it was not installed, tell the publisher")
    _refuse_linked_parent(dest, norm)
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
    if not hasattr(tarfile, "data_filter"):  # Python 3.11.0-3.11.3: extract(filter=) fails
        raise InstallError(
            "this Python has no tarfile extraction filter (3.11.4 or later is needed), so "
            "the tar.gz update was not installed; update Python or use another package kind"
        )
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
    root = unpacked
    if len(entries) == 1 and entries[0].is_dir() and not entries[0].is_symlink():
        root = entries[0]
    _check_links(root)
    return root


def old_folder(app_dir: Path) -> Path:
    """Where ``swap_in`` keeps the previous version until the new one has started."""
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
    if os.path.lexists(old):  # else the rename after the exchange fails: old app lost
        raise InstallError(f"could not remove the previous backup {old}; remove it and "
                           "install the update again")
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
