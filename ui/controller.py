"""The update controller: one per product, shared by the tray app and host applications.

A host app creates ONE ``UpdateController`` and puts ``controller.check_action`` ("Check
for Updates…") in its Help menu; the tray app (``glass_updater.qt.app``) builds its menu
from the same controller. Both get the same flow, dialogs and payload panel.

Creating it is cheap and silent: given a config PATH, nothing is read, parsed or
imported beyond this module, no thread starts and no Qt enum namespace is touched until
the user first picks an action (tests/ui/test_host_controller.py checks ``sys.modules``;
benchmarks/bench_embed.py measures the cost).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import shiboken6
from glass_updater.qt import words as W
from PySide6.QtCore import QObject, QThread, Signal, Slot
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QApplication, QWidget

if TYPE_CHECKING:
    from glass_updater.config import PackagerConfig
    from glass_updater.driver import OfferFacts
    from glass_updater.flow import UpdateFlow
    from glass_updater.model import Asset
    from glass_updater.paths import Paths
    from glass_updater.qt.driver import QtUserDriver
    from glass_updater.qt.payload_panel import PayloadPanel
    from glass_updater.qt.runner import BackgroundRunner
    from glass_updater.updater import Updater

Job = Callable[[], None]
ASK_TIMEOUT_S = 10.0  # a GUI thread that does not answer "can you quit?" in time: "no"


class QtHostApp:
    """``HostApp`` for a Qt application (see ``glass_updater.HostApp``).

    The flow asks from a worker thread; ``can_quit`` is run on the GUI thread (it may
    look at widgets, e.g. unsaved documents) and ``quit`` is posted there.
    """

    def __init__(
        self,
        post: Callable[[Job], None],
        *,
        quit: Callable[[], None] | None = None,
        can_quit: Callable[[], bool] | None = None,
        relaunch_argv: Sequence[str] | None = None,
    ) -> None:
        self._post = post
        self._quit = quit or _quit_application
        self._can_quit = can_quit
        self._relaunch = None if relaunch_argv is None else list(relaunch_argv)

    def can_shut_down(self) -> bool:
        ask = self._can_quit
        if ask is None:
            return True
        if _on_gui_thread():
            return bool(ask())
        answered = threading.Event()
        answer: list[bool] = []

        def on_gui() -> None:
            try:
                answer.append(bool(ask()))
            finally:
                answered.set()

        self._post(on_gui)
        return answered.wait(ASK_TIMEOUT_S) and bool(answer and answer[0])

    def request_shutdown(self) -> None:
        self._post(self._quit)

    def relaunch_argv(self) -> list[str]:
        if self._relaunch is not None:
            return list(self._relaunch)
        from glass_updater.install import default_relaunch_argv

        return default_relaunch_argv()


def _on_gui_thread() -> bool:
    app = QApplication.instance()
    return app is not None and QThread.currentThread() is app.thread()


def _quit_application() -> None:
    app = QApplication.instance()
    if app is not None:
        app.quit()


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

    _post = Signal(object)
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
        self._wired = False
        self._paths = paths
        self._state_dir = state_dir
        self._make_updater = make_updater or self._default_updater
        self._updater: Updater | None = None
        self._lock = threading.Lock()
        self._runner = runner
        self._runner_wired = False
        self.failures_shown: list[str] = []
        self.host = QtHostApp(
            self._emit_post, quit=quit or self.quit, can_quit=can_quit,
            relaunch_argv=relaunch_argv,
        )
        self._driver: QtUserDriver | None = None
        self._flow: UpdateFlow | None = None
        self.panel: PayloadPanel | None = None
        self.windows: dict[str, QWidget] = {}
        self.actions_: dict[str, QAction] = {}
        for key, label, slot in (
            ("check", self.tr(W.CHECK_FOR_UPDATES_MENU), self.check_now),
            ("import", self.tr(W.INSTALL_FROM_FILE_MENU), self.ask_import_file),
            ("payload", self.tr(W.WHAT_IS_SENT_MENU), lambda: self.show_payload(None)),
            ("settings", self.tr(W.UPDATE_SETTINGS_MENU), self.show_settings),
            ("about", self.tr(W.ABOUT_UPDATES_MENU), self.show_about),
        ):
            action = QAction(label, self)
            action.setMenuRole(QAction.MenuRole.NoRole)  # stays in the menu it is put in
            action.triggered.connect(slot)
            self.actions_[key] = action

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
        self._wire()
        if self._runner is None:
            from glass_updater.qt.runner import BackgroundRunner

            self._runner = BackgroundRunner(self)
        if not self._runner_wired:
            from PySide6.QtCore import Qt

            self._runner.failed.connect(self._show_failure, Qt.ConnectionType.QueuedConnection)
            self._runner_wired = True
        return self._runner

    @property
    def config(self) -> PackagerConfig:
        """The packager config, read from its file at first use (raises ``ConfigError``)."""
        if self._config is None:
            from pathlib import Path

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
            self._show_failure(exc.message)
            return False
        self._wire()
        return True

    def _wire(self) -> None:
        """Connect the GUI-thread queue (touching Qt's enum namespace costs ~30 ms once,
        so it waits for the first action, on the GUI thread, before any worker exists)."""
        if not self._wired:
            from PySide6.QtCore import Qt

            self._post.connect(self._on_post, Qt.ConnectionType.QueuedConnection)
            self._wired = True

    def _emit_post(self, fn: Job) -> None:
        self._post.emit(fn)

    def check_now(self) -> None:
        """The only way a check starts: the user asked (menu, button, --check-now)."""
        self._with_updater(lambda u: self.runner(self.flow(u).start))

    def ask_import_file(self) -> None:
        """Let the user pick a .glassbundle (non-modal), then import it."""
        from PySide6.QtWidgets import QFileDialog

        dialog = QFileDialog(None, self.tr(W.INSTALL_UPDATE_FROM))
        dialog.setNameFilters(
            [self.tr(W.UPDATE_BUNDLES_GLASSBUNDLE), self.tr(W.ALL_FILES)]
        )
        dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptOpen)
        dialog.fileSelected.connect(lambda chosen: self.import_file(Path(chosen)))
        self._show_window("import", dialog)

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
        for window in [*self.windows.values(), self.panel]:
            if window is not None and shiboken6.isValid(window):
                window.close()

    def quit(self) -> None:
        """The default ``quit``: cancel what runs, then ``QApplication.quit()``."""
        if self._flow is not None:
            self._flow.cancel.cancel()
        _quit_application()

    # ------------------------------------------------------------------ plumbing

    def _default_updater(self) -> Updater:
        from glass_updater.paths import Paths
        from glass_updater.updater import Updater

        paths = self._paths or Paths.resolve(self._state_dir, self.config.product_id)
        return Updater(self.config, paths=paths)  # its transport is created at the first send

    @Slot(object)
    def _on_post(self, fn: Job) -> None:
        fn()

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
            self._post.emit(lambda: then(updater))

        self.runner(job)

    def driver(self) -> QtUserDriver:
        if self._driver is None:
            from glass_updater.qt.driver import QtUserDriver

            self._wire()  # its jobs come through this controller's queue

            self._driver = QtUserDriver(
                product_name=self.config.product_name,
                open_payload=self.show_payload,
                runner=self.runner,
                post=self._emit_post,  # the one queue to the GUI thread
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
            self._driver.unskip_failed.connect(self._show_failure)
            self._driver.finished.connect(self._refresh_panel)
            self._driver.shown.connect(self._flow_step_shown)
            self._driver.finished.connect(self.flow_finished)
        return self._driver

    def _offer_facts(self) -> OfferFacts:
        """What the running flow looked up for its offer (proxy, what Install does)."""
        from glass_updater.driver import OfferFacts

        return self._flow.facts if self._flow is not None else OfferFacts()

    @Slot(object)
    def _panel_loaded(self, _data: object) -> None:
        self.panel_loaded.emit()

    @Slot(str, object)
    def _flow_step_shown(self, kind: str, dialog: object) -> None:
        """While a flow runs, an open panel follows it (each step may have logged an
        exchange); a found update's download becomes previewable in the panel."""
        from glass_updater.qt.dialogs import UpdateDialog

        if isinstance(dialog, UpdateDialog) and self.panel is not None:
            release = dialog.check_result.release
            self.panel.set_offered(dialog.check_result.asset, release.version if release else "")
        if kind != "brought-to-front":
            self._refresh_panel()

    @Slot()
    def _refresh_panel(self) -> None:
        """After a flow, an open payload panel shows the new exchanges."""
        if self.panel is not None and self.panel.isVisible():
            self.panel.refresh()

    def flow(self, updater: Updater) -> UpdateFlow:
        if self._flow is None:
            from glass_updater.flow import UpdateFlow

            driver = self.driver()
            self._flow = UpdateFlow(
                updater, driver, run_in_background=self.runner, host=self.host,
                run_in_front=driver.run_in_front,
            )
        return self._flow

    @Slot(str)
    def _show_failure(self, message: str) -> None:
        """A background job (saving settings, clearing history, ...) failed: say so."""
        from PySide6.QtCore import Qt
        from PySide6.QtWidgets import QMessageBox

        self.failures_shown.append(message)
        title = self._config.product_name if self._config is not None else self.tr(W.UPDATES_TITLE)
        box = QMessageBox(QMessageBox.Icon.Warning, title, message)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()

    # ------------------------------------------------------------------ windows

    def show_payload(self, entry_id: str | None = None) -> PayloadPanel:
        if self.panel is None:
            from glass_updater.qt.icons import app_icon
            from glass_updater.qt.payload_panel import PayloadPanel

            self.panel = PayloadPanel(self.updater, self.runner)
            self.panel.loaded.connect(self._panel_loaded)  # queued, after the panel's own
            self.panel.set_offered(*self._offered())
            self.panel.setWindowIcon(app_icon())
        self.panel.open_at(entry_id)
        return self.panel

    def _offered(self) -> tuple[Asset | None, str]:
        """The update the current flow offers (for the panel's download preview)."""
        flow = self._flow
        result = flow.result if flow is not None else None
        if result is None or result.release is None:
            return None, ""
        return result.asset, result.release.version

    def show_settings(self) -> None:
        def load_then_open(updater: Updater) -> None:
            def job() -> None:
                current = updater.settings.load()
                skipped = updater.skipped_version()
                self._post.emit(lambda: self._open_settings(updater, current, skipped))

            self.runner(job)

        self._with_updater(load_then_open)

    def _open_settings(self, updater: Updater, current: object, skipped: str | None) -> None:
        from glass_updater.qt.icons import app_icon
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
            skipped_version=skipped,
            unskip=updater.unskip,
            managed_proxy=updater.policy.proxy,
            managed_ask=updater.policy.ask_before_every_check,
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
            from glass_updater.policy import privacy_statement_markdown, sameness_digest
            from glass_updater.qt.about import AboutDialog
            from glass_updater.qt.icons import app_icon

            dialog = AboutDialog(
                product_name=self.config.product_name,
                product_version=self.config.version,
                allowlist_sha256=updater.allowlist.sha256,
                statement_markdown=privacy_statement_markdown(
                    updater.allowlist, updater.config, updater.policy
                ),
                check_request_sha256=sameness_digest(
                    updater.allowlist, updater.config, updater.policy
                ),
                admin_policy=updater.policy.summary(),
            )
            dialog.setWindowIcon(app_icon())
            self._show_window("about", dialog)

        self._with_updater(open_about)

    def _show_window(self, key: str, window: QWidget) -> None:
        from glass_updater.qt.windows import bring_to_front

        old = self.windows.get(key)
        if old is not None and shiboken6.isValid(old):
            old.close()
            old.deleteLater()
        self.windows[key] = window
        bring_to_front(window)
