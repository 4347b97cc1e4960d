"""The dialogs of one update flow. They only show things and report the user's choice.

Each dialog that shows a result has a "What Was Sent…" button: it asks the payload panel
to open at the ledger entry of the request that produced the result.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Generic, TypeVar

from glass_updater.driver import UpdateChoice
from glass_updater.ledger import LedgerEntry
from glass_updater.model import CheckResult, InstallEffect, Progress, Release, VerifiedFile
from glass_updater.qt import words as W
from glass_updater.qt.inert import InertTextBrowser
from glass_updater.qt.text import human_bytes, human_duration, strip_controls
from glass_updater.qt.widgets import TransmissionsView
from glass_updater.qt.windows import bring_to_front, make_room_beside, place_beside
from glass_updater.wire_types import CancelToken, OutboundRequest
from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QStyle,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

OpenPayload = Callable[[str | None], object]  # may return the panel's window
LATEST = "latest"  # an entry id meaning "the newest exchange in the history"
T = TypeVar("T")


def _heading(text: str) -> QLabel:
    label = QLabel(text)
    font = label.font()
    font.setPointSizeF(font.pointSizeF() * 1.25)
    font.setBold(True)
    label.setFont(font)
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.PlainText)
    return label


def _body(text: str) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


class FlowDialog(QDialog):
    """Base: a titled, non-modal dialog with a "What Was Sent…" button when there is one."""

    waits_for_answer = False  # True: the flow waits on this dialog; it stays in front

    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, False)
        self.layout_ = QVBoxLayout(self)
        self.layout_.setSpacing(10)
        self.buttons = QDialogButtonBox(self)
        self.what_was_sent: QPushButton | None = None

    def add_what_was_sent(
        self, entries: Sequence[LedgerEntry], open_payload: OpenPayload, latest: bool = False
    ) -> None:
        """``entries`` empty: the preview (nothing was sent), or the newest with ``latest``."""
        entry_id = entries[-1].id if entries else (LATEST if latest else None)
        button = QPushButton(self.tr(W.WHAT_WAS_SENT))
        button.setAccessibleName(self.tr(W.SHOW_EXACTLY_WHAT))
        button.setAutoDefault(False)
        button.clicked.connect(lambda: self._open_payload(open_payload, entry_id))
        self.what_was_sent = button
        self.entry_id = entry_id

    def _open_payload(self, open_payload: OpenPayload, entry_id: str | None) -> None:
        """Open the panel beside this dialog; a dialog waiting for an answer stays on top."""
        window = open_payload(entry_id)
        if isinstance(window, QWidget):
            if self.waits_for_answer:
                make_room_beside(self, window)  # both stay readable, not one behind the other
            place_beside(window, self)
            if self.waits_for_answer:
                bring_to_front(self)
                # A window manager maps the panel a moment later, on top: raise again then.
                QTimer.singleShot(300, self, self._raise_if_shown)

    def spoken(self) -> str:
        """What a screen reader announces when this dialog shows a result."""
        heading = getattr(self, "heading", None)
        return heading.text() if isinstance(heading, QLabel) else self.windowTitle()

    def _raise_if_shown(self) -> None:
        if self.isVisible():
            bring_to_front(self)

    def add_details(
        self, layout: QVBoxLayout, text: str, *, offered: bool, height: int, refit: bool
    ) -> None:
        """The Details disclosure: the technical text behind a toggle, closed at first.

        ``offered``: the toggle shows at all; ``refit``: the dialog resizes to its content
        when the text opens or closes.
        """
        self.details_toggle = QToolButton()
        self.details_toggle.setText(self.tr(W.DETAILS))
        self.details_toggle.setCheckable(True)
        self.details_toggle.setArrowType(Qt.ArrowType.RightArrow)
        self.details_toggle.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.details_toggle.setAutoRaise(True)
        self.details_toggle.setAccessibleName(self.tr(W.SHOW_TECHNICAL_DETAILS))
        self.details_toggle.setVisible(offered)
        self.details = QPlainTextEdit(text)
        self.details.setReadOnly(True)
        self.details.setAccessibleName(self.tr(W.TECHNICAL_DETAILS))
        self.details.setTabChangesFocus(True)
        self.details.setMaximumHeight(height)
        self.details.setVisible(False)
        self._refit_details = refit
        self.details_toggle.toggled.connect(self._show_details)
        layout.addWidget(self.details_toggle, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(self.details)

    def _show_details(self, shown: bool) -> None:
        self.details.setVisible(shown)
        self.details_toggle.setArrowType(
            Qt.ArrowType.DownArrow if shown else Qt.ArrowType.RightArrow
        )
        if self._refit_details:
            self.adjustSize()

    def finish_layout(self) -> None:
        row = QHBoxLayout()
        if self.what_was_sent is not None:
            row.addWidget(self.what_was_sent)  # on the left, apart from the choices
        row.addStretch(1)
        row.addWidget(self.buttons)
        self.layout_.addLayout(row)


class MessageDialog(FlowDialog):
    """A result: up to date, stale information, or an error with what to do.

    An error has one plain sentence (the heading), advice said once, the technical text
    behind a Details disclosure, and Try Again where trying again can help.
    """

    def __init__(
        self,
        *,
        title: str,
        heading: str,
        body: str,
        advice: str = "",
        icon: QStyle.StandardPixmap = QStyle.StandardPixmap.SP_MessageBoxInformation,
        entries: Sequence[LedgerEntry] = (),
        open_payload: OpenPayload | None = None,
        parent: QWidget | None = None,
        details: str = "",
        try_again: Callable[[], None] | None = None,
    ) -> None:
        super().__init__(title, parent)
        row = QHBoxLayout()
        pic = QLabel()
        pic.setPixmap(self.style().standardIcon(icon).pixmap(40, 40))
        pic.setAlignment(Qt.AlignmentFlag.AlignTop)
        row.addWidget(pic)
        texts = QVBoxLayout()
        self.heading = _heading(heading)
        self.body = _body(body)
        self.body.setVisible(bool(body))
        texts.addWidget(self.heading)
        texts.addWidget(self.body)
        self.advice = _body(advice)
        self.advice.setVisible(bool(advice))
        texts.addWidget(self.advice)
        self.add_details(texts, details, offered=bool(details), height=110, refit=True)
        texts.addStretch(1)
        row.addLayout(texts, 1)
        self.layout_.addLayout(row)
        if open_payload is not None:
            self.add_what_was_sent(entries, open_payload)
        self.try_again: QPushButton | None = None
        if try_again is not None:
            self.try_again = self.buttons.addButton(
                self.tr(W.TRY_AGAIN_BUTTON), QDialogButtonBox.ButtonRole.ActionRole
            )
            self.try_again.setAccessibleName(self.tr(W.TRY_AGAIN_NOW))
            self.try_again.clicked.connect(lambda: self._again(try_again))
        ok = self.buttons.addButton(QDialogButtonBox.StandardButton.Close)
        ok.setDefault(True)
        ok.clicked.connect(self.accept)
        self.finish_layout()
        self.setMinimumWidth(440)
        self.resize(self.minimumWidth(), self.heightForWidth(self.minimumWidth()))

    def spoken(self) -> str:
        return " ".join(t for t in (self.heading.text(), self.advice.text()) if t)

    def _again(self, try_again: Callable[[], None]) -> None:
        self.accept()
        try_again()


class CheckingDialog(FlowDialog):
    def __init__(self, cancel: CancelToken, parent: QWidget | None = None) -> None:
        super().__init__(self.tr(W.CHECKING_TITLE), parent)
        self._cancel = cancel
        self.label = _body(self.tr(W.CHECKING))
        self.bar = QProgressBar()
        self.bar.setRange(0, 0)
        self.bar.setAccessibleName(self.tr(W.CHECKING_BAR))
        self.layout_.addWidget(self.label)
        self.layout_.addWidget(self.bar)
        self.cancel_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.cancel_button.clicked.connect(self.cancel)
        self.finish_layout()
        self.setMinimumWidth(360)

    def cancel(self) -> None:
        self._cancel.cancel()
        self.label.setText(self.tr(W.CANCELLING))
        self.cancel_button.setEnabled(False)

    def reject(self) -> None:  # Esc or the close box cancel the check
        self.cancel()


class DownloadDialog(FlowDialog):
    def __init__(self, cancel: CancelToken, parent: QWidget | None = None) -> None:
        super().__init__(self.tr(W.DOWNLOADING_UPDATE), parent)
        self._cancel = cancel
        self.label = _body(self.tr(W.STARTING_DOWNLOAD))
        self.bar = QProgressBar()
        self.bar.setAccessibleName(self.tr(W.DOWNLOAD_PROGRESS))
        self.layout_.addWidget(self.label)
        self.layout_.addWidget(self.bar)
        self.cancel_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.cancel_button.clicked.connect(self.cancel)
        self.finish_layout()
        self.setMinimumWidth(400)

    def set_progress(self, progress: Progress, cancel: CancelToken) -> None:
        self._cancel = cancel
        if progress.total > 0:
            self.bar.setRange(0, 1000)
            self.bar.setValue(int(1000 * min(progress.done, progress.total) / progress.total))
        parts = [
            self.tr(W.BYTES_OF_TOTAL) % (human_bytes(progress.done), human_bytes(progress.total)),
            self.tr(W.PER_SECOND) % human_bytes(progress.rate),
        ]
        if progress.eta is not None:
            parts.append(self.tr(W.ABOUT_LEFT) % human_duration(progress.eta))
        self.label.setText(" — ".join(parts))

    def cancel(self) -> None:
        self._cancel.cancel()
        self.label.setText(self.tr(W.CANCELLING))
        self.cancel_button.setEnabled(False)

    def reject(self) -> None:
        self.cancel()


class _ReplyOnce(Generic[T]):
    """Calls the core's reply at most once, whichever way the dialog ends."""

    def __init__(self, reply: Callable[[T], None]) -> None:
        self._reply: Callable[[T], None] | None = reply

    def __call__(self, value: T) -> None:
        reply, self._reply = self._reply, None
        if reply is not None:
            reply(value)

    @property
    def done(self) -> bool:
        return self._reply is None


def _missed_notes(releases: Sequence[Release]) -> str:
    """One release: its notes as they are; several: each under its version, newest first."""
    if len(releases) == 1:
        return releases[0].notes
    parts = []
    for release in releases:
        flag = " (critical)" if release.critical else ""
        parts.append(f"### {release.version}{flag}\n\n{release.notes}\n")
    return "\n".join(parts)


class UpdateDialog(FlowDialog):
    """An update is available: notes shown inert, Download / Skip This Version / Not Now.

    Nothing is downloaded before Download is clicked; the dialog says beforehand how much
    will come from which host. A version the user skipped is still shown to a check they
    asked for, marked as skipped, with Stop Skipping.
    """

    chosen = Signal(object)
    unskipped = Signal()
    waits_for_answer = True

    def __init__(
        self,
        result: CheckResult,
        product_name: str,
        reply: Callable[[UpdateChoice], None],
        open_payload: OpenPayload,
        parent: QWidget | None = None,
        *,
        unskip: Callable[[], None] | None = None,
        proxy: str | None = None,
    ) -> None:
        release = result.release
        assert release is not None
        super().__init__(self.tr(W.SOFTWARE_UPDATE), parent)
        self._reply = _ReplyOnce(reply)
        self._unskip = unskip
        self.check_result = result
        # The preflight ran with the check (pure, no network): an asset this copy cannot
        # install is said here, in the end user's words, and no download is offered.
        self.installable = not result.install_problem
        self.heading = _heading(
            (self.tr(W.GO_BACK_NEWEST) if result.goes_back
             else self.tr(W.UPDATE_AVAILABLE_HEADING))
            % (product_name, strip_controls(release.version))
            + ("" if self.installable else self.tr(W.BUT_COPY_CANNOT))
        )
        self.layout_.addWidget(self.heading)
        self.cannot_install = _body(self.tr(
            W.CANNOT_INSTALL_NOTE
        ))
        self.cannot_install.setObjectName("cannotInstallNote")
        self.cannot_install.setVisible(not self.installable)
        self.layout_.addWidget(self.cannot_install)
        self.add_details(
            self.layout_, strip_controls(result.install_problem),
            offered=not self.installable, height=90, refit=False,
        )
        published = release.published.strftime("%Y-%m-%d")
        sub = self.tr(W.YOU_HAVE_VERSION_RELEASED) % (result.current_version, published)
        self.subtitle = _body(sub)
        self.layout_.addWidget(self.subtitle)
        self.skipped_note = _body(
            self.tr(W.YOU_SKIPPED_VERSION)
        )
        self.skipped_note.setObjectName("skippedNote")
        self.skipped_note.setVisible(result.skipped)
        self.layout_.addWidget(self.skipped_note)
        self.badge = QLabel(self.tr(W.CRITICAL_UPDATE_PUBLISHER))
        self.badge.setObjectName("criticalBadge")
        self.badge.setStyleSheet(
            "#criticalBadge { background: #b3261e; color: white; border-radius: 4px;"
            " padding: 3px 8px; font-weight: bold; }"
        )
        self.badge.setVisible(result.critical)  # any missed release critical counts
        self.badge.setAccessibleName(self.tr(W.CRITICAL_UPDATE))
        self.layout_.addWidget(self.badge, 0, Qt.AlignmentFlag.AlignLeft)
        self.withdrawn = _body("")
        self.withdrawn.setObjectName("withdrawnNotice")
        if result.withdrawn is not None:
            self.withdrawn.setText(
                self.tr(W.YOUR_VERSION_WITHDRAWN)
                % (strip_controls(result.withdrawn.version),
                   strip_controls(result.withdrawn.reason))
            )
        self.withdrawn.setVisible(result.withdrawn is not None)
        self.layout_.addWidget(self.withdrawn)
        missed = result.missed or (release,)
        self.layout_.addWidget(_body(
            self.tr(W.RELEASE_NOTES_HEADING) if len(missed) == 1
            else self.tr(W.RELEASE_NOTES_RELEASES)
            % len(missed)
        ))
        self.notes = InertTextBrowser(self)
        self.notes.setAccessibleName(self.tr(W.RELEASE_NOTES))
        self.notes.setTabChangesFocus(True)
        self.notes.set_untrusted_markdown(_missed_notes(missed))
        self.notes.setMinimumHeight(80)
        self.layout_.addWidget(self.notes, 1)
        self.shortened = _body(
            self.tr(W.NOTES_SHORTENED)
        )
        self.shortened.setVisible(self.notes.shortened)
        self.layout_.addWidget(self.shortened)
        self.download_note = _body(download_sentence(result, proxy))
        self.download_note.setObjectName("downloadNote")
        self.download_note.setVisible(self.installable)
        self.layout_.addWidget(self.download_note)
        self.add_what_was_sent(result.entries, open_payload)
        self.skip = self.buttons.addButton(
            self.tr(W.SKIP_VERSION), QDialogButtonBox.ButtonRole.DestructiveRole
        )
        self.stop_skipping = self.buttons.addButton(
            self.tr(W.STOP_SKIPPING), QDialogButtonBox.ButtonRole.ResetRole
        )
        self.later = self.buttons.addButton(
            self.tr(W.NOT_NOW_BUTTON) if self.installable else self.tr(W.CLOSE_BUTTON),
            QDialogButtonBox.ButtonRole.RejectRole,
        )
        self.install = self.buttons.addButton(
            self.tr(W.DOWNLOAD_UPDATE), QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.skip.setAccessibleName(self.tr(W.SKIP_VERSION_REMEMBERED))
        self.stop_skipping.setAccessibleName(
            self.tr(W.STOP_SKIPPING_VERSION)
        )
        self.later.setAccessibleName(self.tr(W.NOT_NOW_NOTHING))
        self.install.setAccessibleName(
            self.tr(W.DOWNLOAD_UPDATE_YOU)
        )
        self.install.setDefault(self.installable)
        self.install.setVisible(self.installable)
        self.install.setEnabled(self.installable)
        self.later.setDefault(not self.installable)
        self.skip.setVisible(not result.skipped)
        self.stop_skipping.setVisible(result.skipped and unskip is not None)
        self.skip.clicked.connect(lambda: self._choose(UpdateChoice.SKIP))
        self.stop_skipping.clicked.connect(self._stop_skipping)
        self.later.clicked.connect(lambda: self._choose(UpdateChoice.NOT_NOW))
        self.install.clicked.connect(lambda: self._choose(UpdateChoice.INSTALL))
        self.finish_layout()
        self.resize(560, 480)

    def spoken(self) -> str:
        parts = [self.heading.text()]
        if self.cannot_install.isVisibleTo(self):
            parts.append(self.cannot_install.text())
        if self.skipped_note.isVisibleTo(self):
            parts.append(self.skipped_note.text())
        if self.badge.isVisibleTo(self):
            parts.append(self.badge.text())
        return " ".join(parts)

    def _stop_skipping(self) -> None:
        """Un-skip, locally (saved off the GUI thread): ``unskip_answered`` follows."""
        if self._unskip is None:
            return
        self.stop_skipping.setEnabled(False)
        self._unskip()

    def unskip_answered(self, failure: str | None) -> None:
        """Saved: the dialog stays open and the version is no longer marked. Not saved
        (``failure``, shown by the front end): it is still skipped, and still says so."""
        self.stop_skipping.setEnabled(True)
        if failure is not None:
            return
        self.skipped_note.setText(self.tr(W.VERSION_NO_LONGER))
        self.stop_skipping.setVisible(False)
        self.skip.setVisible(True)
        self.unskipped.emit()

    def _choose(self, choice: UpdateChoice) -> None:
        if choice is UpdateChoice.INSTALL and not self.installable:
            return  # nothing here can install it: never start a download
        if not self._reply.done:
            self._reply(choice)
            self.chosen.emit(choice)
        self.accept()

    def reject(self) -> None:  # closing without a choice: Not Now (nothing is stored)
        self._choose(UpdateChoice.NOT_NOW)


def download_sentence(result: CheckResult, proxy: str | None = None) -> str:
    """Before anything is downloaded: how much, from which host, and that nothing came yet."""
    from urllib.parse import urlsplit

    asset = result.asset
    if asset is None or result.install_problem:
        return ""  # nothing to download here: the dialog says why instead
    host = urlsplit(asset.url).hostname or asset.url
    via = W.THROUGH_YOUR_PROXY.format(proxy=proxy) if proxy else ""
    return W.DOWNLOAD_NOTE.format(size=human_bytes(asset.size), host=host, via=via)


class ReadyDialog(FlowDialog):
    """Downloaded and verified; the button says what Install will really do here."""

    waits_for_answer = True

    def __init__(
        self,
        verified: VerifiedFile,
        product_name: str,
        reply: Callable[[bool], None],
        open_payload: OpenPayload,
        parent: QWidget | None = None,
        *,
        effect: InstallEffect = InstallEffect.OPEN_INSTALLER,
    ) -> None:
        super().__init__(self.tr(W.READY_TITLE), parent)
        self._reply = _ReplyOnce(reply)
        release = verified.release
        label, what = W.INSTALL_WORDS[effect.value]
        self.heading = _heading(
            self.tr(W.READY_HEADING) % (product_name, release.version)
        )
        self.layout_.addWidget(self.heading)
        self.body = _body(
            self.tr(
                W.DOWNLOAD_MATCHES_SIGNED
            )
            % verified.asset.sha256[:16]
            + " "
            + self.tr(what).format(product=product_name, path=verified.path)
        )
        self.layout_.addWidget(self.body)
        self.later = self.buttons.addButton(
            self.tr(W.NOT_NOW_BUTTON) if label else self.tr(W.CLOSE_BUTTON),
            QDialogButtonBox.ButtonRole.RejectRole,
        )
        self.install = self.buttons.addButton(
            self.tr(label) or self.tr(W.INSTALL_BUTTON), QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.install.setVisible(bool(label))
        (self.install if label else self.later).setDefault(True)
        self.add_what_was_sent((), open_payload, latest=True)
        self.install.clicked.connect(lambda: self._answer(True))
        self.later.clicked.connect(lambda: self._answer(False))
        self.finish_layout()
        self.setMinimumWidth(420)

    def _answer(self, go: bool) -> None:
        self._reply(go)
        self.accept()

    def reject(self) -> None:
        self._answer(False)


class SendConfirmationDialog(FlowDialog):
    """"Ask before every check": the exact bytes, and nothing leaves until Send."""

    def __init__(
        self, request: OutboundRequest, reply: Callable[[bool], None], parent: QWidget | None = None
    ) -> None:
        super().__init__(self.tr(W.SEND_REQUEST), parent)
        self.waits_for_answer = True
        self._reply = _ReplyOnce(reply)
        self.layout_.addWidget(_heading(self.tr(W.THESE_EXACT_BYTES)))
        self.layout_.addWidget(
            _body(
                self.tr(W.NOTHING_SENT_YET_TO) % request.url
                + (self.tr(W.THROUGH_PROXY) % request.proxy.url if request.proxy else "")
            )
        )
        self.view = TransmissionsView(self)
        self.view.set_transmissions(request.transmissions)
        self.layout_.addWidget(self.view, 1)
        self.cancel_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.send = self.buttons.addButton(
            self.tr(W.SEND_BUTTON), QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.send.setAccessibleName(self.tr(W.SEND_REQUEST_NOW))
        self.send.setDefault(True)
        self.send.clicked.connect(lambda: self._answer(True))
        self.cancel_button.clicked.connect(lambda: self._answer(False))
        self.finish_layout()
        self.resize(620, 380)

    def _answer(self, send: bool) -> None:
        self._reply(send)
        self.accept()

    def reject(self) -> None:
        self._answer(False)


class InstallingDialog(FlowDialog):
    def __init__(self, verified: VerifiedFile, parent: QWidget | None = None) -> None:
        super().__init__(self.tr(W.INSTALLING_UPDATE), parent)
        self.layout_.addWidget(
            _body(self.tr(W.HANDING_OVER_INSTALLER) % verified.path.name)
        )
        bar = QProgressBar()
        bar.setRange(0, 0)
        bar.setAccessibleName(self.tr(W.INSTALLING))
        self.layout_.addWidget(bar)
        self.finish_layout()
        self.setMinimumWidth(360)
