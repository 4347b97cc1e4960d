"""The ledger records of one operation (a check, a download), and their words.

A ``Recording`` is the client's two hooks: ``sending`` writes a request's record before its
first byte (write-ahead), ``exchanged`` collects each hop's exchange; at the end ``record``
completes every hop's record with its outcome (the last hop gets the operation's verdict,
earlier ones say why another followed), or ``record_failure`` with whose doing the failure
was. The outcome returned to the front end carries these records.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from glass_updater.errors import Cancelled, ExchangeError, FeedError, UpdaterError
from glass_updater.ledger import Ledger, LedgerEntry
from glass_updater.wire_types import Exchange, OutboundRequest


class Recording:
    """What one operation sent, from write-ahead to its completed records."""

    def __init__(self, ledger: Ledger) -> None:
        self.ledger = ledger
        self.exchanges: list[Exchange] = []
        self._pending: list[tuple[OutboundRequest, str]] = []  # write-ahead ledger ids

    def sending(self, request: OutboundRequest) -> None:
        """Before a request's first byte: its record (completed by ``record``).

        If it cannot be written the request is not sent: the log must list every request
        that left the machine, even when the process is killed right after sending. The
        record is written, not fsynced (see ``Ledger.begin``): it survives any death of the
        process, not a power cut in that instant.
        """
        self._pending.append((request, self.ledger.begin(request)))

    def exchanged(self, exchange: Exchange) -> None:
        self.exchanges.append(exchange)

    def record(self, outcome: str) -> list[LedgerEntry]:
        """Complete each hop's record; the last one gets ``outcome``. OSError if the log
        cannot be written."""
        recorded = []
        for i, exchange in enumerate(self.exchanges):
            last = i == len(self.exchanges) - 1
            hop = outcome if last else hop_outcome(exchange)
            pending = next((pid for req, pid in self._pending if req is exchange.request), None)
            recorded.append(self.ledger.record(exchange, hop, pending_id=pending))
        return recorded

    @contextlib.contextmanager
    def failures(self, entries: list[LedgerEntry]) -> Iterator[None]:
        """An UpdaterError raised inside is recorded (``record_failure``) into ``entries``
        and raised on, unless the operation's records were already written (a check
        accepted, then its state could not be saved)."""
        try:
            yield
        except UpdaterError as exc:
            if not entries:
                entries.extend(self.record_failure(exc))
            raise

    def record_failure(self, exc: UpdaterError) -> list[LedgerEntry]:
        """Record what was sent before a failure, with the verdict; the records.

        If the log itself cannot be written the original error still wins; its message
        says the record is missing.
        """
        failed = exc.exchange if isinstance(exc, ExchangeError) else None
        if failed is not None and failed not in self.exchanges:
            self.exchanges.append(failed)
        try:
            return self.record(failure_outcome(exc))
        except OSError as log_error:
            exc.note_unrecorded(log_error.strerror)
            return []


def failure_outcome(exc: UpdaterError) -> str:
    """The history's words for a failed exchange: whose doing it was, exactly."""
    if isinstance(exc, Cancelled):
        detail = exc.message
        plain = detail in ("cancelled; the connection was closed", "cancelled")
        return "cancelled by you" if plain else f"cancelled by you: {detail}"
    if isinstance(exc, FeedError):
        return f"refused: {exc}"  # the answer came, and the client would not trust it
    return f"failed: {exc}"


def hop_outcome(exchange: Exchange) -> str:
    """The history's words for an exchange that another one followed."""
    from urllib.parse import urlsplit

    status = exchange.status
    if status in (301, 302, 303, 307, 308):
        location = exchange.header("Location") or ""
        host = urlsplit(location).hostname if "://" in location else None
        return f"redirected ({status})" + (f" to {host}" if host else "")
    asked_range = b"\r\nrange:" in exchange.request.request_bytes.lower()
    if asked_range and status == 200:
        return "server ignored resume (200); downloaded again from the start"
    if asked_range and status == 416:
        return "resume not possible (416); downloaded again from the start"
    if exchange.error:
        return f"failed: {exchange.error}; tried again"
    return f"answered {status}; tried again"
