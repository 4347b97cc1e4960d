"""Hand a verified file to the install helper: a two-phase handoff (as WinSparkle).

Phase one asks the host application whether it can shut down; phase two re-verifies the
file's SHA-256 (a file swapped on disk after the download is refused, threat 38), starts
the detached helper (``glass_updater.helper``), and only then asks the host to quit. The
helper waits for the host's process to be gone before it installs and relaunches, so the
old and new versions never run at the same time. No shell anywhere: argv lists only.
"""

from __future__ import annotations

import contextlib
import os
import stat
import sys
import threading
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Protocol

from glass_updater.errors import InstallError
from glass_updater.handoff import (
    SWAPPED_MESSAGE,
    HandoffSpec,
    helper_command,
    popen_quiet,
    process_token,
)
from glass_updater.limits import DEFAULT_LIMITS
from glass_updater.model import VerifiedFile
from glass_updater.preflight import InstallPlan

__all__ = [
    "BUSY_MESSAGE", "HostApp", "Launcher", "SubprocessLauncher", "hand_off", "read_report",
    "reverify",
]

BUSY_MESSAGE = "the application is busy; close it and try again"


class HostApp(Protocol):
    """The application being updated: a host app implements these three (docs/packagers.md)."""

    def can_shut_down(self) -> bool:
        """False while the user has unsaved work or a task that must not be interrupted."""
        ...

    def request_shutdown(self) -> None:
        """Quit soon: the helper installs only once this process has exited."""
        ...

    def relaunch_argv(self) -> Sequence[str]:
        """The argv that starts the application again after the install; [] for none."""
        ...

    # Optional, looked up with getattr: pid() -> int, the process the helper waits for
    # (default: this one).


def default_relaunch_argv(environ: Mapping[str, str] | None = None) -> list[str]:
    """How this very process was started: the AppImage, the frozen executable, or Python."""
    env = os.environ if environ is None else environ
    if env.get("APPIMAGE"):
        return [env["APPIMAGE"], *sys.argv[1:]]
    if getattr(sys, "frozen", False):
        return [sys.executable, *sys.argv[1:]]
    return [sys.executable, *sys.orig_argv[1:]]


class Launcher(Protocol):
    """Starts a program; injected so tests record argv instead of running installers."""

    def launch(self, argv: Sequence[str], *, detached: bool) -> None: ...


class SubprocessLauncher:
    """Starts a program without a shell, in its own session, outliving this process."""

    def launch(self, argv: Sequence[str], *, detached: bool) -> None:
        args = [str(a) for a in argv]
        if not args:
            raise InstallError("no installer command to run; check the packager config")
        try:
            proc = popen_quiet(args, detached=detached)
        except OSError as exc:
            raise InstallError(
                f"could not start {args[0]} ({exc.strerror or exc}); "
                "open the downloaded file yourself"
            ) from exc
        # Reap it when it exits, so it never lingers as a zombie while we still run.
        threading.Thread(target=proc.wait, name="installer-reaper", daemon=True).start()


def reverify(verified: VerifiedFile) -> None:
    """Re-hash the staged file right before launch; a swapped file is deleted, not run."""
    from glass_updater.digest import sha256_file  # hashlib only when installing

    try:
        size, digest = sha256_file(verified.path)
    except OSError as exc:
        raise InstallError(
            f"the downloaded update at {verified.path} can no longer be read "
            f"({exc.strerror or exc}); download it again"
        ) from exc
    if size != verified.asset.size or digest != verified.asset.sha256:
        with contextlib.suppress(OSError):
            verified.path.unlink()
        raise InstallError(SWAPPED_MESSAGE)


def relaunch_argv_of(host: HostApp) -> tuple[str, ...]:
    """The host's argv for the new version (optional ``relaunch_argv``); () = none."""
    method = getattr(host, "relaunch_argv", None)
    argv = method() if callable(method) else None
    return tuple(str(a) for a in argv) if argv else ()


def host_pid(host: HostApp) -> int:
    """The process the helper waits for: the host's own (optional ``pid``), else ours."""
    method = getattr(host, "pid", None)
    value = method() if callable(method) else None
    return value if isinstance(value, int) and value > 0 else os.getpid()


def hand_off(
    verified: VerifiedFile,
    host: HostApp,
    plan: InstallPlan,
    *,
    launcher: Launcher,
    report: Path,
    workdir: Path,
    wait_seconds: float = DEFAULT_LIMITS.install_wait,
    start_grace: float = DEFAULT_LIMITS.start_grace,
) -> HandoffSpec:
    """Phase one asks the host; phase two starts the helper; then the host is asked to quit.

    The staged file is re-hashed first, so a file swapped on disk never makes the app quit
    for nothing. The helper itself copies while hashing (exact bytes) once the app is gone.
    """
    if not host.can_shut_down():
        raise InstallError(BUSY_MESSAGE)
    reverify(verified)
    relaunch = relaunch_argv_of(host)
    if not relaunch and plan.kind == "appimage":
        relaunch = (plan.target,)
    pid = host_pid(host)
    spec = HandoffSpec(
        pid=pid,
        pid_token=process_token(pid),
        kind=plan.kind,
        staged=str(verified.path),
        size=verified.asset.size,
        sha256=verified.asset.sha256,
        version=verified.release.version,
        target=plan.target,
        app_dir=plan.app_dir,
        command=plan.command,
        relaunch=relaunch,
        report=str(report),
        workdir=str(workdir),
        wait_seconds=wait_seconds,
        start_grace=start_grace,
    )
    with contextlib.suppress(OSError):
        report.unlink()  # a stale report must not be read as this install's outcome
    launcher.launch(helper_command(spec), detached=True)
    host.request_shutdown()
    return spec


def read_report(report: Path) -> dict[str, object] | None:
    """The helper's last outcome (status, message, version), or None."""
    import json

    try:
        fd = os.open(report, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | os.O_NONBLOCK)
    except OSError:
        return None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return None
        with os.fdopen(fd, "rb", closefd=False) as fh:
            doc = json.loads(fh.read(64 * 1024))
    except (OSError, ValueError):
        return None
    finally:
        os.close(fd)
    return doc if isinstance(doc, dict) else None
