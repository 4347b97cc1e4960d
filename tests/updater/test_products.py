"""Per-product isolation: two products on one machine (same HOME) never meet.

Product A publishes serial 7, product B serial 3, signed by different keys. With one
shared state folder B's check would be refused as a rollback after A's; with per-product
folders they alternate cleanly and never share a rollback floor, a skipped version,
settings, history or a lock.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from glass_updater.config import PackagerConfig
from glass_updater.errors import BusyError
from glass_updater.model import CheckStatus
from glass_updater.paths import Paths, product_id_problem
from glass_updater.settings import UserSettings
from glass_updater.updater import Updater

from tests.sim import NOW, FeedSimulator


def product(pid: str, serial: int, installed: str, latest: str) -> tuple[FeedSimulator, Updater]:
    sim = FeedSimulator(product=pid, serial=serial, feed_path=f"/{pid}/feed.json")
    sim.add_release(latest)
    config = PackagerConfig(
        product_id=pid,
        product_name=pid.title(),
        version=installed,
        feed_url=sim.base_url + sim.feed_path,
        trusted_keys=(sim.public_key,),
        proxy="none",
        platform="linux-x86_64",
        os_version="6.1",
    )
    # Paths.default: exactly what the CLI, the tray app and a host app use without
    # --state-dir; the test's HOME and XDG folders are shared by both products.
    updater = Updater(config, paths=Paths.default(pid), transport=sim.transport, clock=lambda: NOW)
    return sim, updater


Two = tuple[tuple[FeedSimulator, Updater], tuple[FeedSimulator, Updater]]


@pytest.fixture
def two() -> Two:
    return product("product-a", 7, "1.0.0", "1.4.0"), product("product-b", 3, "2.0.0", "2.1.0")


def test_default_folders_are_per_product_under_the_user_dirs(isolated_home: Path) -> None:
    a, b = Paths.default("product-a"), Paths.default("product-b")
    for pa, pb in ((a.state, b.state), (a.log, b.log), (a.cache, b.cache)):
        assert pa != pb
        assert pa.is_relative_to(isolated_home) and pb.is_relative_to(isolated_home)
        assert "glass-updater" in pa.parts and pa.parts.index("product-a") > pa.parts.index(
            "glass-updater"
        )
    assert Paths.resolve(None, "product-a") == a
    assert Paths.resolve(isolated_home / "one", "product-a") == Paths.under(isolated_home / "one")


def test_two_products_alternate_without_sharing_a_rollback_floor(two: Two) -> None:
    (sim_a, a), (sim_b, b) = two
    for _ in range(2):  # A (serial 7), B (serial 3), A, B: none is a "rollback"
        ra = a.check()
        rb = b.check()
        assert ra.status is CheckStatus.UPDATE_AVAILABLE and ra.release is not None
        assert rb.status is CheckStatus.UPDATE_AVAILABLE and rb.release is not None
        assert (ra.release.version, rb.release.version) == ("1.4.0", "2.1.0")
    assert a.state.load().last_serial == 7
    assert b.state.load().last_serial == 3
    # Each product's history holds only its own two requests.
    for sim, up in ((sim_a, a), (sim_b, b)):
        urls = [e.url.split("?")[0] for e in up.ledger.entries()]
        assert urls == [sim.base_url + sim.feed_path] * 2


def test_skipped_version_and_settings_stay_with_their_product(two: Two) -> None:
    (_, a), (_, b) = two
    a.check()
    b.check()
    a.skip_version("1.4.0")
    a.settings.save(UserSettings(channel="beta", proxy="none"))
    assert a.check().skipped  # A skipped its update: shown to a check, marked
    rb = b.check()
    assert rb.status is CheckStatus.UPDATE_AVAILABLE and not rb.skipped  # B's is not
    assert b.state.load().skipped_version is None
    assert b.user_settings() == UserSettings()
    assert b.channel() == "stable" and a.channel() == "beta"


def test_a_held_lock_of_one_product_never_blocks_the_other(two: Two) -> None:
    (_, a), (_, b) = two
    with a.exclusive("check"):
        with pytest.raises(BusyError):
            a.check()  # the lock is real: A itself must wait
        assert b.check().status is CheckStatus.UPDATE_AVAILABLE  # B proceeds
        b.skip_version("2.1.0")  # and B's state writes take B's lock, not A's


@pytest.mark.parametrize(
    "bad", ["", "../x", "a/b", "a\\b", ".hidden", "x.", "con", "NUL.txt", "a b", "é", "x" * 65]
)
def test_product_id_must_be_a_safe_folder_name(bad: str) -> None:
    assert product_id_problem(bad) is not None
    with pytest.raises(ValueError, match="product id"):
        Paths.default(bad)


@pytest.mark.parametrize("good", ["demo-app", "Demo_App.2", "a", "x" * 64])
def test_ordinary_product_ids_are_accepted(good: str) -> None:
    assert product_id_problem(good) is None
