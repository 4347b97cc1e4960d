"""The controller's windows: the payload panel, Settings, About, the import chooser and
failure boxes, one of each kind at a time.

Each is built at first use (importing its module then, so a host app that only embeds
the controller pays nothing), gets its data off the GUI thread through the runner, and
reopening a kind closes the old window. An open panel follows a running flow.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import shiboken6
from glass_updater.qt import words as W
from PySide6.QtCore import QObject, Slot
from PySide6.QtWidgets import QWidget

if TYPE_CHECKING:
    from glass_updater.config import PackagerConfig
    from glass_updater.flow import UpdateFlow
    from glass_updater.model import Asset
    from glass_updater.qt.gui_queue import Job
    from glass_updater.qt.payload_panel import PayloadPanel
    from glass_updater.qt.runner import BackgroundRunner
    from glass_updater.updater import Updater

WithUpdater = Callable[[Callable[["Updater"], None]], None]


class UpdateWindows(QObject):
    """Opens and closes the controller's windows; lives on the GUI thread, so a worker's
    signal connected to one of its slots is delivered there."""

    def __init__(
        self,
        parent: QObject,
        *,
        config: Callable[[], PackagerConfig],
        loaded_config: Callable[[], PackagerConfig | None],
        updater: Callable[[], Updater],
        runner: Callable[[], BackgroundRunner],
        with_updater: WithUpdater,
        post: Callable[[Job], None],
        flow: Callable[[], UpdateFlow | None],
        panel_loaded: Callable[[], None],
        import_file: Callable[[Path], None],
    ) -> None:
        super().__init__(parent)
        self._config = config
        self._loaded_config = loaded_config
        self._updater = updater
        self._runner = runner
        self._with_updater = with_updater
        self._post = post
        self._flow = flow
        self._on_panel_loaded = panel_loaded
        self._import_file = import_file
        self.panel: PayloadPanel | None = None
        self.windows: dict[str, QWidget] = {}
        self.failures_shown: list[str] = []

    def close_all(self) -> None:
        for window in [*self.windows.values(), self.panel]:
            if window is not None and shiboken6.isValid(window):
                window.close()

    # ------------------------------------------------------------------ the payload panel

    def show_payload(self, entry_id: str | None = None) -> PayloadPanel:
        if self.panel is None:
            from glass_updater.qt.icons import app_icon
            from glass_updater.qt.payload_panel import PayloadPanel

            self.panel = PayloadPanel(self._updater, self._runner())
            self.panel.loaded.connect(self._panel_loaded)  # queued, after the panel's own
            self.panel.set_offered(*self._offered())
            self.panel.setWindowIcon(app_icon())
        self.panel.open_at(entry_id)
        return self.panel

    def _offered(self) -> tuple[Asset | None, str]:
        """The update the current flow offers (for the panel's download preview)."""
        flow = self._flow()
        result = flow.result if flow is not None else None
        if result is None or result.release is None:
            return None, ""
        return result.asset, result.release.version

    @Slot(object)
    def _panel_loaded(self, _data: object) -> None:
        self._on_panel_loaded()

    @Slot(str, object)
    def follow_flow_step(self, kind: str, dialog: object) -> None:
        """While a flow runs, an open panel follows it (each step may have logged an
        exchange); a found update's download becomes previewable in the panel."""
        from glass_updater.qt.dialogs import UpdateDialog

        if isinstance(dialog, UpdateDialog) and self.panel is not None:
            release = dialog.check_result.release
            self.panel.set_offered(dialog.check_result.asset, release.version if release else "")
        if kind != "brought-to-front":
            self.refresh_panel()

    @Slot()
    def refresh_panel(self) -> None:
        """After a flow, an open payload panel shows the new exchanges."""
        if self.panel is not None and self.panel.isVisible():
            self.panel.refresh()

    # ------------------------------------------------------------------ Settings and About

    def show_settings(self) -> None:
        def load_then_open(updater: Updater) -> None:
            def job() -> None:
                current = updater.settings.load()
                skipped = updater.skipped_version()
                self._post(lambda: self._open_settings(updater, current, skipped))

            self._runner()(job)

        self._with_updater(load_then_open)

    def _open_settings(self, updater: Updater, current: object, skipped: str | None) -> None:
        from glass_updater.qt.icons import app_icon
        from glass_updater.qt.settings_dialog import SettingsDialog
        from glass_updater.settings import UserSettings

        assert isinstance(current, UserSettings)
        config = self._config()
        dialog = SettingsDialog(
            current=current,
            default_channel=config.channel,
            default_proxy=config.proxy,
            save=updater.settings.save,
            clear_history=updater.ledger.clear,
            runner=self._runner(),
            skipped_version=skipped,
            unskip=updater.unskip,
            managed_proxy=updater.policy.proxy,
            managed_ask=updater.policy.ask_before_every_check,
        )
        dialog.setWindowIcon(app_icon())
        # Both are emitted by workers: bound slots of this GUI-thread object are queued.
        dialog.saved.connect(self._settings_changed)
        dialog.history_cleared.connect(self.refresh_panel)
        self._show_window("settings", dialog)

    @Slot(object)
    def _settings_changed(self, _settings: object) -> None:
        self.refresh_panel()

    def show_about(self) -> None:
        def open_about(updater: Updater) -> None:
            from glass_updater.policy import privacy_statement_markdown, sameness_digest
            from glass_updater.qt.about import AboutDialog
            from glass_updater.qt.icons import app_icon

            config = self._config()
            dialog = AboutDialog(
                product_name=config.product_name,
                product_version=config.version,
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

    # ------------------------------------------------------------------ import, failures

    def ask_import_file(self) -> None:
        """Let the user pick a .glassbundle (non-modal), then import it."""
        from PySide6.QtWidgets import QFileDialog

        dialog = QFileDialog(None, self.tr(W.INSTALL_UPDATE_FROM))
        dialog.setNameFilters(
            [self.tr(W.UPDATE_BUNDLES_GLASSBUNDLE), self.tr(W.ALL_FILES)]
        )
        dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptOpen)
        dialog.fileSelected.connect(lambda chosen: self._import_file(Path(chosen)))
        self._show_window("import", dialog)

    @Slot(str)
    def show_failure(self, message: str) -> None:
        """A background job (saving settings, clearing history, ...) failed: say so."""
        from PySide6.QtCore import Qt
        from PySide6.QtWidgets import QMessageBox

        self.failures_shown.append(message)
        config = self._loaded_config()  # an unreadable config is what may have failed
        title = config.product_name if config is not None else self.tr(W.UPDATES_TITLE)
        box = QMessageBox(QMessageBox.Icon.Warning, title, message)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()

    def _show_window(self, key: str, window: QWidget) -> None:
        from glass_updater.qt.windows import bring_to_front

        old = self.windows.get(key)
        if old is not None and shiboken6.isValid(old):
            old.close()
            old.deleteLater()
        self.windows[key] = window
        bring_to_front(window)
