"""QtUserDriver: the core's UserDriver, shown as Qt dialogs on the GUI thread.

The flow delivers every ``show_*`` through ``run_in_front``, which posts it to the GUI
thread, so these methods run there and touch widgets directly. Replies go straight back
to the flow, which moves any blocking work (network, disk) to its background runner; what
a dialog says beside an offer (the proxy, what Install does) the flow looked up there too.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import shiboken6
from glass_updater.driver import Job, OfferFacts, UpdateChoice
from glass_updater.errors import Cause, UpdaterError
from glass_updater.ledger import LedgerEntry
from glass_updater.model import CheckResult, Progress, VerifiedFile
from glass_updater.qt import words as W
from glass_updater.qt.access import announce
from glass_updater.qt.dialogs import (
    MessageDialog,
    ReadyDialog,
    SendConfirmationDialog,
    UpdateDialog,
)
from glass_updater.qt.error_words import describe
from glass_updater.qt.flow_dialog import FlowDialog, OpenPayload
from glass_updater.qt.progress_dialogs import CheckingDialog, DownloadDialog, InstallingDialog
from glass_updater.qt.windows import bring_to_front
from glass_updater.wire_types import CancelToken, OutboundRequest
from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QDialog, QStyle, QWidget

DIALOG_KINDS = {Cause.BUSY: "busy", Cause.STALE: "stale"}  # by cause; any other: "error"
RESULT_KINDS = frozenset({"up-to-date", "update-found", "error", "stale", "ready", "busy"})


class QtUserDriver(QObject):
    """Implements updater.driver.UserDriver on the GUI thread; ``run_in_front`` gets it there."""

    shown = Signal(str, object)  # (dialog kind, dialog): for tests and accessibility tools
    finished = Signal()  # the flow ended (dismiss)
    unskipped = Signal()  # Stop Skipping was saved
    unskip_failed = Signal(str)  # ... or could not be: one line saying why

    def __init__(
        self,
        *,
        product_name: str,
        open_payload: OpenPayload,
        runner: Callable[[Job], None],
        post: Callable[[Job], None],
        parent_widget: QWidget | None = None,
        unskip: Callable[[], None] | None = None,
        facts: Callable[[], OfferFacts] = OfferFacts,
        run_failed_with: Callable[[UpdaterError], bool] = lambda _error: False,
        try_again: Callable[[], None] | None = None,
        settings_label: str | None = "Settings…",
    ) -> None:
        """``runner``: the background runner (Stop Skipping saves there). ``post``: the
        front end's queue to the GUI thread (jobs run there, in order). ``facts``: what
        the flow looked up for the offer shown (its ``facts``). ``run_failed_with``: True
        when an error is what the flow's run came to (its ``error``), not a start refused
        while it runs. ``settings_label``: the menu item that opens the update settings in
        this front end, named in advice; None when the host app has none (advice names no
        menu)."""
        super().__init__()
        self._run_failed_with = run_failed_with
        self._try_again = try_again
        self._settings_label = settings_label
        self._unskip = unskip
        self._facts = facts
        self._product = product_name
        self._open_payload = open_payload
        self._runner = runner
        self._post_job = post
        self._parent_widget = parent_widget
        self.transient: QDialog | None = None  # checking / downloading / installing
        self.dialogs: list[QDialog] = []  # every dialog shown, newest last

    # ------------------------------------------------------------------ plumbing

    def run_in_front(self, job: Job) -> None:
        """The flow's ``run_in_front``: ``job`` runs on the GUI thread, in posting order."""
        self._post_job(job)

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
        self._present(
            "confirm-send", SendConfirmationDialog(request, reply, self._parent_widget)
        )

    def show_checking(self, cancel: CancelToken) -> None:
        self._present("checking", CheckingDialog(cancel, self._parent_widget), transient=True)

    def show_up_to_date(self, result: CheckResult) -> None:
        withdrawn = result.withdrawn is not None  # pulled, and nothing to go to yet
        self._message(
            "up-to-date",
            title=self.tr(W.NO_UPDATE_AVAILABLE),
            heading=(
                self.tr(W.VERSION_WITHDRAWN_BY) if withdrawn
                else self.tr(W.UP_TO_DATE_VERSION)
            ) % result.current_version,
            body=result.reason[:1].upper() + result.reason[1:] + ".",
            icon=QStyle.StandardPixmap.SP_MessageBoxWarning if withdrawn
            else QStyle.StandardPixmap.SP_DialogApplyButton,
            entries=result.entries,
        )

    def show_update_found(
        self, result: CheckResult, reply: Callable[[UpdateChoice], None]
    ) -> None:
        self._close_transient()
        dialog = UpdateDialog(
            result,
            self._product,
            reply,
            self._open_payload,
            self._parent_widget,
            unskip=(lambda: self._unskip_in_background(dialog)) if self._unskip else None,
            proxy=self._facts().proxy,
        )
        self._present("update-found", dialog)

    def _unskip_in_background(self, dialog: UpdateDialog) -> None:
        """Stop Skipping: saved off the GUI thread; the dialog changes once it is saved."""
        unskip = self._unskip
        assert unskip is not None

        def job() -> None:
            try:
                unskip()
            except UpdaterError as exc:
                message = exc.message
                self.run_in_front(lambda: self._unskip_answered(dialog, message))
                return
            self.run_in_front(lambda: self._unskip_answered(dialog, None))

        self._runner(job)

    def _unskip_answered(self, dialog: UpdateDialog, failure: str | None) -> None:
        # The save may end after the dialog was replaced by a newer one (and deleted):
        # the app still hears the answer, the dead dialog is not touched.
        if shiboken6.isValid(dialog):
            dialog.unskip_answered(failure)
        if failure is None:
            self.unskipped.emit()
        else:
            self.unskip_failed.emit(failure)

    def show_download_progress(self, progress: Progress, cancel: CancelToken) -> None:
        dialog = self.transient
        if not isinstance(dialog, DownloadDialog):
            dialog = DownloadDialog(cancel, self._parent_widget)
            self._present("downloading", dialog, transient=True)
        dialog.set_progress(progress, cancel)

    def show_ready_to_install(
        self, verified: VerifiedFile, reply: Callable[[bool], None]
    ) -> None:
        self._close_transient()
        dialog = ReadyDialog(
            verified,
            self._product,
            reply,
            self._open_payload,
            self._parent_widget,
            effect=self._facts().effect,  # looked up by the flow, off this thread
        )
        self._present("ready", dialog)

    def show_installing(self, verified: VerifiedFile) -> None:
        self._present(
            "installing", InstallingDialog(verified, self._parent_widget), transient=True
        )

    def show_error(self, error: UpdaterError, entries: Sequence[LedgerEntry]) -> None:
        """A failure; a check asked for while this app's flow waits (busy) brings that
        flow's dialog to the front instead. A run that itself failed busy (another process
        holds the lock) is said, like any failure: its own dialog is closing."""
        refused_start = error.cause is Cause.BUSY and not self._run_failed_with(error)
        if refused_start and (waiting := self.waiting_dialog()) is not None:
            bring_to_front(waiting)
            self.shown.emit("brought-to-front", waiting)
            return
        words = describe(error, self._product, self._settings_label)
        kind = DIALOG_KINDS.get(error.cause, "error")
        self._message(
            kind,
            title=self.tr(words.title),
            heading=self.tr(words.sentence),
            body="",
            advice=self.tr(words.advice),
            icon=QStyle.StandardPixmap.SP_MessageBoxWarning
            if words.warning
            else QStyle.StandardPixmap.SP_MessageBoxCritical,
            entries=tuple(entries),
            details=words.details,
            try_again=self._try_again if words.retry else None,
        )

    def dismiss(self) -> None:
        self._close_transient()
        self.finished.emit()
