"""Missed releases and withdrawals: what a user who is behind, or on a pulled version, sees.

Decided locally from the verified feed, like the rest of the selection; nothing here is
ever sent. A user several releases behind reads every release's notes they never
installed (newest first), and a critical release among them makes the update critical.
A user running a version the publisher withdrew is told why and offered the newest good
release, even when that one is older: the signed withdrawal is the publisher's word that
the installed version must not stay.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from glass_updater.model import Feed, Release, Withdrawal
from glass_updater.reasons import Reason, Why
from glass_updater.versions import CHANNEL_SEES, Selection, os_satisfies, pick_asset
from packaging.version import InvalidVersion, Version


def _version(text: str) -> Version | None:
    try:
        return Version(text)
    except InvalidVersion:
        return None


def missed_releases(
    feed: Feed, *, current_version: str, offered: Release, channel: str, platform: str
) -> tuple[Release, ...]:
    """Releases newer than the installed one, up to and including ``offered``, newest first.

    Only releases on the user's channel that were published for this platform count: a
    Windows-only fix is not something a Linux user missed.
    """
    current = _version(current_version)
    top = Version(offered.version)
    visible = CHANNEL_SEES.get(channel, frozenset())
    out = [
        r
        for r in feed.releases
        if r.channel in visible
        and (current is None or Version(r.version) > current)
        and Version(r.version) <= top
        and any(a.platform == platform for a in r.assets)
    ]
    if offered not in out:
        out.append(offered)
    return tuple(sorted(out, key=lambda r: Version(r.version), reverse=True))


def withdrawal_of(feed: Feed, version: str) -> Withdrawal | None:
    """The publisher's signed withdrawal of ``version``, if any."""
    wanted = _version(version)
    if wanted is None:
        return None
    return next((w for w in feed.withdrawn if Version(w.version) == wanted), None)


@dataclass(frozen=True)
class Replacement:
    """For a withdrawn installed version: the newest good release to go to, or why none."""

    selection: Selection
    withdrawal: Withdrawal


def replacement_for_withdrawn(
    feed: Feed,
    withdrawal: Withdrawal,
    *,
    channel: str,
    platform: str,
    os_name: str,
    os_version: str,
    skipped_version: str | None = None,
    kinds: tuple[str, ...] | None = None,
) -> Replacement:
    """The newest eligible good release (older ones included), when nothing newer is.

    ``kinds``: the asset kinds this installation can use, best first (None: any).
    """
    visible = CHANNEL_SEES.get(channel, frozenset())
    skipped = _version(skipped_version) if skipped_version else None
    candidates = sorted(
        (r for r in feed.releases if r.channel in visible),
        key=lambda r: Version(r.version),
        reverse=True,
    )
    why = Reason(
        Why.WITHDRAWN_NO_OTHER,
        platform=platform,
        withdrawn_version=withdrawal.version,
        withdrawn_reason=withdrawal.reason,
    )
    for release in candidates:
        if skipped is not None and Version(release.version) == skipped:
            continue
        if os_satisfies(release, os_name or platform.split("-", 1)[0], os_version) is not None:
            continue
        asset = pick_asset(release, platform, kinds)  # the kind this installation takes
        if asset is None:
            continue
        reason = replace(why, why=Why.REPLACES_WITHDRAWN, version=release.version, platform="")
        return Replacement(Selection(release, asset, reason), withdrawal)
    return Replacement(Selection(None, None, why), withdrawal)
