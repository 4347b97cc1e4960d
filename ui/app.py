"""Composition root of the tray app: parse arguments, wire the real parts, run Qt.

Nothing here touches the network at launch: there is no timer and no start-up check.
The core (and with it ``requests`` and ``cryptography``) is imported the first time the
user opens a panel or checks, which keeps start-up lean.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from glass_updater.config import PackagerConfig
from glass_updater.qt import words as W
from glass_updater.qt.controller import UpdateController
from glass_updater.qt.icons import app_icon, tray_icon
from glass_updater.qt.instance_protocol import MESSAGES
from glass_updater.qt.single_instance import InstanceServer, send_to_running, server_name
from glass_updater.qt.windows import bring_to_front
from PySide6.QtCore import QTimer
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
    from glass_updater.qt.runner import BackgroundRunner
    from glass_updater.updater import Updater

ALIGN_HCENTER = 0x0004  # Qt::AlignHCenter
PLAIN_TEXT = 0  # Qt::PlainText


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


class AppController(UpdateController):
    """The tray app: the shared controller's actions in a tray menu (or a small window)."""

    def __init__(
        self,
        config: PackagerConfig,
        *,
        state_dir: str | None = None,
        make_updater: Callable[[], Updater] | None = None,
        runner: BackgroundRunner | None = None,
    ) -> None:
        super().__init__(config, state_dir=state_dir, make_updater=make_updater, runner=runner)
        self.front: QWidget | None = None  # the fallback window, when there is no tray
        self.tray: QSystemTrayIcon | None = None
        # In the tray app's own menu the words need no "Updates" qualifier.
        self.actions_["settings"].setText(self.tr(W.SETTINGS_MENU))
        self.actions_["about"].setText(self.tr(W.ABOUT_MENU))
        quit_action = QAction(self.tr(W.QUIT_MENU), self)
        quit_action.triggered.connect(self.quit)
        # No shortcut here: a tray menu cannot take Ctrl+Q (found under trayer: the menu
        # showed "Ctrl+Q" and the key did nothing). The fallback window adds it below.
        self.actions_["quit"] = quit_action
        self.menu = QMenu()
        for key, action in self.actions_.items():
            if key == "quit":
                self.menu.addSeparator()
            self.menu.addAction(action)

    def handle_message(self, word: str) -> None:
        """A later launch forwarded a request (single instance): the menu item of that
        name, as if picked (``actions_`` is the one table); ``activate`` shows this app."""
        action = self.actions_.get(word) if word in MESSAGES else None
        if action is not None:
            action.trigger()
        elif self.front is not None:
            bring_to_front(self.front)
        elif self.tray is not None:
            self.tray.showMessage(
                self.config.product_name, self.tr(W.GLASS_UPDATER_ALREADY)
            )

    def shutdown(self, wait_ms: int = 5000) -> None:
        super().shutdown(wait_ms)
        if self.tray is not None:
            self.tray.hide()
        if self.front is not None:
            self.front.close()

    # ------------------------------------------------------------------ fronts

    def build_front(self, force_window: bool = False) -> None:
        """A tray icon where the desktop has one; otherwise a small window."""
        if not force_window and QSystemTrayIcon.isSystemTrayAvailable():
            self.tray = QSystemTrayIcon(tray_icon())
            self.tray.setToolTip(
                self.tr(W.UPDATES_NOTHING_SENT)
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
        self.setWindowTitle(self.tr(W.PRODUCT_UPDATES_TITLE) % name)
        self.setWindowIcon(app_icon())
        layout = QVBoxLayout(self)
        layout.setSpacing(8)
        head = QLabel()
        head.setPixmap(app_icon().pixmap(48, 48))
        # Properties set by name: the ``Qt`` enums would cost ~12 ms of start-up.
        head.setProperty("alignment", ALIGN_HCENTER)
        layout.addWidget(head)
        title = QLabel(self.tr(W.PRODUCT_AND_VERSION) % (name, controller.config.version))
        font = title.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.2)
        title.setFont(font)
        title.setProperty("alignment", ALIGN_HCENTER)
        title.setProperty("textFormat", PLAIN_TEXT)
        layout.addWidget(title)
        note = QLabel(
            self.tr(W.NOTHING_SENT_UNTIL)
        )
        note.setWordWrap(True)
        note.setProperty("alignment", ALIGN_HCENTER)
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
        # The keys a window is expected to know: Ctrl+Q (Quit's own shortcut) and Esc.
        quit_action = controller.actions_["quit"]
        quit_action.setProperty("shortcut", QKeySequence(QKeySequence.StandardKey.Quit))
        if quit_action.shortcut().isEmpty():  # a platform theme without a Quit binding
            quit_action.setProperty("shortcut", QKeySequence("Ctrl+Q"))
        self.addAction(quit_action)
        # A QAction, not a QShortcut, and its shortcut set by property name: QShortcut's
        # default arguments and setShortcut's overloads create the ``Qt`` enums (~12 ms).
        escape = QAction(self)
        escape.setProperty("shortcut", QKeySequence("Esc"))
        escape.triggered.connect(self.close)
        self.addAction(escape)

    def closeEvent(self, event: object) -> None:
        """Closing the only window quits, as Quit in the tray menu would."""
        self.controller.quit()


def no_display() -> bool:
    """Linux without X or Wayland: Qt would print a page of plugin errors and abort."""
    import os

    if not sys.platform.startswith("linux") or os.environ.get("QT_QPA_PLATFORM"):
        return False
    return not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    from glass_updater.config import load_config
    from glass_updater.errors import ConfigError

    try:
        config = load_config(args.config)
    except ConfigError as exc:
        print(f"glass-updater: {exc}", file=sys.stderr)
        return 2
    if QApplication.instance() is None and no_display():
        print("glass-updater: no graphical display (DISPLAY and WAYLAND_DISPLAY are not set); "
              "start it in a desktop session, or use `updater check` in a terminal",
              file=sys.stderr)
        return 2
    app = QApplication.instance() or QApplication(["glass-updater"])
    assert isinstance(app, QApplication)
    app.setApplicationName("Glass Updater")
    app.setQuitOnLastWindowClosed(False)
    app.setWindowIcon(app_icon())
    name = server_name(config.product_id)
    message = "quit" if args.quit else "check" if args.check_now else "activate"
    if send_to_running(name, message):
        # Say so: a second demo otherwise ended in silence after "Opening the tray app".
        asked = {"quit": "quit", "check": "check for updates"}.get(message, "show itself")
        print(f"glass-updater: already running ({name}); asked it to {asked}", flush=True)
        return 0
    if args.quit:
        print("glass-updater: no running instance to quit", file=sys.stderr)
        return 1
    server = InstanceServer(name)
    if not server.listen():
        if send_to_running(name, message):
            return 0  # another launch won the race: it got the request
        print(f"glass-updater: {server.error or 'another instance holds ' + name}",
              file=sys.stderr)
        return 1

    # The product's folders (platformdirs) and the Updater are resolved at the first use.
    controller = AppController(config, state_dir=args.state_dir)
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
