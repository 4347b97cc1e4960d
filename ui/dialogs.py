"""The dialogs of one update flow. They only show things and report the user's choice.

Each dialog that shows a result has a "What Was Sent…" button: it asks the payload panel
to open at the ledger entry of the request that produced the result.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from glass_updater.driver import UpdateChoice
from glass_updater.ledger import LedgerEntry
from glass_updater.model import CheckResult, Progress, Release, VerifiedFile
from glass_updater.qt.inert import InertTextBrowser
from glass_updater.qt.text import human_bytes, human_duration, strip_controls
from glass_updater.qt.widgets import TransmissionsView
from glass_updater.request import OutboundRequest
from glass_updater.transport.base import CancelToken
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QStyle,
    QVBoxLayout,
    QWidget,
)

OpenPayload = Callable[[str | None], None]
LATEST = "latest"  # an entry id meaning "the newest exchange in the history"


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
        button = QPushButton(self.tr("What Was Sent…"))
        button.setAccessibleName(self.tr("Show exactly what was sent"))
        button.setAutoDefault(False)
        button.clicked.connect(lambda: open_payload(entry_id))
        self.what_was_sent = button
        self.entry_id = entry_id

    def finish_layout(self) -> None:
        row = QHBoxLayout()
        if self.what_was_sent is not None:
            row.addWidget(self.what_was_sent)  # on the left, apart from the choices
        row.addStretch(1)
        row.addWidget(self.buttons)
        self.layout_.addLayout(row)


class MessageDialog(FlowDialog):
    """A result: up to date, stale information, or an error with what to do."""

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
        texts.addWidget(self.heading)
        texts.addWidget(self.body)
        self.advice = _body(advice)
        self.advice.setVisible(bool(advice))
        texts.addWidget(self.advice)
        texts.addStretch(1)
        row.addLayout(texts, 1)
        self.layout_.addLayout(row)
        if open_payload is not None:
            self.add_what_was_sent(entries, open_payload)
        ok = self.buttons.addButton(QDialogButtonBox.StandardButton.Close)
        ok.setDefault(True)
        ok.clicked.connect(self.accept)
        self.finish_layout()
        self.setMinimumWidth(440)
        self.resize(self.minimumWidth(), self.heightForWidth(self.minimumWidth()))


class CheckingDialog(FlowDialog):
    def __init__(self, cancel: CancelToken, parent: QWidget | None = None) -> None:
        super().__init__(self.tr("Checking for Updates"), parent)
        self._cancel = cancel
        self.label = _body(self.tr("Checking for updates…"))
        self.bar = QProgressBar()
        self.bar.setRange(0, 0)
        self.bar.setAccessibleName(self.tr("Checking for updates"))
        self.layout_.addWidget(self.label)
        self.layout_.addWidget(self.bar)
        self.cancel_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.cancel_button.clicked.connect(self.cancel)
        self.finish_layout()
        self.setMinimumWidth(360)

    def cancel(self) -> None:
        self._cancel.cancel()
        self.label.setText(self.tr("Cancelling…"))
        self.cancel_button.setEnabled(False)

    def reject(self) -> None:  # Esc or the close box cancel the check
        self.cancel()


class DownloadDialog(FlowDialog):
    def __init__(self, cancel: CancelToken, parent: QWidget | None = None) -> None:
        super().__init__(self.tr("Downloading Update"), parent)
        self._cancel = cancel
        self.label = _body(self.tr("Starting download…"))
        self.bar = QProgressBar()
        self.bar.setAccessibleName(self.tr("Download progress"))
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
            self.tr("%s of %s") % (human_bytes(progress.done), human_bytes(progress.total)),
            self.tr("%s/s") % human_bytes(progress.rate),
        ]
        if progress.eta is not None:
            parts.append(self.tr("about %s left") % human_duration(progress.eta))
        self.label.setText(" — ".join(parts))

    def cancel(self) -> None:
        self._cancel.cancel()
        self.label.setText(self.tr("Cancelling…"))
        self.cancel_button.setEnabled(False)

    def reject(self) -> None:
        self.cancel()


class _ReplyOnce:
    """Calls the core's reply at most once, whichever way the dialog ends."""

    def __init__(self, reply: Callable[[object], None]) -> None:
        self._reply: Callable[[object], None] | None = reply

    def __call__(self, value: object) -> None:
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
    """An update is available: notes shown inert, Install / Skip / Remind Me Later."""

    chosen = Signal(object)

    def __init__(
        self,
        result: CheckResult,
        product_name: str,
        reply: Callable[[UpdateChoice], None],
        open_payload: OpenPayload,
        parent: QWidget | None = None,
    ) -> None:
        release = result.release
        assert release is not None
        super().__init__(self.tr("Software Update"), parent)
        self._reply = _ReplyOnce(reply)  # type: ignore[arg-type]
        self.heading = _heading(
            self.tr("%s %s is available") % (product_name, strip_controls(release.version))
        )
        self.layout_.addWidget(self.heading)
        published = release.published.strftime("%Y-%m-%d")
        sub = self.tr("You have version %s. Released %s.") % (result.current_version, published)
        if result.asset is not None:
            sub += " " + self.tr("Download size: %s.") % human_bytes(result.asset.size)
        self.subtitle = _body(sub)
        self.layout_.addWidget(self.subtitle)
        self.badge = QLabel(self.tr("Critical update: the publisher recommends installing it."))
        self.badge.setObjectName("criticalBadge")
        self.badge.setStyleSheet(
            "#criticalBadge { background: #b3261e; color: white; border-radius: 4px;"
            " padding: 3px 8px; font-weight: bold; }"
        )
        self.badge.setVisible(result.critical)  # any missed release critical counts
        self.badge.setAccessibleName(self.tr("Critical update"))
        self.layout_.addWidget(self.badge, 0, Qt.AlignmentFlag.AlignLeft)
        self.withdrawn = _body("")
        self.withdrawn.setObjectName("withdrawnNotice")
        if result.withdrawn is not None:
            self.withdrawn.setText(
                self.tr("Your version %s was withdrawn by the publisher: %s")
                % (strip_controls(result.withdrawn.version),
                   strip_controls(result.withdrawn.reason))
            )
        self.withdrawn.setVisible(result.withdrawn is not None)
        self.layout_.addWidget(self.withdrawn)
        missed = result.missed or (release,)
        self.layout_.addWidget(_body(
            self.tr("Release notes:") if len(missed) == 1
            else self.tr("Release notes of the %d releases since yours, newest first:")
            % len(missed)
        ))
        self.notes = InertTextBrowser(self)
        self.notes.setAccessibleName(self.tr("Release notes"))
        self.notes.setTabChangesFocus(True)
        self.notes.set_untrusted_markdown(_missed_notes(missed))
        self.layout_.addWidget(self.notes, 1)
        self.add_what_was_sent(result.entries, open_payload)
        self.skip = self.buttons.addButton(
            self.tr("Skip This Version"), QDialogButtonBox.ButtonRole.DestructiveRole
        )
        self.later = self.buttons.addButton(
            self.tr("Remind Me Later"), QDialogButtonBox.ButtonRole.RejectRole
        )
        self.install = self.buttons.addButton(
            self.tr("Install Update"), QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.skip.setAccessibleName(self.tr("Skip this version; remembered on this computer only"))
        self.later.setAccessibleName(self.tr("Remind me later"))
        self.install.setAccessibleName(self.tr("Download and install the update"))
        self.install.setDefault(True)
        self.skip.clicked.connect(lambda: self._choose(UpdateChoice.SKIP))
        self.later.clicked.connect(lambda: self._choose(UpdateChoice.REMIND_LATER))
        self.install.clicked.connect(lambda: self._choose(UpdateChoice.INSTALL))
        self.finish_layout()
        self.resize(560, 460)

    def _choose(self, choice: UpdateChoice) -> None:
        if not self._reply.done:
            self._reply(choice)
            self.chosen.emit(choice)
        self.accept()

    def reject(self) -> None:  # closing without a choice means "remind me later"
        self._choose(UpdateChoice.REMIND_LATER)


class ReadyDialog(FlowDialog):
    def __init__(
        self,
        verified: VerifiedFile,
        product_name: str,
        reply: Callable[[bool], None],
        open_payload: OpenPayload,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(self.tr("Ready to Install"), parent)
        self._reply = _ReplyOnce(reply)  # type: ignore[arg-type]
        release = verified.release
        self.layout_.addWidget(
            _heading(self.tr("%s %s is ready to install") % (product_name, release.version))
        )
        self.layout_.addWidget(
            _body(
                self.tr(
                    "The download matches the size and SHA-256 fingerprint the publisher "
                    "signed (%s…). Installing will close %s and start the installer."
                )
                % (verified.asset.sha256[:16], product_name)
            )
        )
        self.later = self.buttons.addButton(
            self.tr("Not Now"), QDialogButtonBox.ButtonRole.RejectRole
        )
        self.install = self.buttons.addButton(
            self.tr("Install and Restart"), QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.install.setDefault(True)
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
        super().__init__(self.tr("Send This Request?"), parent)
        self._reply = _ReplyOnce(reply)  # type: ignore[arg-type]
        self.layout_.addWidget(_heading(self.tr("These exact bytes will be sent")))
        self.layout_.addWidget(
            _body(
                self.tr("Nothing has been sent yet. To: %s") % request.url
                + (self.tr(", through the proxy %s") % request.proxy.url if request.proxy else "")
            )
        )
        self.view = TransmissionsView(self)
        self.view.set_transmissions(request.transmissions)
        self.layout_.addWidget(self.view, 1)
        self.cancel_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.send = self.buttons.addButton(self.tr("Send"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.send.setAccessibleName(self.tr("Send this request now"))
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
        super().__init__(self.tr("Installing Update"), parent)
        self.layout_.addWidget(
            _body(self.tr("Handing %s over to the installer…") % verified.path.name)
        )
        bar = QProgressBar()
        bar.setRange(0, 0)
        bar.setAccessibleName(self.tr("Installing"))
        self.layout_.addWidget(bar)
        self.finish_layout()
        self.setMinimumWidth(360)
