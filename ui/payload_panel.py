"""What Is Sent…: the exact next request before any check, and every exchange since.

Nothing here opens a connection: the preview is the request builder's output, the history
is the local ledger. Disk reads and writes go through the background runner.
"""

from __future__ import annotations

import difflib
import enum
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Protocol

from glass_updater.admin_policy import AdminPolicy
from glass_updater.allowlist import Allowlist
from glass_updater.errors import UpdaterError
from glass_updater.ledger import Ledger, LedgerEntry
from glass_updater.model import Asset
from glass_updater.qt import words as W
from glass_updater.qt.access import announce
from glass_updater.qt.text import human_bytes, human_ms, visible_text
from glass_updater.qt.widgets import ByteView, TransmissionsView
from glass_updater.qt.windows import bring_to_front
from glass_updater.settings import SettingsStore
from glass_updater.wire_types import OutboundRequest
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor, QGuiApplication, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QStyle,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

Job = Callable[[], None]


class PanelSource(Protocol):
    """What the panel reads: the Updater façade satisfies it."""

    allowlist: Allowlist
    ledger: Ledger
    settings: SettingsStore

    def preview(self) -> OutboundRequest: ...

    def preview_download(self, asset: Asset) -> OutboundRequest: ...


@dataclass(frozen=True)
class PanelData:
    preview: OutboundRequest | None
    preview_error: str | None
    entries: tuple[LedgerEntry, ...]
    ask_before_check: bool
    allowlist_sha256: str
    admin_policy: str = ""  # the administrator's policy: path, SHA-256, what it changed
    policy_forces_ask: bool = False
    download_preview: OutboundRequest | None = None  # the offered update's download request
    download_version: str = ""


EXPORTS = {
    "har": (W.EXPORT_HAR, ".har"),
    "http": (W.EXPORT_HTTP, ".http"),
    "json": (W.EXPORT_JSON, ".json"),
}


def export_bytes(fmt: str, entries: Sequence[LedgerEntry]) -> bytes:
    """The same documents as ``updater log --format har|http|json``."""
    from glass_updater.export import log_document

    return log_document(fmt, entries)


def with_suffix(path: Path, fmt: str) -> Path:
    """The chosen file name, with the format's extension added when it has none."""
    suffix = EXPORTS[fmt][1]
    return path if path.suffix.lower() == suffix else path.with_name(path.name + suffix)


def default_export_path(fmt: str, home: Path | None = None) -> Path:
    """In the home folder (not wherever the process was started), with the extension."""
    return (home or Path.home()) / f"glass-updater-history{EXPORTS[fmt][1]}"


class RowState(enum.Enum):
    """How an exchange ended, for the status icon and colour of its history row."""

    OK = "ok"
    REDIRECTED = "redirected"
    CANCELLED = "cancelled"
    FAILED = "failed"


def row_state(entry: LedgerEntry) -> RowState:
    if entry.outcome.startswith("cancelled"):
        return RowState.CANCELLED
    if entry.outcome.startswith(("refused", "failed")) or entry.error:
        return RowState.FAILED
    if entry.status is not None and 300 <= entry.status < 400:
        return RowState.REDIRECTED
    if entry.status is not None and entry.status >= 400:
        return RowState.FAILED
    if entry.outcome.startswith(("server ignored", "resume not possible", "answered")):
        return RowState.REDIRECTED
    return RowState.OK if entry.status is not None else RowState.FAILED


ROW_LOOK = {  # icon, colour (readable on light and dark backgrounds), word for screen readers
    RowState.OK: (QStyle.StandardPixmap.SP_DialogApplyButton, "#2e7d32", W.ROW_SUCCEEDED),
    RowState.REDIRECTED: (QStyle.StandardPixmap.SP_ArrowForward, "#8d6e00", W.ROW_WENT_ON),
    RowState.CANCELLED: (QStyle.StandardPixmap.SP_DialogCancelButton, "#6d6d6d", W.ROW_CANCELLED),
    RowState.FAILED: (QStyle.StandardPixmap.SP_MessageBoxCritical, "#c62828", W.ROW_FAILED),
}


def when_text(seconds: float, now: float | None = None) -> str:
    """Time of an exchange: the time alone today, the date too otherwise."""
    moment = datetime.fromtimestamp(seconds)
    today = datetime.fromtimestamp(now if now is not None else time.time()).date()
    return moment.strftime("%H:%M:%S" if moment.date() == today else "%Y-%m-%d %H:%M:%S")


def request_text(entry: LedgerEntry) -> str:
    return "".join(f"[{t.channel.label}]\n{visible_text(t.data)}\n" for t in entry.sent)


def entry_label(entry: LedgerEntry) -> str:
    """A request as a person names it: its kind and when it was sent."""
    stamp = datetime.fromtimestamp(entry.time).strftime("%Y-%m-%d %H:%M:%S")
    return W.ENTRY_LABEL.format(kind=entry.kind, stamp=stamp)


def diff_entries(previous: LedgerEntry, current: LedgerEntry) -> str:
    lines = difflib.unified_diff(
        request_text(previous).splitlines(keepends=True),
        request_text(current).splitlines(keepends=True),
        fromfile=entry_label(previous),
        tofile=entry_label(current),
    )
    text = "".join(lines)
    return text or W.IDENTICAL_REQUESTS.format(
        previous=entry_label(previous), current=entry_label(current)
    )


def _policy_fields(source: object) -> tuple[str, bool]:
    """The administrator's policy as the panel shows it (sources without one show none)."""
    policy = getattr(source, "policy", None)
    if not isinstance(policy, AdminPolicy):
        return "", False
    return policy.summary(), policy.ask_before_every_check


def _item(text: str, tooltip: str | None = None) -> QTableWidgetItem:
    item = QTableWidgetItem(text)
    item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
    if tooltip:
        item.setToolTip(tooltip)
    return item


class PayloadPanel(QWidget):
    loaded = Signal(object)  # PanelData, emitted from the worker, delivered on the GUI thread
    exported = Signal(str, str)  # (path, error or "")
    settings_saved = Signal(bool)
    _history_cleared = Signal()

    def __init__(
        self,
        source: Callable[[], PanelSource],
        runner: Callable[[Job], None],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self._source = source
        self._runner = runner
        self.data: PanelData | None = None
        self.entries: tuple[LedgerEntry, ...] = ()
        self._pending_entry: str | None = None
        self.setWindowTitle(self.tr(W.WHAT_IS_SENT_TITLE))
        self.resize(860, 620)

        self.tabs = QTabWidget(self)
        self.tabs.setAccessibleName(self.tr(W.NEXT_REQUEST_HISTORY))
        self.tabs.addTab(self._build_preview_tab(), self.tr(W.NEXT_REQUEST))
        self.tabs.addTab(self._build_history_tab(), self.tr(W.HISTORY))
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs, 1)
        bottom = QHBoxLayout()
        self.status = QLabel()  # what the last Copy or Export did; never the details pane
        self.status.setObjectName("panelStatus")
        self.status.setTextFormat(Qt.TextFormat.PlainText)
        self.status.setAccessibleName(self.tr(W.STATUS))
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        bottom.addWidget(self.status, 1)
        bottom.addWidget(close)
        layout.addLayout(bottom)
        self.offered: Asset | None = None
        self.offered_version = ""
        QShortcut(QKeySequence.StandardKey.Close, self, self.close)
        QShortcut(QKeySequence(Qt.Key.Key_Escape), self, self.close)
        self.loaded.connect(self._on_loaded)
        self.exported.connect(self._on_exported)

    # ------------------------------------------------------------------ building

    def _build_preview_tab(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
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
        self.fields = QTableWidget(0, 4)
        self.fields.setHorizontalHeaderLabels(
            [self.tr(W.FIELD), self.tr(W.WHERE), self.tr(W.VALUE), self.tr(W.PURPOSE)]
        )
        self.fields.setAccessibleName(self.tr(W.FIELDS_NEXT_REQUEST))
        self.fields.verticalHeader().setVisible(False)
        self.fields.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.fields.setTabKeyNavigation(False)
        header = self.fields.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
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
        self.ask.toggled.connect(self._ask_toggled)
        row.addWidget(self.ask, 1)
        self.copy_preview = QPushButton(self.tr(W.COPY_BUTTON))
        self.copy_preview.setAccessibleName(self.tr(W.COPY_NEXT_REQUEST))
        self.copy_preview.clicked.connect(self._copy_preview)
        row.addWidget(self.copy_preview)
        layout.addLayout(row)
        return page

    def _build_history_tab(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        split = QSplitter(Qt.Orientation.Vertical)
        self.history = QTableWidget(0, 7)
        self.history.setHorizontalHeaderLabels(
            [
                self.tr(W.TIME),
                self.tr(W.KIND),
                self.tr(W.URL),
                self.tr(W.STATUS),
                self.tr(W.RECEIVED),
                self.tr(W.DURATION),
                self.tr(W.OUTCOME),
            ]
        )
        self.history.setAccessibleName(self.tr(W.HISTORY_REQUESTS_SENT))
        self.history.verticalHeader().setVisible(False)
        self.history.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.history.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.history.setTabKeyNavigation(False)
        hh = self.history.horizontalHeader()
        for col in (0, 1, 3, 4, 5):
            hh.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        hh.setSectionResizeMode(2, QHeaderView.ResizeMode.Interactive)
        hh.resizeSection(2, 150)  # the host is at the start; the whole URL is the tooltip
        hh.setSectionResizeMode(6, QHeaderView.ResizeMode.Stretch)
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
        labels = (("har", "Export HAR…"), ("http", "Export .http…"), ("json", "Export JSON…"))
        for fmt, label in labels:
            button = QPushButton(self.tr(label))
            button.setAccessibleName(self.tr(label.rstrip("…")))
            button.clicked.connect(lambda _=False, f=fmt: self._ask_export(f))
            row.addWidget(button)
            self.export_buttons[fmt] = button
        layout.addLayout(row)
        self._update_history_buttons()
        return page

    # ------------------------------------------------------------------ loading

    def refresh(self) -> None:
        """Re-read the preview, the ledger and the settings, off the GUI thread."""
        offered, version = self.offered, self.offered_version

        def load() -> None:
            try:
                source = self._source()
            except UpdaterError as exc:  # e.g. an invalid packager config: nothing to show
                self.loaded.emit(PanelData(None, str(exc), (), False, "?"))
                return
            preview: OutboundRequest | None = None
            error: str | None = None
            try:
                preview = source.preview()
            except UpdaterError as exc:
                error = str(exc)
            download: OutboundRequest | None = None
            if offered is not None:
                try:
                    download = source.preview_download(offered)
                except UpdaterError:
                    download = None
            self.loaded.emit(
                PanelData(
                    preview=preview,
                    preview_error=error,
                    entries=tuple(source.ledger.entries()),
                    ask_before_check=source.settings.load().ask_before_check,
                    allowlist_sha256=source.allowlist.sha256,
                    admin_policy=_policy_fields(source)[0],
                    policy_forces_ask=_policy_fields(source)[1],
                    download_preview=download,
                    download_version=version,
                )
            )

        self._runner(load)

    def open_at(self, entry_id: str | None = None) -> None:
        """Show the panel; with an entry id, at that exchange in the history.

        An id not in the history (such as ``ui.dialogs.LATEST``) selects the newest.
        """
        self._pending_entry = entry_id
        if entry_id is not None:
            self.tabs.setCurrentIndex(1)
        bring_to_front(self)
        self.refresh()

    def _on_loaded(self, data: PanelData) -> None:
        self.data = data
        self._show_preview(data)
        self._show_history(data.entries)
        self.ask.blockSignals(True)
        self.ask.setChecked(data.ask_before_check or data.policy_forces_ask)
        self.ask.blockSignals(False)
        self.ask.setEnabled(not data.policy_forces_ask)  # the administrator decided
        text = self.tr(W.ALLOWLIST_SHA) % data.allowlist_sha256
        if data.admin_policy:
            text += "\n" + self.tr(W.ADMINISTRATOR) % data.admin_policy
        self.allowlist_label.setText(text)

    def set_offered(self, asset: Asset | None, version: str = "") -> None:
        """The update the last check offered: its download can then be previewed too."""
        self.offered, self.offered_version = asset, version

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
                self.tr(
                    W.PREVIEW_DOWNLOAD_NOTE
                ),
                data.download_version,
            )
            return
        if data.preview is None:
            self.fields.setRowCount(0)
            self.preview_intro.setText(
                self.tr(W.CHECK_WOULD_SEND) % (data.preview_error or "")
            )
            self.preview_bytes.set_transmissions(())
            return
        self._show_request(
            data.preview,
            self.tr(
                W.PREVIEW_CHECK_NOTE
            ),
        )

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
            self.fields.setItem(row, 0, _item(f.name))
            self.fields.setItem(row, 1, _item(where))
            self.fields.setItem(row, 2, _item(value))
            self.fields.setItem(row, 3, _item(f.purpose, f.purpose))
        self.fields.resizeRowsToContents()

    def _show_history(self, entries: tuple[LedgerEntry, ...]) -> None:
        wanted = self._pending_entry or self.selected_entry_id()
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
                item = _item(value, tip)
                if col == 6:
                    item.setIcon(self.style().standardIcon(pixmap))
                    item.setForeground(QBrush(QColor(colour)))
                    item.setData(Qt.ItemDataRole.AccessibleTextRole, f"{word}: {value}")
                    item.setData(Qt.ItemDataRole.UserRole, state.value)
                self.history.setItem(row, col, item)
        target = next((i for i, e in enumerate(self.entries) if e.id == wanted), 0)
        if self.entries:
            self.history.selectRow(target)
        self._pending_entry = None
        self._selection_changed()

    # ------------------------------------------------------------------ history

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
        return self.tr(
            W.EXCHANGE_SUMMARY
        ) % (
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
        dialog = QDialog(self)
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
            self.say(
                self.tr(W.COPIED_BYTES_CLIPBOARD)
                % (entry_label(entry), len(data))
            )

    def _copy_preview(self) -> None:
        request = self.shown_preview()
        if request is not None:
            data = b"".join(t.data for t in request.transmissions)
            QGuiApplication.clipboard().setText(data.decode("latin-1"))
            self.say(self.tr(W.COPIED_REQUEST_BYTES) % len(data))

    def say(self, text: str) -> None:
        """One line in the status bar of the panel (announced to screen readers too)."""
        self.status.setText(text)
        announce(self.status, text)

    # ------------------------------------------------------------------ settings, export

    def _ask_toggled(self, on: bool) -> None:
        def save() -> None:
            store = self._source().settings
            store.save(replace(store.load(), ask_before_check=on))
            self.settings_saved.emit(on)

        self._runner(save)

    def _ask_export(self, fmt: str) -> None:
        label, _suffix = EXPORTS[fmt]
        path, _ = QFileDialog.getSaveFileName(
            self, self.tr(W.EXPORT_HISTORY), str(default_export_path(fmt)), self.tr(label)
        )
        if path:
            self.export_to(fmt, with_suffix(Path(path), fmt))

    def export_to(self, fmt: str, path: Path) -> None:
        """Write the whole history in ``fmt`` (har, http, json), off the GUI thread."""
        entries = tuple(reversed(self.entries))  # oldest first, as in the ledger

        def write() -> None:
            from glass_updater.atomic import atomic_write_bytes

            try:
                atomic_write_bytes(path, export_bytes(fmt, entries))
            except OSError as exc:
                self.exported.emit(str(path), f"{exc.strerror or exc}")
                return
            self.exported.emit(str(path), "")

        self._runner(write)

    def _on_exported(self, path: str, error: str) -> None:
        if error:
            self.say(self.tr(W.COULD_NOT_EXPORT) % (path, error))
        else:
            count = len(self.entries)
            words = self.tr(W.ONE_EXCHANGE) if count == 1 else self.tr(W.EXCHANGES) % count
            self.say(self.tr(W.EXPORTED) % (words, path))
