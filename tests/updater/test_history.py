"""Missed releases and signed withdrawals: decided locally from the verified feed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from glass_updater.errors import MalformedFeedError
from glass_updater.feed import parse_payload, payload_dict
from glass_updater.model import CheckStatus

from tests.sim import FeedSimulator
from tests.updater.test_updater import make_updater


@pytest.fixture
def behind() -> FeedSimulator:
    """1.0.0 is installed; 1.1.0 (critical), 1.2.0 and 1.3.0 followed; a beta and a
    Windows-only release must not count as missed on a stable Linux machine."""
    sim = FeedSimulator()
    sim.add_release("1.1.0", critical=True, notes="fixes a hole")
    sim.add_release("1.2.0", notes="new look")
    sim.add_release("1.2.1", platforms=("windows-x86_64",), critical=True, notes="win only")
    sim.add_release("1.3.0", notes="faster")
    sim.add_release("1.4.0b1", channel="beta", critical=True, notes="beta")
    return sim


def test_user_behind_sees_every_missed_release_newest_first_and_critical_carries(
    behind: FeedSimulator, tmp_path: Path
) -> None:
    result = make_updater(behind, tmp_path).check()
    assert result.release is not None and result.release.version == "1.3.0"
    assert not result.release.critical
    assert [r.version for r in result.missed] == ["1.3.0", "1.2.0", "1.1.0"]
    assert [r.notes for r in result.missed] == ["faster", "new look", "fixes a hole"]
    assert result.critical  # 1.1.0 was critical and the user never installed it


def test_critical_does_not_carry_from_releases_already_installed(
    behind: FeedSimulator, tmp_path: Path
) -> None:
    result = make_updater(behind, tmp_path, version="1.1.0").check()
    assert [r.version for r in result.missed] == ["1.3.0", "1.2.0"]
    assert not result.critical  # the Windows-only and the beta critical releases don't count


def test_withdrawn_version_is_never_offered(behind: FeedSimulator, tmp_path: Path) -> None:
    behind.withdraw("1.3.0", "breaks saving on some disks")
    result = make_updater(behind, tmp_path).check()
    assert result.release is not None and result.release.version == "1.2.0"
    assert [r.version for r in result.missed] == ["1.2.0", "1.1.0"]
    assert result.withdrawn is None  # 1.0.0 itself is fine


def test_user_on_withdrawn_version_is_told_why_and_offered_newest_good_release(
    behind: FeedSimulator, tmp_path: Path
) -> None:
    behind.withdraw("1.3.0", "breaks saving on some disks")
    result = make_updater(behind, tmp_path, version="1.3.0").check()
    assert result.status is CheckStatus.UPDATE_AVAILABLE
    assert result.withdrawn is not None
    assert result.withdrawn.reason == "breaks saving on some disks"
    assert result.release is not None and result.release.version == "1.2.0"  # older, good
    assert "withdrawn" in result.reason and "breaks saving" in result.reason
    assert result.asset is not None and result.asset.platform == "linux-x86_64"


def test_user_on_withdrawn_version_with_a_newer_release_gets_it_and_the_reason(
    behind: FeedSimulator, tmp_path: Path
) -> None:
    behind.withdraw("1.2.0", "data loss")
    result = make_updater(behind, tmp_path, version="1.2.0").check()
    assert result.release is not None and result.release.version == "1.3.0"
    assert result.withdrawn is not None and "data loss" in result.reason


def test_feed_listing_a_version_both_released_and_withdrawn_is_refused() -> None:
    sim = FeedSimulator()
    sim.add_release("1.1.0")
    sim.withdrawn.append({"version": "1.1.0", "reason": "x", "withdrawn": "2026-11-22T09:00:00Z"})
    with pytest.raises(MalformedFeedError, match="also listed as a release"):
        parse_payload(sim.payload_bytes())


@pytest.mark.parametrize(
    "entry, message",
    [
        ({"version": "1.0", "reason": "", "withdrawn": "2026-11-22T09:00:00Z"}, "1 to 1000"),
        ({"version": "1.0", "reason": "x"}, "no 'withdrawn' field"),
        ({"version": "1.0", "reason": "x", "withdrawn": "2026-11-22T09:00:00Z", "y": 1},
         "unknown field"),
        ({"version": "one", "reason": "x", "withdrawn": "2026-11-22T09:00:00Z"}, "PEP 440"),
        ({"version": "1.0", "reason": "bad \x1b[2J", "withdrawn": "2026-11-22T09:00:00Z"},
         "control or formatting"),
        ({"version": "1.0", "reason": "bad \u202eevil", "withdrawn": "2026-11-22T09:00:00Z"},
         "control or formatting"),
        ({"version": "1.0", "reason": "two\nlines", "withdrawn": "2026-11-22T09:00:00Z"},
         "control or formatting"),
    ],
)
def test_malformed_withdrawals_are_refused(entry: dict[str, object], message: str) -> None:
    sim = FeedSimulator()
    sim.add_release("1.1.0")
    sim.withdrawn.append(entry)
    with pytest.raises(MalformedFeedError, match=message):
        parse_payload(sim.payload_bytes())


def test_payload_without_withdrawals_keeps_the_old_shape() -> None:
    """Feeds without a withdrawal have no ``withdrawn`` key: older clients still accept
    them byte for byte as before."""
    sim = FeedSimulator()
    sim.add_release("1.1.0")
    doc = payload_dict(parse_payload(sim.payload_bytes()))
    assert "withdrawn" not in doc
    sim.withdraw("1.1.0", "bad build")
    doc = payload_dict(parse_payload(sim.payload_bytes()))
    assert doc["withdrawn"] == [
        {"version": "1.1.0", "reason": "bad build", "withdrawn": "2026-11-22T09:00:00Z"}
    ]
    assert parse_payload(json.dumps(doc).encode()).withdrawn[0].reason == "bad build"


def test_withdrawn_with_nothing_to_go_to_says_so_and_offers_nothing(tmp_path: Path) -> None:
    sim = FeedSimulator()
    sim.add_release("1.1.0", platforms=("windows-x86_64",))
    sim.add_release("1.2.0")
    sim.withdraw("1.2.0", "data loss")
    result = make_updater(sim, tmp_path, version="1.2.0").check()
    assert result.status is CheckStatus.UP_TO_DATE and result.release is None
    assert result.withdrawn is not None and result.withdrawn.reason == "data loss"
    assert "withdrawn by the publisher: data loss" in result.reason
    assert "no other release is available for linux-x86_64" in result.reason
