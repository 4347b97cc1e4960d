"""The controller a host app embeds: cheap to create, same flow and dialogs as the tray.

A host app creates ONE ``UpdateController`` and puts its ``check_action`` in the Help
menu. Creating both must import nothing that can reach the network (requests, urllib3,
cryptography, the core's transport) until the user picks the action.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from glass_updater.handoff import HandoffSpec
from glass_updater.qt import UpdateController
from glass_updater.qt.dialogs import MessageDialog, ReadyDialog, UpdateDialog
from glass_updater.updater import Updater
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDialog, QMainWindow
from pytestqt.qtbot import QtBot

from tests.fakes import RecordingLauncher
from tests.lazy import run_and_report
from tests.sim import NOW, FeedSimulator
from tests.ui.conftest import make_config

TIMEOUT = 10_000
HEAVY = ("requests", "urllib3", "cryptography", "ssl", "http.client", "glass_updater.transport",
         "glass_updater.updater", "glass_updater.feed", "glass_updater.download",
         "glass_updater.signing", "glass_updater.request")

LAZY = ("tomllib", "glass_updater.config", "glass_updater.qt.runner", "glass_updater.qt.driver",
        "glass_updater.qt.dialogs", "glass_updater.qt.flow_dialog",
        "glass_updater.qt.progress_dialogs",
        # The controller's collaborators come at the first action too (issue 11's split
        # must not add to what embedding imports).
        "glass_updater.qt.gui_queue", "glass_updater.qt.host_app",
        "glass_updater.qt.update_windows")
DEMO = Path(__file__).resolve().parents[2] / "resources" / "demo-config.toml"

CREATE = """
import json, sys
from PySide6.QtWidgets import QApplication, QMainWindow
app = QApplication([])
window = QMainWindow()
help_menu = window.menuBar().addMenu("&Help")
from glass_updater.qt import UpdateController
controller = UpdateController(sys.argv[1])  # the documented way: the config file's path
help_menu.addAction(controller.check_action)
window.show()
app.processEvents()
after_create = sorted(sys.modules)
controller.updater()  # what the first check does first (no socket: nothing is sent)
print(json.dumps([after_create, sorted(sys.modules), controller.check_action.text()]))
"""


def test_creating_the_controller_and_its_action_imports_nothing_heavy(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text(DEMO.read_text())
    proc = subprocess.run(
        [sys.executable, "-c", CREATE, str(config)], capture_output=True, text=True,
        timeout=60, check=False,
    )
    assert proc.returncode == 0, proc.stderr
    after_create, after_first_use, label = json.loads(proc.stdout)
    assert label == "Check for Updates…"
    assert [m for m in after_create if m.startswith(HEAVY)] == []
    # Not even the config is read before the first action: no TOML parser, no core.
    assert [m for m in after_create if m.startswith(LAZY)] == []
    # The check is real: the core (and what it needs) loads once the user asks.
    assert "glass_updater.updater" in after_first_use


EMBED_IDLE = """
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMainWindow
app = QApplication([])
window = QMainWindow()
help_menu = window.menuBar().addMenu("&Help")
from glass_updater import load_config
from glass_updater.qt import UpdateController
controller = UpdateController(load_config(None))
help_menu.addAction(controller.check_action)
window.show()
QTimer.singleShot(50, app.quit)
app.exec()
controller.shutdown()
"""


def test_an_embedding_host_pays_no_network_stack_and_no_qt_enums() -> None:
    """The lazy-import rule (tests/lazy.py) for a host app that idles with the action."""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    report = run_and_report(EMBED_IDLE, env=env, cwd=Path.cwd())
    assert report.heavy() == []
    assert not report.qt_namespace  # ~12 ms the host did not ask for


class Host:
    """A host app's side of the install handshake, recording which thread asked."""

    def __init__(self, allow: bool) -> None:
        self.allow = allow
        self.asked_on: list[bool] = []
        self.quit_calls = 0

    def can_quit(self) -> bool:
        # The host is asked while its Qt application runs (it may show its own dialog).
        assert isinstance(QApplication.instance(), QApplication)
        self.asked_on.append(threading.current_thread() is threading.main_thread())
        return self.allow

    def quit(self) -> None:
        self.quit_calls += 1


@pytest.fixture
def host_app(qtbot: QtBot, tmp_path: Path) -> Iterator[object]:
    made: list[UpdateController] = []

    def build(allow: bool = True, kind: str = "appimage", **config: object) -> tuple[
            UpdateController, Host, FeedSimulator, RecordingLauncher, QMainWindow]:
        sim = FeedSimulator()
        sim.add_release("1.4.0", kind=kind)
        launcher = RecordingLauncher()
        cfg = make_config(sim, **{"install_command": ("/bin/true", "{file}"), **config})
        host = Host(allow)
        window = QMainWindow()
        qtbot.addWidget(window)
        from glass_updater.paths import Paths

        controller = UpdateController(
            cfg, can_quit=host.can_quit, quit=host.quit,
            relaunch_argv=["/opt/demo/demo-app"],
            make_updater=lambda: Updater(cfg, paths=Paths.under(tmp_path / "state"),
                                         transport=sim.transport, clock=lambda: NOW,
                                         launcher=launcher),
        )
        window.menuBar().addMenu("&Help").addAction(controller.check_action)
        made.append(controller)
        return controller, host, sim, launcher, window

    yield build
    for controller in made:
        controller.shutdown(10_000)
        QApplication.processEvents()
        assert controller._runner is None or not controller._runner.failures
        for dialog in controller._driver.dialogs if controller._driver else []:
            dialog.hide()
            dialog.deleteLater()


def test_a_bad_config_file_is_one_line_at_the_first_action_and_nothing_is_sent(
    qtbot: QtBot, tmp_path: Path
) -> None:
    bad = tmp_path / "config.toml"
    bad.write_text(DEMO.read_text().replace('id = "demo-app"', 'id = "../x"'))
    controller = UpdateController(bad)  # creating it reads nothing: no error yet
    assert controller.failures_shown == []
    controller.check_action.trigger()
    (message,) = controller.failures_shown
    assert "\n" not in message and "[product] id" in message
    assert controller._driver is None and controller._updater is None  # no flow started
    for box in QApplication.topLevelWidgets():
        if box.isVisible() and box.windowTitle() == "Updates":
            box.close()


def shown(qtbot: QtBot, controller: UpdateController, kind: str, act: object) -> QDialog:
    with qtbot.waitSignal(controller.driver().shown, timeout=TIMEOUT,
                          check_params_cb=lambda k, _d: k == kind) as blocker:
        act()  # type: ignore[operator]
    dialog = blocker.args[1]
    assert isinstance(dialog, QDialog) and dialog.isVisible()
    return dialog


def test_help_menu_action_runs_the_tray_flow_and_quits_the_host(qtbot: QtBot, host_app) -> None:
    controller, host, sim, launcher, window = host_app()
    help_menu = window.menuBar().actions()[0].menu()
    assert [a.text() for a in help_menu.actions()] == ["Check for Updates…"]
    found = shown(qtbot, controller, "update-found", controller.check_action.trigger)
    assert isinstance(found, UpdateDialog)  # the tray app's own dialog
    assert "Demo App 1.4.0 is available" in found.heading.text()
    ready = shown(qtbot, controller, "ready",
                  lambda: qtbot.mouseClick(found.install, Qt.MouseButton.LeftButton))
    assert isinstance(ready, ReadyDialog)
    with qtbot.waitSignal(controller.flow_finished, timeout=TIMEOUT):
        qtbot.mouseClick(ready.install, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: host.quit_calls == 1, timeout=TIMEOUT)
    assert host.asked_on == [True]  # asked on the GUI thread, though the flow runs off it
    ((argv, detached),) = launcher.launched
    assert tuple(argv[1:5]) == ("-P", "-m", "glass_updater.helper", "--spec")  # helper
    assert detached
    spec = HandoffSpec.from_json(argv[-1])
    assert spec.command == ("/bin/true", "{file}")
    assert spec.relaunch == ("/opt/demo/demo-app",)  # the helper relaunches the host app
    assert controller.host.relaunch_argv() == ["/opt/demo/demo-app"]
    assert len(sim.requests) == 2  # the check, the download: nothing else


def test_a_host_that_cannot_quit_keeps_running_and_nothing_is_launched(
    qtbot: QtBot, host_app
) -> None:
    controller, host, _sim, launcher, _window = host_app(allow=False)
    found = shown(qtbot, controller, "update-found", controller.check_action.trigger)
    ready = shown(qtbot, controller, "ready",
                  lambda: qtbot.mouseClick(found.install, Qt.MouseButton.LeftButton))
    error = shown(qtbot, controller, "error",
                  lambda: qtbot.mouseClick(ready.install, Qt.MouseButton.LeftButton))
    assert isinstance(error, MessageDialog)
    assert host.asked_on == [True]
    assert host.quit_calls == 0 and launcher.launched == []


@pytest.mark.parametrize(
    ("kind", "config", "says"),
    [
        # An AppImage offered to an installation that is not one (a .deb user):
        # The feed offers only the AppImage, so no other kind is named:
        ("appimage", {"install_command": ()},
         "this release has no file this installation can install (it offers only appimage"),
        # The packager's installer is not there:
        ("appimage", {"install_command": ("/nonexistent/apply-update", "{file}")},
         "'/nonexistent/apply-update' in [install] command was not found"),
        # A tar.gz install whose app folder is not a folder:
        ("tar.gz", {"install_command": (), "install_kind": "tar.gz",
                    "app_dir": Path("/nonexistent/host-app")}, "is not a folder"),
    ],
)
def test_an_update_this_installation_cannot_take_is_refused_before_the_download(
    qtbot: QtBot, host_app, monkeypatch: pytest.MonkeyPatch, kind: str,
    config: dict[str, object], says: str,
) -> None:
    """The preflight runs with the check: the offer says this copy cannot update itself,
    in the end user's words, offers no download, and the packager's line is in Details."""
    monkeypatch.delenv("APPIMAGE", raising=False)
    controller, host, sim, launcher, _window = host_app(kind=kind, **config)
    found = shown(qtbot, controller, "update-found", controller.check_action.trigger)
    assert isinstance(found, UpdateDialog)
    assert found.heading.text() == (
        "Demo App 1.4.0 is available, but this copy cannot update itself"
    )
    assert not found.install.isVisibleTo(found) and not found.install.isEnabled()
    assert "[install]" not in found.spoken()  # no packager advice in the main text
    assert says in found.details.toPlainText()
    assert "\n" not in found.details.toPlainText().strip()  # one line
    with qtbot.waitSignal(controller.flow_finished, timeout=TIMEOUT):
        qtbot.mouseClick(found.later, Qt.MouseButton.LeftButton)
    assert len(sim.requests) == 1  # the check only
    assert host.asked_on == [] and launcher.launched == []
