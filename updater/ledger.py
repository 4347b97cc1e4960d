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
import os
import re
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from glass_updater.limits import DEFAULT_LIMITS, Limits
from glass_updater.request import Channel, Transmission
from glass_updater.transport.base import Exchange

LOG_NAME = "transmissions.jsonl"

_PROXY_AUTH = re.compile(rb"(?im)^(Proxy-Authorization: *)(\S+) +(\S+)(\r?)$")


def redact_proxy_credentials(data: bytes) -> bytes:
    """Replace proxy credentials with a marker that gives only their length.

    The credentials are the user's own and go only to their proxy; they are kept out of
    the log and of everything shown or exported. No digest is kept: an unsalted hash of a
    short password can be reversed with a word list.
    """

    def mark(m: re.Match[bytes]) -> bytes:
        return m.group(1) + m.group(2) + b" <redacted %d bytes>" % len(m.group(3)) + m.group(4)

    import glass_updater.socks as socks

    if socks.looks_like_socks(data):
        return socks.redact(data)  # the RFC 1929 login: user name and password
    return _PROXY_AUTH.sub(mark, data)


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
    status: int | None
    reason: str
    response_headers: tuple[tuple[str, str], ...]
    bytes_received: int
    duration: float
    remote: str
    outcome: str  # what the client made of it: "accepted feed serial 12", "refused: ..."
    error: str | None

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
    def from_json(cls, obj: dict[str, object]) -> LedgerEntry:
        sent_raw = obj["sent"]
        headers_raw = obj.get("response_headers") or []
        assert isinstance(sent_raw, list) and isinstance(headers_raw, list)
        status = obj.get("status")
        return cls(
            id=str(obj["id"]),
            time=float(obj["time"]),  # type: ignore[arg-type]
            kind=str(obj["kind"]),
            method=str(obj["method"]),
            url=str(obj["url"]),
            proxy=None if obj.get("proxy") is None else str(obj["proxy"]),
            sent=tuple(
                Transmission(Channel(t["channel"]), base64.b64decode(t["b64"], validate=True))
                for t in sent_raw
            ),
            status=None if status is None else int(status),  # type: ignore[call-overload]
            reason=str(obj.get("reason", "")),
            response_headers=tuple((str(k), str(v)) for k, v in headers_raw),
            bytes_received=int(obj.get("bytes_received", 0)),  # type: ignore[call-overload]
            duration=float(obj.get("duration", 0.0)),  # type: ignore[arg-type]
            remote=str(obj.get("remote", "")),
            outcome=str(obj.get("outcome", "")),
            error=None if obj.get("error") is None else str(obj["error"]),
        )


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

    def record(self, exchange: Exchange, outcome: str = "") -> LedgerEntry:
        req = exchange.request
        with self._lock:
            entry = LedgerEntry(
                id=self._new_id(exchange.started_at or time.time()),
                time=exchange.started_at or time.time(),
                kind=req.kind.value,
                method=req.method,
                url=req.url,
                proxy=req.proxy.url if req.proxy else None,
                sent=_for_log(exchange.sent),
                status=exchange.status,
                reason=exchange.reason,
                response_headers=exchange.response_headers,
                bytes_received=exchange.bytes_received,
                duration=exchange.duration,
                remote=exchange.remote,
                outcome=outcome,
                error=exchange.error,
            )
            line = (json.dumps(entry.to_json(), separators=(",", ":")) + "\n").encode()
            self.directory.mkdir(parents=True, exist_ok=True, mode=0o700)
            self._rotate_if_needed(len(line))
            fd = os.open(self.path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o600)
            try:
                size = os.fstat(fd).st_size
                if size and os.pread(fd, 1, size - 1) != b"\n":
                    line = b"\n" + line  # a crash tore the last line: never merge into it
                os.write(fd, line)
            finally:
                os.close(fd)
        return entry

    def _rotate_if_needed(self, incoming: int) -> None:
        try:
            size = self.path.stat().st_size
        except FileNotFoundError:
            return
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
        return [p for p in [*rotated, self.path] if p.exists()]

    def entries(self) -> Iterator[LedgerEntry]:
        """Oldest first; torn or foreign lines are skipped, never fatal."""
        for path in self._files_oldest_first():
            with path.open("rb") as fh:
                for raw in fh:
                    try:
                        obj = json.loads(raw)
                        yield LedgerEntry.from_json(obj)
                    except (ValueError, KeyError, TypeError, AssertionError):
                        continue

    def clear(self) -> None:
        with self._lock:
            for path in self._files_oldest_first():
                path.unlink(missing_ok=True)
