"""Install handlers, run by the helper once the app has quit.

Three shapes: AppImage (replace one file in place), tar.gz (swap the app folder), and
installers that take a file (.deb/.rpm through the system's package tool, Windows and
macOS installers, the packager's own command). Commands are argv lists; no shell.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

from glass_updater.atomic import TEMP_PREFIX, fsync_dir
from glass_updater.errors import InstallError
from glass_updater.handoff import copy_verified

Which = Callable[[str], "str | None"]


def platform_family(platform: str) -> str:
    """"windows", "macos" or "linux" from an asset platform or ``sys.platform``."""
    p = platform.lower()
    if p.startswith("win"):
        return "windows"
    if p.startswith(("mac", "darwin", "osx")):
        return "macos"
    return "linux"


def _elevate(argv: list[str], which: Which, euid: int) -> list[str]:
    """System package tools need root: pkexec asks the user (polkit), unless already root."""
    if euid == 0:
        return argv
    if which("pkexec") is None:
        raise InstallError(
            "installing system packages needs pkexec (polkit), which is missing; install "
            "it, or set [install] kind = \"tar.gz\" or \"appimage\" in the packager config"
        )
    return ["pkexec", *argv]


def system_command(
    kind: str, platform: str, *, which: Which = shutil.which, euid: int | None = None
) -> tuple[str, ...]:
    """The installer argv for a file kind, with ``{file}`` where the file goes."""
    family = platform_family(platform)
    uid = (os.geteuid() if hasattr(os, "geteuid") else 0) if euid is None else euid
    if family == "linux" and kind == "deb":
        if which("apt-get"):
            return tuple(_elevate(["apt-get", "install", "-y", "--reinstall", "{file}"],
                                  which, uid))
        if which("dpkg"):
            return tuple(_elevate(["dpkg", "-i", "{file}"], which, uid))
        raise InstallError(
            "this system has neither apt-get nor dpkg, so a .deb cannot be installed; set "
            "[install] kind to the package format this system uses"
        )
    if family == "linux" and kind == "rpm":
        for tool in (["dnf", "install", "-y", "{file}"], ["zypper", "--non-interactive",
                     "install", "{file}"], ["rpm", "-U", "--replacepkgs", "{file}"]):
            if which(tool[0]):
                return tuple(_elevate(tool, which, uid))
        raise InstallError(
            "this system has none of dnf, zypper or rpm, so an .rpm cannot be installed; set "
            "[install] kind to the package format this system uses"
        )
    if family == "windows" and kind == "msi":
        return ("msiexec", "/i", "{file}")
    if family == "windows" and kind == "exe":
        return ("{file}",)
    if family == "macos" and kind == "pkg":
        return ("open", "-W", "{file}")  # Installer.app; -W: returns when it quits
    if family == "macos" and kind == "dmg":
        return ("open", "-W", "{file}")  # mounts it in Finder for the user
    names = {"linux": "appimage, tar.gz, deb or rpm", "windows": "exe or msi",
             "macos": "dmg or pkg"}[family]
    raise InstallError(
        f"there is no installer for a {kind} file on {family}; set [install] kind to "
        f"{names}, or set [install] command in the packager config"
    )


# ---------------------------------------------------------------------- AppImage


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
            shutil.copy2(target, tmp_name)
            os.replace(tmp_name, old)
        except OSError:
            with contextlib.suppress(OSError):
                os.unlink(tmp_name)
            raise


def appimage_old(target: Path) -> Path:
    return target.parent / f"{target.name}.old"


def replace_appimage(
    staged: Path,
    size: int,
    sha256: str,
    running: Path,
    checkpoint: Callable[[str], None] = lambda point: None,
) -> Path:
    """Copy (hashing what is written) beside the AppImage, keep the old one, rename in.

    Returns the real path replaced. The old file stays as ``<name>.old`` until the new
    version has started (``finish_appimage``) or failed (``restore_appimage``).
    """
    target = Path(os.path.realpath(running))
    folder = target.parent
    prefix = f"{TEMP_PREFIX}{target.name}-"
    with contextlib.suppress(OSError):
        for leftover in folder.iterdir():  # temps of an install that was killed
            if leftover.name.startswith(prefix):
                with contextlib.suppress(OSError):
                    leftover.unlink()
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=prefix, dir=folder)
    except OSError as exc:
        raise InstallError(
            f"cannot write to {folder} ({exc.strerror or exc}); move the AppImage to a "
            "folder you own"
        ) from exc
    tmp = Path(tmp_name)
    try:
        copy_verified(staged, fd, size, sha256)
        os.fchmod(fd, 0o755)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    finally:
        os.close(fd)
    checkpoint("appimage-copied")
    old = appimage_old(target)
    try:
        _keep_old(target, old, prefix)
        checkpoint("appimage-old-kept")
        os.replace(tmp, target)
        checkpoint("appimage-replaced")
    except OSError as exc:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise InstallError(f"could not replace {target} ({exc.strerror or exc})") from exc
    fsync_dir(folder)
    return target


def restore_appimage(target: Path) -> None:
    """The new AppImage did not start: the old one is put back."""
    old = appimage_old(target)
    if old.exists():
        os.replace(old, target)
        fsync_dir(target.parent)


def finish_appimage(target: Path) -> None:
    with contextlib.suppress(OSError):
        appimage_old(target).unlink()


def running_appimage(environ: dict[str, str] | None = None) -> Path | None:
    """The AppImage this process runs from: the AppImage runtime sets ``$APPIMAGE``."""
    env = os.environ if environ is None else environ
    value = env.get("APPIMAGE")
    return Path(value) if value else None


def program_present(program: str, which: Which) -> bool:
    """An absolute program must be an executable file; a bare name must be on PATH."""
    if os.path.isabs(program):
        return os.path.isfile(program) and os.access(program, os.X_OK)
    return which(program) is not None
