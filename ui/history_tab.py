"""The payload panel's "History" tab: every exchange since, newest first, and its details.

A row per exchange (time, kind, URL, status, size, duration, outcome with a state icon),
the exact bytes of the selected one, Copy, Compare with previous, and the export buttons.
It shows the entries it is given; reading the ledger and writing exports are the panel's.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from glass_updater.ledger import LedgerEntry
from glass_updater.qt import words as W
from glass_updater.qt.history_export import EXPORTS, default_export_path, with_suffix
from glass_updater.qt.history_rows import (
    ROW_LOOK,
    diff_entries,
    entry_label,
    row_state,
    table_item,
    when_text,
)
from glass_updater.qt.text import human_bytes, human_ms
from glass_updater.qt.widgets import ByteView, TransmissionsView, row_table
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor, QGuiApplication
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)


class HistoryTab(QWidget):
    """The history table, the selected exchange's summary and bytes, and its buttons."""

    export_chosen = Signal(str, object)  # (format, Path): the user picked where to export

    def __init__(self, say: Callable[[str], None], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._say = say  # one line in the panel's status bar
        self.entries: tuple[LedgerEntry, ...] = ()  # newest first, as the rows
        self.pending_entry: str | None = None  # the exchange to select at the next fill
        layout = QVBoxLayout(self)
        split = QSplitter(Qt.Orientation.Vertical)
        fit = QHeaderView.ResizeMode.ResizeToContents
        self.history = row_table(
            [
                (self.tr(W.TIME), fit),
                (self.tr(W.KIND), fit),
                (self.tr(W.URL), QHeaderView.ResizeMode.Interactive),
                (self.tr(W.STATUS), fit),
                (self.tr(W.RECEIVED), fit),
                (self.tr(W.DURATION), fit),
                (self.tr(W.OUTCOME), QHeaderView.ResizeMode.Stretch),
            ],
            self.tr(W.HISTORY_REQUESTS_SENT),
        )
        self.history.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        hh = self.history.horizontalHeader()
        hh.resizeSection(2, 150)  # the host is at the start; the whole URL is the tooltip
        hh.setMinimumSectionSize(40)
        # The outcome starts with its verdict ("failed: …"), so it is cut at the end, never
        # in the middle; the whole text is the row's tooltip and in the details below.
        self.history.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.history.setWordWrap(False)
        self.history.itemSelectionChanged.connect(self._selection_changed)
        split.addWidget(self.history)
        detail = QWidget()
        dl = QVBoxLayout(detail)
        dl.setContentsMargins(0, 0, 0, 0)
        self.entry_summary = QLabel(self.tr(W.NO_REQUEST_HAS))
        self.entry_summary.setWordWrap(True)
        self.entry_summary.setTextFormat(Qt.TextFormat.PlainText)
        self.entry_summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        dl.addWidget(self.entry_summary)
        self.entry_bytes = TransmissionsView()
        self.entry_bytes.setAccessibleName(self.tr(W.EXACT_BYTES_SENT))
        dl.addWidget(self.entry_bytes, 1)
        split.addWidget(detail)
        split.setSizes([200, 300])
        layout.addWidget(split, 1)
        row = QHBoxLayout()
        self.copy_entry = QPushButton(self.tr(W.COPY_BUTTON))
        self.copy_entry.setAccessibleName(self.tr(W.COPY_SELECTED_EXCHANGE))
        self.copy_entry.clicked.connect(self._copy_entry)
        self.compare = QPushButton(self.tr(W.COMPARE_PREVIOUS))
        self.compare.setAccessibleName(self.tr(W.COMPARE_PREVIOUS_REQUEST))
        self.compare.clicked.connect(self.show_compare)
        row.addWidget(self.copy_entry)
        row.addWidget(self.compare)
        row.addStretch(1)
        self.export_buttons: dict[str, QPushButton] = {}
        labels = (
            ("har", W.EXPORT_HAR_BUTTON, W.EXPORT_HAR_NAME),
            ("http", W.EXPORT_HTTP_BUTTON, W.EXPORT_HTTP_NAME),
            ("json", W.EXPORT_JSON_BUTTON, W.EXPORT_JSON_NAME),
        )
        for fmt, label, name in labels:
            button = QPushButton(self.tr(label))
            button.setAccessibleName(self.tr(name))
            button.clicked.connect(lambda _=False, f=fmt: self._ask_export(f))
            row.addWidget(button)
            self.export_buttons[fmt] = button
        layout.addLayout(row)
        self._update_history_buttons()

    def show_entries(self, entries: tuple[LedgerEntry, ...]) -> None:
        """Fill the rows (newest first), keeping the selection or selecting the pending one."""
        wanted = self.pending_entry or self.selected_entry_id()
        self.entries = tuple(reversed(entries))  # newest first
        self.history.setRowCount(len(self.entries))
        for row, e in enumerate(self.entries):
            status = (
                f"{e.status} {e.reason}".strip() if e.status is not None
                else self.tr(W.NO_RESPONSE)
            )
            outcome = e.outcome or (e.error or "")
            values = [
                when_text(e.time),
                e.kind,
                e.url,
                status,
                human_bytes(e.bytes_received),
                human_ms(e.duration),
                outcome,
            ]
            state = row_state(e)
            pixmap, colour, word = ROW_LOOK[state]
            for col, value in enumerate(values):
                tip = value if col in (2, 6) else None
                if col == 0:
                    tip = entry_label(e)
                item = table_item(value, tip)
                if col == 6:
                    item.setIcon(self.style().standardIcon(pixmap))
                    item.setForeground(QBrush(QColor(colour)))
                    item.setData(Qt.ItemDataRole.AccessibleTextRole, f"{word}: {value}")
                    item.setData(Qt.ItemDataRole.UserRole, state.value)
                self.history.setItem(row, col, item)
        target = next((i for i, e in enumerate(self.entries) if e.id == wanted), 0)
        if self.entries:
            self.history.selectRow(target)
        self.pending_entry = None
        self._selection_changed()

    def selected_entry(self) -> LedgerEntry | None:
        rows = self.history.selectionModel().selectedRows()
        if not rows or rows[0].row() >= len(self.entries):
            return None
        return self.entries[rows[0].row()]

    def selected_entry_id(self) -> str | None:
        entry = self.selected_entry()
        return entry.id if entry else None

    def previous_of(self, entry: LedgerEntry) -> LedgerEntry | None:
        """The previous request of the same kind (a check with a check, never a download)."""
        index = self.entries.index(entry)
        return next((e for e in self.entries[index + 1 :] if e.kind == entry.kind), None)

    def _selection_changed(self) -> None:
        entry = self.selected_entry()
        if entry is None:
            self.entry_summary.setText(self.tr(W.NO_REQUEST_HAS))
            self.entry_bytes.set_transmissions(())
        else:
            self.entry_summary.setText(self.summary_text(entry))
            self.entry_bytes.set_transmissions(entry.sent)
        self._update_history_buttons()

    def summary_text(self, entry: LedgerEntry) -> str:
        """One exchange in words; with no answer, say so (no "from ?", no empty headers)."""
        via = self.tr(W.VIA_PROXY) % entry.proxy if entry.proxy else ""
        outcome = entry.outcome or entry.error or ""
        if entry.status is None and not entry.bytes_received:
            return self.tr(W.EXCHANGE_NO_ANSWER) % (
                entry.method,
                entry.url,
                via,
                human_ms(entry.duration),
                outcome,
            )
        status = (
            f"{entry.status} {entry.reason}".strip()
            if entry.status is not None
            else self.tr(W.NO_RESPONSE)
        )
        sender = self.tr(W.FROM_HOST) % entry.remote if entry.remote else ""
        headers = "; ".join(f"{k}: {v}" for k, v in entry.response_headers[:12])
        return self.tr(W.EXCHANGE_SUMMARY) % (
            entry.method,
            entry.url,
            via,
            status,
            human_bytes(entry.bytes_received),
            human_ms(entry.duration),
            sender,
            outcome,
            headers or "-",
        )

    def _update_history_buttons(self) -> None:
        entry = self.selected_entry()
        self.copy_entry.setEnabled(entry is not None)
        self.compare.setEnabled(entry is not None and self.previous_of(entry) is not None)
        for button in self.export_buttons.values():
            button.setEnabled(bool(self.entries))

    def compare_text(self) -> str:
        entry = self.selected_entry()
        previous = self.previous_of(entry) if entry else None
        if entry is None or previous is None:
            return ""
        return diff_entries(previous, entry)

    def show_compare(self) -> QDialog | None:
        text = self.compare_text()
        if not text:
            return None
        entry = self.selected_entry()
        previous = self.previous_of(entry) if entry else None
        assert entry is not None and previous is not None
        dialog = QDialog(self.window())
        dialog.setWindowTitle(
            self.tr(W.COMPARE_TITLE) % (entry_label(entry), entry_label(previous))
        )
        view = ByteView(self.tr(W.DIFFERENCES_BETWEEN_TWO), dialog)
        view.setPlainText(text)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, dialog)
        buttons.rejected.connect(dialog.close)
        layout = QVBoxLayout(dialog)
        layout.addWidget(view)
        layout.addWidget(buttons)
        dialog.resize(640, 400)
        dialog.show()
        self.compare_dialog = dialog
        return dialog

    def _copy_entry(self) -> None:
        entry = self.selected_entry()
        if entry is not None:
            data = b"".join(t.data for t in entry.sent)
            QGuiApplication.clipboard().setText(data.decode("latin-1"))
            self._say(self.tr(W.COPIED_BYTES_CLIPBOARD) % (entry_label(entry), len(data)))

    def _ask_export(self, fmt: str) -> None:
        label, _suffix = EXPORTS[fmt]
        path, _ = QFileDialog.getSaveFileName(
            self.window(), self.tr(W.EXPORT_HISTORY), str(default_export_path(fmt)),
            self.tr(label),
        )
        if path:
            self.export_chosen.emit(fmt, with_suffix(Path(path), fmt))
