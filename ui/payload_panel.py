"""What Is Sent…: the exact next request before any check, and every exchange since.

Nothing here opens a connection: the preview is the request builder's output, the history
is the local ledger. Disk reads and writes go through the background runner. This module
is the window (tabs, status line, loading, saving, exporting); the tabs are
``preview_tab.PreviewTab`` and ``history_tab.HistoryTab``, what they show is
``panel_data.PanelData``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from glass_updater.model import Asset
from glass_updater.qt import words as W
from glass_updater.qt.access import announce
from glass_updater.qt.history_export import export_bytes
from glass_updater.qt.history_tab import HistoryTab
from glass_updater.qt.panel_data import PanelData, PanelSource, read_panel_data
from glass_updater.qt.preview_tab import PreviewTab
from glass_updater.qt.windows import bring_to_front
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

Job = Callable[[], None]


class PayloadPanel(QWidget):
    loaded = Signal(object)  # PanelData, emitted from the worker, delivered on the GUI thread
    exported = Signal(str, str)  # (path, error or "")
    settings_saved = Signal(bool)

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
        self.setWindowTitle(self.tr(W.WHAT_IS_SENT_TITLE))
        self.resize(860, 620)

        self.tabs = QTabWidget(self)
        self.tabs.setAccessibleName(self.tr(W.NEXT_REQUEST_HISTORY))
        self.preview_tab = PreviewTab(self.say)
        self.preview_tab.ask.toggled.connect(self._ask_toggled)
        self.history_tab = HistoryTab(self.say)
        self.history_tab.export_chosen.connect(self.export_to)
        self.tabs.addTab(self.preview_tab, self.tr(W.NEXT_REQUEST))
        self.tabs.addTab(self.history_tab, self.tr(W.HISTORY))
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

    def refresh(self) -> None:
        """Re-read the preview, the ledger and the settings, off the GUI thread."""
        source, offered, version = self._source, self.offered, self.offered_version
        self._runner(lambda: self.loaded.emit(read_panel_data(source, offered, version)))

    def open_at(self, entry_id: str | None = None) -> None:
        """Show the panel; with an entry id, at that exchange in the history.

        An id not in the history (such as ``ui.flow_dialog.LATEST``) selects the newest.
        """
        self.history_tab.pending_entry = entry_id
        if entry_id is not None:
            self.tabs.setCurrentIndex(1)
        bring_to_front(self)
        self.refresh()

    def _on_loaded(self, data: PanelData) -> None:
        self.data = data
        self.preview_tab.show_data(data)
        self.history_tab.show_entries(data.entries)

    def set_offered(self, asset: Asset | None, version: str = "") -> None:
        """The update the last check offered: its download can then be previewed too."""
        self.offered, self.offered_version = asset, version

    def say(self, text: str) -> None:
        """One line in the status bar of the panel (announced to screen readers too)."""
        self.status.setText(text)
        announce(self.status, text)

    def _ask_toggled(self, on: bool) -> None:
        def save() -> None:
            store = self._source().settings
            store.save(replace(store.load(), ask_before_check=on))
            self.settings_saved.emit(on)

        self._runner(save)

    def export_to(self, fmt: str, path: Path) -> None:
        """Write the whole history in ``fmt`` (har, http, json), off the GUI thread."""
        entries = tuple(reversed(self.history_tab.entries))  # oldest first, as in the ledger

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
            count = len(self.history_tab.entries)
            words = self.tr(W.ONE_EXCHANGE) if count == 1 else self.tr(W.EXCHANGES) % count
            self.say(self.tr(W.EXPORTED) % (words, path))
