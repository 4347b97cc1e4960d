"""Issue 9, item 2: the flow says what is true and what will happen, one result at a time."""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest
import shiboken6
from glass_updater.errors import StorageError
from glass_updater.locks import FileLock
from glass_updater.model import Asset, InstallEffect, Release, VerifiedFile
from glass_updater.qt.app import FallbackWindow
from glass_updater.qt.dialogs import MessageDialog, ReadyDialog, UpdateDialog
from glass_updater.qt.windows import MARGIN, beside, room_beside
from PySide6.QtCore import QPoint, QRect, QSize, Qt
from pytestqt.qtbot import QtBot

from tests.doubles import MockTransport
from tests.ui.conftest import AppHarness
from tests.ui.test_check_flow import TIMEOUT, click_check, wait_flow_done
from tests.ui.test_settings_about import open_settings


def gone(dialog: object) -> bool:
    """Hidden, or already deleted (hidden dialogs are deleted later)."""
    return not shiboken6.isValid(dialog) or not dialog.isVisible()  # type: ignore[attr-defined]


def _skip_then_check_again(qtbot: QtBot, app: AppHarness) -> UpdateDialog:
    dialog = click_check(qtbot, app, "update-found")
    assert isinstance(dialog, UpdateDialog)
    assert not dialog.skipped_note.isVisibleTo(dialog)
    qtbot.mouseClick(dialog.skip, Qt.MouseButton.LeftButton)
    wait_flow_done(qtbot, app)
    again = click_check(qtbot, app, "update-found")
    assert isinstance(again, UpdateDialog)
    return again


def test_a_skipped_version_is_shown_marked_and_can_be_unskipped(
    qtbot: QtBot, make_app
) -> None:
    app = make_app()
    app.sim.add_release("1.4.0")
    dialog = _skip_then_check_again(qtbot, app)
    assert dialog.skipped_note.isVisibleTo(dialog)
    assert "You skipped this version" in dialog.skipped_note.text()
    assert not dialog.skip.isVisibleTo(dialog)  # already skipped: offer the way back
    assert dialog.stop_skipping.isVisibleTo(dialog)
    with qtbot.waitSignal(app.driver.unskipped, timeout=TIMEOUT):
        qtbot.mouseClick(dialog.stop_skipping, Qt.MouseButton.LeftButton)
    assert app.updater.state.load().skipped_version is None
    assert dialog.isVisible()  # the question still stands
    assert dialog.skip.isVisibleTo(dialog) and not dialog.stop_skipping.isVisibleTo(dialog)
    assert dialog.skipped_note.text() == "This version is no longer skipped."
    qtbot.mouseClick(dialog.later, Qt.MouseButton.LeftButton)
    wait_flow_done(qtbot, app)
    third = click_check(qtbot, app, "update-found")
    assert isinstance(third, UpdateDialog) and not third.skipped_note.isVisibleTo(third)


def test_stop_skipping_that_cannot_be_saved_says_so_and_stays_skipped(
    qtbot: QtBot, make_app, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The dialog changes only once the un-skip is saved; a failed save is said in one
    line (the controller's failure box), and the version is still marked skipped."""
    app = make_app()
    app.sim.add_release("1.4.0")
    dialog = _skip_then_check_again(qtbot, app)

    def full_disk() -> None:
        raise StorageError("could not write state.json (No space left on device)")

    monkeypatch.setattr(app.updater, "unskip", full_disk)
    with qtbot.waitSignal(app.driver.unskip_failed, timeout=TIMEOUT) as failed:
        qtbot.mouseClick(dialog.stop_skipping, Qt.MouseButton.LeftButton)
    assert failed.args == ["could not write state.json (No space left on device)"]
    assert app.controller.failures_shown == failed.args  # shown, not dropped
    assert dialog.stop_skipping.isVisibleTo(dialog) and dialog.stop_skipping.isEnabled()
    assert "You skipped this version" in dialog.skipped_note.text()
    assert app.updater.skipped_version() == "1.4.0"
    qtbot.mouseClick(dialog.later, Qt.MouseButton.LeftButton)
    wait_flow_done(qtbot, app)


def test_settings_show_the_skipped_version_and_unskip_it(qtbot: QtBot, make_app) -> None:
    app = make_app()
    app.sim.add_release("1.4.0")
    dialog = _skip_then_check_again(qtbot, app)
    qtbot.mouseClick(dialog.later, Qt.MouseButton.LeftButton)
    wait_flow_done(qtbot, app)
    settings = open_settings(qtbot, app)
    assert "1.4.0" in settings.skipped_label.text()
    assert settings.stop_skipping.isVisibleTo(settings)
    with qtbot.waitSignal(settings.unskipped, timeout=TIMEOUT):
        qtbot.mouseClick(settings.stop_skipping, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not settings.stop_skipping.isVisibleTo(settings), timeout=TIMEOUT)
    assert settings.skipped_label.text() == "No version is skipped."
    assert app.updater.state.load().skipped_version is None
    # Nothing about skipping ever goes on the wire.
    for request in app.sim.requests:
        assert b"skip" not in b"".join(t.data for t in request.transmissions).lower()


def test_check_while_the_update_dialog_waits_brings_it_forward(
    qtbot: QtBot, make_app
) -> None:
    app = make_app()
    app.sim.add_release("1.4.0")
    dialog = click_check(qtbot, app, "update-found")
    kinds: list[str] = []
    app.driver.shown.connect(lambda kind, _d: kinds.append(kind))
    again = click_check(qtbot, app, "brought-to-front")
    assert again is dialog and dialog.isVisible()
    assert len(app.sim.requests) == 1  # no second check was sent
    assert [d for d in app.driver.dialogs if d.isVisible()] == [dialog]
    assert kinds == ["brought-to-front"]  # not an "already checking" box


def test_a_check_while_another_process_checks_says_so(qtbot: QtBot, make_app) -> None:
    """The check lock is held elsewhere (``updater check`` in a terminal): this run's own
    BusyError is said in a box that stays, not taken for a second click that brings this
    run's "Checking…" forward (which the run's dismiss then closed: nothing said at all)."""
    app = make_app()
    app.sim.add_release("1.0.0")
    state = app.updater.paths.state
    state.mkdir(parents=True, exist_ok=True)
    kinds: list[str] = []
    app.driver.shown.connect(lambda kind, _d: kinds.append(kind))
    front = app.controller.front
    assert isinstance(front, FallbackWindow)
    with FileLock(state / "check.lock"):  # another process's check
        with qtbot.waitSignal(app.driver.finished, timeout=TIMEOUT):
            # Not click_check: "Checking…" may already be closed when its wait returns.
            qtbot.mouseClick(front.buttons["check"], Qt.MouseButton.LeftButton)
        wait_flow_done(qtbot, app)
    assert kinds == ["checking", "busy"]
    (box,) = [d for d in app.driver.dialogs if d.isVisible()]
    assert isinstance(box, MessageDialog)
    assert box.heading.text() == "Another check or download is already running."
    assert app.sim.requests == []  # nothing was sent


def test_one_result_dialog_at_a_time(qtbot: QtBot, make_app) -> None:
    app = make_app()
    app.sim.add_release("1.0.0")
    first = click_check(qtbot, app, "up-to-date")
    wait_flow_done(qtbot, app)
    second = click_check(qtbot, app, "up-to-date")
    assert second is not first
    assert gone(first) and second.isVisible()
    assert [d for d in app.driver.dialogs if d.isVisible()] == [second]


def test_a_new_check_replaces_an_old_error(qtbot: QtBot, make_app, sim) -> None:
    sim.add_release("1.0.0")
    slow = MockTransport(sim.handler, held=True)
    app = make_app(transport=slow)
    slow.release.set()
    first = click_check(qtbot, app, "up-to-date")
    wait_flow_done(qtbot, app)
    slow.release.clear()
    checking = click_check(qtbot, app, "checking")
    assert gone(first) and checking.isVisible()
    slow.release.set()
    wait_flow_done(qtbot, app)


def _verified(tmp_path: Path) -> VerifiedFile:
    asset = Asset("linux-x86_64", "appimage", "https://u.example/a", 1234, "ab" * 32)
    release = Release("1.4.0", "stable", datetime(2026, 11, 20, tzinfo=UTC), False, (), "",
                      (asset,))
    return VerifiedFile(tmp_path / "demo.AppImage", asset, release)


def test_install_button_says_what_will_happen(qtbot: QtBot, tmp_path: Path) -> None:
    verified = _verified(tmp_path)
    words = {}
    for effect in InstallEffect:
        dialog = ReadyDialog(verified, "Demo App", lambda _go: None, lambda _e: None,
                             effect=effect)
        qtbot.addWidget(dialog)
        shown = [b.text() for b in dialog.buttons.buttons() if b.isVisibleTo(dialog)]
        words[effect] = (shown, dialog.body.text())
    assert "Install and Restart" in words[InstallEffect.RESTART][0]
    assert "restarts" in words[InstallEffect.RESTART][1]
    assert "Quit and Open Installer" in words[InstallEffect.OPEN_INSTALLER][0]
    assert all("Restart" not in w for w in words[InstallEffect.OPEN_INSTALLER][0])
    assert words[InstallEffect.CANNOT_REPLACE][0] == ["Close"]  # nothing it could do
    assert str(verified.path) in words[InstallEffect.CANNOT_REPLACE][1]


def test_ready_dialog_in_the_app_names_the_real_handoff(qtbot: QtBot, make_app) -> None:
    app = make_app(install_command=("/bin/true", "{file}"))
    app.sim.add_release("1.4.0")
    dialog = click_check(qtbot, app, "update-found")
    assert isinstance(dialog, UpdateDialog)
    assert len(app.sim.requests) == 1  # not a byte of the download before the user agrees
    with qtbot.waitSignal(
        app.driver.shown, timeout=TIMEOUT, check_params_cb=lambda k, _d: k == "ready"
    ) as blocker:
        qtbot.mouseClick(dialog.install, Qt.MouseButton.LeftButton)
    ready = blocker.args[1]
    assert isinstance(ready, ReadyDialog)
    assert ready.install.text() == "Quit and Open Installer"
    qtbot.mouseClick(ready.later, Qt.MouseButton.LeftButton)
    wait_flow_done(qtbot, app)


def test_what_was_sent_keeps_the_update_dialog_in_view(qtbot: QtBot, make_app) -> None:
    app = make_app()
    app.sim.add_release("1.4.0")
    dialog = click_check(qtbot, app, "update-found")
    assert isinstance(dialog, UpdateDialog) and dialog.what_was_sent is not None
    with qtbot.waitSignal(app.controller.panel_loaded, timeout=TIMEOUT):
        qtbot.mouseClick(dialog.what_was_sent, Qt.MouseButton.LeftButton)
    panel = app.controller.panel
    assert panel is not None and panel.isVisible()
    assert dialog.isVisible()  # still there, still waiting for an answer
    area = dialog.screen().availableGeometry()
    expected = beside(dialog.frameGeometry(), panel.frameGeometry().size(), area)
    assert panel.frameGeometry().topLeft() == expected.topLeft()
    qtbot.mouseClick(dialog.later, Qt.MouseButton.LeftButton)
    wait_flow_done(qtbot, app)


def test_beside_leaves_the_anchor_uncovered_when_there_is_room() -> None:
    area = QRect(0, 0, 1920, 1080)
    anchor = QRect(100, 100, 560, 480)
    rect = beside(anchor, QSize(860, 620), area)
    assert area.contains(rect) and not rect.intersects(anchor)
    # No room anywhere: inside the screen, in the corner away from the anchor.
    small = QRect(0, 0, 800, 600)
    rect = beside(QRect(10, 10, 500, 400), QSize(860, 620), small)
    assert small.contains(rect)


def test_a_centred_dialog_moves_aside_so_the_panel_opens_next_to_it() -> None:
    """Found under Xvfb at 1280×800: the panel opened behind the centred update dialog."""
    area = QRect(0, 0, 1280, 774)
    anchor = QRect(349, 100, 562, 505)  # centred: under 480 px free on either side
    size = QSize(862, 645)
    assert beside(anchor, size, area).intersects(anchor)
    point = room_beside(anchor, size, area)
    assert isinstance(point, QPoint), "no room was found to move the centred dialog aside"
    moved = QRect(point, anchor.size())
    assert area.contains(moved)
    rect = beside(moved, size, area)
    assert area.contains(rect) and not rect.intersects(moved) and rect.width() >= 480
    # Right of centre: it goes to the right edge; the panel then opens on its left.
    right = QRect(420, 100, 562, 505)
    point = room_beside(right, size, area)
    assert point is not None and point.x() + right.width() - 1 == area.right() - MARGIN
    # Room already (a wide screen), or no room even at an edge: the dialog stays put.
    assert room_beside(anchor, size, QRect(0, 0, 1920, 1080)) is None
    assert room_beside(QRect(100, 100, 560, 480), size, QRect(0, 0, 800, 600)) is None


def test_message_dialog_is_a_result_not_a_question() -> None:
    assert not MessageDialog.waits_for_answer and UpdateDialog.waits_for_answer


def test_beside_narrows_the_panel_to_the_room_next_to_the_dialog() -> None:
    area = QRect(0, 0, 1280, 800)
    anchor = QRect(0, 100, 560, 480)  # the dialog at the left edge: 720 px free on its right
    rect = beside(anchor, QSize(860, 620), area)
    assert area.contains(rect) and not rect.intersects(anchor)
    assert 480 <= rect.width() < 860


def test_stop_skipping_answered_after_its_dialog_was_replaced(
    qtbot: QtBot, make_app, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The save of Stop Skipping ends after the user moved on (Later, a new check that
    replaced the dialog): the answer reaches the app (``unskipped``) and touches no
    deleted dialog."""
    app = make_app()
    app.sim.add_release("1.4.0")
    dialog = _skip_then_check_again(qtbot, app)
    started, go = threading.Event(), threading.Event()
    real_unskip = app.updater.unskip

    def slow_unskip() -> None:  # a slow disk: the save ends later
        started.set()
        assert go.wait(10)
        real_unskip()

    monkeypatch.setattr(app.updater, "unskip", slow_unskip)
    qtbot.mouseClick(dialog.stop_skipping, Qt.MouseButton.LeftButton)
    assert started.wait(10)
    qtbot.mouseClick(dialog.later, Qt.MouseButton.LeftButton)
    wait_flow_done(qtbot, app)
    newer = click_check(qtbot, app, "update-found")  # replaces (and deletes) the old dialog
    qtbot.mouseClick(newer.later, Qt.MouseButton.LeftButton)  # type: ignore[attr-defined]
    wait_flow_done(qtbot, app)
    qtbot.waitUntil(lambda: not shiboken6.isValid(dialog), timeout=TIMEOUT)
    with qtbot.waitSignal(app.driver.unskipped, timeout=TIMEOUT):
        go.set()
    assert app.updater.skipped_version() is None
