"""What a trusted feed means for this installation: a pure function, no I/O.

``Updater.check`` verifies the feed, then asks ``decide`` what to offer: the newest
eligible release on the user's channel (within the administrator's ``max_version``), a
replacement when the installed version was withdrawn, whether the user skipped it, the
releases missed on the way, and why (a ``Reason``: data, said by ``reasons.words``) — once
as the ledger records it, once as a front end shows it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TypedDict

from glass_updater.config import PackagerConfig
from glass_updater.model import Asset, Feed, Release, Withdrawal
from glass_updater.reasons import Reason


@dataclass(frozen=True)
class Decision:
    """The offer (or none) and why."""

    release: Release | None
    asset: Asset | None
    recorded: Reason  # the reason the ledger records with the accepted feed
    reason: Reason  # as shown: adds why the installed version was pulled, the admin's pin
    skipped: bool
    missed: tuple[Release, ...]
    withdrawn: Withdrawal | None  # the INSTALLED version was withdrawn: why


class Eligibility(TypedDict):
    """This installation as ``versions.select_update`` and ``history.replacement_for_withdrawn``
    both ask for it: the keyword arguments they share, written once."""

    channel: str
    platform: str
    os_name: str
    os_version: str
    skipped_version: str | None
    kinds: tuple[str, ...] | None


def eligibility(config: PackagerConfig, channel: str) -> Eligibility:
    """What may be offered here on ``channel``: this platform and OS, the asset kinds this
    installation can take. No skipped version: a check marks a skipped offer afterwards
    (``is_skipped``), and importing a bundle is an explicit choice."""
    from glass_updater.preflight import wanted_kinds

    return Eligibility(
        channel=channel,
        platform=config.platform,
        os_name=config.platform.split("-", 1)[0],
        os_version=config.os_version,
        skipped_version=None,
        kinds=wanted_kinds(config),
    )


def decide(
    feed: Feed,
    config: PackagerConfig,
    *,
    channel: str,
    skipped_version: str | None,
    max_version: str | None,
) -> Decision:
    """Every check is asked for, so a skipped version is still shown, marked."""
    from glass_updater.history import missed_releases, replacement_for_withdrawn, withdrawal_of
    from glass_updater.versions import select_update

    allowed = pinned(feed, max_version)
    here = eligibility(config, channel)
    selection = select_update(allowed, current_version=config.version, **here)
    withdrawal = withdrawal_of(feed, config.version)
    replaced = withdrawal is not None and selection.release is None
    if withdrawal is not None and replaced:
        selection = replacement_for_withdrawn(allowed, withdrawal, **here).selection
    skipped = is_skipped(selection.release, skipped_version)
    if skipped:
        selection = replace(selection, reason=replace(selection.reason, skipped=True))
    recorded = selection.reason
    missed: tuple[Release, ...] = ()
    if selection.release is not None:
        missed = missed_releases(
            allowed,
            current_version=config.version,
            offered=selection.release,
            channel=channel,
            platform=config.platform,
        )
    reason = selection.reason
    if withdrawal is not None and not replaced and selection.release is not None:
        # A newer good release exists: still say why the installed one was pulled.
        reason = replace(reason, installed_withdrawn=(withdrawal.version, withdrawal.reason))
    if selection.release is None and allowed != feed:
        reason = replace(reason, pinned_to=max_version)
    return Decision(
        release=selection.release,
        asset=selection.asset,
        recorded=recorded,
        reason=reason,
        skipped=skipped,
        missed=missed,
        withdrawn=withdrawal,
    )


def pinned(feed: Feed, max_version: str | None) -> Feed:
    """The feed without releases above the administrator's ``max_version``."""
    if max_version is None:
        return feed
    from packaging.version import Version

    limit = Version(max_version)
    kept = tuple(r for r in feed.releases if Version(r.version) <= limit)
    return replace(feed, releases=kept)


def is_skipped(release: Release | None, skipped_version: str | None) -> bool:
    """True when ``release`` is the skipped version or older (a damaged setting: False)."""
    from packaging.version import InvalidVersion, Version

    if release is None or not skipped_version:
        return False
    try:
        return Version(release.version) <= Version(skipped_version)
    except InvalidVersion:
        return False
