"""Hand a verified file to the platform's installer: a two-phase handoff (as WinSparkle).

Phase one asks the host application whether it can shut down; phase two re-verifies the
file's SHA-256 immediately before launching anything (a file swapped on disk after the
download is refused, threat 38), launches the installer detached, and only then asks
the host to quit. Nothing here uses a shell: every command is an argv list.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from glass_updater.atomic import TEMP_PREFIX, fsync_dir
from glass_updater.errors import InstallError
from glass_updater.model import VerifiedFile

BUSY_MESSAGE = "the application is busy; close it and try again"
_CHUNK = 1024 * 1024
# Windows process-creation flags (literal values: the subprocess names exist only there).
_DETACHED_PROCESS = 0x00000008
_CREATE_NEW_PROCESS_GROUP = 0x00000200


class HostApp(Protocol):
    """The application being updated: a host app implements these three (docs/packagers.md)."""

    def can_shut_down(self) -> bool:
        """False while the user has unsaved work or a task that must not be interrupted."""
        ...

    def request_shutdown(self) -> None:
        """Quit soon, so the installer can replace the application's files."""
        ...

    def relaunch_argv(self) -> Sequence[str]:
        """The argv that starts the application again after the install; [] for none."""
        ...


def default_relaunch_argv(environ: Mapping[str, str] | None = None) -> list[str]:
    """How this very process was started: the AppImage, the frozen executable, or Python."""
    env = os.environ if environ is None else environ
    if env.get("APPIMAGE"):
        return [env["APPIMAGE"], *sys.argv[1:]]
    if getattr(sys, "frozen", False):
        return [sys.executable, *sys.argv[1:]]
    return [sys.executable, *sys.orig_argv[1:]]


class Installer(Protocol):
    def install(self, verified: VerifiedFile, host: HostApp) -> None: ...


class Launcher(Protocol):
    """Starts a program; injected so tests record argv instead of running installers."""

    def launch(self, argv: Sequence[str], *, detached: bool) -> None: ...


class SubprocessLauncher:
    """Starts a program without a shell, in its own session, outliving this process."""

    def launch(self, argv: Sequence[str], *, detached: bool) -> None:
        args = [str(a) for a in argv]
        if not args:
            raise InstallError("no installer command to run; check the packager config")
        kwargs: dict[str, object] = {}
        if sys.platform == "win32":
            flags = _DETACHED_PROCESS | _CREATE_NEW_PROCESS_GROUP if detached else 0
            kwargs["creationflags"] = flags
        else:
            kwargs["start_new_session"] = detached
        try:
            proc = subprocess.Popen(  # an argv list, never a shell
                args,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                close_fds=True,
                **kwargs,  # type: ignore[call-overload]
            )
        except OSError as exc:
            raise InstallError(
                f"could not start {args[0]} ({exc.strerror or exc}); "
                "open the downloaded file yourself"
            ) from exc
        # Reap it when it exits, so it never lingers as a zombie while we still run.
        threading.Thread(target=proc.wait, name="installer-reaper", daemon=True).start()


def sha256_of(path: Path) -> tuple[int, str]:
    digest = hashlib.sha256()
    size = 0
    with open(path, "rb") as fh:
        while chunk := fh.read(_CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return size, digest.hexdigest()


def reverify(verified: VerifiedFile) -> None:
    """Re-hash the staged file right before launch; a swapped file is deleted, not run."""
    try:
        size, digest = sha256_of(verified.path)
    except OSError as exc:
        raise InstallError(
            f"the downloaded update at {verified.path} can no longer be read "
            f"({exc.strerror or exc}); download it again"
        ) from exc
    if size != verified.asset.size or digest != verified.asset.sha256:
        with contextlib.suppress(OSError):
            verified.path.unlink()
        raise InstallError(
            "the downloaded update changed on disk after it was verified, so it was not "
            "run and was deleted; download it again"
        )


@dataclass(frozen=True)
class CommandInstaller:
    """Runs ``argv`` with ``{file}`` replaced by the verified file's path: the handoff."""

    argv: tuple[str, ...]
    launcher: Launcher = field(default_factory=SubprocessLauncher)
    detached: bool = True

    def command_for(self, path: Path) -> list[str]:
        return [part.replace("{file}", str(path)) for part in self.argv]

    def install(self, verified: VerifiedFile, host: HostApp) -> None:
        if not host.can_shut_down():
            raise InstallError(BUSY_MESSAGE)
        reverify(verified)
        self.launcher.launch(self.command_for(verified.path), detached=self.detached)
        host.request_shutdown()


@dataclass(frozen=True)
class AppImageInstaller:
    """Replaces the running AppImage in place, atomically, then starts the new one.

    The new file is copied next to the old one (same folder, so the rename is atomic)
    and hashed while copying: what is launched is exactly what was verified. The old
    file stays as ``<name>.old`` until the new one is in place and started.
    """

    running: Path | None
    launcher: Launcher = field(default_factory=SubprocessLauncher)
    checkpoint: Callable[[str], None] = field(default=lambda point: None)  # tests kill here

    def install(self, verified: VerifiedFile, host: HostApp) -> None:
        if not host.can_shut_down():
            raise InstallError(BUSY_MESSAGE)
        if self.running is None:
            reverify(verified)
            raise InstallError(
                "this copy is not running from an AppImage, so it cannot replace itself; "
                f"run the verified download yourself: {verified.path}"
            )
        target = Path(os.path.realpath(self.running))
        folder = target.parent
        if not os.access(folder, os.W_OK | os.X_OK):
            reverify(verified)
            raise InstallError(
                f"cannot replace {target}: its folder is not writable; move the AppImage to "
                f"a folder you own, or run the verified download yourself: {verified.path}"
            )
        prefix = f"{TEMP_PREFIX}{target.name}-"
        for leftover in folder.iterdir():  # temps of an install that was killed
            if leftover.name.startswith(prefix):
                with contextlib.suppress(OSError):
                    leftover.unlink()
        new = self._copy_verified(verified, folder, prefix)
        self.checkpoint("appimage-copied")
        old = folder / f"{target.name}.old"
        try:
            self._keep_old(target, old, prefix)
            self.checkpoint("appimage-old-kept")
            os.replace(new, target)
            self.checkpoint("appimage-replaced")
        except OSError as exc:
            with contextlib.suppress(OSError):
                new.unlink()
            raise InstallError(f"could not replace {target} ({exc.strerror or exc})") from exc
        fsync_dir(folder)
        try:
            self.launcher.launch([str(target)], detached=True)
        except Exception:
            with contextlib.suppress(OSError):
                os.replace(old, target)  # put the working version back
                fsync_dir(folder)
            raise
        with contextlib.suppress(OSError):
            old.unlink()
        host.request_shutdown()

    def _copy_verified(self, verified: VerifiedFile, folder: Path, prefix: str) -> Path:
        """Copy into a temp beside the target, hashing the bytes actually written."""
        try:
            fd, tmp_name = tempfile.mkstemp(prefix=prefix, dir=folder)
        except OSError as exc:
            raise InstallError(
                f"cannot write to {folder} ({exc.strerror or exc}); move the AppImage to a "
                f"folder you own, or run the verified download yourself: {verified.path}"
            ) from exc
        tmp = Path(tmp_name)
        digest = hashlib.sha256()
        size = 0
        try:
            with os.fdopen(fd, "wb") as out, open(verified.path, "rb") as src:
                while chunk := src.read(_CHUNK):
                    out.write(chunk)
                    digest.update(chunk)
                    size += len(chunk)
                out.flush()
                os.fchmod(out.fileno(), 0o755)
                os.fsync(out.fileno())
        except OSError as exc:
            with contextlib.suppress(OSError):
                tmp.unlink()
            raise InstallError(
                f"could not copy the update next to the AppImage ({exc.strerror or exc}); "
                "free some space and try again"
            ) from exc
        if size != verified.asset.size or digest.hexdigest() != verified.asset.sha256:
            with contextlib.suppress(OSError):
                tmp.unlink()
            with contextlib.suppress(OSError):
                verified.path.unlink()
            raise InstallError(
                "the downloaded update changed on disk after it was verified, so it was not "
                "run and was deleted; download it again"
            )
        return tmp

    @staticmethod
    def _keep_old(target: Path, old: Path, prefix: str) -> None:
        """``<name>.old`` becomes a second name for the running file (or a copy of it)."""
        with contextlib.suppress(FileNotFoundError):
            old.unlink()
        try:
            os.link(target, old)
        except OSError:
            fd, tmp_name = tempfile.mkstemp(prefix=prefix, dir=old.parent)
            os.close(fd)
            try:
                import shutil

                shutil.copy2(target, tmp_name)
                os.replace(tmp_name, old)
            except OSError:
                with contextlib.suppress(OSError):
                    os.unlink(tmp_name)
                raise


def running_appimage(environ: dict[str, str] | None = None) -> Path | None:
    """The AppImage this process runs from: the AppImage runtime sets ``$APPIMAGE``."""
    env = os.environ if environ is None else environ
    value = env.get("APPIMAGE")
    return Path(value) if value else None


def platform_family(platform: str) -> str:
    """"windows", "macos" or "linux" from an asset platform or ``sys.platform``."""
    p = platform.lower()
    if p.startswith("win"):
        return "windows"
    if p.startswith(("mac", "darwin", "osx")):
        return "macos"
    return "linux"


def installer_for(
    asset_kind: str,
    platform: str,
    *,
    command: Sequence[str] = (),
    launcher: Launcher | None = None,
    running_appimage: Path | None = None,
) -> Installer:
    """The handler for this kind of file on this platform; a packager command wins."""
    run = launcher if launcher is not None else SubprocessLauncher()
    kind = asset_kind.lower().lstrip(".")
    if command:
        if not any("{file}" in part for part in command):
            raise InstallError(
                "the packager's installer command has no {file} placeholder; fix the config"
            )
        return CommandInstaller(tuple(command), run)
    family = platform_family(platform)
    if family == "windows":
        if kind == "msi":
            return CommandInstaller(("msiexec", "/i", "{file}"), run)
        if kind == "exe":
            return CommandInstaller(("{file}",), run)
    elif family == "macos":
        if kind in ("dmg", "pkg"):
            return CommandInstaller(("open", "{file}"), run)
    else:
        if kind == "appimage":
            return AppImageInstaller(running_appimage, run)
        return CommandInstaller(("xdg-open", "{file}"), run)
    opener = "explorer" if family == "windows" else "open"
    return CommandInstaller((opener, "{file}"), run)
