"""The base of every dialog of one update flow, and what they share.

``FlowDialog`` gives the title, the button row, the "What Was Sent…" button (it asks the
payload panel to open at the ledger entry of the request that produced the result) and
the Details disclosure; ``heading_label``/``body_label`` are their texts' two styles;
``ReplyOnce`` answers the core at most once, however a dialog ends.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Generic, TypeVar

from glass_updater.ledger import LedgerEntry
from glass_updater.qt import words as W
from glass_updater.qt.windows import bring_to_front, make_room_beside, place_beside
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

OpenPayload = Callable[[str | None], object]  # may return the panel's window
LATEST = "latest"  # an entry id meaning "the newest exchange in the history"
T = TypeVar("T")


def heading_label(text: str) -> QLabel:
    label = QLabel(text)
    font = label.font()
    font.setPointSizeF(font.pointSizeF() * 1.25)
    font.setBold(True)
    label.setFont(font)
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.PlainText)
    return label


def body_label(text: str) -> QLabel:
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


class ReplyOnce(Generic[T]):
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
