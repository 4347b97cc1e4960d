"""The payload panel's "Next request" tab: the exact bytes of the next check, or of the
offered update's download, before any of them is sent, field by field with its purpose.

It shows a ``PanelData`` it is given; reading and saving are the panel's.
"""

from __future__ import annotations

from collections.abc import Callable

from glass_updater.qt import words as W
from glass_updater.qt.history_rows import table_item
from glass_updater.qt.panel_data import PanelData
from glass_updater.qt.widgets import TransmissionsView, row_table
from glass_updater.wire_types import OutboundRequest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)


class PreviewTab(QWidget):
    """The next request (check or download): intro, bytes, fields, allowlist, Ask, Copy."""

    def __init__(self, say: Callable[[str], None], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._say = say  # one line in the panel's status bar
        self.data: PanelData | None = None
        layout = QVBoxLayout(self)
        which = QHBoxLayout()
        self.which_label = QLabel(self.tr(W.REQUEST))
        self.which = QComboBox()
        self.which.setAccessibleName(self.tr(W.WHICH_REQUEST_PREVIEW))
        self.which.addItem(self.tr(W.NEXT_CHECK), "check")
        self.which_label.setBuddy(self.which)
        self.which.currentIndexChanged.connect(lambda _i: self._redraw_preview())
        which.addWidget(self.which_label)
        which.addWidget(self.which)
        which.addStretch(1)
        layout.addLayout(which)
        self.preview_intro = QLabel(self.tr(W.READING_ALLOWLIST))
        self.preview_intro.setWordWrap(True)
        self.preview_intro.setTextFormat(Qt.TextFormat.PlainText)
        layout.addWidget(self.preview_intro)
        split = QSplitter(Qt.Orientation.Vertical)
        self.preview_bytes = TransmissionsView()
        self.preview_bytes.setAccessibleName(self.tr(W.EXACT_BYTES_NEXT))
        split.addWidget(self.preview_bytes)
        fit, stretch = QHeaderView.ResizeMode.ResizeToContents, QHeaderView.ResizeMode.Stretch
        self.fields = row_table(
            [
                (self.tr(W.FIELD), fit),
                (self.tr(W.WHERE), fit),
                (self.tr(W.VALUE), fit),
                (self.tr(W.PURPOSE), stretch),
            ],
            self.tr(W.FIELDS_NEXT_REQUEST),
        )
        self.fields.setWordWrap(True)
        split.addWidget(self.fields)
        split.setSizes([190, 270])
        layout.addWidget(split, 1)
        self.allowlist_label = QLabel()
        self.allowlist_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.allowlist_label.setWordWrap(True)
        layout.addWidget(self.allowlist_label)
        row = QHBoxLayout()
        self.ask = QCheckBox(self.tr(W.ASK_BEFORE_EVERY_CHECK_SHOW))
        self.ask.setAccessibleName(self.tr(W.ASK_BEFORE_EVERY_CHECK))
        self.ask.setEnabled(False)
        row.addWidget(self.ask, 1)
        self.copy_preview = QPushButton(self.tr(W.COPY_BUTTON))
        self.copy_preview.setAccessibleName(self.tr(W.COPY_NEXT_REQUEST))
        self.copy_preview.clicked.connect(self._copy_preview)
        row.addWidget(self.copy_preview)
        layout.addLayout(row)

    def show_data(self, data: PanelData) -> None:
        """Show a fresh snapshot: the chosen request, the Ask setting, the allowlist."""
        self.data = data
        self._show_preview(data)
        self.ask.blockSignals(True)
        self.ask.setChecked(data.ask_before_check or data.policy_forces_ask)
        self.ask.blockSignals(False)
        self.ask.setEnabled(not data.policy_forces_ask)  # the administrator decided
        text = self.tr(W.ALLOWLIST_SHA) % data.allowlist_sha256
        if data.admin_policy:
            text += "\n" + self.tr(W.ADMINISTRATOR) % data.admin_policy
        self.allowlist_label.setText(text)

    def shown_preview(self) -> OutboundRequest | None:
        data = self.data
        if data is None:
            return None
        if self.which.currentData() == "download":
            return data.download_preview
        return data.preview

    def _redraw_preview(self) -> None:
        if self.data is not None:
            self._show_preview(self.data)

    def _fill_which(self, data: PanelData) -> None:
        """Offer "the download of X" once a check found an update; keep the choice."""
        has = data.download_preview is not None
        index = self.which.findData("download")
        label = self.tr(W.DOWNLOAD_OF) % data.download_version
        self.which.blockSignals(True)
        if has and index < 0:
            self.which.addItem(label, "download")
        elif has:
            self.which.setItemText(index, label)
        elif index >= 0:
            self.which.removeItem(index)
        self.which.blockSignals(False)
        self.which.setEnabled(self.which.count() > 1)

    def _show_preview(self, data: PanelData) -> None:
        self._fill_which(data)
        if self.which.currentData() == "download" and data.download_preview is not None:
            self._show_request(
                data.download_preview,
                self.tr(W.PREVIEW_DOWNLOAD_NOTE),
                data.download_version,
            )
            return
        if data.preview is None:
            self.fields.setRowCount(0)
            self.preview_intro.setText(self.tr(W.CHECK_WOULD_SEND) % (data.preview_error or ""))
            self.preview_bytes.set_transmissions(())
            return
        self._show_request(data.preview, self.tr(W.PREVIEW_CHECK_NOTE))

    def _show_request(self, request: OutboundRequest, intro: str, version: str = "") -> None:
        proxy = self.tr(W.THROUGH_PROXY) % request.proxy.url if request.proxy else ""
        args = (version, request.url, proxy) if version else (request.url, proxy)
        self.preview_intro.setText(intro % args)
        self.preview_bytes.set_transmissions(request.transmissions)
        self.fields.setRowCount(len(request.fields))
        for row, f in enumerate(request.fields):
            where = f.where.value + (f" {f.key}" if f.key else "")
            value = f.value
            if f.name in ("proxy_authorization", "socks_username", "socks_password"):
                value = self.tr(W.YOUR_PROXY_CREDENTIALS)
            self.fields.setItem(row, 0, table_item(f.name))
            self.fields.setItem(row, 1, table_item(where))
            self.fields.setItem(row, 2, table_item(value))
            self.fields.setItem(row, 3, table_item(f.purpose, f.purpose))
        self.fields.resizeRowsToContents()

    def _copy_preview(self) -> None:
        request = self.shown_preview()
        if request is not None:
            data = b"".join(t.data for t in request.transmissions)
            QGuiApplication.clipboard().setText(data.decode("latin-1"))
            self._say(self.tr(W.COPIED_REQUEST_BYTES) % len(data))
