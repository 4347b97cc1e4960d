"""Which release, if any, to offer: newer only, on the user's channel, for this machine.

Decided locally from the verified feed; nothing here is ever sent. A downgrade is never
offered, whatever the feed says: only versions strictly newer than the installed one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from glass_updater.errors import ConfigError
from glass_updater.model import Asset, Feed, Release
from glass_updater.reasons import Reason, Why
from packaging.version import InvalidVersion, Version

# Which release channels each user channel sees.
CHANNEL_SEES: dict[str, frozenset[str]] = {
    "stable": frozenset({"stable"}),
    "beta": frozenset({"stable", "beta"}),
}
_OS_VERSION = re.compile(r"^[0-9]+(\.[0-9]+)*")


@dataclass(frozen=True)
class Selection:
    release: Release | None
    asset: Asset | None
    reason: Reason  # why: data; ``reasons.words`` says it


def _parse_version(text: str, what: str) -> Version:
    try:
        return Version(text)
    except InvalidVersion:
        raise ConfigError(f"{what} {text!r} is not a PEP 440 version; fix the config") from None


def os_tuple(text: str) -> tuple[int, ...] | None:
    """Leading dotted numbers of an OS version ("6.5.0-14-generic" -> (6, 5, 0))."""
    match = _OS_VERSION.match(text.strip())
    if match is None:
        return None
    return tuple(int(part) for part in match.group(0).split("."))


def _pad(a: tuple[int, ...], n: int) -> tuple[int, ...]:
    return a + (0,) * (n - len(a))


def os_satisfies(release: Release, os_name: str, os_version: str) -> Reason | None:
    """None when the release's ``min_os`` allows this OS, else why not."""
    for name, minimum in release.min_os:
        if name != os_name:
            continue
        need = os_tuple(minimum)
        have = os_tuple(os_version)
        if need is None or have is None:
            return Reason(Why.NEEDS_OS_UNKNOWN, release.version, os_name=name, minimum=minimum)
        n = max(len(need), len(have))
        if _pad(have, n) < _pad(need, n):
            return Reason(Why.NEEDS_OS, release.version, os_name=name, minimum=minimum)
    return None


def select_update(
    feed: Feed,
    *,
    current_version: str,
    channel: str,
    platform: str,
    os_name: str,
    os_version: str,
    skipped_version: str | None = None,
    kinds: tuple[str, ...] | None = None,
) -> Selection:
    """The newest eligible release, or none with the reason for the newest one refused.

    Skipping a version hides it and everything older; a newer release is offered again.
    ``os_name`` defaults to the platform prefix ("linux" in "linux-x86_64") when empty.
    ``kinds`` (from ``[install] kind`` or detected) picks among several assets for one
    platform, so one feed serves AppImage, .deb and tar.gz users; None takes the first.
    """
    current = _parse_version(current_version, "installed version")
    if channel not in CHANNEL_SEES:
        raise ConfigError(f"channel {channel!r} is not one of stable, beta; fix the setting")
    os_name = os_name or platform.split("-", 1)[0]
    skipped: Version | None = None
    if skipped_version:
        try:
            skipped = Version(skipped_version)
        except InvalidVersion:
            skipped = None  # a damaged local setting must not block updates
    visible = CHANNEL_SEES[channel]
    newer = sorted(
        (r for r in feed.releases if r.channel in visible and Version(r.version) > current),
        key=lambda r: Version(r.version),
        reverse=True,
    )
    first_refusal: Reason | None = None
    for release in newer:
        refusal: Reason | None
        if skipped is not None and Version(release.version) <= skipped:
            refusal = Reason(Why.SKIPPED, release.version)
        else:
            refusal = os_satisfies(release, os_name, os_version)
            asset = pick_asset(release, platform, kinds)
            if refusal is None and asset is None:
                refusal = _unavailable(release, platform, kinds)
            if refusal is None and asset is not None:
                why = Reason(Why.AVAILABLE, release.version, critical=release.critical)
                return Selection(release, asset, why)
        first_refusal = first_refusal or refusal
    if first_refusal is not None:
        return Selection(None, None, first_refusal)
    return Selection(None, None, Reason(Why.NEWEST, current_version))


def pick_asset(release: Release, platform: str, kinds: tuple[str, ...] | None) -> Asset | None:
    """The first asset for this platform whose kind this installation can use."""
    for asset in release.assets:
        if asset.platform == platform and (kinds is None or asset.kind.lower() in kinds):
            return asset
    return None


def _unavailable(release: Release, platform: str, kinds: tuple[str, ...] | None) -> Reason:
    offered = sorted({a.kind for a in release.assets if a.platform == platform})
    if kinds is None or not offered:
        return Reason(Why.NOT_FOR_PLATFORM, release.version, platform=platform)
    return Reason(
        Why.NO_KIND, release.version, platform=platform, kinds=kinds, offered=tuple(offered)
    )
