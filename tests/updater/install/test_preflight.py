"""Asset choice by install kind, and the preflight that runs before any asset byte."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from glass_updater.config import PackagerConfig, parse_config
from glass_updater.errors import ConfigError, InstallError
from glass_updater.model import Asset, Feed, Release
from glass_updater.preflight import InstallPlan, preflight, wanted_kinds
from glass_updater.reasons import words
from glass_updater.versions import select_update

KEY = "ed25519:" + "A" * 43 + "="
BASE = f"""
[product]
id = "demo"
version = "1.0"
[feed]
url = "https://updates.example/feed.json"
trusted_keys = ["{KEY}"]
"""


def config(**overrides: object) -> PackagerConfig:
    base = parse_config(BASE)
    return replace(base, **{"platform": "linux-x86_64", **overrides})  # type: ignore[arg-type]


def asset(kind: str, platform: str = "linux-x86_64") -> Asset:
    return Asset(platform, kind, f"https://dl.example/demo-2.{kind}", 10, "0" * 64)


def which_of(*present: str) -> Callable[[str], str | None]:
    return lambda name: f"/usr/bin/{name}" if name in present else None


FEED = Feed(
    product="demo", serial=1, expires=datetime(2027, 1, 1, tzinfo=UTC), digest="d",
    releases=(Release("2.0", "stable", datetime(2026, 1, 1, tzinfo=UTC), False, (), "",
                      (asset("appimage"), asset("deb"), asset("tar.gz"),
                       asset("msi", "windows-x86_64"), asset("exe", "windows-x86_64"))),),
)


def choose(cfg: PackagerConfig, environ: dict[str, str]) -> str | None:
    selection = select_update(FEED, current_version="1.0", channel="stable",
                              platform=cfg.platform, os_name="", os_version="1",
                              kinds=wanted_kinds(cfg, environ))
    return selection.asset.kind if selection.asset else words(selection.reason)


@pytest.mark.parametrize(
    ("overrides", "environ", "chosen"),
    [
        ({"install_kind": "deb"}, {}, "deb"),
        ({"install_kind": "tar.gz", "app_dir": Path("/opt/demo")}, {}, "tar.gz"),
        ({}, {"APPIMAGE": "/home/u/Demo.AppImage"}, "appimage"),
        ({"app_dir": Path("/opt/demo")}, {}, "tar.gz"),
        ({"install_kind": "deb"}, {"APPIMAGE": "/x"}, "deb"),  # the config wins
        ({}, {}, "appimage"),  # nothing known: the first for the platform (preflight decides)
        ({"platform": "windows-x86_64"}, {}, "msi"),
        ({"install_kind": "rpm"}, {},
         "2.0 has no rpm download for linux-x86_64 (the feed offers appimage, deb, tar.gz)"),
    ],
)
def test_one_feed_serves_every_kind_of_installation(
    overrides: dict[str, object], environ: dict[str, str], chosen: str
) -> None:
    assert choose(config(**overrides), environ) == chosen


@pytest.mark.parametrize(
    ("offered", "advice"),
    [
        (("appimage", "deb", "rpm", "tar.gz"),
         'set [install] kind = "deb" (or "rpm", "tar.gz") in the packager config'),
        (("appimage", "tar.gz"), 'set [install] kind = "tar.gz" in the packager config'),
        (("appimage", "rpm"), 'set [install] kind = "rpm" in the packager config'),
        (("appimage",),
         "this release has no file this installation can install (it offers only appimage "
         "for this platform); get the new version from the publisher's website"),
        (None, "set [install] kind in the packager config to how the app was installed"),
    ],
)
def test_appimage_asset_for_a_copy_not_running_from_an_appimage(
    offered: tuple[str, ...] | None, advice: str
) -> None:
    """The advice names only kinds the release offers for this platform (walk item 1)."""
    with pytest.raises(InstallError) as info:
        preflight(config(), asset("appimage"), environ={}, offered=offered)
    assert str(info.value) == (
        "this copy is not running from an AppImage, so an AppImage update cannot be "
        f"installed; {advice}"
    )
    for kind in ("deb", "rpm", "tar.gz"):
        if offered is None or kind not in offered:
            assert f'"{kind}"' not in str(info.value)


def test_appimage_in_a_read_only_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    app = tmp_path / "ro" / "Demo.AppImage"
    app.parent.mkdir()
    app.write_bytes(b"app")
    app.parent.chmod(0o555)
    real_access = os.access
    monkeypatch.setattr("glass_updater.preflight.os.access",  # root may write anywhere
                        lambda p, mode: False if Path(p) == app.parent else real_access(p, mode))
    try:
        with pytest.raises(InstallError, match="not writable; move the AppImage"):
            preflight(config(), asset("appimage"), environ={"APPIMAGE": str(app)})
    finally:
        app.parent.chmod(0o755)


def test_appimage_plan_names_the_real_file(tmp_path: Path) -> None:
    real = tmp_path / "opt" / "Demo.AppImage"
    real.parent.mkdir()
    real.write_bytes(b"app")
    link = tmp_path / "Demo"
    link.symlink_to(real)
    plan = preflight(config(), asset("appimage"), environ={"APPIMAGE": str(link)})
    assert plan == InstallPlan("appimage", target=str(real))


def test_tar_gz_needs_a_writable_app_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with pytest.raises(InstallError, match=r"set \[install\] app_dir"):
        preflight(config(install_kind="tar.gz"), asset("tar.gz"), environ={})
    with pytest.raises(InstallError, match="is not a folder"):
        preflight(config(app_dir=tmp_path / "missing"), asset("tar.gz"), environ={})
    app_dir = tmp_path / "apps" / "demo"
    app_dir.mkdir(parents=True)
    assert preflight(config(app_dir=app_dir), asset("tar.gz"), environ={}) == InstallPlan(
        "tar.gz", app_dir=str(app_dir)
    )
    monkeypatch.setattr("glass_updater.preflight.os.access", lambda p, mode: False)
    with pytest.raises(InstallError) as info:
        preflight(config(app_dir=app_dir), asset("tar.gz"), environ={})
    assert f"cannot update {app_dir}: {app_dir.parent} is not writable" in str(info.value)


def test_system_package_preflight_checks_the_installer_is_present() -> None:
    plan = preflight(config(install_kind="deb"), asset("deb"), environ={},
                     which=which_of("pkexec", "apt-get"), euid=1000)
    assert plan == InstallPlan(
        "command", command=("pkexec", "apt-get", "install", "-y", "--reinstall", "{file}")
    )
    with pytest.raises(InstallError, match="needs pkexec"):
        preflight(config(install_kind="deb"), asset("deb"), environ={},
                  which=which_of("apt-get"), euid=1000)
    with pytest.raises(InstallError, match="neither apt-get nor dpkg"):
        preflight(config(install_kind="deb"), asset("deb"), environ={},
                  which=which_of("pkexec"), euid=1000)


def test_windows_and_macos_installers_need_their_tools() -> None:
    win = config(platform="windows-x86_64")
    assert preflight(win, asset("exe", "windows-x86_64"), environ={}, which=which_of()) == \
        InstallPlan("command", command=("{file}",))
    with pytest.raises(InstallError, match="needs msiexec"):
        preflight(win, asset("msi", "windows-x86_64"), environ={}, which=which_of())
    mac = config(platform="macos-arm64")
    assert preflight(mac, asset("pkg", "macos-arm64"), environ={},
                     which=which_of("open")).command == ("open", "-W", "{file}")


def test_packager_command_must_exist(tmp_path: Path) -> None:
    cfg = config(install_command=(str(tmp_path / "missing-installer"), "{file}"))
    with pytest.raises(InstallError, match=r"in \[install\] command was not found"):
        preflight(cfg, asset("bin"), environ={})
    tool = tmp_path / "installer"
    tool.write_text("#!/bin/sh\n")
    tool.chmod(0o755)
    cfg = config(install_command=(str(tool), "{file}", "{version}"), app_dir=tmp_path)
    assert preflight(cfg, asset("bin"), environ={}) == InstallPlan(
        "command", app_dir=str(tmp_path), command=(str(tool), "{file}", "{version}")
    )


@pytest.mark.parametrize(
    ("install", "message"),
    [
        ('kind = "zip"', "[install] kind 'zip' is not one of appimage, tar.gz, deb, rpm"),
        ('kind = "tar.gz"', "needs app_dir"),
        ("kind = 3", "[install] kind must be a non-empty string"),
        ('app_dir = "relative/demo"', "[install] app_dir must be an absolute path"),
        ('app_dir = "/"', "[install] app_dir cannot be the root folder"),
        ('command = "/bin/install {file}"', "[install] command must be a list of strings"),
        ('command = ["/bin/install"]', 'must contain a "{file}" argument'),
        ('command = ["/bin/x", "{file}", "{home}"]',
         "uses {home}; the placeholders are {file}, {pid}, {app_dir}, {version}"),
        ('command = ["", "{file}"]', "[install] command must start with a program"),
        ('colour = "red"', "unknown key(s) in [install]: colour"),
    ],
)
def test_install_config_errors_are_one_line(install: str, message: str) -> None:
    with pytest.raises(ConfigError) as info:
        parse_config(BASE + "[install]\n" + install + "\n")
    assert message in str(info.value) and "\n" not in str(info.value)


def test_install_config_is_read(tmp_path: Path) -> None:
    source = tmp_path / "conf" / "updater.toml"
    cfg = parse_config(
        BASE + '[install]\nkind = "TAR.GZ"\napp_dir = "../app"\n'
        'command = ["/opt/x/apply", "--pid={pid}", "{file}", "{app_dir}", "{version}"]\n',
        source,
    )
    assert cfg.install_kind == "tar.gz"
    assert cfg.app_dir == tmp_path / "app"
    assert cfg.install_command == ("/opt/x/apply", "--pid={pid}", "{file}", "{app_dir}",
                                   "{version}")


@pytest.mark.parametrize(
    ("offered", "says", "never"),
    [
        (("deb",), "install it", ('"tar.gz"', '"appimage"')),
        (("deb", "tar.gz"), 'install it, or set [install] kind = "tar.gz" in the packager',
         ('"appimage"',)),
    ],
)
def test_missing_pkexec_advice_names_only_offered_kinds(
    offered: tuple[str, ...], says: str, never: tuple[str, ...]
) -> None:
    with pytest.raises(InstallError) as info:
        preflight(config(install_kind="deb"), asset("deb"), environ={},
                  which=which_of("apt-get"), euid=1000, offered=offered)
    assert "needs pkexec" in str(info.value) and says in str(info.value)
    assert not any(n in str(info.value) for n in never)


@pytest.mark.parametrize(
    ("offered", "says"),
    [
        (("zip",), "this release has no file this installation can install (it offers only "
                   "zip for this platform); set [install] command in the packager config"),
        (("zip", "rpm"), 'set [install] kind = "rpm", or set [install] command in the packager'),
    ],
)
def test_a_kind_without_an_installer_names_only_offered_kinds(
    offered: tuple[str, ...], says: str
) -> None:
    with pytest.raises(InstallError) as info:
        preflight(config(install_kind="zip"), asset("zip"), environ={}, offered=offered)
    text = str(info.value)
    assert text.startswith("there is no installer for a zip file on linux; ") and says in text
    for kind in ("appimage", "tar.gz", "deb", "rpm"):
        assert kind in offered or (f'"{kind}"' not in text and f"{kind}," not in text)
