"""The façade and the flow against the feed simulator: results, state, ledger, privacy."""

from __future__ import annotations

import errno
import json
import os
import threading
from datetime import timedelta
from pathlib import Path

import pytest
from glass_updater.config import PackagerConfig
from glass_updater.driver import UpdateChoice, run_inline
from glass_updater.errors import (
    BusyError,
    FeedError,
    InstallError,
    StaleFeedError,
    StorageError,
    TransportError,
    UpdaterError,
)
from glass_updater.flow import UpdateFlow
from glass_updater.handoff import HandoffSpec
from glass_updater.ledger import Ledger, LedgerEntry
from glass_updater.model import CheckStatus
from glass_updater.paths import Paths
from glass_updater.settings import UserSettings
from glass_updater.updater import Updater
from glass_updater.wire_types import Exchange, OutboundRequest

from tests.doubles import MockTransport, Response
from tests.fakes import FakeHost, RecordingDriver, RecordingLauncher
from tests.sim import NOW, FeedSimulator


def make_config(sim: FeedSimulator, **overrides: object) -> PackagerConfig:
    base: dict[str, object] = dict(
        product_id="demo-app",
        product_name="Demo App",
        version="1.0.0",
        feed_url=sim.base_url + sim.feed_path,
        trusted_keys=(sim.public_key,),
        proxy="none",
        platform="linux-x86_64",
        os_version="6.1",
    )
    base.update(overrides)
    return PackagerConfig(**base)  # type: ignore[arg-type]


@pytest.fixture
def sim() -> FeedSimulator:
    s = FeedSimulator()
    s.add_release("1.4.0", notes="## New\n- faster")
    return s


def make_updater(sim: FeedSimulator, tmp_path: Path, **overrides: object) -> Updater:
    launcher = overrides.pop("launcher", None)
    return Updater(
        make_config(sim, **overrides),
        paths=Paths.under(tmp_path / "state"),
        transport=sim.transport,
        clock=lambda: NOW,
        launcher=launcher,  # type: ignore[arg-type]
    )


def state_files(tmp_path: Path) -> dict[str, bytes]:
    root = tmp_path / "state"
    return {
        str(p.relative_to(root)): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and p.suffix != ".lock" and "log" not in p.parts
    }


def test_check_finds_update_and_records_exact_bytes(sim: FeedSimulator, tmp_path: Path) -> None:
    updater = make_updater(sim, tmp_path)
    result = updater.check()
    assert result.status is CheckStatus.UPDATE_AVAILABLE
    assert result.release is not None and result.release.version == "1.4.0"
    assert result.asset is not None and result.asset.platform == "linux-x86_64"
    (request,) = sim.requests
    assert request.request_bytes == updater.preview().request_bytes
    (entry,) = result.entries
    assert entry.sent == request.transmissions
    assert entry.outcome.startswith("accepted feed serial 1")
    assert list(updater.ledger.entries()) == [entry]
    assert updater.state.load().last_serial == 1


def test_check_sends_only_product_and_version(sim: FeedSimulator, tmp_path: Path) -> None:
    make_updater(sim, tmp_path).check()
    (request,) = sim.requests
    assert request.target.query == "product=demo-app&version=1.0.0"
    assert [k for k, _ in request.headers] == [
        "Host", "User-Agent", "Accept", "Accept-Encoding", "Connection"
    ]


def test_packager_can_remove_version(sim: FeedSimulator, tmp_path: Path) -> None:
    make_updater(sim, tmp_path, remove_fields=("version",)).check()
    (request,) = sim.requests
    assert request.target.query == "product=demo-app"
    assert b"1.0.0" not in request.request_bytes


def test_up_to_date_when_newest_is_installed(sim: FeedSimulator, tmp_path: Path) -> None:
    result = make_updater(sim, tmp_path, version="1.4.0").check()
    assert result.status is CheckStatus.UP_TO_DATE
    assert result.release is None and "1.4.0" in result.reason


def test_rollback_leaves_stored_serial_unchanged(sim: FeedSimulator, tmp_path: Path) -> None:
    """Threat 9 at the façade: an older genuine feed is refused and nothing is persisted."""
    old_feed = sim.feed_bytes()
    sim.bump()
    sim.bump()
    updater = make_updater(sim, tmp_path)
    updater.check()
    before = state_files(tmp_path)
    assert updater.state.load().last_serial == 3
    sim.envelope_hook = lambda _: old_feed
    with pytest.raises(FeedError, match=r"(?i)rollback|older"):
        updater.check()
    assert state_files(tmp_path) == before
    assert updater.state.load().last_serial == 3
    last = list(updater.ledger.entries())[-1]
    assert last.outcome.startswith("refused:")


def test_same_serial_different_content_persists_nothing(
    sim: FeedSimulator, tmp_path: Path
) -> None:
    """Threat 10 at the façade."""
    updater = make_updater(sim, tmp_path)
    updater.check()
    before = state_files(tmp_path)
    sim.add_release("1.5.0")  # new content, same serial
    with pytest.raises(FeedError):
        updater.check()
    assert state_files(tmp_path) == before


def test_expired_feed_is_stale_and_changes_nothing(sim: FeedSimulator, tmp_path: Path) -> None:
    """Threat 11: stale, never "up to date"; state untouched."""
    sim.expires = NOW - timedelta(seconds=1)
    updater = make_updater(sim, tmp_path)
    outcome = updater.check_outcome()
    assert isinstance(outcome.error, StaleFeedError) and outcome.value is None
    assert "stale" in str(outcome.error).lower()
    assert state_files(tmp_path) == {}
    assert outcome.entries and outcome.entries[0].outcome.startswith("refused:")
    with pytest.raises(StaleFeedError):
        updater.check()  # the raising wrapper raises the outcome's error


def test_untrusted_key_changes_nothing(sim: FeedSimulator, tmp_path: Path) -> None:
    updater = make_updater(sim, tmp_path)
    sim.rotate()
    with pytest.raises(FeedError, match=r"(?i)trust"):
        updater.check()
    assert state_files(tmp_path) == {}


def test_corrupt_state_falls_back_and_check_still_works(
    sim: FeedSimulator, tmp_path: Path
) -> None:
    """Threat 37: garbage state never blocks a check; the installed version is the floor."""
    updater = make_updater(sim, tmp_path)
    (tmp_path / "state").mkdir(parents=True)
    (tmp_path / "state" / "state.json").write_bytes(b"\x00garbage{")
    result = updater.check()
    assert result.status is CheckStatus.UPDATE_AVAILABLE
    assert updater.state.load().last_serial == 1


def test_http_error_status_is_a_clear_network_error(sim: FeedSimulator, tmp_path: Path) -> None:
    updater = make_updater(sim, tmp_path)
    sim.feed_path = "/elsewhere.json"  # the client's path now 404s
    with pytest.raises(TransportError, match="answered 404"):
        updater.check()
    assert state_files(tmp_path) == {}


def test_second_concurrent_check_is_busy(sim: FeedSimulator, tmp_path: Path) -> None:
    """Threat 39: the check lock is held; a second check is told one is in progress."""
    updater = make_updater(sim, tmp_path)
    other = make_updater(sim, tmp_path)
    with other.exclusive("check"), pytest.raises(BusyError, match="in progress"):
        updater.check()
    assert sim.requests == []


# ---------------------------------------------------------------- the flow


def run_flow(updater: Updater, driver: RecordingDriver, host: FakeHost | None = None) -> UpdateFlow:
    flow = UpdateFlow(updater, driver, run_in_background=run_inline, host=host or FakeHost())
    flow.start()
    assert flow.finished.is_set()
    return flow


def test_skip_is_persisted_locally_and_never_sent(sim: FeedSimulator, tmp_path: Path) -> None:
    updater = make_updater(sim, tmp_path)
    driver = RecordingDriver(choice=UpdateChoice.SKIP)
    run_flow(updater, driver)
    assert driver.calls == ["checking", "update_found", "dismiss"]
    assert updater.state.load().skipped_version == "1.4.0"
    # Every check is one the user asked for: the skipped version is shown, marked.
    driver2 = RecordingDriver(choice=UpdateChoice.NOT_NOW)
    run_flow(updater, driver2)
    assert driver2.calls == ["checking", "update_found", "dismiss"]
    assert driver2.result is not None and driver2.result.skipped
    assert "you skipped this version" in driver2.result.reason
    assert len(sim.requests) == 2
    assert sim.requests[0].transmissions == sim.requests[1].transmissions  # nothing new sent
    assert all(b"skip" not in r.request_bytes for r in sim.requests)


def test_not_now_stores_nothing_and_sends_nothing(sim: FeedSimulator, tmp_path: Path) -> None:
    updater = make_updater(sim, tmp_path)
    run_flow(updater, RecordingDriver(choice=UpdateChoice.NOT_NOW))
    state = updater.state.load()
    assert state.remind_after is None and state.skipped_version is None  # no promise kept
    run_flow(updater, RecordingDriver(choice=UpdateChoice.NOT_NOW))
    assert sim.requests[0].transmissions == sim.requests[1].transmissions


def test_unskip_offers_the_version_unmarked(sim: FeedSimulator, tmp_path: Path) -> None:
    updater = make_updater(sim, tmp_path)
    run_flow(updater, RecordingDriver(choice=UpdateChoice.SKIP))
    assert updater.skipped_version() == "1.4.0"
    updater.unskip()
    assert updater.skipped_version() is None
    driver = RecordingDriver(choice=UpdateChoice.NOT_NOW)
    run_flow(updater, driver)
    assert driver.result is not None and not driver.result.skipped
    assert "skipped" not in driver.result.reason


def test_a_newer_release_than_the_skipped_one_is_not_marked(
    sim: FeedSimulator, tmp_path: Path
) -> None:
    updater = make_updater(sim, tmp_path)
    run_flow(updater, RecordingDriver(choice=UpdateChoice.SKIP))
    sim.add_release("1.5.0")
    sim.bump()
    driver = RecordingDriver(choice=UpdateChoice.NOT_NOW)
    run_flow(updater, driver)
    assert driver.result is not None and driver.result.release is not None
    assert driver.result.release.version == "1.5.0" and not driver.result.skipped


def test_install_effect_says_what_install_will_do(sim: FeedSimulator, tmp_path: Path) -> None:
    from glass_updater.model import Asset, InstallEffect

    appimage = Asset("linux-x86_64", "appimage", "https://x.test/a.AppImage", 1, "0" * 64)
    plain = make_updater(sim, tmp_path / "a")
    assert plain.install_effect(appimage) is InstallEffect.CANNOT_REPLACE  # not an AppImage
    command = make_updater(sim, tmp_path / "b", install_command=("/bin/true", "{file}"))
    assert command.install_effect(appimage) is InstallEffect.OPEN_INSTALLER


def test_install_flow_downloads_verifies_and_hands_off(
    sim: FeedSimulator, tmp_path: Path
) -> None:
    launcher = RecordingLauncher()
    host = FakeHost()
    updater = make_updater(sim, tmp_path, launcher=launcher,
                           install_command=("/bin/true", "--pid={pid}", "{file}"))
    driver = RecordingDriver()
    flow = run_flow(updater, driver, host)
    assert driver.calls == [
        "checking", "update_found", "progress", "ready_to_install", "installing", "dismiss"
    ]
    assert flow.verified is not None
    body = sim.assets["/demo-app/demo-app-1.4.0-linux-x86_64.appimage"]
    assert flow.verified.path.read_bytes() == body
    # The handoff starts the detached helper; the helper runs the command after we quit.
    ((argv, detached),) = launcher.launched
    assert detached and argv[1:5] == ("-P", "-m", "glass_updater.helper", "--spec")
    spec = HandoffSpec.from_json(argv[-1])
    assert spec.kind == "command" and spec.staged == str(flow.verified.path)
    assert spec.command == ("/bin/true", "--pid={pid}", "{file}")
    assert spec.pid == os.getpid() and spec.version == "1.4.0"
    assert spec.sha256 == flow.verified.asset.sha256
    assert host.shutdown_requested
    kinds = [e.kind for e in updater.ledger.entries()]
    assert kinds == ["check", "download"]


def test_declining_install_hands_off_nothing(sim: FeedSimulator, tmp_path: Path) -> None:
    launcher = RecordingLauncher()
    updater = make_updater(sim, tmp_path, launcher=launcher,
                           install_command=("/bin/true", "{file}"))
    driver = RecordingDriver(install=False)
    run_flow(updater, driver)
    assert driver.calls[-2:] == ["ready_to_install", "dismiss"]
    assert launcher.launched == []


def test_preflight_refuses_before_any_asset_byte(sim: FeedSimulator, tmp_path: Path) -> None:
    """An AppImage feed for a copy not running from an AppImage: refused, nothing fetched."""
    updater = make_updater(sim, tmp_path)
    driver = RecordingDriver()
    run_flow(updater, driver)
    assert driver.calls == ["checking", "update_found", "error:install", "dismiss"]
    assert len(sim.requests) == 1  # the check; no request for the asset
    assert not (tmp_path / "state" / "cache").exists()  # nothing staged, nothing left


def test_check_says_when_the_offer_cannot_be_installed_here(
    sim: FeedSimulator, tmp_path: Path
) -> None:
    """The preflight runs with the check (no extra request); its advice names only kinds
    the release offers, and download refuses with the same line before any asset byte."""
    updater = make_updater(sim, tmp_path)  # an AppImage-only feed, not run from an AppImage
    result = updater.check()
    assert result.asset is not None and not result.installable
    assert result.install_problem == (
        "this copy is not running from an AppImage, so an AppImage update cannot be "
        "installed; this release has no file this installation can install (it offers only "
        "appimage for this platform); get the new version from the publisher's website"
    )
    with pytest.raises(InstallError) as info:
        updater.download(result, on_progress=lambda _p: None)
    assert str(info.value) == result.install_problem
    assert len(sim.requests) == 1  # the check only
    sim.add_asset("1.4.0", "linux-x86_64", kind="deb")  # now the feed has a .deb too
    result = make_updater(sim, tmp_path / "again").check()
    assert result.install_problem.endswith('set [install] kind = "deb" in the packager config')
    installable = make_updater(sim, tmp_path / "deb", install_kind="deb").check()
    assert installable.installable and installable.install_problem == ""


def test_one_feed_serves_each_kind_of_installation(sim: FeedSimulator, tmp_path: Path) -> None:
    sim.add_asset("1.4.0", "linux-x86_64", kind="deb")
    sim.add_asset("1.4.0", "linux-x86_64", kind="tar.gz")
    for kind in ("deb", "tar.gz", "appimage"):
        result = make_updater(sim, tmp_path / kind, install_kind=kind,
                              app_dir=tmp_path).check()
        assert result.asset is not None and result.asset.kind == kind
        assert result.asset.url.endswith(f".{kind}")


def test_ask_before_check_shows_exact_bytes_and_cancel_sends_nothing(
    sim: FeedSimulator, tmp_path: Path
) -> None:
    updater = make_updater(sim, tmp_path)
    updater.settings.save(UserSettings(ask_before_check=True))
    driver = RecordingDriver(send=False)
    run_flow(updater, driver)
    assert driver.calls == ["send_confirmation", "dismiss"]
    assert sim.requests == []
    driver = RecordingDriver(choice=UpdateChoice.NOT_NOW)
    run_flow(updater, driver)
    (shown,) = driver.confirmations
    (sent,) = sim.requests
    assert shown.transmissions == sent.transmissions


def test_flow_error_links_to_what_was_sent(sim: FeedSimulator, tmp_path: Path) -> None:
    updater = make_updater(sim, tmp_path)
    sim.rotate()
    driver = RecordingDriver()
    run_flow(updater, driver)
    assert driver.calls == ["checking", "error:untrusted-key", "dismiss"]
    (entries,) = driver.error_entries
    assert [e.sent for e in entries] == [sim.requests[0].transmissions]


def test_second_start_while_running_is_told_busy(sim: FeedSimulator, tmp_path: Path) -> None:
    updater = make_updater(sim, tmp_path)
    jobs: list[object] = []
    driver = RecordingDriver(choice=UpdateChoice.NOT_NOW)
    flow = UpdateFlow(updater, driver, run_in_background=jobs.append, host=FakeHost())
    flow.start()
    assert flow.running and driver.calls == ["checking"]
    flow.start()
    assert driver.calls == ["checking", "error:busy"]
    job = jobs.pop()
    assert callable(job)
    thread = threading.Thread(target=job)
    thread.start()
    thread.join(10)
    assert flow.finished.is_set() and not flow.running


# ---------------------------------------------------------------- local disk faults


def test_unwritable_state_is_a_storage_error_and_the_exchange_is_recorded(
    sim: FeedSimulator, tmp_path: Path
) -> None:
    updater = make_updater(sim, tmp_path)
    (tmp_path / "state" / "state.json").mkdir(parents=True)  # cannot be replaced by a file
    outcome = updater.check_outcome()
    with pytest.raises(StorageError, match=r"could not write .*state\.json.*writable") as info:
        outcome.unwrap()
    assert "\n" not in str(info.value)
    (entry,) = outcome.entries
    assert entry.sent == sim.requests[0].transmissions
    assert [e.id for e in updater.ledger.entries()] == [entry.id]


def test_unwritable_log_fails_the_check_and_keeps_the_old_floor(
    sim: FeedSimulator, tmp_path: Path
) -> None:
    updater = make_updater(sim, tmp_path)
    (tmp_path / "state").mkdir()
    (tmp_path / "state" / "log").write_text("a file where the log folder should be")
    with pytest.raises(StorageError):
        updater.check()
    assert not (tmp_path / "state" / "state.json").exists()  # floor not raised unrecorded


class FullDiskLedger(Ledger):
    """The write-ahead record fits; completing it finds the disk full."""

    def record(
        self, exchange: Exchange, outcome: str = "", pending_id: str | None = None
    ) -> LedgerEntry:
        raise OSError(errno.ENOSPC, "No space left on device")


def test_a_failure_whose_record_cannot_be_written_says_so(
    sim: FeedSimulator, tmp_path: Path
) -> None:
    """The original error wins, its one line says the history misses it, and the
    outcome carries no record (none was written)."""
    sim.expires = NOW - timedelta(seconds=1)
    updater = make_updater(sim, tmp_path)
    updater.ledger = FullDiskLedger(updater.paths.log)
    outcome = updater.check_outcome()
    assert isinstance(outcome.error, StaleFeedError) and outcome.entries == ()
    assert str(outcome.error).endswith(
        "(its record could not be written: No space left on device)"
    )
    assert outcome.error.args == (outcome.error.message,)
    with pytest.raises(StaleFeedError, match=r"record could not be written: No space"):
        updater.check()


def exploding(request: OutboundRequest) -> Response:
    """A transport with a bug: the flow must still end and free its lock."""
    raise RuntimeError("boom")


def test_unexpected_exception_ends_the_flow_and_frees_the_lock(
    sim: FeedSimulator, tmp_path: Path
) -> None:
    updater = Updater(make_config(sim), paths=Paths.under(tmp_path / "state"),
                      transport=MockTransport(exploding), clock=lambda: NOW)
    driver = RecordingDriver()
    flow = run_flow(updater, driver)
    assert driver.calls == ["checking", "error:error", "dismiss"]
    assert "RuntimeError: boom" in str(driver.errors[0])
    assert not flow.running
    flow.start()  # a new check is possible, not "already in progress"
    assert "error:busy" not in driver.calls


def hostile_status(request: OutboundRequest) -> Response:
    """Answers 503 with a reason phrase and Retry-After built to forge the user's screen."""
    return Response(
        503,
        reason="Busy\x1b[31m\rupdater: you're up to date\u202e",
        headers=(("Retry-After", "9" * 2000 + "\r\n\x1b]0;owned\x07"),),
    )


def test_server_text_in_errors_is_one_safe_short_line(sim: FeedSimulator, tmp_path: Path) -> None:
    """Threat 34 with a hostile reason phrase: no escape codes, no CR, no 2 KB message."""
    updater = Updater(make_config(sim), paths=Paths.under(tmp_path / "state"),
                      transport=MockTransport(hostile_status), clock=lambda: NOW)
    with pytest.raises(TransportError) as info:
        updater.check()
    message = str(info.value)
    assert message.startswith("the update feed server answered 503 Busy[31m")
    assert all(" " <= c <= "~" or c == "…" for c in message)
    assert len(message) < 250


def strip_signatures(envelope: bytes) -> bytes:
    doc = json.loads(envelope)
    doc["signatures"] = []
    return json.dumps(doc).encode()


def test_unsigned_feed_changes_no_state(sim: FeedSimulator, tmp_path: Path) -> None:
    """Threat 1 at the façade: refused "not signed"; state and settings untouched."""
    updater = make_updater(sim, tmp_path)
    updater.check()
    before = state_files(tmp_path)
    sim.envelope_hook = strip_signatures
    with pytest.raises(FeedError, match=r"(?i)not signed|no signature"):
        updater.check()
    assert state_files(tmp_path) == before


@pytest.mark.parametrize(
    "url", ["http://evil.example.com/x.AppImage", "file:///etc/passwd", "javascript:alert(1)",
            "/relative/x.AppImage"],
)
def test_bad_asset_url_is_never_fetched(sim: FeedSimulator, tmp_path: Path, url: str) -> None:
    """Threat 19 end to end: refused at parse, so no request for it ever exists."""
    sim.releases[0]["assets"][0]["url"] = url
    updater = make_updater(sim, tmp_path)
    driver = RecordingDriver()
    run_flow(updater, driver)
    assert driver.calls[-2:][0].startswith("error:")
    assert [r.target.path for r in sim.requests] == [sim.feed_path]
    assert state_files(tmp_path) == {}


class RaisingDriver(RecordingDriver):
    """A front end whose error and dismiss handlers themselves fail."""

    def show_error(self, error: UpdaterError, entries: object) -> None:  # type: ignore[override]
        super().show_error(error, ())  # type: ignore[arg-type]
        raise RuntimeError("dialog crashed")

    def dismiss(self) -> None:
        super().dismiss()
        raise RuntimeError("dismiss crashed")


def test_a_crashing_front_end_cannot_keep_the_flow_locked(
    sim: FeedSimulator, tmp_path: Path
) -> None:
    updater = make_updater(sim, tmp_path)
    sim.rotate()
    driver = RaisingDriver()
    flow = UpdateFlow(updater, driver, run_in_background=run_inline, host=FakeHost())
    with pytest.raises(RuntimeError):
        flow.start()
    assert driver.calls.count("error:untrusted-key") == 1  # shown once, not twice
    assert flow.finished.is_set() and not flow.running
