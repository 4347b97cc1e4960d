"""One send's state below requests: the gated write, TLS, cancel and deadline checks.

One ``Wire`` per send. urllib3's connection classes (``connection.py``) call into it for
every socket operation: ``route.py`` opens the socket and talks to a proxy through it,
``write`` is the only code that writes a byte. A shared watchdog thread enforces cancel,
the overall deadline and the minimum throughput by shutting the sockets down, which
wakes any blocked read within ``Limits.cancel_latency``.
"""

from __future__ import annotations

import contextlib
import enum
import socket
import ssl
import sys
import threading
from collections.abc import Callable

from glass_updater.errors import Cancelled, Cause, ExchangeError, TransportError
from glass_updater.limits import Limits
from glass_updater.transport.gate import Gate
from glass_updater.wire_types import CancelToken, Channel, OutboundRequest, RequestKind


class Phase(enum.Enum):
    CONNECT = "connect"
    PROXY = "proxy"
    TLS = "tls"
    SEND = "send"
    WAIT = "wait"  # request written, waiting for the response head
    BODY = "body"


class Watchdog:
    """One thread that polls every live Wire for cancel, deadline and minimum throughput.

    Shared by all sends of a transport: starting and joining a thread per send cost more
    than the rest of a loopback check. The thread exits after a short idle period, so an
    idle app keeps no thread around.
    """

    IDLE_EXIT = 2.0

    def __init__(self, cancel_latency: float) -> None:
        self._poll = max(0.01, min(cancel_latency, 0.5))
        self._wires: set[Wire] = set()
        self._cond = threading.Condition()
        self._running = False

    def add(self, wire: Wire) -> None:
        with self._cond:
            self._wires.add(wire)
            self._cond.notify()
            if not self._running:
                self._running = True
                threading.Thread(target=self._run, name="updater-watchdog", daemon=True).start()

    def remove(self, wire: Wire) -> None:
        with self._cond:
            self._wires.discard(wire)

    def _run(self) -> None:
        while True:
            with self._cond:
                if not self._wires:
                    self._cond.wait(self.IDLE_EXIT)
                    if not self._wires:
                        self._running = False
                        return
                self._cond.wait(self._poll)
                wires = list(self._wires)
            for wire in wires:
                if wire.poll():
                    self.remove(wire)


class Wire:
    """Per-send socket work, with the gate; the shared Watchdog polls it."""

    def __init__(
        self,
        request: OutboundRequest,
        *,
        limits: Limits,
        clock: Callable[[], float],
        cancel: CancelToken | None,
        ssl_context: ssl.SSLContext | None,
        watchdog: Watchdog | None = None,
    ) -> None:
        self.request = request
        self.gate = Gate(request)
        self.limits = limits
        self.clock = clock
        self._cancel = cancel
        self._ssl = ssl_context
        self.deadline = (
            limits.download_deadline if request.kind is RequestKind.DOWNLOAD else limits.deadline
        )
        self._started = clock()
        self.phase = Phase.CONNECT
        self.remote = ""
        self.received = 0
        self._body_started: float | None = None
        self.tripped: ExchangeError | None = None
        self._socks: list[socket.socket] = []
        self._lock = threading.Lock()
        self._watchdog = watchdog or Watchdog(limits.cancel_latency)

    # ------------------------------------------------------------------ naming

    @property
    def server(self) -> str:
        return f"the update server {self.request.target.host}:{self.request.target.port}"

    @property
    def peer(self) -> str:
        proxy = self.request.proxy
        return f"your proxy {proxy.url}" if proxy is not None else self.server

    # ------------------------------------------------------------------ watchdog

    def start(self) -> None:
        self._watchdog.add(self)

    def stop(self) -> None:
        self._watchdog.remove(self)

    def body_started(self) -> None:
        self.phase = Phase.BODY
        self._body_started = self.clock()

    def _reason(self) -> ExchangeError | None:
        if self._cancel is not None and self._cancel.cancelled:
            return Cancelled("cancelled; the connection was closed")
        now = self.clock()
        if now - self._started > self.deadline:
            return TransportError(
                f"{self.request.kind.value} took longer than {self.deadline:g} s talking to "
                f"{self.peer} and was stopped; try again later",
                cause=Cause.TIMEOUT,
                host=self.request.target.host,
            )
        if self._body_started is not None:
            elapsed = now - self._body_started
            if elapsed > self.limits.throughput_grace:
                rate = self.received / elapsed
                if rate < self.limits.min_throughput:
                    return TransportError(
                        f"{self.server} sent only {rate:.0f} bytes/s (less than "
                        f"{self.limits.min_throughput} bytes/s); stopped, try again later",
                        cause=Cause.SLOW,
                        host=self.request.target.host,
                    )
        return None

    def check_abort(self) -> None:
        """Raise if cancelled, past the deadline or too slow; called between socket calls."""
        error = self.tripped or self._reason()
        if error is not None:
            self.tripped = error
            raise error

    def poll(self) -> bool:
        """Called by the watchdog thread; True once tripped (the sockets are shut down)."""
        error = self._reason()
        if error is None:
            return False
        self.tripped = error
        self._shutdown_all()
        return True

    def track(self, sock: socket.socket) -> None:
        with self._lock:
            self._socks.append(sock)

    def _shutdown_all(self) -> None:
        """Wake any thread blocked on our sockets; the base shutdown skips SSL's own."""
        with self._lock:
            socks = list(self._socks)
        for sock in socks:
            with contextlib.suppress(OSError):
                socket.socket.shutdown(sock, socket.SHUT_RDWR)

    # ------------------------------------------------------------------ write

    def write(self, sock: socket.socket, channel: Channel, data: bytes, owner: object) -> None:
        """Gate, then write; each accepted piece is recorded as it leaves."""
        self.gate.check(channel, data)
        if channel is not Channel.PROXY:
            self.phase = Phase.SEND
        sys.audit("http.client.send", owner, data)
        view = memoryview(data)
        done = 0
        while done < len(data):
            self.check_abort()
            n = sock.send(view[done:])
            self.gate.record(channel, bytes(view[done : done + n]))
            done += n
        if channel is self.request.channel and self.gate.remaining(channel) == 0:
            self.phase = Phase.WAIT

    # ------------------------------------------------------------------ TLS

    def wrap_tls(self, sock: socket.socket) -> ssl.SSLSocket:
        assert self._ssl is not None
        self.phase = Phase.TLS
        sock.settimeout(self.limits.connect_timeout)
        wrapped = self._ssl.wrap_socket(
            sock, server_hostname=self.request.target.host, do_handshake_on_connect=False
        )
        self.track(wrapped)
        return wrapped

    def handshake(self, sock: ssl.SSLSocket) -> None:
        host = self.request.target.host
        try:
            self.check_abort()
            sock.do_handshake()
        except ssl.SSLCertVerificationError as exc:
            self.check_abort()
            raise TransportError(
                f"the certificate of {host} is not valid ({exc.verify_message}); the connection "
                "was closed before anything was sent, and there is no fallback to http",
                cause=Cause.CERTIFICATE,
                host=host,
            ) from None
        except TimeoutError:
            self.check_abort()
            raise TransportError(
                f"the secure (TLS) handshake with {self.server} did not finish within "
                f"{self.limits.connect_timeout:g} s; try again later",
                cause=Cause.TIMEOUT,
                host=host,
            ) from None
        except (ssl.SSLError, OSError) as exc:
            self.check_abort()
            raise TransportError(
                f"the secure (TLS) connection to {self.server} failed ({exc}); nothing was "
                "sent, and there is no fallback to http",
                cause=Cause.TLS,
                host=host,
            ) from None
        self.check_abort()
