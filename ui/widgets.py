"""Small shared widgets: monospace byte views, button rows, the tabs' row tables."""

from __future__ import annotations

from collections.abc import Sequence

import glass_updater.socks as socks
from glass_updater.credentials import mask_credentials
from glass_updater.qt import words as W
from glass_updater.qt.text import hexdump, visible_text
from glass_updater.wire_types import Transmission
from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QHeaderView,
    QPlainTextEdit,
    QTableWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)


def mono_font() -> QFont:
    return QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)


def row_table(
    columns: Sequence[tuple[str, QHeaderView.ResizeMode]], accessible_name: str
) -> QTableWidget:
    """A table read row by row, alike in every tab: no row numbers, a click selects the
    whole row, Tab moves on to the next control instead of from cell to cell.

    ``columns`` are (translated heading, how the column is sized), left to right.
    """
    table = QTableWidget(0, len(columns))
    table.setHorizontalHeaderLabels([heading for heading, _mode in columns])
    table.setAccessibleName(accessible_name)
    table.verticalHeader().setVisible(False)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setTabKeyNavigation(False)
    header = table.horizontalHeader()
    for column, (_heading, mode) in enumerate(columns):
        header.setSectionResizeMode(column, mode)
    return table


class ByteView(QPlainTextEdit):
    """Read-only monospace text, for bytes shown as text or hex."""

    def __init__(self, accessible_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setReadOnly(True)
        self.setFont(mono_font())
        self.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.setAccessibleName(accessible_name)
        self.setTabChangesFocus(True)


class TransmissionView(QWidget):
    """One run of bytes (one channel), as escaped text and as a hex dump.

    Proxy credentials (the Proxy-Authorization value) are masked with ``*`` of the same
    length until "Show proxy credentials" is ticked; ``data`` always holds the exact bytes.
    """

    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.data = b""
        self.tabs = QTabWidget(self)
        self.text = ByteView(self.tr(W.AS_TEXT) % title)
        self.hex = ByteView(self.tr(W.AS_HEXADECIMAL) % title)
        self.tabs.addTab(self.text, self.tr(W.TEXT_TAB))
        self.tabs.addTab(self.hex, self.tr(W.HEX_TAB))
        self.reveal = QCheckBox(self.tr(W.SHOW_PROXY_CREDENTIALS))
        self.reveal.setAccessibleName(self.tr(W.SHOW_PROXY_CREDENTIALS_THESE))
        self.reveal.setVisible(False)
        self.reveal.toggled.connect(self._render)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.tabs)
        layout.addWidget(self.reveal)

    def set_bytes(self, data: bytes) -> None:
        self.data = data
        self.reveal.setChecked(False)
        self.reveal.setVisible(mask_credentials(data) != data)
        self._render()

    def _render(self) -> None:
        shown = self.data if self.reveal.isChecked() else mask_credentials(self.data)
        text = visible_text(shown)
        if socks.looks_like_socks(shown):  # binary: say what each message means, too
            text = f"{socks.describe(shown)}\n\n{text}"
        self.text.setPlainText(text)
        self.hex.setPlainText(hexdump(shown))


class TransmissionsView(QTabWidget):
    """Every run of bytes of one request, one tab per channel (to proxy, inside TLS)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName(self.tr(W.BYTES_SENT_PER))
        self.views: list[TransmissionView] = []

    def set_transmissions(self, transmissions: Sequence[Transmission]) -> None:
        self.clear()
        self.views = []
        for t in transmissions:
            view = TransmissionView(t.channel.label, self)
            view.set_bytes(t.data)
            self.views.append(view)
            self.addTab(view, f"{t.channel.label} ({len(t.data)} bytes)")
        if not transmissions:
            empty = TransmissionView(self.tr(W.NOTHING_LOWER), self)
            empty.text.setPlainText(self.tr(W.NOTHING_SENT))
            self.addTab(empty, self.tr(W.NOTHING_SENT_TITLE))

    def shown_bytes(self) -> tuple[bytes, ...]:
        return tuple(v.data for v in self.views)

