"""Safe opens for the state, log and cache folders: the one place that checks local files.

Another local process may plant a symbolic link, a hard link, a FIFO or a folder of its
own where the updater reads or writes (docs/threats.md, threats 41 and 42). Every file
there is opened through :func:`open_file`: ``O_NOFOLLOW`` (a link is refused, never followed),
``O_NONBLOCK`` (a FIFO cannot hang the open), then ``fstat`` on the descriptor: only a
regular file with one link, owned by this user, is used. Every folder goes through
:func:`ensure_dir`: created 0700, opened with ``O_NOFOLLOW | O_DIRECTORY`` and checked by
``fstat`` (owned by this user, not writable by group or others); a permission fix is an
``fchmod`` on that descriptor, never a ``chmod`` through a path that may be a link.

A refusal is :class:`UnsafeFileError`: exit 1, one line naming the file and what to do.
Folder checks are path based, so a swap of a folder *after* its check is not caught
here; files inside are still opened without following links (docs/security.md).
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
from pathlib import Path

from glass_updater.errors import UnsafeFileError

_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_NONBLOCK = getattr(os, "O_NONBLOCK", 0)
_DIRECTORY = getattr(os, "O_DIRECTORY", 0)
_CLOEXEC = getattr(os, "O_CLOEXEC", 0)
_BINARY = getattr(os, "O_BINARY", 0)
_LINK_ERRNOS = frozenset({errno.ELOOP, errno.EMLINK})
_POSIX = hasattr(os, "geteuid")
REMOVE_HINT = "remove it (another program may have put it there) and try again"


def _refuse(path: Path | str, why: str, hint: str = REMOVE_HINT) -> UnsafeFileError:
    return UnsafeFileError(f"refused to use {path}: {why}; {hint}")


def _what(mode: int) -> str:
    if stat.S_ISLNK(mode):
        return "it is a symbolic link"
    if stat.S_ISFIFO(mode):
        return "it is a named pipe (FIFO), not a regular file"
    if stat.S_ISSOCK(mode):
        return "it is a socket, not a regular file"
    if stat.S_ISDIR(mode):
        return "it is a folder, not a regular file"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "it is a device, not a regular file"
    return "it is not a regular file"


def _foreign(st: os.stat_result) -> bool:
    return _POSIX and st.st_uid != os.geteuid()


def check_file_stat(path: Path | str, st: os.stat_result) -> None:
    """Refuse anything but a regular file with one link, owned by this user."""
    if not stat.S_ISREG(st.st_mode):
        raise _refuse(path, _what(st.st_mode))
    if st.st_nlink > 1:
        raise _refuse(path, f"it has {st.st_nlink} hard links (a file made by the updater has one)")
    if _foreign(st):
        raise _refuse(path, f"it belongs to another user (uid {st.st_uid})")


def open_file(path: Path | str, flags: int, mode: int = 0o600) -> int:
    """``os.open`` for the updater's own files: no link followed, no FIFO waited on.

    Returns a blocking descriptor on a checked regular file; raises FileNotFoundError
    as ``os.open`` does (callers decide whether missing is fine) and UnsafeFileError for
    anything planted.
    """
    if not _NOFOLLOW:  # no O_NOFOLLOW (Windows): refuse a link seen by lstat first
        with contextlib.suppress(FileNotFoundError):
            if stat.S_ISLNK(os.lstat(path).st_mode):
                raise _refuse(path, "it is a symbolic link")
    try:
        fd = os.open(path, flags | _NOFOLLOW | _NONBLOCK | _CLOEXEC | _BINARY, mode)
    except OSError as exc:
        if exc.errno in _LINK_ERRNOS:
            raise _refuse(path, "it is a symbolic link") from None
        if exc.errno in (errno.ENXIO, errno.EISDIR, errno.ENODEV, errno.EOPNOTSUPP):
            try:
                kind = _what(os.lstat(path).st_mode)
            except OSError:
                kind = "it is not a regular file"
            raise _refuse(path, kind) from None
        raise
    try:
        check_file_stat(path, os.fstat(fd))
        if _NONBLOCK:
            import fcntl

            fcntl.fcntl(fd, fcntl.F_SETFL, fcntl.fcntl(fd, fcntl.F_GETFL) & ~_NONBLOCK)
    except BaseException:
        os.close(fd)
        raise
    return fd


def read_file(path: Path | str, limit: int) -> bytes | None:
    """At most ``limit + 1`` bytes of a checked regular file; None when it does not exist.

    A folder in the file's place reads as absent (nothing to follow or wait on there);
    writing the file then fails with an ordinary "could not write" error.
    """
    try:
        fd = open_file(path, os.O_RDONLY)
    except (FileNotFoundError, NotADirectoryError):
        return None
    except UnsafeFileError:
        with contextlib.suppress(OSError):
            if stat.S_ISDIR(os.lstat(path).st_mode):
                return None
        raise
    with os.fdopen(fd, "rb") as fh:
        return fh.read(limit + 1)


def lstat_regular(path: Path | str) -> os.stat_result | None:
    """``lstat`` of a file the updater owns, checked like :func:`open_file`; None if absent."""
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return None
    check_file_stat(path, st)
    return st


def ensure_dir(path: Path | str, *, private: bool = True) -> None:
    """Make sure ``path`` is a folder of this user that nobody else may write to.

    Missing folders are created 0700. An existing one must be a real folder (not a
    link), owned by this user and not writable by group or others; ``private`` tightens
    an existing folder of ours to 0700 through its descriptor.
    """
    path = Path(path)
    try:
        os.mkdir(path, 0o700)
    except FileNotFoundError:
        os.makedirs(path.parent, mode=0o700, exist_ok=True)
        with contextlib.suppress(FileExistsError):
            os.mkdir(path, 0o700)
    except FileExistsError:
        pass
    if not _NOFOLLOW:
        if stat.S_ISLNK(os.lstat(path).st_mode):
            raise _refuse(path, "it is a symbolic link, not a folder")
        return
    try:
        fd = os.open(path, os.O_RDONLY | _DIRECTORY | _NOFOLLOW | _CLOEXEC)
    except OSError as exc:
        if exc.errno in _LINK_ERRNOS or exc.errno == errno.ENOTDIR:
            try:
                kind = os.lstat(path).st_mode
            except OSError:
                kind = 0
            if stat.S_ISLNK(kind):
                raise _refuse(path, "it is a symbolic link, not a folder") from None
            # A file in the way: an ordinary local error, mapped by each caller.
            raise NotADirectoryError(errno.ENOTDIR, os.strerror(errno.ENOTDIR), str(path)) from None
        raise
    try:
        st = os.fstat(fd)
        if _foreign(st):
            raise _refuse(
                path,
                f"the folder belongs to another user (uid {st.st_uid})",
                "remove it or choose another folder (--state-dir) and try again",
            )
        if st.st_mode & 0o022:
            raise _refuse(
                path,
                f"the folder is writable by other users (mode {stat.S_IMODE(st.st_mode):o})",
                f"if it is yours run `chmod go-w {path}`, or choose another folder",
            )
        if private and st.st_mode & 0o077:
            os.fchmod(fd, 0o700)
    finally:
        os.close(fd)
