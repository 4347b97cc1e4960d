"""The dialogs of one update flow that show a result or ask a question: a message (up to
date, an error), an update offer, ready to install, and "send this request?".

They only show things and report the user's choice; each that shows a result has a
"What Was Sent…" button (``flow_dialog.FlowDialog``). The dialogs that show the flow at
work (checking, downloading, installing) are in ``progress_dialogs``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from glass_updater.driver import UpdateChoice
from glass_updater.ledger import LedgerEntry
from glass_updater.model import CheckResult, InstallEffect, Release, VerifiedFile
from glass_updater.qt import words as W
from glass_updater.qt.flow_dialog import (
    FlowDialog,
    OpenPayload,
    ReplyOnce,
    body_label,
    heading_label,
)
from glass_updater.qt.inert import InertTextBrowser
from glass_updater.qt.text import human_bytes, strip_controls
from glass_updater.qt.widgets import TransmissionsView
from glass_updater.wire_types import OutboundRequest
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QStyle,
    QVBoxLayout,
    QWidget,
)


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
        self.heading = heading_label(heading)
        self.body = body_label(body)
        self.body.setVisible(bool(body))
        texts.addWidget(self.heading)
        texts.addWidget(self.body)
        self.advice = body_label(advice)
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
        self._reply = ReplyOnce(reply)
        self._unskip = unskip
        self.check_result = result
        # The preflight ran with the check (pure, no network): an asset this copy cannot
        # install is said here, in the end user's words, and no download is offered.
        self.installable = not result.install_problem
        self.heading = heading_label(
            (self.tr(W.GO_BACK_NEWEST) if result.goes_back
             else self.tr(W.UPDATE_AVAILABLE_HEADING))
            % (product_name, strip_controls(release.version))
            + ("" if self.installable else self.tr(W.BUT_COPY_CANNOT))
        )
        self.layout_.addWidget(self.heading)
        self.cannot_install = body_label(self.tr(
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
        self.subtitle = body_label(sub)
        self.layout_.addWidget(self.subtitle)
        self.skipped_note = body_label(
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
        self.withdrawn = body_label("")
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
        self.layout_.addWidget(body_label(
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
        self.shortened = body_label(
            self.tr(W.NOTES_SHORTENED)
        )
        self.shortened.setVisible(self.notes.shortened)
        self.layout_.addWidget(self.shortened)
        self.download_note = body_label(download_sentence(result, proxy))
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
        self._reply = ReplyOnce(reply)
        release = verified.release
        label, what = W.INSTALL_WORDS[effect.value]
        self.heading = heading_label(
            self.tr(W.READY_HEADING) % (product_name, release.version)
        )
        self.layout_.addWidget(self.heading)
        self.body = body_label(
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
        self._reply = ReplyOnce(reply)
        self.layout_.addWidget(heading_label(self.tr(W.THESE_EXACT_BYTES)))
        self.layout_.addWidget(
            body_label(
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
