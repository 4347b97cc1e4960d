"""Settings… persist locally (never sent); About & Privacy shows the generated statement."""

from __future__ import annotations

from pathlib import Path

from glass_updater.credentials import without_credentials
from glass_updater.meta import package_version
from glass_updater.qt.about import AboutDialog
from glass_updater.qt.settings_dialog import SettingsDialog, proxy_setting, split_proxy
from glass_updater.settings import UserSettings
from PySide6.QtWidgets import QLineEdit
from pytestqt.qtbot import QtBot

from tests.ui.conftest import AppHarness
from tests.ui.test_check_flow import TIMEOUT, click_check


def open_settings(qtbot: QtBot, app: AppHarness) -> SettingsDialog:
    before = app.controller.windows.get("settings")
    app.controller.show_settings()
    qtbot.waitUntil(lambda: app.controller.windows.get("settings") is not before, timeout=TIMEOUT)
    dialog = app.controller.windows["settings"]
    assert isinstance(dialog, SettingsDialog)
    return dialog


def test_settings_save_channel_proxy_and_ask(qtbot: QtBot, make_app) -> None:
    app = make_app()
    dialog = open_settings(qtbot, app)
    assert dialog.mode() == "default"
    assert dialog.channel.currentData() is None
    dialog.channel.setCurrentIndex(dialog.channel.findData("beta"))
    dialog.radios["manual"].setChecked(True)
    dialog.host.setText("proxy.local")
    dialog.port.setValue(3128)
    dialog.user.setText("alice")
    dialog.password.setText("p@ss word")
    dialog.ask.setChecked(True)
    assert dialog.password.echoMode() is QLineEdit.EchoMode.Password
    with qtbot.waitSignal(dialog.saved, timeout=TIMEOUT):
        dialog.apply()
    saved = app.updater.settings.load()
    assert saved == UserSettings(
        channel="beta", proxy="http://alice:p%40ss%20word@proxy.local:3128", ask_before_check=True
    )
    spec = app.updater.proxy_for("https://updates.example.com/feed.json")
    assert spec is not None and (spec.username, spec.password) == ("alice", "p@ss word")
    # Reopened, the dialog shows the stored choice.
    again = open_settings(qtbot, app)
    assert again is not dialog  # a fresh dialog, reading what was stored
    assert again.mode() == "manual" and again.host.text() == "proxy.local"
    assert again.channel.currentData() == "beta"


def test_manual_proxy_needs_a_host(qtbot: QtBot, make_app) -> None:
    app = make_app()
    dialog = open_settings(qtbot, app)
    dialog.radios["manual"].setChecked(True)
    dialog.apply()
    assert dialog.error.isVisibleTo(dialog) and dialog.isVisible()
    assert app.updater.settings.load() == UserSettings()


def test_clear_history(qtbot: QtBot, make_app) -> None:
    app = make_app()
    app.sim.add_release("1.0.0")
    click_check(qtbot, app, "up-to-date")
    assert list(app.updater.ledger.entries())
    dialog = open_settings(qtbot, app)
    with qtbot.waitSignal(dialog.history_cleared, timeout=TIMEOUT):
        dialog.clear_history_now()
    assert list(app.updater.ledger.entries()) == []


def test_proxy_setting_round_trip() -> None:
    setting = proxy_setting("manual", "h.example", 8080, "u:x", "p/w")
    assert setting == "http://u%3Ax:p%2Fw@h.example:8080"
    assert split_proxy(setting) == ("manual", "h.example", 8080, "u:x", "p/w")
    assert proxy_setting("system", "", 1, "", "") == "system"
    assert split_proxy(None)[0] == "default"
    assert without_credentials("http://u:p@h:1") == "http://h:1"


def test_about_shows_statement_versions_and_allowlist(qtbot: QtBot, make_app) -> None:
    app = make_app()
    app.controller.show_about()
    qtbot.waitUntil(lambda: "about" in app.controller.windows, timeout=TIMEOUT)
    dialog = app.controller.windows["about"]
    assert isinstance(dialog, AboutDialog)
    text = dialog.statement.toPlainText()
    from glass_updater.policy import privacy_statement_markdown

    assert "only when you ask" in text
    assert "IP address" in text and "SNI" in text
    assert "product" in text
    expected = privacy_statement_markdown(app.updater.allowlist, app.updater.config)
    assert expected.splitlines()[0].lstrip("# ") in text
    assert app.updater.allowlist.sha256 in dialog.versions.text()
    assert "Demo App" in dialog.versions.text() and "PySide6" in dialog.versions.text()
    assert f"Updates by Glass Updater {package_version()}<br>" in dialog.versions.text()
    assert dialog.statement.requested_resources == []


def test_settings_are_never_sent(qtbot: QtBot, make_app, tmp_path: Path) -> None:
    app = make_app()
    app.sim.add_release("1.0.0")
    app.updater.settings.save(UserSettings(channel="beta", proxy="none"))
    click_check(qtbot, app, "up-to-date")
    wire = b"".join(t.data for t in app.sim.requests[0].transmissions).lower()
    assert b"beta" not in wire and b"channel" not in wire


def test_settings_save_failure_is_shown_not_silent(qtbot: QtBot, make_app) -> None:
    """A full disk or read-only folder while saving settings gives a visible one-line error."""
    app = make_app()
    settings_path = app.updater.settings.path
    settings_path.parent.mkdir(parents=True, exist_ok=True)
    settings_path.mkdir()  # a folder where the file should go: the save fails
    dialog = open_settings(qtbot, app)
    dialog.ask.setChecked(True)
    with qtbot.waitSignal(app.controller.runner.failed, timeout=TIMEOUT) as failed:
        dialog.apply()
    (message,) = failed.args
    assert message.startswith("could not write a local file") and "settings.json" in message
    qtbot.waitUntil(lambda: app.controller.failures_shown == [message], timeout=TIMEOUT)
    app.controller.runner.failures.clear()  # expected here; the fixture fails on any other
