"""The update controller: one per product, shared by the tray app and host applications.

A host app creates ONE ``UpdateController`` and puts ``controller.check_action`` ("Check
for Updates…") in its Help menu; the tray app (``glass_updater.qt.app``) builds its menu
from the same controller. Both get the same flow, dialogs and payload panel.

The controller holds its menu actions and wires the flow (core, UserDriver, runner); from
the first action on it composes the queue to the GUI thread (``gui_queue``), the host
app's answers to "may I quit?" (``host_app``) and its windows (``update_windows``).

Creating it is cheap and silent: given a config PATH, nothing is read, parsed or
imported beyond this module, no thread starts and no Qt enum namespace is touched until
the user first picks an action (tests/ui/test_host_controller.py checks ``sys.modules``;
benchmarks/bench_embed.py measures the cost).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import shiboken6
from glass_updater.qt import words as W
from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QWidget

if TYPE_CHECKING:
    from glass_updater.config import PackagerConfig
    from glass_updater.driver import OfferFacts
    from glass_updater.flow import UpdateFlow
    from glass_updater.paths import Paths
    from glass_updater.qt.driver import QtUserDriver
    from glass_updater.qt.gui_queue import GuiQueue, Job
    from glass_updater.qt.host_app import QtHostApp
    from glass_updater.qt.payload_panel import PayloadPanel
    from glass_updater.qt.runner import BackgroundRunner
    from glass_updater.qt.update_windows import UpdateWindows
    from glass_updater.updater import Updater

# The menu actions, in menu order: key (``actions_``, and the word a later launch forwards,
# ``instance_protocol.MESSAGES``) and words. Each keeps its place in the menu it is put in.
ACTIONS = (
    ("check", W.CHECK_FOR_UPDATES_MENU),
    ("import", W.INSTALL_FROM_FILE_MENU),
    ("payload", W.WHAT_IS_SENT_MENU),
    ("settings", W.UPDATE_SETTINGS_MENU),
    ("about", W.ABOUT_UPDATES_MENU),
)


def build_actions(owner: QObject, slots: Mapping[str, Callable[[], object]]) -> dict[str, QAction]:
    """The ``ACTIONS``, owned by ``owner`` (words through its ``tr``), each triggering
    ``slots[key]``."""
    actions: dict[str, QAction] = {}
    for key, words in ACTIONS:
        action = QAction(owner.tr(words), owner)
        action.setMenuRole(QAction.MenuRole.NoRole)  # stays in the menu it is put in
        action.triggered.connect(slots[key])
        actions[key] = action
    return actions


def default_updater(config: PackagerConfig, paths: Paths | None, state_dir: str | None) -> Updater:
    """The core a controller builds unless given ``make_updater`` (on a worker thread)."""
    from glass_updater.paths import Paths
    from glass_updater.updater import Updater

    paths = paths or Paths.resolve(state_dir, config.product_id)
    return Updater(config, paths=paths)  # its transport is created at the first send


class UpdateController(QObject):
    """Checks, downloads and installs updates of one product, when the user asks.

    ``config``: the packager config file's path (read at the first action, so start-up
    pays nothing), or a ``PackagerConfig`` (``load_config``, ``config_from_dict``).
    ``state_dir``: keep this product's state there instead of the per-user folders.
    ``can_quit``, ``quit``, ``relaunch_argv``: how the install asks the host app to make
    way (default: always yes, ``QApplication.quit()``, the argv this process started with).
    ``has_settings_menu=False``: the host app does not show ``settings_action``, so error
    advice never tells the user to open a menu item that is not there.
    """

    panel_loaded = Signal()  # the payload panel has shown fresh data
    flow_finished = Signal()  # a check/download/install run ended (any outcome)

    def __init__(
        self,
        config: PackagerConfig | str | os.PathLike[str],
        *,
        parent: QObject | None = None,
        state_dir: str | None = None,
        paths: Paths | None = None,
        can_quit: Callable[[], bool] | None = None,
        quit: Callable[[], None] | None = None,
        relaunch_argv: Sequence[str] | None = None,
        make_updater: Callable[[], Updater] | None = None,
        runner: BackgroundRunner | None = None,
        has_settings_menu: bool = True,
    ) -> None:
        super().__init__(parent)
        # False when the host app does not show ``settings_action``: advice then names no menu.
        self.has_settings_menu = has_settings_menu
        self._config_path: str | os.PathLike[str] | None = None
        self._config: PackagerConfig | None = None
        if isinstance(config, str | os.PathLike):
            self._config_path = config
        else:
            self._config = config
        self._make_updater = make_updater or (
            lambda: default_updater(self.config, paths, state_dir)
        )
        self._updater: Updater | None = None
        self._lock = threading.Lock()
        self._runner = runner
        self._runner_wired = False
        self._queue: GuiQueue | None = None  # made at the first action, on the GUI thread
        self._host: QtHostApp | None = None
        argv = None if relaunch_argv is None else list(relaunch_argv)
        self._host_answers = (quit or self.quit, can_quit, argv)
        self._driver: QtUserDriver | None = None
        self._flow: UpdateFlow | None = None
        self._windows: UpdateWindows | None = None
        self.actions_: dict[str, QAction] = build_actions(self, {
            "check": self.check_now, "import": self.ask_import_file,
            "payload": lambda: self.show_payload(None), "settings": self.show_settings,
            "about": self.show_about,
        })

    # ------------------------------------------------------------------ public

    @property
    def check_action(self) -> QAction:
        """"Check for Updates…", ready for a Help menu."""
        return self.actions_["check"]

    @property
    def import_action(self) -> QAction:
        """"Install from File…": an offline bundle, verified like a download, no network."""
        return self.actions_["import"]

    @property
    def payload_action(self) -> QAction:
        """"What Is Sent…": the exact bytes of the next check and the history."""
        return self.actions_["payload"]

    @property
    def settings_action(self) -> QAction:
        return self.actions_["settings"]

    @property
    def about_action(self) -> QAction:
        return self.actions_["about"]

    @property
    def runner(self) -> BackgroundRunner:
        """The worker pool (created at first use: creating the controller starts no thread)."""
        self._gui()
        if self._runner is None:
            from glass_updater.qt.runner import BackgroundRunner

            self._runner = BackgroundRunner(self)
        if not self._runner_wired:
            from PySide6.QtCore import Qt

            failed = self._keeper().show_failure  # a slot of a GUI-thread object
            self._runner.failed.connect(failed, Qt.ConnectionType.QueuedConnection)
            self._runner_wired = True
        return self._runner

    @property
    def host(self) -> QtHostApp:
        """How an install asks this app to make way (``HostApp``), made at first use."""
        if self._host is None:
            from glass_updater.qt.host_app import QtHostApp

            quit, can_quit, argv = self._host_answers
            self._host = QtHostApp(self._post, quit=quit, can_quit=can_quit, relaunch_argv=argv)
        return self._host

    def _gui(self) -> GuiQueue:
        """The one queue to the GUI thread, made and wired at the first action (wiring
        touches Qt's enum namespace, ~30 ms once), on the GUI thread, before any worker."""
        if self._queue is None:
            from glass_updater.qt.gui_queue import GuiQueue

            self._queue = GuiQueue(self)
        self._queue.wire()
        return self._queue

    def _post(self, fn: Job) -> None:
        """From any thread (once wired): run ``fn`` on the GUI thread, in order."""
        self._gui().post(fn)

    @property
    def config(self) -> PackagerConfig:
        """The packager config, read from its file at first use (raises ``ConfigError``)."""
        if self._config is None:
            from glass_updater.config import load_config

            assert self._config_path is not None
            self._config = load_config(Path(self._config_path))
        return self._config

    def _ready(self) -> bool:
        """Before an action: the config is readable (else one line says why) and wired."""
        from glass_updater.errors import ConfigError

        try:
            self.config  # noqa: B018 - reads the file once
        except ConfigError as exc:
            self._keeper().show_failure(exc.message)
            return False
        self._gui()
        return True

    def check_now(self) -> None:
        """The only way a check starts: the user asked (menu, button, --check-now)."""
        self._with_updater(lambda u: self.runner(self.flow(u).start))

    def ask_import_file(self) -> None:
        """Let the user pick a .glassbundle (non-modal), then import it."""
        self._keeper().ask_import_file()

    def import_file(self, path: Path) -> None:
        """Install from an offline bundle: same checks as online, no connection at all.

        The same dialogs follow as after a check (update found, ready to install).
        """
        self._with_updater(lambda u: self.runner(lambda: self.flow(u).start_import(path)))

    def shutdown(self, wait_ms: int = 5000) -> None:
        """Cancel a running transfer, wait for workers, close this controller's windows."""
        if self._flow is not None:
            self._flow.cancel.cancel()
        if self._runner is not None and shiboken6.isValid(self._runner):
            self._runner.wait(wait_ms)
        if self._windows is not None:
            self._windows.close_all()

    def quit(self) -> None:
        """The default ``quit``: cancel what runs, then ``QApplication.quit()``."""
        if self._flow is not None:
            self._flow.cancel.cancel()
        from glass_updater.qt.host_app import quit_application

        quit_application()

    # ------------------------------------------------------------------ plumbing

    def updater(self) -> Updater:
        """The core, built on first use (from a worker thread; never at start-up)."""
        with self._lock:
            if self._updater is None:
                self._updater = self._make_updater()
            return self._updater

    def _with_updater(self, then: Callable[[Updater], None]) -> None:
        """Build/get the core off the GUI thread, then run ``then`` on the GUI thread.

        Every action comes through here, so an unreadable config is reported once, here
        (Install from File… too), instead of raising in a slot.
        """
        from glass_updater.errors import UpdaterError

        if not self._ready():
            return
        driver = self.driver()  # created here, on the GUI thread

        def job() -> None:
            try:
                updater = self.updater()
            except UpdaterError as exc:
                error = exc  # ``exc`` is unbound after the handler; the posted call runs later
                driver.run_in_front(lambda: driver.show_error(error, ()))
                return
            self._post(lambda: then(updater))

        self.runner(job)

    def driver(self) -> QtUserDriver:
        if self._driver is None:
            from glass_updater.qt.driver import QtUserDriver

            self._gui()  # its jobs come through this controller's queue

            self._driver = QtUserDriver(
                product_name=self.config.product_name,
                open_payload=self.show_payload,
                runner=self.runner,
                post=self._post,  # the one queue to the GUI thread
                unskip=lambda: self.updater().unskip(),
                facts=self._offer_facts,
                run_failed_with=lambda error: self._flow is not None
                and self._flow.error is error,
                try_again=self.check_now,
                settings_label=(
                    self.actions_["settings"].text().replace("&&", "&")
                    if self.has_settings_menu
                    else None
                ),
            )
            windows = self._keeper()
            self._driver.unskip_failed.connect(windows.show_failure)
            self._driver.finished.connect(windows.refresh_panel)
            self._driver.shown.connect(windows.follow_flow_step)
            self._driver.finished.connect(self.flow_finished)
        return self._driver

    def _offer_facts(self) -> OfferFacts:
        """What the running flow looked up for its offer (proxy, what Install does)."""
        from glass_updater.driver import OfferFacts

        return self._flow.facts if self._flow is not None else OfferFacts()

    def flow(self, updater: Updater) -> UpdateFlow:
        if self._flow is None:
            from glass_updater.flow import UpdateFlow

            driver = self.driver()
            self._flow = UpdateFlow(
                updater, driver, run_in_background=self.runner, host=self.host,
                run_in_front=driver.run_in_front,
            )
        return self._flow

    # ------------------------------------------------------------------ windows

    def _keeper(self) -> UpdateWindows:
        """The windows' keeper, made at first use (its module too: embedding pays nothing)."""
        if self._windows is None:
            from glass_updater.qt.update_windows import UpdateWindows

            self._windows = UpdateWindows(
                self, config=lambda: self.config, loaded_config=lambda: self._config,
                updater=self.updater, runner=lambda: self.runner,
                with_updater=self._with_updater, post=self._post,
                flow=lambda: self._flow, panel_loaded=self.panel_loaded.emit,
                import_file=self.import_file,
            )
        return self._windows

    @property
    def windows(self) -> dict[str, QWidget]:
        """The open windows by kind ("settings", "about", "import"), one of each."""
        return self._keeper().windows

    @property
    def panel(self) -> PayloadPanel | None:
        """The payload panel ("What Is Sent…"), once it has been opened."""
        return self._windows.panel if self._windows is not None else None

    @property
    def failures_shown(self) -> list[str]:
        """Every failure told to the user in a message box, oldest first."""
        return self._keeper().failures_shown

    def show_payload(self, entry_id: str | None = None) -> PayloadPanel:
        return self._keeper().show_payload(entry_id)

    def show_settings(self) -> None:
        self._keeper().show_settings()

    def show_about(self) -> None:
        self._keeper().show_about()
