"""QtUserDriver: the core's UserDriver, shown as Qt dialogs on the GUI thread.

The flow calls ``show_*`` from worker threads. Every call is queued to the GUI thread
through a signal, and every reply goes back through the background runner, so neither
the network nor the disk is ever touched on the GUI thread.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from glass_updater.driver import UpdateChoice
from glass_updater.errors import (
    BusyError,
    StaleFeedError,
    UpdaterError,
)
from glass_updater.ledger import LedgerEntry
from glass_updater.model import Asset, CheckResult, InstallEffect, Progress, VerifiedFile
from glass_updater.qt.access import announce
from glass_updater.qt.dialogs import (
    CheckingDialog,
    DownloadDialog,
    FlowDialog,
    InstallingDialog,
    MessageDialog,
    OpenPayload,
    ReadyDialog,
    SendConfirmationDialog,
    UpdateDialog,
)
from glass_updater.qt.error_words import describe
from glass_updater.qt.windows import bring_to_front
from glass_updater.wire_types import CancelToken, OutboundRequest
from PySide6.QtCore import QObject, Qt, Signal, Slot
from PySide6.QtWidgets import QDialog, QStyle, QWidget

Job = Callable[[], None]
RESULT_KINDS = frozenset({"up-to-date", "update-found", "error", "stale", "ready", "busy"})


class QtUserDriver(QObject):
    """Implements updater.driver.UserDriver; thread-safe, non-blocking."""

    shown = Signal(str, object)  # (dialog kind, dialog): for tests and accessibility tools
    finished = Signal()  # the flow ended (dismiss)
    unskipped = Signal()  # Stop Skipping was saved
    unskip_failed = Signal(str)
    _post = Signal(object)

    def __init__(
        self,
        *,
        product_name: str,
        open_payload: OpenPayload,
        runner: Callable[[Job], None],
        parent_widget: QWidget | None = None,
        unskip: Callable[[], None] | None = None,
        install_effect: Callable[[Asset], InstallEffect] | None = None,
        proxy_for: Callable[[str], str | None] | None = None,
        try_again: Callable[[], None] | None = None,
        settings_label: str | None = "Settings…",
    ) -> None:
        """``settings_label``: the menu item that opens the update settings in this front
        end, named in advice; None when the host app has none (advice names no menu)."""
        super().__init__()
        self._try_again = try_again
        self._settings_label = settings_label
        self._unskip = unskip
        self._install_effect = install_effect
        self._proxy_for = proxy_for
        self._product = product_name
        self._open_payload = open_payload
        self._runner = runner
        self._parent_widget = parent_widget
        self.transient: QDialog | None = None  # checking / downloading / installing
        self.dialogs: list[QDialog] = []  # every dialog shown, newest last
        self._post.connect(self._on_post, Qt.ConnectionType.QueuedConnection)

    # ------------------------------------------------------------------ plumbing

    @Slot(object)
    def _on_post(self, fn: Job) -> None:
        fn()

    def _later(self, fn: Job) -> None:
        self._post.emit(fn)

    def _in_background(self, fn: Job) -> None:
        self._runner(fn)

    def _present(self, kind: str, dialog: QDialog, transient: bool = False) -> None:
        """Show ``dialog``; every earlier one goes, so one result is shown at a time."""
        if transient:
            self._close_transient()
            self.transient = dialog
        for old in self.dialogs:
            if old is not dialog and old is not self.transient:
                old.hide()  # hide, not close: closing would answer a waiting dialog
                old.deleteLater()
        self.dialogs = [d for d in (self.transient, dialog) if d is not None]
        dialog.setAccessibleName(kind)
        bring_to_front(dialog)
        if kind in RESULT_KINDS and isinstance(dialog, FlowDialog):
            # The result of every check is spoken, not only shown.
            announce(dialog, dialog.spoken(), assertive=kind in ("error", "stale"))
        self.shown.emit(kind, dialog)

    def waiting_dialog(self) -> QDialog | None:
        """The visible dialog of the running flow (a question or its progress), if any."""
        for dialog in reversed(self.dialogs):
            waits = isinstance(dialog, (UpdateDialog, ReadyDialog, SendConfirmationDialog))
            if dialog.isVisible() and (waits or dialog is self.transient):
                return dialog
        return None

    def _close_transient(self) -> None:
        if self.transient is not None:
            dialog, self.transient = self.transient, None
            self.dialogs = [d for d in self.dialogs if d is not dialog]
            dialog.hide()
            dialog.deleteLater()

    def _message(
        self,
        kind: str,
        *,
        title: str,
        heading: str,
        body: str,
        advice: str = "",
        icon: QStyle.StandardPixmap,
        entries: Sequence[LedgerEntry],
        details: str = "",
        try_again: Callable[[], None] | None = None,
    ) -> None:
        self._close_transient()
        dialog = MessageDialog(
            title=title,
            heading=heading,
            body=body,
            advice=advice,
            icon=icon,
            entries=entries,
            open_payload=self._open_payload,
            parent=self._parent_widget,
            details=details,
            try_again=try_again,
        )
        self._present(kind, dialog)

    # ------------------------------------------------------------------ UserDriver

    def show_send_confirmation(
        self, request: OutboundRequest, reply: Callable[[bool], None]
    ) -> None:
        def show() -> None:
            dialog = SendConfirmationDialog(
                request, lambda ok: self._in_background(lambda: reply(ok)), self._parent_widget
            )
            self._present("confirm-send", dialog)

        self._later(show)

    def show_checking(self, cancel: CancelToken) -> None:
        self._later(
            lambda: self._present(
                "checking", CheckingDialog(cancel, self._parent_widget), transient=True
            )
        )

    def show_up_to_date(self, result: CheckResult) -> None:
        withdrawn = result.withdrawn is not None  # pulled, and nothing to go to yet
        self._later(
            lambda: self._message(
                "up-to-date",
                title=self.tr("No Update Available"),
                heading=(
                    self.tr("Version %s was withdrawn by the publisher") if withdrawn
                    else self.tr("You're up to date (version %s)")
                ) % result.current_version,
                body=result.reason[:1].upper() + result.reason[1:] + ".",
                icon=QStyle.StandardPixmap.SP_MessageBoxWarning if withdrawn
                else QStyle.StandardPixmap.SP_DialogApplyButton,
                entries=result.entries,
            )
        )

    def show_update_found(
        self, result: CheckResult, reply: Callable[[UpdateChoice], None]
    ) -> None:
        def show() -> None:
            self._close_transient()
            dialog = UpdateDialog(
                result,
                self._product,
                lambda choice: self._in_background(lambda: reply(choice)),
                self._open_payload,
                self._parent_widget,
                unskip=self._unskip_in_background if self._unskip is not None else None,
                proxy=proxy,
            )
            self._present("update-found", dialog)

        asset = result.asset
        proxy = self._proxy_for(asset.url) if self._proxy_for and asset is not None else None
        self._later(show)

    def _unskip_in_background(self) -> None:
        unskip = self._unskip
        assert unskip is not None

        def job() -> None:
            try:
                unskip()
            except UpdaterError as exc:
                self.unskip_failed.emit(str(exc))
                return
            self.unskipped.emit()

        self._in_background(job)

    def show_download_progress(self, progress: Progress, cancel: CancelToken) -> None:
        def show() -> None:
            dialog = self.transient
            if not isinstance(dialog, DownloadDialog):
                dialog = DownloadDialog(cancel, self._parent_widget)
                self._present("downloading", dialog, transient=True)
            dialog.set_progress(progress, cancel)

        self._later(show)

    def show_ready_to_install(
        self, verified: VerifiedFile, reply: Callable[[bool], None]
    ) -> None:
        def show() -> None:
            self._close_transient()
            dialog = ReadyDialog(
                verified,
                self._product,
                lambda go: self._in_background(lambda: reply(go)),
                self._open_payload,
                self._parent_widget,
                effect=effect,
            )
            self._present("ready", dialog)

        # Worked out here, on the flow's thread: what Install will really do on this system.
        effect = (
            self._install_effect(verified.asset)
            if self._install_effect is not None
            else InstallEffect.OPEN_INSTALLER
        )
        self._later(show)

    def show_installing(self, verified: VerifiedFile) -> None:
        self._later(
            lambda: self._present(
                "installing", InstallingDialog(verified, self._parent_widget), transient=True
            )
        )

    def show_error(self, error: UpdaterError, entries: Sequence[LedgerEntry]) -> None:
        if isinstance(error, BusyError):
            self._later(lambda: self._busy(error))
            return
        words = describe(error, self._product, self._settings_label)
        kind = "stale" if isinstance(error, StaleFeedError) else "error"
        icon = (
            QStyle.StandardPixmap.SP_MessageBoxWarning
            if words.warning
            else QStyle.StandardPixmap.SP_MessageBoxCritical
        )
        retry = self._try_again if words.retry else None
        self._later(
            lambda: self._message(
                kind,
                title=self.tr(words.title),
                heading=self.tr(words.sentence),
                body="",
                advice=self.tr(words.advice),
                icon=icon,
                entries=tuple(entries),
                details=words.details,
                try_again=retry,
            )
        )

    def _busy(self, error: BusyError) -> None:
        """Check while this app's flow waits: its dialog comes to the front instead."""
        waiting = self.waiting_dialog()
        if waiting is not None:
            bring_to_front(waiting)
            self.shown.emit("brought-to-front", waiting)
            return
        words = describe(error, self._product, self._settings_label)
        self._message(
            "busy",
            title=self.tr(words.title),
            heading=self.tr(words.sentence),
            body="",
            advice=self.tr(words.advice),
            icon=QStyle.StandardPixmap.SP_MessageBoxWarning,
            entries=(),
            details=words.details,
        )

    def dismiss(self) -> None:
        def done() -> None:
            self._close_transient()
            self.finished.emit()

        self._later(done)
