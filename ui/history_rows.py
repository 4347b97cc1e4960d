"""How one ledger entry reads in the payload panel's history: its state, time and label.

Also the request text of an exchange and the difference between two of them (Compare
with previous). Pure formatting of recorded entries: nothing here reads or writes disk.
"""

from __future__ import annotations

import difflib
import enum
import time
from datetime import datetime

from glass_updater.ledger import LedgerEntry
from glass_updater.qt import words as W
from glass_updater.qt.text import visible_text
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QStyle, QTableWidgetItem


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


def table_item(text: str, tooltip: str | None = None) -> QTableWidgetItem:
    """A read-only cell of the panel's tables (fields and history)."""
    item = QTableWidgetItem(text)
    item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
    if tooltip:
        item.setToolTip(tooltip)
    return item
