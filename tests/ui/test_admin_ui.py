"""The tray app shows the administrator's policy and the SOCKS5 handshake (issue 14)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from glass_updater.qt.about import AboutDialog
from glass_updater.qt.dialogs import MessageDialog
from glass_updater.qt.settings_dialog import proxy_setting, split_proxy
from glass_updater.settings import UserSettings
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from tests.doubles import MockTransport, no_network
from tests.ui.test_check_flow import TIMEOUT, click_check
from tests.ui.test_payload_panel import open_panel


def _policy(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "admin" / "policy.toml"
    path.parent.mkdir(exist_ok=True)
    path.write_text(text)
    return path


def test_panel_and_about_show_the_policy(qtbot: QtBot, make_app, tmp_path: Path) -> None:
    policy = _policy(tmp_path, 'max_version = "1.3"\nask_before_every_check = true\n')
    digest = hashlib.sha256(policy.read_bytes()).hexdigest()
    app = make_app(transport=MockTransport(no_network), policy_path=policy)
    panel = open_panel(qtbot, app)
    label = panel.preview_tab.allowlist_label.text()
    assert digest in label and "no version above 1.3" in label
    ask = panel.preview_tab.ask
    assert ask.isChecked() and not ask.isEnabled()  # the administrator decided
    app.controller.show_about()
    qtbot.waitUntil(lambda: "about" in app.controller.windows, timeout=TIMEOUT)
    about = app.controller.windows["about"]
    assert isinstance(about, AboutDialog)
    assert digest in about.versions.text()
    from glass_updater.policy import check_request_sha256

    sameness = check_request_sha256(app.updater.allowlist, app.updater.config)
    assert sameness in about.versions.text()
    assert "socks5h" in about.statement.toPlainText().lower()


def test_disabled_policy_tells_the_user_and_sends_nothing(
    qtbot: QtBot, make_app, tmp_path: Path
) -> None:
    app = make_app(policy_path=_policy(tmp_path, "disabled = true\n"))
    dialog = click_check(qtbot, app, "error")
    assert isinstance(dialog, MessageDialog)
    assert dialog.heading.text() == "Updates are managed by your administrator."
    assert "administrator" in dialog.details.toPlainText()
    assert app.sim.requests == []
    panel = open_panel(qtbot, app)
    assert "managed by your administrator" in panel.preview_tab.preview_intro.text()


def test_panel_shows_the_socks_handshake_as_the_proxy_channel(qtbot: QtBot, make_app) -> None:
    app = make_app(transport=MockTransport(no_network))
    app.updater.settings.save(UserSettings(proxy="socks5h://alice:s3cret@127.0.0.1:9050"))
    panel = open_panel(qtbot, app)
    request = app.updater.preview()
    assert [t.channel.value for t in request.transmissions] == ["proxy", "tls"]
    view = panel.preview_tab.preview_bytes.views[0]
    assert panel.preview_tab.preview_bytes.shown_bytes()[0] == request.transmissions[0].data
    assert "s3cret" not in view.text.toPlainText() and "alice" not in view.text.toPlainText()
    assert view.reveal.isVisibleTo(panel)
    text = view.text.toPlainText()
    assert "CONNECT to updates.example.com port 443, by name" in text
    assert "user '*****', password '******'" in text
    cells = "".join(
        panel.preview_tab.fields.item(r, c).text()
        for r in range(panel.preview_tab.fields.rowCount()) for c in range(4)
    )
    assert "socks_connect" in cells and "s3cret" not in cells
    assert "socks5h://127.0.0.1:9050" in panel.preview_tab.preview_intro.text()


def test_socks_setting_round_trip() -> None:
    setting = proxy_setting("socks", "127.0.0.1", 9050, "", "")
    assert setting == "socks5h://127.0.0.1:9050"
    assert split_proxy(setting)[:3] == ("socks", "127.0.0.1", 9050)


def test_install_from_file_runs_the_same_dialogs_offline(
    qtbot: QtBot, make_app, tmp_path: Path
) -> None:
    from glass_updater.qt.dialogs import UpdateDialog

    from tests.updater.test_offline import make_bundle

    # An installation that can take the AppImage (its packager's command installs it).
    app = make_app(transport=MockTransport(no_network), install_command=("/bin/true", "{file}"))
    app.sim.add_release("1.4.0")
    bundle = make_bundle(app.sim, tmp_path)
    assert app.controller.import_action.text() == "Install from File…"
    with qtbot.waitSignal(app.driver.shown, timeout=TIMEOUT,
                          check_params_cb=lambda k, _d: k == "update-found") as found:
        app.controller.import_file(bundle)
    dialog = found.args[1]
    assert isinstance(dialog, UpdateDialog)
    with qtbot.waitSignal(app.driver.shown, timeout=TIMEOUT,
                          check_params_cb=lambda k, _d: k == "ready"):
        qtbot.mouseClick(dialog.install, Qt.MouseButton.LeftButton)
    flow = app.controller._flow
    assert flow is not None and flow.verified is not None
    assert flow.verified.path.read_bytes() == app.sim.assets[
        "/demo-app/demo-app-1.4.0-linux-x86_64.appimage"
    ]
    (entry,) = app.updater.ledger.entries()
    assert entry.kind == "import" and "offline import: no network" in entry.outcome
    panel = open_panel(qtbot, app, entry.id)
    assert panel.history_tab.selected_entry() == entry
    assert panel.history_tab.entry_bytes.shown_bytes() == ()
    from glass_updater.qt.history_export import export_bytes

    har = json.loads(export_bytes("har", (entry,)))
    assert har["log"]["entries"] == []  # HAR is for HTTP exchanges; an import sent nothing


def test_install_from_file_refuses_a_bad_bundle(qtbot: QtBot, make_app, tmp_path: Path) -> None:
    bad = tmp_path / "bad.glassbundle"
    bad.write_bytes(b"not a bundle")
    app = make_app(transport=MockTransport(no_network))
    with qtbot.waitSignal(app.driver.shown, timeout=TIMEOUT,
                          check_params_cb=lambda k, _d: k == "error") as shown:
        app.controller.import_file(bad)
    dialog = shown.args[1]
    assert isinstance(dialog, MessageDialog)
    assert "not a complete, valid update bundle" in dialog.heading.text()
    assert "not a valid update bundle" in dialog.details.toPlainText()
    assert list(app.updater.ledger.entries()) == []


def test_install_from_file_opens_a_file_chooser(qtbot: QtBot, make_app) -> None:
    from PySide6.QtWidgets import QFileDialog

    app = make_app(transport=MockTransport(no_network))
    app.controller.import_action.trigger()
    chooser = app.controller.windows["import"]
    assert isinstance(chooser, QFileDialog)
    assert "*.glassbundle" in " ".join(chooser.nameFilters())
    chooser.close()


def test_settings_show_what_the_administrator_decided(
    qtbot: QtBot, make_app, tmp_path: Path
) -> None:
    from glass_updater.qt.settings_dialog import SettingsDialog

    policy = _policy(
        tmp_path,
        'proxy = "socks5h://tor:secret@127.0.0.1:9050"\nask_before_every_check = true\n',
    )
    app = make_app(transport=MockTransport(no_network), policy_path=policy)
    app.controller.show_settings()
    qtbot.waitUntil(lambda: "settings" in app.controller.windows, timeout=TIMEOUT)
    dialog = app.controller.windows["settings"]
    assert isinstance(dialog, SettingsDialog)
    assert dialog.managed_note is not None
    assert "socks5h://127.0.0.1:9050" in dialog.managed_note.text()
    assert "secret" not in dialog.managed_note.text()
    assert not dialog.radios["none"].isEnabledTo(dialog)
    assert dialog.ask.isChecked() and not dialog.ask.isEnabled()
