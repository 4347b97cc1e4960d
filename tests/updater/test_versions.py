"""Which release is offered: newer only, channel, platform, min_os, skip."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from glass_updater.errors import ConfigError
from glass_updater.model import Asset, Feed, Release
from glass_updater.reasons import words
from glass_updater.versions import os_tuple, select_update

LINUX = "linux-x86_64"


def release(
    version: str,
    *,
    channel: str = "stable",
    platforms: tuple[str, ...] = (LINUX,),
    min_os: tuple[tuple[str, str], ...] = (),
    critical: bool = False,
) -> Release:
    assets = tuple(
        Asset(p, "appimage", f"https://u.example.com/{version}/{p}", 10, "0" * 64)
        for p in platforms
    )
    return Release(
        version, channel, datetime(2026, 1, 1, tzinfo=UTC), critical, min_os, "", assets
    )


def feed(*releases: Release) -> Feed:
    return Feed("demo-app", 1, datetime(2027, 1, 1, tzinfo=UTC), releases, "d" * 64)


def pick(f: Feed, current: str = "1.0.0", **kw: object) -> tuple[str | None, str]:
    args: dict[str, object] = {
        "current_version": current, "channel": "stable", "platform": LINUX,
        "os_name": "linux", "os_version": "6.5.0",
    }
    args.update(kw)
    s = select_update(f, **args)  # type: ignore[arg-type]
    assert (s.release is None) == (s.asset is None)
    return (s.release.version if s.release else None), words(s.reason)


def test_newest_newer_release_offered() -> None:
    assert pick(feed(release("1.2.0"), release("1.4.0"), release("1.3.0"))) == (
        "1.4.0", "1.4.0 is available"
    )


def test_up_to_date_reason_names_current_version() -> None:
    assert pick(feed(release("1.0.0")), "1.0.0") == (
        None, "you are on the newest version (1.0.0)"
    )


def test_downgrade_never_offered() -> None:
    assert pick(feed(release("0.9.0"), release("1.0.0")), "1.0.0")[0] is None


def test_pep440_ordering_not_string_ordering() -> None:
    assert pick(feed(release("1.9.0"), release("1.10.0")))[0] == "1.10.0"
    assert pick(feed(release("1.0.0rc1")), "1.0.0b2")[0] == "1.0.0rc1"
    assert pick(feed(release("1.0")), "1.0.0")[0] is None  # equal under PEP 440


def test_stable_channel_never_sees_beta() -> None:
    f = feed(release("1.2.0"), release("2.0.0b1", channel="beta"))
    assert pick(f)[0] == "1.2.0"
    assert pick(f, channel="beta")[0] == "2.0.0b1"


def test_beta_channel_sees_newer_stable() -> None:
    f = feed(release("2.0.0b1", channel="beta"), release("2.0.0"))
    assert pick(f, channel="beta")[0] == "2.0.0"


def test_prerelease_user_moves_to_final_on_stable() -> None:
    assert pick(feed(release("2.0.0")), "2.0.0rc1")[0] == "2.0.0"


def test_asset_for_another_platform_not_offered() -> None:
    f = feed(release("1.4.0", platforms=("windows-x86_64",)), release("1.3.0"))
    version, _ = pick(f)
    assert version == "1.3.0"
    assert pick(feed(release("1.4.0", platforms=("macos-arm64",)))) == (
        None, f"1.4.0 is not available for {LINUX}"
    )


def test_min_os_above_this_os_not_offered() -> None:
    f = feed(release("1.4.0", min_os=(("linux", "7.0"),)), release("1.3.0"))
    assert pick(f)[0] == "1.3.0"
    assert pick(f, os_version="7.0")[0] == "1.4.0"
    assert pick(f, os_version="10.1")[0] == "1.4.0"  # numeric, not string, comparison
    only = feed(release("1.4.0", min_os=(("linux", "7.0"),)))
    assert pick(only) == (None, "1.4.0 needs linux 7.0 or newer")


def test_min_os_for_another_os_is_ignored() -> None:
    assert pick(feed(release("1.4.0", min_os=(("macos", "99"),))))[0] == "1.4.0"


def test_os_name_defaults_to_platform_prefix() -> None:
    f = feed(release("1.4.0", platforms=("macos-arm64",), min_os=(("macos", "13"),)))
    args = {"platform": "macos-arm64", "os_name": ""}
    assert pick(f, **args, os_version="12.6")[0] is None
    assert pick(f, **args, os_version="13.0.1")[0] == "1.4.0"


def test_unknown_os_version_fails_closed_for_min_os() -> None:
    f = feed(release("1.4.0", min_os=(("linux", "5"),)))
    assert pick(f, os_version="unknown")[0] is None


def test_skipped_version_not_offered_but_newer_is() -> None:
    f = feed(release("1.3.0"), release("1.4.0"))
    assert pick(f, skipped_version="1.4.0") == (None, "1.4.0 was skipped by you")
    f2 = feed(release("1.3.0"), release("1.4.0"), release("1.5.0"))
    assert pick(f2, skipped_version="1.4.0")[0] == "1.5.0"


def test_damaged_skipped_setting_does_not_block_updates() -> None:
    assert pick(feed(release("1.4.0")), skipped_version="not a version")[0] == "1.4.0"


def test_critical_flag_preserved() -> None:
    s = select_update(
        feed(release("1.4.0", critical=True)), current_version="1.0.0", channel="stable",
        platform=LINUX, os_name="linux", os_version="6",
    )
    assert s.release is not None and s.release.critical is True
    assert words(s.reason) == "1.4.0 is available (critical update)"


@pytest.mark.parametrize(
    ("current", "channel"), [("not-a-version", "stable"), ("1.0.0", "nightly")]
)
def test_bad_local_config_is_config_error(current: str, channel: str) -> None:
    with pytest.raises(ConfigError):
        pick(feed(release("1.4.0")), current, channel=channel)


def test_os_tuple() -> None:
    assert os_tuple("6.5.0-14-generic") == (6, 5, 0)
    assert os_tuple("10.0.19045") == (10, 0, 19045)
    assert os_tuple("Monterey") is None
