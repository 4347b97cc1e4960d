"""Clicking "Check for Updates…" in the app, against the feed simulator: each result."""

from __future__ import annotations

import threading
from datetime import timedelta

from glass_updater.errors import Cause
from glass_updater.flow import UpdateFlow
from glass_updater.qt.app import FallbackWindow
from glass_updater.qt.dialogs import MessageDialog, SendConfirmationDialog, UpdateDialog
from glass_updater.qt.payload_panel import PayloadPanel
from glass_updater.qt.progress_dialogs import CheckingDialog
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QDialog
from pytestqt.qtbot import QtBot

from tests.doubles import MockTransport, refuse
from tests.sim import NOW
from tests.ui.conftest import AppHarness

TIMEOUT = 10_000
INSTALLABLE = {"install_command": ("/bin/true", "{file}")}  # an offer this copy can take


def click_check(qtbot: QtBot, app: AppHarness, kind: str) -> QDialog:
    """Click the button and wait until the driver shows a dialog of ``kind``."""
    front = app.controller.front
    assert isinstance(front, FallbackWindow)
    with qtbot.waitSignal(
        app.driver.shown, timeout=TIMEOUT, check_params_cb=lambda k, _d: k == kind
    ) as blocker:
        qtbot.mouseClick(front.buttons["check"], Qt.MouseButton.LeftButton)
    dialog = blocker.args[1]
    assert isinstance(dialog, QDialog)
    assert dialog.isVisible()
    return dialog


def wait_flow_done(qtbot: QtBot, app: AppHarness) -> None:
    flow = app.controller._flow
    assert isinstance(flow, UpdateFlow)
    qtbot.waitUntil(flow.finished.is_set, timeout=TIMEOUT)


def test_check_shows_up_to_date(qtbot: QtBot, make_app) -> None:
    app = make_app()
    app.sim.add_release("1.0.0")
    dialog = click_check(qtbot, app, "up-to-date")
    assert isinstance(dialog, MessageDialog)
    assert dialog.heading.text() == "You're up to date (version 1.0.0)"
    assert dialog.what_was_sent is not None
    assert len(app.sim.requests) == 1


def test_check_shows_update_found(qtbot: QtBot, make_app) -> None:
    app = make_app(**INSTALLABLE)
    app.sim.add_release("1.4.0", critical=True, notes="# Fixes\n\n- faster")
    dialog = click_check(qtbot, app, "update-found")
    assert isinstance(dialog, UpdateDialog)
    assert "Demo App 1.4.0 is available" in dialog.heading.text()
    assert "Released 2026-11-20" in dialog.subtitle.text()
    # Before any byte of the download: how much, and from which host.
    assert "Download: " in dialog.download_note.text()
    assert " from updates.example.com." in dialog.download_note.text()
    assert len(app.sim.requests) == 1
    assert dialog.badge.isVisibleTo(dialog)
    assert "faster" in dialog.notes.toPlainText()
    assert dialog.install.text() == "Download Update"


def test_check_shows_stale(qtbot: QtBot, make_app) -> None:
    app = make_app()
    app.sim.add_release("1.4.0")
    app.sim.expires = NOW - timedelta(days=1)
    dialog = click_check(qtbot, app, "stale")
    assert isinstance(dialog, MessageDialog)
    assert dialog.windowTitle() == "Update information is stale"
    assert "expired" in dialog.heading.text()
    assert "date and time" in dialog.advice.text()
    assert "up to date" not in dialog.heading.text().lower()


def test_check_shows_error_with_what_to_do(qtbot: QtBot, make_app) -> None:
    unreachable = refuse(
        "could not connect to the update server updates.example.com:443 (Connection "
        "refused); check your internet connection",
        error="connection refused",
        cause=Cause.REFUSED,
    )
    app = make_app(transport=MockTransport(unreachable))
    dialog = click_check(qtbot, app, "error")
    assert isinstance(dialog, MessageDialog)
    assert dialog.heading.text() == (
        "The update server updates.example.com refused the connection."
    )
    assert "Connection refused" in dialog.details.toPlainText()  # the technical text
    assert not dialog.details.isVisibleTo(dialog)  # behind the Details disclosure
    assert "try again later" in dialog.advice.text().lower()
    assert dialog.try_again is not None
    assert dialog.what_was_sent is not None  # the failed exchange is in the ledger too


def test_untrusted_feed_shows_error(qtbot: QtBot, make_app) -> None:
    app = make_app()
    app.sim.add_release("1.4.0")
    app.sim.rotate()  # signed by a key the app does not trust
    dialog = click_check(qtbot, app, "error")
    assert isinstance(dialog, MessageDialog)
    assert dialog.heading.text() == (
        "The update information failed its signature check and was refused."
    )
    assert dialog.try_again is None  # trying again cannot help


def test_skip_version_stays_local(qtbot: QtBot, make_app) -> None:
    app = make_app()
    app.sim.add_release("1.4.0")
    dialog = click_check(qtbot, app, "update-found")
    assert isinstance(dialog, UpdateDialog)
    qtbot.mouseClick(dialog.skip, Qt.MouseButton.LeftButton)
    wait_flow_done(qtbot, app)
    assert app.updater.state.load().skipped_version == "1.4.0"
    # The next check is told nothing about it, and decides locally: shown, marked.
    again = click_check(qtbot, app, "update-found")
    assert isinstance(again, UpdateDialog)
    assert again.skipped_note.isVisibleTo(again)
    assert again.skipped_note.text().startswith("You skipped this version")
    first, second = app.sim.requests
    assert first.transmissions == second.transmissions
    for request in app.sim.requests:
        wire = b"".join(t.data for t in request.transmissions)
        assert b"1.4.0" not in wire and b"skip" not in wire.lower()


def test_not_now_promises_nothing_and_stores_nothing(qtbot: QtBot, make_app) -> None:
    app = make_app(**INSTALLABLE)
    app.sim.add_release("1.4.0")
    dialog = click_check(qtbot, app, "update-found")
    assert isinstance(dialog, UpdateDialog)
    assert dialog.later.text() == "Not Now"
    words = " ".join(b.text() for b in dialog.buttons.buttons()).lower()
    assert "remind" not in words and "later" not in words
    qtbot.mouseClick(dialog.later, Qt.MouseButton.LeftButton)
    wait_flow_done(qtbot, app)
    assert app.updater.state.load().remind_after is None
    click_check(qtbot, app, "update-found")  # an explicit check still shows the update
    first, second = app.sim.requests
    assert first.transmissions == second.transmissions
    for request in app.sim.requests:
        wire = b"".join(t.data for t in request.transmissions).lower()
        assert b"remind" not in wire and b"later" not in wire


def test_what_was_sent_opens_panel_at_that_exchange(qtbot: QtBot, make_app) -> None:
    app = make_app()
    app.sim.add_release("1.0.0")
    dialog = click_check(qtbot, app, "up-to-date")
    assert isinstance(dialog, MessageDialog) and dialog.what_was_sent is not None
    entry_id = dialog.entry_id
    assert app.controller.panel is None
    with qtbot.waitSignal(app.controller.panel_loaded, timeout=TIMEOUT):
        qtbot.mouseClick(dialog.what_was_sent, Qt.MouseButton.LeftButton)
    panel = app.controller.panel
    assert panel is not None and panel.isVisible()
    assert panel.tabs.currentIndex() == 1
    assert panel.history_tab.selected_entry_id() == entry_id
    sent = app.sim.requests[-1].transmissions
    assert panel.history_tab.entry_bytes.shown_bytes() == tuple(t.data for t in sent)


def test_window_stays_responsive_during_slow_check(qtbot: QtBot, make_app, sim) -> None:
    sim.add_release("1.0.0")
    slow = MockTransport(sim.handler, held=True)
    app = make_app(transport=slow)
    checking = click_check(qtbot, app, "checking")
    assert isinstance(checking, CheckingDialog)
    qtbot.waitUntil(slow.entered.is_set, timeout=TIMEOUT)
    ticks: list[int] = []
    timer = QTimer()
    timer.setInterval(10)
    timer.timeout.connect(lambda: ticks.append(1))
    timer.start()
    # While the worker is blocked inside send(), the GUI thread keeps running timers.
    qtbot.waitUntil(lambda: len(ticks) >= 10, timeout=TIMEOUT)
    assert not slow.release.is_set() and checking.isVisible()
    assert threading.current_thread() is threading.main_thread()
    with qtbot.waitSignal(
        app.driver.shown, timeout=TIMEOUT, check_params_cb=lambda k, _d: k == "up-to-date"
    ):
        slow.release.set()
    timer.stop()
    qtbot.waitUntil(lambda: not checking.isVisible(), timeout=TIMEOUT)


def test_cancel_during_check_ends_quietly(qtbot: QtBot, make_app, sim) -> None:
    sim.add_release("1.4.0")
    slow = MockTransport(sim.handler, held=True)
    app = make_app(transport=slow)
    checking = click_check(qtbot, app, "checking")
    assert isinstance(checking, CheckingDialog)
    qtbot.waitUntil(slow.entered.is_set, timeout=TIMEOUT)
    with qtbot.waitSignal(app.driver.finished, timeout=TIMEOUT):
        qtbot.mouseClick(checking.cancel_button, Qt.MouseButton.LeftButton)
    assert not checking.isVisible()
    kinds = [type(d).__name__ for d in app.driver.dialogs if d.isVisible()]
    assert "UpdateDialog" not in kinds and "MessageDialog" not in kinds
    assert app.updater.state.load().last_serial is None


def test_ask_before_check_shows_bytes_and_cancel_sends_nothing(qtbot: QtBot, make_app) -> None:
    app = make_app()
    app.sim.add_release("1.0.0")
    from glass_updater.settings import UserSettings

    app.updater.settings.save(UserSettings(ask_before_check=True))
    dialog = click_check(qtbot, app, "confirm-send")
    assert isinstance(dialog, SendConfirmationDialog)
    preview = app.updater.preview()
    assert dialog.view.shown_bytes() == tuple(t.data for t in preview.transmissions)
    with qtbot.waitSignal(app.driver.finished, timeout=TIMEOUT):
        qtbot.mouseClick(dialog.cancel_button, Qt.MouseButton.LeftButton)
    assert app.sim.requests == []
    # Send: exactly the bytes shown are what the transport received.
    dialog = click_check(qtbot, app, "confirm-send")
    assert isinstance(dialog, SendConfirmationDialog)
    with qtbot.waitSignal(
        app.driver.shown, timeout=TIMEOUT, check_params_cb=lambda k, _d: k == "up-to-date"
    ):
        qtbot.mouseClick(dialog.send, Qt.MouseButton.LeftButton)
    assert tuple(t.data for t in app.sim.requests[0].transmissions) == dialog.view.shown_bytes()


def test_dialogs_are_created_on_the_gui_thread(qtbot: QtBot, make_app) -> None:
    app = make_app()
    app.sim.add_release("1.0.0")
    dialog = click_check(qtbot, app, "up-to-date")
    gui = QApplication.instance()
    assert isinstance(gui, QApplication)
    assert dialog.thread() is gui.thread()


def test_install_shows_download_progress_then_ready(qtbot: QtBot, make_app) -> None:
    app = make_app(install_command=("/bin/true", "{file}"))
    app.sim.add_release("1.4.0")
    dialog = click_check(qtbot, app, "update-found")
    assert isinstance(dialog, UpdateDialog)
    seen: list[str] = []
    app.driver.shown.connect(lambda kind, _d: seen.append(kind))
    with qtbot.waitSignal(
        app.driver.shown, timeout=TIMEOUT, check_params_cb=lambda k, _d: k == "ready"
    ) as blocker:
        qtbot.mouseClick(dialog.install, Qt.MouseButton.LeftButton)
    assert "downloading" in seen
    ready = blocker.args[1]
    assert "1.4.0 is ready to install" in ready.findChildren(type(dialog.heading))[0].text()
    with qtbot.waitSignal(app.controller.panel_loaded, timeout=TIMEOUT):
        qtbot.mouseClick(ready.what_was_sent, Qt.MouseButton.LeftButton)
    panel = app.controller.panel
    assert panel is not None and panel.history_tab.selected_entry() is not None
    assert panel.history_tab.selected_entry().kind == "download"  # type: ignore[union-attr]
    assert panel.history_tab.entry_bytes.shown_bytes()[0].startswith(
        b"GET /demo-app/demo-app-1.4.0-linux-x86_64.appimage HTTP/1.1\r\n"
    )
    with qtbot.waitSignal(app.driver.finished, timeout=TIMEOUT):
        qtbot.mouseClick(ready.later, Qt.MouseButton.LeftButton)
    flow = app.controller._flow
    assert flow is not None and flow.verified is not None
    assert flow.verified.path.read_bytes() == app.sim.assets[
        "/demo-app/demo-app-1.4.0-linux-x86_64.appimage"
    ]
    kinds = [e.kind for e in app.updater.ledger.entries()]
    assert kinds == ["check", "download"]


def test_invalid_packager_config_is_an_error_not_a_crash(qtbot: QtBot, make_app) -> None:
    app = make_app(remove_fields=("no_such_field",))
    dialog = click_check(qtbot, app, "error")
    assert isinstance(dialog, MessageDialog)
    assert dialog.heading.text() == "The update settings are not valid, so nothing was sent."
    assert "no_such_field" in dialog.details.toPlainText()
    assert app.sim.requests == []
    with qtbot.waitSignal(app.controller.panel_loaded, timeout=TIMEOUT):
        app.controller.show_payload(None)
    panel = app.controller.panel
    assert isinstance(panel, PayloadPanel)
    assert "A check would send nothing" in panel.preview_tab.preview_intro.text()
    assert "no_such_field" in panel.preview_tab.preview_intro.text()


def test_uninstallable_asset_is_refused_before_the_download(qtbot: QtBot, make_app) -> None:
    """The preflight runs when the offer is shown: no Download button, the end user is told
    what they can do, the packager's line is under Details, nothing is downloaded."""
    app = make_app()  # an AppImage feed, and this process is not running from an AppImage
    app.sim.add_release("1.4.0")
    dialog = click_check(qtbot, app, "update-found")
    assert isinstance(dialog, UpdateDialog)
    assert dialog.heading.text().endswith("is available, but this copy cannot update itself")
    assert dialog.cannot_install.isVisibleTo(dialog)
    assert "publisher's website" in dialog.cannot_install.text()
    assert "Download Update" not in [
        b.text() for b in dialog.buttons.buttons() if b.isVisibleTo(dialog)
    ]
    assert dialog.later.text() == "Close" and dialog.later.isDefault()
    assert dialog.skip.isVisibleTo(dialog) and dialog.what_was_sent.isVisibleTo(dialog)
    assert dialog.download_note.text() == ""  # no "Nothing is downloaded until you click…"
    assert not dialog.details.isVisibleTo(dialog)  # behind the disclosure
    dialog.details_toggle.click()
    assert dialog.details.isVisibleTo(dialog)
    details = dialog.details.toPlainText()
    assert "not running from an AppImage" in details
    assert "this release has no file this installation can install" in details
    assert '"deb"' not in details  # the feed has no .deb: never advised
    dialog.install.click()  # hidden and disabled; even a scripted click starts nothing
    assert dialog.isVisible() and not dialog._reply.done
    qtbot.mouseClick(dialog.later, Qt.MouseButton.LeftButton)
    wait_flow_done(qtbot, app)
    assert len(app.sim.requests) == 1  # the check only: not one byte of the asset
    assert not (app.paths.cache / "downloads").exists()


def test_installable_offer_keeps_its_download_button(qtbot: QtBot, make_app) -> None:
    """The same feed with a .deb the packager chose: offered as before."""
    app = make_app(install_kind="deb")
    app.sim.add_release("1.4.0")
    app.sim.add_asset("1.4.0", "linux-x86_64", kind="deb")
    dialog = click_check(qtbot, app, "update-found")
    assert isinstance(dialog, UpdateDialog)
    assert dialog.heading.text().endswith("1.4.0 is available")
    assert dialog.install.isVisibleTo(dialog) and dialog.install.isDefault()
    assert dialog.later.text() == "Not Now"
    assert not dialog.cannot_install.isVisibleTo(dialog)
    assert not dialog.details_toggle.isVisibleTo(dialog)
    assert "Download Update" in dialog.download_note.text()
    qtbot.mouseClick(dialog.later, Qt.MouseButton.LeftButton)
    wait_flow_done(qtbot, app)
