"""Which asset this installation can use, and whether it can be installed: decided before
any byte of the asset is downloaded.

A .deb user must not download a 60 MB AppImage only to be told afterwards that it cannot
be installed. ``wanted_kinds`` narrows the feed's assets for the check; ``preflight``
refuses an asset this installation cannot take, with one line saying what to change;
``install_problem`` and ``install_effect`` say it (or what installing will do) in time
for a front end to show it before offering the download.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from glass_updater.config import PackagerConfig
from glass_updater.errors import InstallError
from glass_updater.handlers import Which, platform_family, program_present, system_command
from glass_updater.model import Asset, InstallEffect, Release

_FAMILY_KINDS = {"windows": ("exe", "msi"), "macos": ("dmg", "pkg")}
# Kinds the built-in handlers install, per platform family.
_HANDLED = {
    "linux": ("appimage", "tar.gz", "deb", "rpm"),
    "windows": ("exe", "msi"),
    "macos": ("dmg", "pkg"),
}
# Kinds a Linux packager can point ``[install] kind`` at instead of a refused one.
_LINUX_ALTERNATIVES = ("deb", "rpm", "tar.gz")
_NO_FILE = "this release has no file this installation can install"


def _usable(refused: str, offered: Iterable[str], choices: tuple[str, ...]) -> list[str]:
    have = {k.lower() for k in offered}
    if "tgz" in have:
        have.add("tar.gz")
    return [k for k in choices if k in have and k != refused]


def _set_kind(kinds: list[str]) -> str:
    more = " (or " + ", ".join(f'"{k}"' for k in kinds[1:]) + ")" if kinds[1:] else ""
    return f'set [install] kind = "{kinds[0]}"{more} in the packager config'


def _hint(refused: str, offered: Iterable[str] | None, choices: tuple[str, ...]) -> str:
    """Advice naming only kinds the release really offers here, or saying there is none.

    ``offered`` None: the release is unknown, so no kind is named at all.
    """
    if offered is None:
        return "set [install] kind in the packager config to how the app was installed"
    offered = tuple(offered)
    usable = _usable(refused, offered, choices)
    if usable:
        return _set_kind(usable)
    only = ", ".join(sorted({k.lower() for k in offered})) or "nothing"
    return (
        f"{_NO_FILE} (it offers only {only} for this platform); get the new version from "
        "the publisher's website"
    )


def _or_set_kind(
    refused: str, offered: Iterable[str] | None, choices: tuple[str, ...] = ("deb", "rpm")
) -> str:
    """", or set [install] kind = ..." for an offered one of ``choices``; "" when none is."""
    if offered is None:
        return ""
    usable = _usable(refused, offered, choices)
    return f", or {_set_kind(usable)}" if usable else ""


def offered_kinds(release: Release | None, platform: str) -> tuple[str, ...] | None:
    """The asset kinds ``release`` offers for ``platform``; None when there is no release."""
    if release is None:
        return None
    return tuple(a.kind.lower() for a in release.assets if a.platform == platform)


@dataclass(frozen=True)
class InstallPlan:
    """How the helper will install one asset."""

    kind: str  # appimage, tar.gz, or "command" (an installer run on the file)
    target: str = ""  # the AppImage replaced ("" otherwise)
    app_dir: str = ""  # the tar.gz folder swapped, or the packager's {app_dir}
    command: tuple[str, ...] = ()  # argv template for "command"


def detected_kind(config: PackagerConfig, environ: Mapping[str, str] | None = None) -> str:
    """``[install] kind``, else what this process looks like: AppImage, unpacked tar.gz."""
    env = os.environ if environ is None else environ
    if config.install_kind:
        return config.install_kind
    if config.install_command:
        return ""  # the packager's command takes whatever the feed offers first
    if env.get("APPIMAGE") and platform_family(config.platform) == "linux":
        return "appimage"
    if config.app_dir is not None:
        return "tar.gz"
    return ""


def wanted_kinds(
    config: PackagerConfig, environ: Mapping[str, str] | None = None
) -> tuple[str, ...] | None:
    """The asset kinds to choose from, best first; None: the first for the platform."""
    kind = detected_kind(config, environ)
    if kind:
        return (kind,)
    if config.install_command:
        return None
    return _FAMILY_KINDS.get(platform_family(config.platform))


def preflight(
    config: PackagerConfig,
    asset: Asset,
    *,
    environ: Mapping[str, str] | None = None,
    which: Which = shutil.which,
    euid: int | None = None,
    offered: Iterable[str] | None = None,
) -> InstallPlan:
    """The plan for installing ``asset`` here, or InstallError saying what to change.

    ``offered``: the kinds the release has for this platform (``offered_kinds``), so the
    advice never names a kind the feed lacks; None names no kind.
    """
    env = os.environ if environ is None else environ
    kind = asset.kind.lower()
    wanted = detected_kind(config, env)
    app_dir = str(config.app_dir) if config.app_dir is not None else ""
    if config.install_command:
        program = config.install_command[0]
        if not program_present(program, which) and "{file}" not in program:
            raise InstallError(
                f"the installer {program!r} in [install] command was not found; fix the "
                "packager config"
            )
        return InstallPlan("command", app_dir=app_dir, command=config.install_command)
    if wanted and kind != wanted:
        raise InstallError(
            f"the update is of kind {kind} but this installation takes {wanted}; set "
            f"[install] kind to match how the app was installed"
        )
    family = platform_family(config.platform)
    if family == "linux" and kind == "appimage":
        return _appimage_plan(env, offered)
    if family == "linux" and kind in ("tar.gz", "tgz"):
        return _tar_plan(config, offered)
    if offered is not None and kind not in _HANDLED[family]:
        offered = tuple(offered)
        usable = _usable(kind, offered, _HANDLED[family])
        advice = (
            f"{_set_kind(usable).removesuffix(' in the packager config')}, or set [install] "
            "command in the packager config"
            if usable
            else f"{_NO_FILE} (it offers only {', '.join(sorted(set(offered)))} for this "
            "platform); set [install] command in the packager config, or get the new "
            "version from the publisher's website"
        )
        raise InstallError(f"there is no installer for a {kind} file on {family}; {advice}")
    try:
        command = system_command(kind, config.platform, which=which, euid=euid)
    except InstallError as exc:
        if offered is None or "pkexec" not in str(exc):
            raise
        raise InstallError(  # the same refusal, naming only kinds the release offers
            "installing system packages needs pkexec (polkit), which is missing; install it"
            f"{_or_set_kind(kind, offered, ('tar.gz', 'appimage'))}"
        ) from None
    if not program_present(command[0], which) and command[0] != "{file}":
        raise InstallError(
            f"installing a {kind} file needs {command[0]}, which is missing; install it or "
            "set [install] command in the packager config"
        )
    return InstallPlan("command", app_dir=app_dir, command=command)


def _appimage_plan(env: Mapping[str, str], offered: Iterable[str] | None) -> InstallPlan:
    running = env.get("APPIMAGE")
    if not running:
        raise InstallError(
            "this copy is not running from an AppImage, so an AppImage update cannot be "
            f"installed; {_hint('appimage', offered, _LINUX_ALTERNATIVES)}"
        )
    target = Path(os.path.realpath(running))
    folder = target.parent
    if not target.is_file():
        raise InstallError(f"the running AppImage {target} is missing; reinstall the app")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise InstallError(
            f"cannot replace {target}: its folder is not writable; move the AppImage to a "
            "folder you own"
        )
    return InstallPlan("appimage", target=str(target))


def _tar_plan(config: PackagerConfig, offered: Iterable[str] | None) -> InstallPlan:
    app_dir = config.app_dir
    if app_dir is None:
        raise InstallError(
            "a tar.gz update needs to know the app's folder; set [install] app_dir in the "
            "packager config"
        )
    if not app_dir.is_dir() or app_dir.is_symlink():
        raise InstallError(
            f"the app folder {app_dir} ([install] app_dir) is not a folder; fix the "
            "packager config"
        )
    if not os.access(app_dir.parent, os.W_OK | os.X_OK):
        raise InstallError(
            f"cannot update {app_dir}: {app_dir.parent} is not writable; unpack the app in "
            f"a folder you own{_or_set_kind('tar.gz', offered)}"
        )
    return InstallPlan("tar.gz", app_dir=str(app_dir))


def plan_for(config: PackagerConfig, asset: Asset, release: Release | None) -> InstallPlan:
    """The preflight of ``asset`` here; with ``release`` its advice names only the kinds
    that release offers for this platform."""
    return preflight(config, asset, offered=offered_kinds(release, config.platform))


def install_problem(config: PackagerConfig, release: Release | None, asset: Asset | None) -> str:
    """The preflight's refusal of ``asset`` here, "" if it can be installed."""
    if asset is None:
        return ""
    try:
        plan_for(config, asset, release)
    except InstallError as exc:
        return str(exc)
    return ""


def install_effect(config: PackagerConfig, asset: Asset, release: Release | None) -> InstallEffect:
    """What installing ``asset`` will do here: restart in place, open an installer, or
    nothing (it cannot replace this installation)."""
    try:
        plan = plan_for(config, asset, release)
    except InstallError:
        return InstallEffect.CANNOT_REPLACE
    if plan.kind in ("appimage", "tar.gz"):
        return InstallEffect.RESTART  # replaced in place by the helper, then started
    return InstallEffect.OPEN_INSTALLER
