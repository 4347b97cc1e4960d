"""What the running app hands to the detached install helper, and the helper's primitives.

The running app cannot replace itself safely: the new version must not start while the
old one still runs (a single-instance lock would make the new one vanish). So the app
starts a small helper with a ``HandoffSpec`` and quits; the helper waits for the app's
process to be gone, installs, and relaunches. This module holds the parts both sides
share: the spec, the helper's command line, waiting for a PID, and the private copy
that makes "launch exactly the verified bytes" hold for installers run by path.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import select
import shutil
import stat
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

from glass_updater.digest import sha256_stream
from glass_updater.errors import InstallError
from glass_updater.limits import DEFAULT_LIMITS

HELPER_FLAG = "--glass-updater-helper"  # frozen apps: argv[1] asks for the helper
_SAFE_NAME = re.compile(r"[^A-Za-z0-9._+-]")
PROC = "/proc"  # Linux process table (absent on macOS and Windows)
# Windows process-creation flags (literal values: the subprocess names exist only there).
_DETACHED_PROCESS = 0x00000008
_CREATE_NEW_PROCESS_GROUP = 0x00000200
SWAPPED_MESSAGE = (
    "the downloaded update changed on disk after it was verified, so it was not run and "
    "was deleted; download it again"
)


@dataclass(frozen=True)
class HandoffSpec:
    """Everything the helper needs, passed as one JSON argument (no files to tamper with)."""

    pid: int  # the app that must be gone before anything is installed
    pid_token: str  # its start time on Linux ("" elsewhere): a reused PID is not it
    kind: str  # handler: appimage, tar.gz, deb, rpm, exe, msi, dmg, pkg, command
    staged: str  # the verified download
    size: int
    sha256: str
    version: str
    target: str = ""  # the AppImage to replace ("" for other kinds)
    app_dir: str = ""  # the tar.gz folder to swap ("" unless configured)
    command: tuple[str, ...] = ()  # installer argv with {file} {pid} {app_dir} {version}
    relaunch: tuple[str, ...] = ()  # the host's argv for the new version; () = none
    report: str = ""  # where the helper writes its outcome (JSON)
    workdir: str = ""  # parent of the helper's private copies (0700)
    wait_seconds: float = DEFAULT_LIMITS.install_wait
    start_grace: float = DEFAULT_LIMITS.start_grace

    def to_json(self) -> str:
        doc = asdict(self)
        doc["command"] = list(self.command)
        doc["relaunch"] = list(self.relaunch)
        return json.dumps(doc, separators=(",", ":"), sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> HandoffSpec:
        try:
            doc = json.loads(text)
            if not isinstance(doc, dict):
                raise TypeError("not an object")
            doc["command"] = tuple(str(a) for a in doc.get("command", ()))
            doc["relaunch"] = tuple(str(a) for a in doc.get("relaunch", ()))
            spec = cls(**doc)
        except (ValueError, TypeError) as exc:
            raise InstallError(f"the install helper was started with a bad spec ({exc})") from None
        if not isinstance(spec.pid, int) or not isinstance(spec.size, int):
            raise InstallError("the install helper was started with a bad spec (pid, size)")
        return spec


def popen_quiet(argv: Sequence[str], *, detached: bool) -> subprocess.Popen[bytes]:
    """Start ``argv`` (a list, never a shell) with no stdin, stdout or stderr; ``detached``
    puts it in its own session (a new process group on Windows) so it outlives this one.

    The one way the app starts an installer or the helper, and the helper the new
    version. Raises OSError when it cannot be started.
    """
    kwargs: dict[str, object] = {}
    if sys.platform == "win32":  # pragma: no cover - Windows only
        kwargs["creationflags"] = _DETACHED_PROCESS | _CREATE_NEW_PROCESS_GROUP if detached else 0
    else:
        kwargs["start_new_session"] = detached
    proc: subprocess.Popen[bytes] = subprocess.Popen(
        list(argv), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL, close_fds=True, **kwargs,  # type: ignore[call-overload]
    )
    return proc


def helper_command(spec: HandoffSpec) -> list[str]:
    """argv that starts the helper with this interpreter (or this frozen executable)."""
    if getattr(sys, "frozen", False):
        return [sys.executable, HELPER_FLAG, "--spec", spec.to_json()]
    # -P: ``-m`` would put the current folder first on sys.path, so a ``glass_updater``
    # planted in the folder the app was started from (another user's, /tmp) would run.
    return [sys.executable, "-P", "-m", "glass_updater.helper", "--spec", spec.to_json()]


# ---------------------------------------------------------------------- waiting for a PID


def _stat_fields(pid: int) -> list[bytes]:
    """The fields of Linux ``/proc/<pid>/stat`` after the command name (which may hold
    spaces and parentheses): the state first, the start time at [19]. Raises OSError."""
    with open(f"{PROC}/{pid}/stat", "rb") as fh:
        data = fh.read()
    return data[data.rfind(b")") + 2 :].split()


def _start_time(fields: list[bytes]) -> str:
    return fields[19].decode("ascii", "replace") if len(fields) > 19 else ""


def process_token(pid: int) -> str:
    """The process's start time (Linux ``/proc``), so a recycled PID is told apart."""
    try:
        return _start_time(_stat_fields(pid))
    except OSError:
        return ""


def _gone(pid: int, token: str) -> bool:
    """True when that process no longer runs (exited, a zombie, or its PID was reused)."""
    if sys.platform == "win32":
        return _windows_gone(pid, 0)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        pass  # exists, but another user's: a reused PID, not our app
    if not sys.platform.startswith("linux"):
        return False  # no /proc (macOS): it exists; its parent reaps it soon after exit
    try:
        rest = _stat_fields(pid)
    except FileNotFoundError:
        return True
    except OSError:
        return False
    if rest and rest[0] in (b"Z", b"X"):
        return True  # exited; its parent has not reaped it yet
    return bool(token) and _start_time(rest) not in ("", token)


def wait_for_exit(pid: int, token: str, timeout: float) -> bool:
    """Block until the process is gone; False if it still runs after ``timeout`` seconds."""
    if pid <= 0 or pid == os.getpid():
        return True
    if sys.platform == "win32":
        return _windows_gone(pid, int(timeout * 1000))
    pidfd_open = getattr(os, "pidfd_open", None)
    if pidfd_open is not None:
        try:
            fd = pidfd_open(pid)
        except ProcessLookupError:
            return True
        except OSError:
            fd = -1
        if fd >= 0:
            try:
                if _gone(pid, token):  # the PID may already belong to someone else
                    return True
                readable, _, _ = select.select([fd], [], [], max(timeout, 0.0))
                return bool(readable)  # a pidfd is readable once the process exited
            finally:
                os.close(fd)
    deadline = time.monotonic() + timeout
    while not _gone(pid, token):
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.05)  # no pidfd on this kernel: poll
    return True


def _windows_gone(pid: int, wait_ms: int) -> bool:  # pragma: no cover - Windows only
    import ctypes

    synchronize, wait_timeout = 0x00100000, 0x00000102
    kernel32 = ctypes.windll.kernel32  # type: ignore[attr-defined]
    handle = kernel32.OpenProcess(synchronize, False, pid)
    if not handle:
        return True
    try:
        return bool(kernel32.WaitForSingleObject(handle, max(wait_ms, 0)) != wait_timeout)
    finally:
        kernel32.CloseHandle(handle)


# ---------------------------------------------------------------------- exact bytes


def private_dir(parent: Path) -> Path:
    """A fresh 0700 folder under ``parent`` (itself 0700, ours, not a link)."""
    try:
        parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        info = os.lstat(parent)
    except OSError as exc:
        raise InstallError(
            f"cannot prepare {parent} for the installer ({exc.strerror or exc}); "
            "free some space or fix its permissions"
        ) from exc
    if not stat.S_ISDIR(info.st_mode) or (hasattr(os, "getuid") and info.st_uid != os.getuid()):
        raise InstallError(f"{parent} is not a folder of yours; remove it and try again")
    if info.st_mode & 0o077:
        raise InstallError(f"{parent} is open to other users; remove it and try again")
    return Path(tempfile.mkdtemp(prefix="handoff-", dir=parent))


def safe_name(name: str) -> str:
    cleaned = _SAFE_NAME.sub("_", Path(name).name).lstrip(".") or "update"
    return cleaned[-120:]


def copy_verified(src: Path, dst_fd: int, size: int, sha256: str) -> None:
    """Copy ``src`` into ``dst_fd`` hashing exactly the bytes written; refuse a mismatch."""
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)
    try:
        src_fd = os.open(src, flags)
    except OSError as exc:
        raise InstallError(
            f"the downloaded update at {src} can no longer be read ({exc.strerror or exc}); "
            "download it again"
        ) from exc
    try:
        with os.fdopen(src_fd, "rb") as source, open(dst_fd, "wb", closefd=False) as dst:
            if not stat.S_ISREG(os.fstat(src_fd).st_mode):
                raise InstallError(f"{src} is not a regular file; download the update again")
            written, digest = sha256_stream(source, limit=size + 1, copy_to=dst)
            dst.flush()
            os.fsync(dst_fd)
    except OSError as exc:
        raise InstallError(
            f"could not copy the update for the installer ({exc.strerror or exc}); "
            "free some space and try again"
        ) from exc
    if written != size or digest.hexdigest() != sha256:
        with contextlib.suppress(OSError):
            src.unlink()
        raise InstallError(SWAPPED_MESSAGE)


def private_copy(staged: Path, size: int, sha256: str, parent: Path) -> Path:
    """Copy the staged file, hashing while copying, into a fresh private file.

    The installer is handed this copy, never the staged file: nothing is re-hashed and
    then launched by path, so the bytes run are the bytes hashed. The copy is created
    with O_EXCL|O_NOFOLLOW in a new 0700 folder and made read-only.
    """
    folder = private_dir(parent)
    path = folder / safe_name(staged.name)
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    flags |= getattr(os, "O_BINARY", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags, 0o600)
    except OSError as exc:
        shutil.rmtree(folder, ignore_errors=True)
        raise InstallError(f"cannot create the installer's copy in {folder} ({exc})") from exc
    try:
        copy_verified(staged, fd, size, sha256)
        if hasattr(os, "fchmod"):
            os.fchmod(fd, 0o500)  # read-only: the installer reads it, nobody rewrites it
    except BaseException:
        os.close(fd)
        shutil.rmtree(folder, ignore_errors=True)
        raise
    os.close(fd)
    return path


def sweep_private(parent: Path, older_than: float = 3600.0) -> None:
    """Private copies a killed helper left behind (an hour old: no live install owns them)."""
    now = time.time()
    with contextlib.suppress(OSError):
        for leftover in parent.glob("handoff-*"):
            with contextlib.suppress(OSError):
                info = os.lstat(leftover)
                if stat.S_ISDIR(info.st_mode) and now - info.st_mtime > older_than:
                    shutil.rmtree(leftover, ignore_errors=True)


def remove_private(path: Path) -> None:
    """Delete a private copy and its folder."""
    shutil.rmtree(path.parent, ignore_errors=True)


def remove_staged(staged: Path) -> None:
    """The staged download is no longer needed once handed off: delete it and its folder."""
    with contextlib.suppress(OSError):
        staged.unlink()
    with contextlib.suppress(OSError):
        staged.parent.rmdir()  # <staging>/<sha256>/, empty now


def substitute(argv: Sequence[str], values: dict[str, str]) -> list[str]:
    """Replace ``{name}`` inside each argument; the argv stays a list (no shell, no split)."""
    pattern = re.compile(r"\{(" + "|".join(re.escape(k) for k in values) + r")\}")
    return [pattern.sub(lambda m: values[m.group(1)], part) for part in argv]
