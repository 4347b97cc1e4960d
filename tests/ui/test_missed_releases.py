"""The update dialog for a user several releases behind, or on a withdrawn version."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from glass_updater.model import Asset, CheckResult, CheckStatus, Release, Withdrawal
from glass_updater.qt.dialogs import MessageDialog, UpdateDialog
from glass_updater.reasons import Reason, Why
from pytestqt.qtbot import QtBot

from tests.ui.conftest import AppHarness
from tests.ui.test_check_flow import click_check

ASSET = Asset("linux-x86_64", "appimage", "https://u.example/a", 1234, "0" * 64)


def release(version: str, notes: str, critical: bool = False) -> Release:
    return Release(version, "stable", datetime(2026, 11, 20, tzinfo=UTC), critical, (), notes,
                   (ASSET,))


def behind_result() -> CheckResult:
    newest = release("1.3.0", "Faster start-up.")
    missed = (newest, release("1.2.0", "New look."),
              release("1.1.0", "Fixes a security hole.", critical=True))
    why = Reason(Why.AVAILABLE, "1.3.0")
    return CheckResult(CheckStatus.UPDATE_AVAILABLE, "1.0.0", why, newest, ASSET, missed=missed)


def test_missed_notes_newest_first_and_critical_carries(qtbot: QtBot) -> None:
    dialog = UpdateDialog(behind_result(), "Demo App", lambda _c: None, lambda _i: None)
    qtbot.addWidget(dialog)
    text = dialog.notes.toPlainText()
    positions = [text.index(v) for v in ("1.3.0", "1.2.0", "1.1.0 (critical)")]
    assert positions == sorted(positions)
    for notes in ("Faster start-up.", "New look.", "Fixes a security hole."):
        assert notes in text
    assert dialog.heading.text() == "Demo App 1.3.0 is available"
    assert not dialog.badge.isHidden()  # 1.3.0 itself is not critical; 1.1.0 was
    assert dialog.withdrawn.isHidden()


def test_single_release_shows_its_notes_plainly(qtbot: QtBot) -> None:
    only = release("1.1.0", "Just this.")
    why = Reason(Why.AVAILABLE, "1.1.0")
    result = CheckResult(CheckStatus.UPDATE_AVAILABLE, "1.0.0", why, only, ASSET, missed=(only,))
    dialog = UpdateDialog(result, "Demo App", lambda _c: None, lambda _i: None)
    qtbot.addWidget(dialog)
    assert dialog.notes.toPlainText().strip() == "Just this."
    assert dialog.badge.isHidden()


def test_withdrawn_version_is_explained(qtbot: QtBot) -> None:
    good = release("1.1.0", "The good one.")
    gone = Withdrawal("1.2.0", "corrupts settings \u202eon upgrade",
                      datetime(2026, 11, 22, tzinfo=UTC))
    why = Reason(Why.REPLACES_WITHDRAWN, "1.1.0", withdrawn_version=gone.version,
                 withdrawn_reason=gone.reason)
    result = CheckResult(CheckStatus.UPDATE_AVAILABLE, "1.2.0", why, good, ASSET,
                         missed=(), withdrawn=gone)
    dialog = UpdateDialog(result, "Demo App", lambda _c: None, lambda _i: None)
    qtbot.addWidget(dialog)
    assert not dialog.withdrawn.isHidden()
    assert dialog.heading.text() == "Go back to Demo App 1.1.0, the newest good version"
    shown = dialog.withdrawn.text()
    assert "1.2.0 was withdrawn by the publisher" in shown and "corrupts settings" in shown
    assert "\u202e" not in shown
    assert dialog.notes.toPlainText().strip() == "The good one."


def test_withdrawn_version_with_nothing_to_go_to_is_not_up_to_date(
    qtbot: QtBot, make_app: Callable[..., AppHarness]
) -> None:
    app = make_app(version="1.2.0")
    app.sim.add_release("1.1.0", platforms=("windows-x86_64",))
    app.sim.add_release("1.2.0")
    app.sim.withdraw("1.2.0", "Corrupts settings")
    dialog = click_check(qtbot, app, "up-to-date")
    assert isinstance(dialog, MessageDialog)
    assert dialog.heading.text() == "Version 1.2.0 was withdrawn by the publisher"
    assert "Corrupts settings" in dialog.body.text()
