"""Composition root of the tray app: parse arguments, wire the real parts, run Qt.

Nothing here touches the network at launch: there is no timer and no start-up check.
The core (and with it ``requests`` and ``cryptography``) is imported the first time the
user opens a panel or checks, which keeps start-up lean.
"""

from __future__ import annotations

import argparse
import sys
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import shiboken6
from glass_updater.config import PackagerConfig
from glass_updater.paths import Paths
from glass_updater.qt.icons import app_icon, tray_icon
from glass_updater.qt.single_instance import InstanceServer, send_to_running, server_name
from glass_updater.qt.windows import bring_to_front
from PySide6.QtCore import QObject, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QAction, QCursor, QGuiApplication, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QLabel,
    QMenu,
    QPushButton,
    QSystemTrayIcon,
    QVBoxLayout,
    QWidget,
)

if TYPE_CHECKING:
    from glass_updater.flow import UpdateFlow
    from glass_updater.qt.driver import QtUserDriver
    from glass_updater.qt.payload_panel import PayloadPanel
    from glass_updater.qt.runner import BackgroundRunner
    from glass_updater.updater import Updater

Job = Callable[[], None]


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="glass-updater", description="Glass Updater tray app (checks only when asked)."
    )
    parser.add_argument("--config", type=Path, help="packager config (TOML)")
    parser.add_argument("--state-dir", help="keep state, history and downloads in this folder")
    parser.add_argument(
        "--check-now", action="store_true", help="check for updates now (in the running app)"
    )
    parser.add_argument("--quit", action="store_true", help="ask the running app to quit")
    parser.add_argument(
        "--window", action="store_true", help="use the small window even if a tray exists"
    )
    parser.add_argument("--selftest-quit-after-ms", type=int, help=argparse.SUPPRESS)
    return parser.parse_args(argv)


class QtHostApp:
    """HostApp for the installer handoff: this app can always close, on the GUI thread."""

    def __init__(self, quit_app: Callable[[], None]) -> None:
        self._quit = quit_app

    def can_shut_down(self) -> bool:
        return True

    def request_shutdown(self) -> None:
        self._quit()


class AppController(QObject):
    """Holds the actions and opens each window; builds the core lazily, once."""

    _post = Signal(object)
    panel_loaded = Signal()  # the payload panel has shown fresh data

    def __init__(
        self,
        config: PackagerConfig,
        *,
        make_updater: Callable[[], Updater],
        runner: BackgroundRunner | None = None,
    ) -> None:
        super().__init__()
        from glass_updater.qt.runner import BackgroundRunner

        self.config = config
        self._make_updater = make_updater
        self._updater: Updater | None = None
        self._lock = threading.Lock()
        self.runner = runner or BackgroundRunner(self)
        self.runner.failed.connect(self._show_failure, Qt.ConnectionType.QueuedConnection)
        self.failures_shown: list[str] = []
        self._post.connect(self._on_post, Qt.ConnectionType.QueuedConnection)
        self._driver: QtUserDriver | None = None
        self._flow: UpdateFlow | None = None
        self.panel: PayloadPanel | None = None
        self.windows: dict[str, QWidget] = {}
        self.front: QWidget | None = None  # the fallback window, when there is no tray
        self.tray: QSystemTrayIcon | None = None
        self.menu = QMenu()
        self.actions_: dict[str, QAction] = {}
        for key, label, slot in (
            ("check", self.tr("Check for Updates…"), self.check_now),
            ("payload", self.tr("What Is Sent…"), lambda: self.show_payload(None)),
            ("settings", self.tr("Settings…"), self.show_settings),
            ("about", self.tr("About && Privacy"), self.show_about),
            ("quit", self.tr("Quit"), self.quit),
        ):
            action = QAction(label, self)
            action.triggered.connect(slot)
            self.actions_[key] = action
            if key == "quit":
                self.menu.addSeparator()
                action.setShortcut(QKeySequence.StandardKey.Quit)
            self.menu.addAction(action)

    # ------------------------------------------------------------------ plumbing

    @Slot(object)
    def _on_post(self, fn: Job) -> None:
        fn()

    def updater(self) -> Updater:
        """The core, built on first use (from a worker thread; never at launch)."""
        with self._lock:
            if self._updater is None:
                self._updater = self._make_updater()
            return self._updater

    def _with_updater(self, then: Callable[[Updater], None]) -> None:
        """Build/get the core off the GUI thread, then run ``then`` on the GUI thread."""
        from glass_updater.errors import UpdaterError

        driver = self.driver()  # created here, on the GUI thread

        def job() -> None:
            try:
                updater = self.updater()
            except UpdaterError as exc:
                driver.show_error(exc, ())
                return
            self._post.emit(lambda: then(updater))

        self.runner(job)

    def driver(self) -> QtUserDriver:
        if self._driver is None:
            from glass_updater.qt.driver import QtUserDriver

            self._driver = QtUserDriver(
                product_name=self.config.product_name,
                open_payload=self.show_payload,
                runner=self.runner,
            )
            self._driver.finished.connect(self._refresh_panel)
        return self._driver

    @Slot(object)
    def _panel_loaded(self, _data: object) -> None:
        self.panel_loaded.emit()

    @Slot()
    def _refresh_panel(self) -> None:
        """After a flow, an open payload panel shows the new exchanges."""
        if self.panel is not None and self.panel.isVisible():
            self.panel.refresh()

    def flow(self, updater: Updater) -> UpdateFlow:
        if self._flow is None:
            from glass_updater.flow import UpdateFlow

            host = QtHostApp(lambda: self._post.emit(self.quit))
            self._flow = UpdateFlow(
                updater, self.driver(), run_in_background=self.runner, host=host
            )
        return self._flow

    # ------------------------------------------------------------------ actions

    @Slot(str)
    def _show_failure(self, message: str) -> None:
        """A background job (saving settings, clearing history, ...) failed: say so."""
        from PySide6.QtWidgets import QMessageBox

        self.failures_shown.append(message)
        box = QMessageBox(QMessageBox.Icon.Warning, self.tr("Glass Updater"), message)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()

    def check_now(self) -> None:
        """The only way a check starts: the user asked (menu, button, --check-now)."""
        self._with_updater(lambda u: self.runner(self.flow(u).start))

    def show_payload(self, entry_id: str | None = None) -> None:
        if self.panel is None:
            from glass_updater.qt.payload_panel import PayloadPanel

            self.panel = PayloadPanel(self.updater, self.runner)
            self.panel.loaded.connect(self._panel_loaded)  # queued, after the panel's own
            self.panel.setWindowIcon(app_icon())
        self.panel.open_at(entry_id)

    def show_settings(self) -> None:
        def load_then_open(updater: Updater) -> None:
            def job() -> None:
                current = updater.settings.load()
                self._post.emit(lambda: self._open_settings(updater, current))

            self.runner(job)

        self._with_updater(load_then_open)

    def _open_settings(self, updater: Updater, current: object) -> None:
        from glass_updater.qt.settings_dialog import SettingsDialog
        from glass_updater.settings import UserSettings

        assert isinstance(current, UserSettings)
        dialog = SettingsDialog(
            current=current,
            default_channel=self.config.channel,
            default_proxy=self.config.proxy,
            save=updater.settings.save,
            clear_history=updater.ledger.clear,
            runner=self.runner,
        )
        dialog.setWindowIcon(app_icon())
        # Both are emitted by workers: bound slots of this GUI-thread object are queued.
        dialog.saved.connect(self._settings_changed)
        dialog.history_cleared.connect(self._refresh_panel)
        self._show_window("settings", dialog)

    @Slot(object)
    def _settings_changed(self, _settings: object) -> None:
        self._refresh_panel()

    def show_about(self) -> None:
        def open_about(updater: Updater) -> None:
            from glass_updater.policy import privacy_statement_markdown
            from glass_updater.qt.about import AboutDialog

            dialog = AboutDialog(
                product_name=self.config.product_name,
                product_version=self.config.version,
                allowlist_sha256=updater.allowlist.sha256,
                statement_markdown=privacy_statement_markdown(updater.allowlist, self.config),
            )
            dialog.setWindowIcon(app_icon())
            self._show_window("about", dialog)

        self._with_updater(open_about)

    def _show_window(self, key: str, window: QWidget) -> None:
        old = self.windows.get(key)
        if old is not None and shiboken6.isValid(old):
            old.close()
            old.deleteLater()
        self.windows[key] = window
        bring_to_front(window)

    def handle_message(self, word: str) -> None:
        """A later launch forwarded a request (single instance)."""
        if word == "check":
            self.check_now()
        elif word == "quit":
            self.quit()
        elif word == "payload":
            self.show_payload(None)
        elif word == "settings":
            self.show_settings()
        elif word == "about":
            self.show_about()
        elif self.front is not None:
            bring_to_front(self.front)
        elif self.tray is not None:
            self.tray.showMessage(
                self.config.product_name, self.tr("Glass Updater is already running here.")
            )

    def quit(self) -> None:
        if self._flow is not None:
            self._flow.cancel.cancel()
        app = QApplication.instance()
        if app is not None:
            app.quit()

    def shutdown(self, wait_ms: int = 5000) -> None:
        if self._flow is not None:
            self._flow.cancel.cancel()
        self.runner.wait(wait_ms)
        if self.tray is not None:
            self.tray.hide()
        for window in [*self.windows.values(), self.panel, self.front]:
            if window is not None:
                window.close()

    # ------------------------------------------------------------------ fronts

    def build_front(self, force_window: bool = False) -> None:
        """A tray icon where the desktop has one; otherwise a small window."""
        if not force_window and QSystemTrayIcon.isSystemTrayAvailable():
            self.tray = QSystemTrayIcon(tray_icon())
            self.tray.setToolTip(
                self.tr("%s updates — nothing is sent until you check")
                % self.config.product_name
            )
            self.tray.setContextMenu(self.menu)
            self.tray.activated.connect(self._tray_activated)
            QGuiApplication.styleHints().colorSchemeChanged.connect(self._scheme_changed)
            self.tray.show()
        else:
            self.front = FallbackWindow(self)
            self.front.show()

    def _scheme_changed(self, _scheme: object) -> None:
        """Dark panel, light icon and vice versa, following the desktop as it changes."""
        if self.tray is not None:
            self.tray.setIcon(tray_icon())

    def _tray_activated(self, reason: QSystemTrayIcon.ActivationReason) -> None:
        if reason is QSystemTrayIcon.ActivationReason.Trigger:
            self.menu.popup(QCursor.pos())


class FallbackWindow(QWidget):
    """The tray's menu as a small window, for desktops and CI without a system tray."""

    def __init__(self, controller: AppController) -> None:
        super().__init__()
        self.controller = controller
        name = controller.config.product_name
        self.setWindowTitle(self.tr("%s — Updates") % name)
        self.setWindowIcon(app_icon())
        layout = QVBoxLayout(self)
        layout.setSpacing(8)
        head = QLabel()
        head.setPixmap(app_icon().pixmap(48, 48))
        head.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        layout.addWidget(head)
        title = QLabel(self.tr("%s %s") % (name, controller.config.version))
        font = title.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.2)
        title.setFont(font)
        title.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        title.setTextFormat(Qt.TextFormat.PlainText)
        layout.addWidget(title)
        note = QLabel(
            self.tr("Nothing is sent until you click “Check for Updates”.")
        )
        note.setWordWrap(True)
        note.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        layout.addWidget(note)
        self.buttons: dict[str, QPushButton] = {}
        for key, action in controller.actions_.items():
            button = QPushButton(action.text())  # "&&" shows as "&" on a button too
            button.setAccessibleName(action.text().replace("&&", "and").rstrip("…"))
            button.clicked.connect(action.trigger)
            if key == "check":
                button.setDefault(True)
            layout.addWidget(button)
            self.buttons[key] = button
        self.setMinimumWidth(320)

    def closeEvent(self, event: object) -> None:
        """Closing the only window quits, as Quit in the tray menu would."""
        self.controller.quit()


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    from glass_updater.config import load_config
    from glass_updater.errors import ConfigError

    try:
        config = load_config(args.config)
    except ConfigError as exc:
        print(f"glass-updater: {exc}", file=sys.stderr)
        return 2
    paths = Paths.resolve(args.state_dir)
    app = QApplication.instance() or QApplication(["glass-updater"])
    assert isinstance(app, QApplication)
    app.setApplicationName("Glass Updater")
    app.setQuitOnLastWindowClosed(False)
    app.setWindowIcon(app_icon())
    name = server_name(config.product_id)
    message = "quit" if args.quit else "check" if args.check_now else "activate"
    if send_to_running(name, message):
        return 0
    if args.quit:
        print("glass-updater: no running instance to quit", file=sys.stderr)
        return 1
    server = InstanceServer(name)
    if not server.listen():
        return 0 if send_to_running(name, message) else 1

    def make_updater() -> Updater:
        from glass_updater.updater import Updater

        return Updater(config, paths=paths)  # its HttpTransport is created at the first send

    controller = AppController(config, make_updater=make_updater)
    server.message.connect(controller.handle_message)
    controller.build_front(force_window=args.window)
    if args.check_now:
        QTimer.singleShot(0, controller.check_now)  # the user asked, on the command line
    if args.selftest_quit_after_ms is not None:
        QTimer.singleShot(max(0, args.selftest_quit_after_ms), controller.quit)
    print(f"glass-updater: ready ({name})", flush=True)
    app.exec()
    controller.shutdown()
    server.close()
    return 0
