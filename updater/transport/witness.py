"""An independent second witness of network activity, from Python's audit hooks (PEP 578).

The transport's own record could in principle be wrong; the interpreter's audit events
cannot be skipped by library code. The witness records every ``socket.getaddrinfo``,
``socket.connect`` and ``http.client.send`` event while a recording is open, and, while
a tripwire is armed, refuses any internet connect that the transport did not announce
for the calling thread just before making it.

Audit hooks cannot be removed once added, so there is at most one Witness per process:
``Witness.install()`` adds the hook the first time and returns that same instance every
time after. That instance (a class attribute) is the only process-wide state here, and
it exists because ``sys.addaudithook`` forces it. Until something records or arms it,
the hook returns immediately.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import ClassVar

from glass_updater.errors import UnannouncedConnection

_EVENTS = frozenset({"socket.connect", "socket.getaddrinfo", "http.client.send"})


@dataclass(frozen=True)
class WitnessEvent:
    event: str  # "socket.connect" | "socket.getaddrinfo" | "http.client.send"
    host: str  # address or name; "" for a send
    port: int | None
    data: bytes = b""  # the bytes of an http.client.send
    thread: int = 0
    refused: bool = False  # the tripwire refused this connect


@dataclass
class WitnessLog:
    """Events seen while a recording was open, in order."""

    events: list[WitnessEvent] = field(default_factory=list)

    def of(self, event: str) -> list[WitnessEvent]:
        return [e for e in self.events if e.event == event]

    @property
    def connects(self) -> list[WitnessEvent]:
        return self.of("socket.connect")

    @property
    def lookups(self) -> list[WitnessEvent]:
        return self.of("socket.getaddrinfo")

    @property
    def network(self) -> list[WitnessEvent]:
        """Lookups and internet connects: what 'no socket was opened' must leave empty."""
        return [e for e in self.events if e.event != "http.client.send" and e.port is not None]

    @property
    def sent(self) -> bytes:
        return b"".join(e.data for e in self.of("http.client.send"))


def _address(args: tuple[object, ...]) -> tuple[str, int | None]:
    addr = args[1] if len(args) > 1 else None
    if isinstance(addr, tuple) and len(addr) >= 2 and isinstance(addr[1], int):
        return str(addr[0]), addr[1]
    return str(addr), None  # AF_UNIX path or unknown: not an internet connection


class Witness:
    """The process's audit-hook witness; get it with ``Witness.install()``."""

    _instance: ClassVar[Witness | None] = None
    _install_lock: ClassVar[threading.Lock] = threading.Lock()

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._logs: list[WitnessLog] = []
        self._armed = 0
        self._announced: dict[tuple[int, str, int], int] = {}
        self.violations: list[WitnessEvent] = []

    @classmethod
    def install(cls) -> Witness:
        with cls._install_lock:
            if cls._instance is None:
                witness = cls()
                sys.addaudithook(witness._hook)
                cls._instance = witness
            return cls._instance

    @classmethod
    def installed(cls) -> Witness | None:
        """The witness if one was installed; the transport announces its connects to it."""
        return cls._instance

    @contextmanager
    def recording(self) -> Iterator[WitnessLog]:
        log = WitnessLog()
        with self._lock:
            self._logs.append(log)
        try:
            yield log
        finally:
            with self._lock:
                self._logs.remove(log)

    @contextmanager
    def tripwire(self) -> Iterator[WitnessLog]:
        """Arm the tripwire (and record) for the duration of the block."""
        with self._lock:
            self._armed += 1
        try:
            with self.recording() as log:
                yield log
        finally:
            with self._lock:
                self._armed -= 1

    @contextmanager
    def announced(self, host: str, port: int) -> Iterator[None]:
        """Declare that this thread is about to connect to (host, port) on purpose."""
        key = (threading.get_ident(), host, port)
        with self._lock:
            self._announced[key] = self._announced.get(key, 0) + 1
        try:
            yield
        finally:
            with self._lock:
                left = self._announced[key] - 1
                if left:
                    self._announced[key] = left
                else:
                    del self._announced[key]

    def _hook(self, event: str, args: tuple[object, ...]) -> None:
        if event not in _EVENTS or (not self._logs and not self._armed):
            return
        thread = threading.get_ident()
        if event == "http.client.send":
            data = args[1] if len(args) > 1 else b""
            record = WitnessEvent(
                event, "", None, bytes(data) if isinstance(data, bytes | bytearray) else b"",
                thread,
            )
        elif event == "socket.getaddrinfo":
            port = args[1] if len(args) > 1 else None
            record = WitnessEvent(
                event, str(args[0]), port if isinstance(port, int) else None, thread=thread
            )
        else:
            host, port = _address(args)
            refused = (
                self._armed > 0
                and port is not None
                and (thread, host, port) not in self._announced
            )
            record = WitnessEvent(event, host, port, thread=thread, refused=refused)
        with self._lock:
            for log in self._logs:
                log.events.append(record)
            if record.refused:
                self.violations.append(record)
        if record.refused:
            raise UnannouncedConnection(
                f"refused a connection to {record.host}:{record.port} that the updater's "
                "transport did not announce; some other code tried to use the network"
            )
