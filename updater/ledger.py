"""Append-only local log of every exchange: exactly what was sent, and what came back.

One JSON object per line. Each line is written with a single ``write`` on an
``O_APPEND`` descriptor, so a killed process leaves either the whole line or none, and a
torn final line (power loss) is skipped on read and never merged into. Appends are not
fsynced: the ledger is history, not trust state, and an fsync per check cost more than
the check's budget allows (DECISIONS.md); state and settings writes are fsynced. The log
is bounded: past ``ledger_max_bytes`` it rotates to ``transmissions.jsonl.1`` ... ``.N``.
It is never sent anywhere.
"""

from __future__ import annotations

import base64
import json
import math
import os
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path

from glass_updater import safefs
from glass_updater.credentials import redact_proxy_credentials
from glass_updater.limits import DEFAULT_LIMITS, Limits
from glass_updater.printable import printable
from glass_updater.wire_types import Channel, Exchange, OutboundRequest, Transmission

LOG_NAME = "transmissions.jsonl"

def _for_log(sent: tuple[Transmission, ...]) -> tuple[Transmission, ...]:
    return tuple(
        Transmission(t.channel, redact_proxy_credentials(t.data))
        if t.channel is Channel.PROXY else t
        for t in sent
    )


@dataclass(frozen=True)
class LedgerEntry:
    id: str  # local only: time-ordered, unique within this log
    time: float  # wall clock, seconds since the epoch
    kind: str  # "check" | "download"
    method: str
    url: str
    proxy: str | None  # proxy address without credentials
    sent: tuple[Transmission, ...]  # exactly as written, but proxy credentials redacted
    status: int | None = None  # this and the rest: what came back (nothing, by default)
    reason: str = ""
    response_headers: tuple[tuple[str, str], ...] = ()
    bytes_received: int = 0
    duration: float = 0.0
    remote: str = ""
    outcome: str = ""  # what the client made of it: "accepted feed serial 12", "refused: ..."
    error: str | None = None

    @classmethod
    def of_request(
        cls,
        entry_id: str,
        when: float,
        request: OutboundRequest,
        outcome: str,
        exchange: Exchange | None = None,
    ) -> LedgerEntry:
        """The record of ``request``: before it is sent (its previewed bytes), or once
        ``exchange`` ran (the bytes really written and what came back)."""
        entry = cls(
            id=entry_id,
            time=when,
            kind=request.kind.value,
            method=request.method,
            url=request.url,
            proxy=request.proxy.url if request.proxy else None,
            sent=_for_log(request.transmissions if exchange is None else exchange.sent),
            outcome=outcome,
        )
        if exchange is None:
            return entry
        return replace(
            entry,
            status=exchange.status,
            reason=exchange.reason,
            response_headers=exchange.response_headers,
            bytes_received=exchange.bytes_received,
            duration=exchange.duration,
            remote=exchange.remote,
            error=exchange.error,
        )

    @property
    def request_bytes(self) -> bytes:
        """The bytes the update server received (the last channel written)."""
        return self.sent[-1].data if self.sent else b""

    def to_json(self) -> dict[str, object]:
        return {
            "id": self.id,
            "time": self.time,
            "kind": self.kind,
            "method": self.method,
            "url": self.url,
            "proxy": self.proxy,
            "sent": [
                {"channel": t.channel.value, "b64": base64.b64encode(t.data).decode("ascii")}
                for t in self.sent
            ],
            "status": self.status,
            "reason": self.reason,
            "response_headers": [list(h) for h in self.response_headers],
            "bytes_received": self.bytes_received,
            "duration": self.duration,
            "remote": self.remote,
            "outcome": self.outcome,
            "error": self.error,
        }

    @classmethod
    def from_json(cls, obj: object) -> LedgerEntry:
        """Strict: any field of the wrong type or out of range raises ValueError."""
        if not isinstance(obj, dict):
            raise ValueError("not an object")
        sent_raw = obj["sent"]
        headers_raw = obj.get("response_headers") or []
        if not isinstance(sent_raw, list) or not isinstance(headers_raw, list):
            raise ValueError("sent or response_headers is not a list")
        sent = []
        for t in sent_raw:
            if not isinstance(t, dict) or not isinstance(t.get("b64"), str):
                raise ValueError("bad transmission")
            sent.append(
                Transmission(Channel(t["channel"]), base64.b64decode(t["b64"], validate=True))
            )
        headers = []
        for h in headers_raw:
            if not isinstance(h, list) or len(h) != 2 or not all(isinstance(x, str) for x in h):
                raise ValueError("bad header")
            headers.append((printable(h[0]), printable(h[1])))
        status = obj.get("status")
        if status is not None and (type(status) is not int or not 100 <= status <= 999):
            raise ValueError("bad status")
        return cls(
            id=_text(obj["id"]),
            time=_number(obj["time"], 0.0, 1e11),
            kind=_text(obj["kind"]),
            method=_text(obj["method"]),
            url=_text(obj["url"]),
            proxy=None if obj.get("proxy") is None else _text(obj["proxy"]),
            sent=tuple(sent),
            status=status,
            reason=_text(obj.get("reason", "")),
            response_headers=tuple(headers),
            bytes_received=int(_number(obj.get("bytes_received", 0), 0, 2**63, whole=True)),
            duration=_number(obj.get("duration", 0.0), 0.0, 1e9),
            remote=_text(obj.get("remote", "")),
            outcome=_text(obj.get("outcome", "")),
            error=None if obj.get("error") is None else _text(obj["error"]),
        )


def _text(value: object) -> str:
    """A string field from disk, made printable (the file may have been edited)."""
    if not isinstance(value, str):
        raise ValueError("not a string")
    return printable(value)


def _number(value: object, low: float, high: float, *, whole: bool = False) -> float:
    """A finite JSON number in [low, high] (bool, NaN and infinities are refused)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError("not a number")
    if whole and not isinstance(value, int):
        raise ValueError("not a whole number")
    if not math.isfinite(value) or not low <= value <= high:
        raise ValueError("number out of range")
    return float(value)


INTERRUPTED = (
    "interrupted: the updater stopped before it recorded the outcome (the request may "
    "have reached the server)"
)


@dataclass(frozen=True)
class LedgerRead:
    """Every readable record, oldest first, and how many lines could not be read."""

    entries: tuple[LedgerEntry, ...]
    skipped: int


class Ledger:
    def __init__(self, directory: Path, limits: Limits = DEFAULT_LIMITS) -> None:
        self.directory = Path(directory)
        self.path = self.directory / LOG_NAME
        self._limits = limits
        self._lock = threading.Lock()
        self._last_ms = 0

    def _new_id(self, now: float) -> str:
        """Millisecond time, bumped to stay strictly increasing; zero-padded to sort as text."""
        self._last_ms = max(int(now * 1000), self._last_ms + 1)
        return f"{self._last_ms:015d}"

    def begin(self, request: OutboundRequest) -> str:
        """Write-ahead: record ``request`` before its first byte is written.

        Returns the record's id; :meth:`record` with that id completes it. If the process
        dies in between (even SIGKILL), the log still lists the request, marked as
        interrupted: the line is in the kernel's page cache once ``write`` returns. It is
        not fsynced: only a kernel crash or power loss in that instant could lose it, and an
        fsync per check more than doubled the check's time (docs/performance.md).
        """
        now = time.time()
        return self._add(now, lambda i: LedgerEntry.of_request(i, now, request, INTERRUPTED)).id

    def record(
        self, exchange: Exchange, outcome: str = "", pending_id: str | None = None
    ) -> LedgerEntry:
        """The full record of an exchange; with ``pending_id`` it completes a begin()."""
        when = exchange.started_at or time.time()
        return self._add(
            when,
            lambda i: LedgerEntry.of_request(i, when, exchange.request, outcome, exchange),
            pending_id=pending_id,
        )

    def record_local(self, kind: str, url: str, outcome: str) -> LedgerEntry:
        """An event that sent nothing (an offline import): no bytes, no response."""
        now = time.time()
        return self._add(
            now,
            lambda i: LedgerEntry(
                id=i, time=now, kind=kind, method="", url=url, proxy=None, sent=(),
                outcome=outcome,
            ),
            sync=True,
        )

    def _add(
        self,
        when: float,
        build: Callable[[str], LedgerEntry],
        *,
        pending_id: str | None = None,
        sync: bool = False,
    ) -> LedgerEntry:
        """Build the record with its id (``pending_id``, else a new one) and append it,
        both under the lock, so ids are written in the order they were given."""
        with self._lock:
            entry = build(pending_id if pending_id is not None else self._new_id(when))
            self._append(entry, sync=sync)
        return entry

    def _append(self, entry: LedgerEntry, *, sync: bool) -> None:
        """One ``write`` on an O_APPEND descriptor of a checked regular file."""
        line = (json.dumps(entry.to_json(), separators=(",", ":")) + "\n").encode()
        safefs.ensure_dir(self.directory)
        self._rotate_if_needed(len(line))
        fd = safefs.open_file(self.path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            size = os.fstat(fd).st_size
            if size and os.pread(fd, 1, size - 1) != b"\n":
                line = b"\n" + line  # a crash tore the last line: never merge into it
            os.write(fd, line)
            if sync:
                os.fsync(fd)
        finally:
            os.close(fd)

    def _rotate_if_needed(self, incoming: int) -> None:
        st = safefs.lstat_regular(self.path)
        if st is None:
            return
        size = st.st_size
        if size + incoming <= self._limits.ledger_max_bytes:
            return
        keep = self._limits.ledger_keep_files
        oldest = self.path.with_name(f"{LOG_NAME}.{keep}")
        oldest.unlink(missing_ok=True)
        for n in range(keep - 1, 0, -1):
            src = self.path.with_name(f"{LOG_NAME}.{n}")
            if src.exists():
                os.replace(src, self.path.with_name(f"{LOG_NAME}.{n + 1}"))
        os.replace(self.path, self.path.with_name(f"{LOG_NAME}.1"))

    def _files_oldest_first(self) -> list[Path]:
        keep = self._limits.ledger_keep_files
        rotated = [self.path.with_name(f"{LOG_NAME}.{n}") for n in range(keep, 0, -1)]
        return [p for p in [*rotated, self.path] if os.path.lexists(p)]

    def read(self) -> LedgerRead:
        """Oldest first. A line that is torn, foreign or malformed in any way is skipped
        and counted, never fatal; a completed record replaces its write-ahead one."""
        by_id: dict[str, LedgerEntry] = {}
        skipped = 0
        for path in self._files_oldest_first():
            try:
                fd = safefs.open_file(path, os.O_RDONLY)
            except FileNotFoundError:
                continue
            with os.fdopen(fd, "rb") as fh:
                for raw in fh:
                    if not raw.strip():
                        continue
                    try:
                        entry = LedgerEntry.from_json(json.loads(raw))
                    except Exception:  # any malformed line: skipped and counted
                        skipped += 1
                        continue
                    by_id[entry.id] = entry
        return LedgerRead(tuple(sorted(by_id.values(), key=lambda e: e.id)), skipped)

    def entries(self) -> Iterator[LedgerEntry]:
        """Oldest first; unreadable lines are skipped (see :meth:`read`)."""
        yield from self.read().entries

    def clear(self) -> None:
        with self._lock:
            for path in self._files_oldest_first():
                path.unlink(missing_ok=True)
