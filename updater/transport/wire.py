"""Everything one send does below requests: sockets, TLS, gate, watchdog.

One ``Wire`` per send. urllib3's connection classes (``connection.py``) call into it
for every socket operation, so these few functions (and ``tunnel.py``, which speaks to a
proxy through them) are the only code that opens a socket or writes a byte. A watchdog
thread enforces cancel, the overall deadline and the minimum throughput by shutting the
socket down, which wakes any blocked read within ``Limits.cancel_latency``.
"""

from __future__ import annotations

import contextlib
import enum
import errno
import ipaddress
import os
import select
import socket
import ssl
import sys
import threading
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

from glass_updater.errors import Cancelled, Cause, TransportError
from glass_updater.limits import Limits
from glass_updater.transport.gate import Gate
from glass_updater.transport.witness import Witness
from glass_updater.wire_types import CancelToken, Channel, OutboundRequest, RequestKind

_IN_PROGRESS = {errno.EINPROGRESS, errno.EWOULDBLOCK, errno.EALREADY, errno.EAGAIN}
_IN_PROGRESS |= {getattr(errno, "WSAEWOULDBLOCK", errno.EWOULDBLOCK)}


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
        self._clock = clock
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
        self.tripped: TransportError | None = None
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
        self._body_started = self._clock()

    def _reason(self) -> TransportError | None:
        if self._cancel is not None and self._cancel.cancelled:
            return Cancelled("cancelled; the connection was closed")
        now = self._clock()
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

    def _track(self, sock: socket.socket) -> None:
        with self._lock:
            self._socks.append(sock)

    def _shutdown_all(self) -> None:
        """Wake any thread blocked on our sockets; the base shutdown skips SSL's own."""
        with self._lock:
            socks = list(self._socks)
        for sock in socks:
            with contextlib.suppress(OSError):
                socket.socket.shutdown(sock, socket.SHUT_RDWR)

    # ------------------------------------------------------------------ connect

    def _announce(self, host: str, port: int) -> AbstractContextManager[None]:
        witness = Witness.installed()
        return witness.announced(host, port) if witness is not None else contextlib.nullcontext()

    @property
    def _check_hint(self) -> str:
        if self.request.proxy is not None:
            return "check your internet connection and proxy setting"
        return "check your internet connection"

    def _first_hop_error(self, message: str, direct: Cause) -> TransportError:
        """A failure to reach the first hop: through a proxy it is the proxy's (PROXY, its
        host), else the update server's (``direct``, the server's host)."""
        proxy = self.request.proxy
        if proxy is not None:
            return TransportError(message, cause=Cause.PROXY, host=proxy.host)
        return TransportError(message, cause=direct, host=self.request.target.host)

    def open_socket(self) -> socket.socket:
        """TCP to the proxy if one is set, else to the update server; returns it connected.

        Then ``tunnel.through_proxy`` goes through the proxy's handshake, if any.
        """
        proxy = self.request.proxy
        host, port = (
            (proxy.host, proxy.port)
            if proxy is not None
            else (self.request.target.host, self.request.target.port)
        )
        self.phase = Phase.CONNECT
        self.check_abort()
        infos = self._resolve(host, port)
        last: OSError | None = None
        for family, type_, proto, _, addr in infos:
            try:
                sock = self._connect_one(family, type_, proto, addr)
            except TransportError:
                raise
            except OSError as exc:
                last = exc
                continue
            ip, port_no = str(addr[0]), int(addr[1])
            self.remote = f"{ip}:{port_no}"
            return sock
        raise self._first_hop_error(
            f"could not connect to {self.peer} ({_os_reason(last)}); {self._check_hint}",
            _connect_cause(last),
        )

    def _resolve(
        self, host: str, port: int
    ) -> list[tuple[Any, Any, int, str, Any]]:
        """getaddrinfo in a helper thread, so cancel and the deadline apply to DNS too.

        An IP literal needs no lookup: it is resolved numerically, without a thread.
        """
        if _is_ip_literal(host):
            return socket.getaddrinfo(host, port, 0, socket.SOCK_STREAM, 0, socket.AI_NUMERICHOST)
        box: dict[str, Any] = {}
        done = threading.Event()

        def work() -> None:
            try:
                box["infos"] = socket.getaddrinfo(host, port, 0, socket.SOCK_STREAM)
            except OSError as exc:
                box["error"] = exc
            finally:
                done.set()

        threading.Thread(target=work, name="updater-resolve", daemon=True).start()
        limit = self._clock() + self.limits.connect_timeout
        while not done.wait(self.limits.cancel_latency):
            self.check_abort()
            if self._clock() > limit:
                raise self._first_hop_error(
                    f"could not find the address of {host} within "
                    f"{self.limits.connect_timeout:g} s; check your internet connection",
                    Cause.DNS,
                )
        self.check_abort()
        if "error" in box:
            raise self._first_hop_error(
                f"could not find the address of {host} ({_os_reason(box['error'])}); "
                f"{self._check_hint}",
                Cause.DNS,
            )
        infos: list[tuple[Any, Any, int, str, Any]] = box["infos"]
        return infos

    def _connect_one(
        self,
        family: socket.AddressFamily,
        type_: socket.SocketKind,
        proto: int,
        addr: tuple[str, int] | tuple[str, int, int, int] | tuple[int, bytes],
    ) -> socket.socket:
        sock = socket.socket(family, type_, proto)
        self._track(sock)
        try:
            sock.setblocking(False)
            ip, port = str(addr[0]), int(addr[1])
            with self._announce(ip, port):
                err = sock.connect_ex(addr)
            limit = self._clock() + self.limits.connect_timeout
            while err in _IN_PROGRESS:
                self.check_abort()
                left = limit - self._clock()
                if left <= 0:
                    raise self._first_hop_error(
                        f"could not connect to {self.peer} within "
                        f"{self.limits.connect_timeout:g} s; check your internet connection",
                        Cause.TIMEOUT,
                    )
                _, writable, failed = select.select(
                    [], [sock], [sock], min(left, self.limits.cancel_latency)
                )
                if writable or failed:
                    err = sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
            self.check_abort()
            if err:
                raise OSError(err, os.strerror(err))  # words, not "ECONNREFUSED"
            sock.setblocking(True)
            sock.settimeout(self.limits.connect_timeout)
            with contextlib.suppress(OSError):
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            return sock
        except BaseException:
            sock.close()
            raise

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
        self._track(wrapped)
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


def _os_reason(exc: OSError | None) -> str:
    """An OS error in words ("Connection refused"), without "[Errno 111]" or a code name."""
    if exc is None:
        return "no address to try"
    return exc.strerror or type(exc).__name__


def _connect_cause(exc: OSError | None) -> Cause:
    code = exc.errno if exc is not None else None
    if code == errno.ECONNREFUSED:
        return Cause.REFUSED
    if code in (errno.ENETUNREACH, errno.EHOSTUNREACH, errno.ENETDOWN):
        return Cause.OFFLINE
    if code == errno.ETIMEDOUT:
        return Cause.TIMEOUT
    return Cause.NETWORK


def _is_ip_literal(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True
