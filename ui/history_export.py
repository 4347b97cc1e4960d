"""Export of the payload panel's history: formats, file names and the document bytes.

The documents are the CLI's (``updater log --format har|http|json``), so a file saved from
the panel and one written by the CLI read the same.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from glass_updater.ledger import LedgerEntry
from glass_updater.qt import words as W

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
