"""Issue 9, item 3: errors in one plain sentence naming the real cause, Details, Try Again,
advice that fits the host (no menu names a host app lacks)."""

from __future__ import annotations

from glass_updater.errors import (
    BusyError,
    Cause,
    ConfigError,
    FeedError,
    InstallError,
    StaleFeedError,
    StorageError,
    TransportError,
    UpdaterError,
    VerificationError,
)
from glass_updater.qt.controller import UpdateController
from glass_updater.qt.dialogs import MessageDialog
from glass_updater.qt.error_words import describe
from glass_updater.updater import Updater
from glass_updater.wire_types import Exchange
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from tests.doubles import MockTransport, in_turn, refuse
from tests.sim import NOW, FeedSimulator
from tests.ui.conftest import make_config
from tests.ui.test_check_flow import TIMEOUT, click_check, wait_flow_done

NETWORK = [c for c in Cause if c not in (
    Cause.FEED_REFUSED, Cause.STALE, Cause.VERIFICATION, Cause.CANCELLED, Cause.BUSY,
    Cause.STORAGE, Cause.CONFIG, Cause.POLICY, Cause.INSTALL, Cause.UNKNOWN,
)]


def _error(cause: Cause) -> UpdaterError:
    if cause in NETWORK:
        return TransportError(
            "could not connect to the update server u.example:443 ([Errno 111] ECONNREFUSED)",
            cause=cause, host="u.example",
        )
    return {
        Cause.FEED_REFUSED: FeedError("bad signature"),
        Cause.STALE: StaleFeedError("feed expired"),
        Cause.VERIFICATION: VerificationError("sha mismatch"),
        Cause.BUSY: BusyError("busy"),
        Cause.STORAGE: StorageError("disk full"),
        Cause.CONFIG: ConfigError("field x unknown"),
        Cause.INSTALL: InstallError("installer failed"),
        Cause.UNKNOWN: UpdaterError("boom"),
    }.get(cause, UpdaterError("x"))


def test_every_cause_has_its_own_plain_sentence() -> None:
    causes = [c for c in Cause if c not in (Cause.CANCELLED, Cause.POLICY)]
    sentences = {}
    for cause in causes:
        words = describe(_error(cause), "Demo App")
        assert _error(cause).cause is cause
        sentences[cause] = words.sentence
        # One sentence, no developer text, advice not repeated in it.
        assert words.sentence.endswith(".") and words.sentence.count(". ") == 0, words.sentence
        for raw in ("Errno", "ECONN", "errno", "Traceback"):
            assert raw not in words.sentence and raw not in words.advice
        assert words.advice and words.advice not in words.sentence
        assert words.sentence not in words.advice
    assert len(set(sentences.values())) == len(sentences), "two causes share their words"


def test_named_causes_say_what_they_are() -> None:
    says = {
        Cause.PROXY: "proxy", Cause.PROXY_AUTH: "user name and password",
        Cause.DNS: "address of u.example could not be found", Cause.REFUSED: "refused",
        Cause.TIMEOUT: "did not answer in time", Cause.CERTIFICATE: "certificate",
        Cause.FEED_REFUSED: "signature",
    }
    for cause, text in says.items():
        assert text in describe(_error(cause), "Demo App").sentence, cause


def test_http_status_words_name_the_status() -> None:
    not_found = describe(_status_error(404, "Not Found"), "Demo App")
    server = describe(_status_error(503, "Service Unavailable"), "Demo App")
    assert "(404 Not Found)" in not_found.sentence and "not found" in not_found.sentence
    assert "(503 Service Unavailable)" in server.sentence
    assert not not_found.retry and server.retry  # a 404 will not fix itself; a 503 may


def _status_error(status: int, reason: str) -> TransportError:
    from glass_updater.allowlist import load_allowlist
    from glass_updater.request import build_check_request

    request = build_check_request(
        load_allowlist(), feed_url="https://u.example/demo-app/feed.json", product="demo-app",
        version="1.0.0", proxy=None, max_body=1000,
    )
    exchange = Exchange(request, request.transmissions, status, reason=reason)
    return TransportError(f"the update feed server answered {status}", exchange=exchange)


def test_advice_names_no_menu_the_host_lacks() -> None:
    for cause in Cause:
        words = describe(_error(cause), "Demo App", settings_label=None)
        assert "Settings" not in words.advice and "…" not in words.advice, cause
    with_menu = describe(_error(Cause.PROXY), "Demo App", settings_label="Update Settings…")
    assert "Update Settings…" in with_menu.advice


def test_retry_only_where_it_can_help() -> None:
    assert describe(_error(Cause.TIMEOUT), "D").retry
    assert describe(_error(Cause.REFUSED), "D").retry
    assert not describe(_error(Cause.CERTIFICATE), "D").retry
    assert not describe(_error(Cause.FEED_REFUSED), "D").retry
    assert not describe(_error(Cause.CONFIG), "D").retry


def flaky(sim: FeedSimulator) -> MockTransport:
    """Refuses the first connection (like a server that is down), then answers via ``sim``."""
    down = refuse(
        "could not connect to the update server updates.example.com:443 (Connection "
        "refused); check your internet connection",
        error="Connection refused",
        cause=Cause.REFUSED,
    )
    return MockTransport(in_turn(down, sim.handler))


def test_error_dialog_has_details_and_try_again(qtbot: QtBot, make_app, sim) -> None:
    sim.add_release("1.0.0")
    app = make_app(transport=flaky(sim))
    dialog = click_check(qtbot, app, "error")
    assert isinstance(dialog, MessageDialog)
    assert dialog.heading.text() == "The update server updates.example.com refused the connection."
    assert "Settings" not in dialog.advice.text()  # advice fits the cause, said once
    assert not dialog.details.isVisibleTo(dialog)
    qtbot.mouseClick(dialog.details_toggle, Qt.MouseButton.LeftButton)
    assert dialog.details.isVisibleTo(dialog)
    assert "Connection refused" in dialog.details.toPlainText()
    assert dialog.try_again is not None
    wait_flow_done(qtbot, app)
    with qtbot.waitSignal(
        app.driver.shown, timeout=TIMEOUT, check_params_cb=lambda k, _d: k == "up-to-date"
    ):
        qtbot.mouseClick(dialog.try_again, Qt.MouseButton.LeftButton)
    assert len(sim.requests) == 1  # the second attempt reached the server


def test_host_app_without_settings_menu_gets_no_menu_advice(
    qtbot: QtBot, tmp_path, sim
) -> None:
    from glass_updater.paths import Paths

    sim.add_release("1.0.0")
    config = make_config(sim)

    proxy_down = refuse("could not connect to your proxy http://p:3128 (Connection refused)",
                        cause=Cause.PROXY, host="p")

    def make_updater() -> Updater:
        return Updater(config, paths=Paths.under(tmp_path / "s"),
                       transport=MockTransport(proxy_down), clock=lambda: NOW)

    for has_menu, expect in ((False, False), (True, True)):
        controller = UpdateController(
            config, make_updater=make_updater, has_settings_menu=has_menu
        )
        driver = controller.driver()
        with qtbot.waitSignal(
            driver.shown, timeout=TIMEOUT, check_params_cb=lambda k, _d: k == "error"
        ) as blocker:
            controller.check_now()
        dialog = blocker.args[1]
        assert isinstance(dialog, MessageDialog)
        assert ("Update Settings…" in dialog.advice.text()) is expect
        assert "proxy p" in dialog.heading.text()
        qtbot.waitUntil(lambda c=controller: c._flow is not None and c._flow.finished.is_set(),
                        timeout=TIMEOUT)
        dialog.hide()
        controller.shutdown()
