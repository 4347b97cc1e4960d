"""How a send reaches the update server: DNS, TCP to the first hop, the proxy's handshake.

``connect`` opens TCP to the proxy if one is set, else to the update server, with DNS in
a helper thread so cancel and the deadline apply to it too; ``through_proxy`` is the one
place that chooses between the HTTP CONNECT and the SOCKS5 handshake. Each message to the
proxy is the builder's previewed bytes, written through the wire's gate; each answer is
read exactly (never a byte of what follows), so TLS or plain HTTP starts on a clean
stream. A failure before the update server is reached is the first hop's: through a
proxy every error carries ``Cause.PROXY`` (or ``PROXY_AUTH``) and the proxy's host, built
in one place each (``_first_hop_error``, ``_proxy_error``).
"""

from __future__ import annotations

import contextlib
import errno
import ipaddress
import os
import select
import socket
import threading
from contextlib import AbstractContextManager
from typing import Any

import glass_updater.socks as socks
from glass_updater.errors import Cause, ExchangeError, TransportError
from glass_updater.transport.wire import Phase, Wire
from glass_updater.transport.witness import Witness
from glass_updater.wire_types import Channel

_IN_PROGRESS = {errno.EINPROGRESS, errno.EWOULDBLOCK, errno.EALREADY, errno.EAGAIN}
_IN_PROGRESS |= {getattr(errno, "WSAEWOULDBLOCK", errno.EWOULDBLOCK)}


def _announce(host: str, port: int) -> AbstractContextManager[None]:
    witness = Witness.installed()
    return witness.announced(host, port) if witness is not None else contextlib.nullcontext()


def _check_hint(wire: Wire) -> str:
    if wire.request.proxy is not None:
        return "check your internet connection and proxy setting"
    return "check your internet connection"


def _first_hop_error(wire: Wire, message: str, direct: Cause) -> TransportError:
    """A failure to reach the first hop: through a proxy it is the proxy's (PROXY, its
    host), else the update server's (``direct``, the server's host)."""
    proxy = wire.request.proxy
    if proxy is not None:
        return TransportError(message, cause=Cause.PROXY, host=proxy.host)
    return TransportError(message, cause=direct, host=wire.request.target.host)


def connect(wire: Wire) -> socket.socket:
    """TCP to the proxy if one is set, else to the update server; returns it connected
    (then ``through_proxy`` goes through the proxy's handshake, if any)."""
    proxy = wire.request.proxy
    host, port = (
        (proxy.host, proxy.port)
        if proxy is not None
        else (wire.request.target.host, wire.request.target.port)
    )
    wire.phase = Phase.CONNECT
    wire.check_abort()
    infos = _resolve(wire, host, port)
    last: OSError | None = None
    for family, type_, proto, _, addr in infos:
        try:
            sock = _connect_one(wire, family, type_, proto, addr)
        except ExchangeError:  # a gate violation is an OSError too: never swallowed
            raise
        except OSError as exc:
            last = exc
            continue
        ip, port_no = str(addr[0]), int(addr[1])
        wire.remote = f"{ip}:{port_no}"
        return sock
    raise _first_hop_error(
        wire,
        f"could not connect to {wire.peer} ({_os_reason(last)}); {_check_hint(wire)}",
        _connect_cause(last),
    )


def _resolve(wire: Wire, host: str, port: int) -> list[tuple[Any, Any, int, str, Any]]:
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
    limit = wire.clock() + wire.limits.connect_timeout
    while not done.wait(wire.limits.cancel_latency):
        wire.check_abort()
        if wire.clock() > limit:
            raise _first_hop_error(
                wire,
                f"could not find the address of {host} within "
                f"{wire.limits.connect_timeout:g} s; check your internet connection",
                Cause.DNS,
            )
    wire.check_abort()
    if "error" in box:
        raise _first_hop_error(
            wire,
            f"could not find the address of {host} ({_os_reason(box['error'])}); "
            f"{_check_hint(wire)}",
            Cause.DNS,
        )
    infos: list[tuple[Any, Any, int, str, Any]] = box["infos"]
    return infos


def _connect_one(
    wire: Wire,
    family: socket.AddressFamily,
    type_: socket.SocketKind,
    proto: int,
    addr: tuple[str, int] | tuple[str, int, int, int] | tuple[int, bytes],
) -> socket.socket:
    sock = socket.socket(family, type_, proto)
    wire.track(sock)
    try:
        sock.setblocking(False)
        ip, port = str(addr[0]), int(addr[1])
        with _announce(ip, port):
            err = sock.connect_ex(addr)
        limit = wire.clock() + wire.limits.connect_timeout
        while err in _IN_PROGRESS:
            wire.check_abort()
            left = limit - wire.clock()
            if left <= 0:
                raise _first_hop_error(
                    wire,
                    f"could not connect to {wire.peer} within "
                    f"{wire.limits.connect_timeout:g} s; check your internet connection",
                    Cause.TIMEOUT,
                )
            _, writable, failed = select.select(
                [], [sock], [sock], min(left, wire.limits.cancel_latency)
            )
            if writable or failed:
                err = sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
        wire.check_abort()
        if err:
            raise OSError(err, os.strerror(err))  # words, not "ECONNREFUSED"
        sock.setblocking(True)
        sock.settimeout(wire.limits.connect_timeout)
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return sock
    except BaseException:
        sock.close()
        raise


def through_proxy(wire: Wire, sock: socket.socket, owner: object) -> None:
    """On the socket ``connect`` returned: the proxy's handshake, if one is set,
    after which the socket leads to the update server (TLS, if any, is still to come)."""
    proxy = wire.request.proxy
    if proxy is None:
        return
    if proxy.is_socks:
        _socks5(wire, sock, owner)
    else:
        wire.write(sock, Channel.PROXY, wire.request.expected(Channel.PROXY), owner)
        _read_connect_answer(wire, sock)


def _proxy_error(wire: Wire, says: str, cause: Cause = Cause.PROXY) -> TransportError:
    """A failure of the proxy: "your proxy <address> <says>", attributed to its host."""
    proxy = wire.request.proxy
    return TransportError(f"{wire.peer} {says}", cause=cause, host=proxy.host if proxy else "")


def _awaiting_proxy(wire: Wire, sock: socket.socket) -> None:
    """From here on, a silence is the proxy's: the PROXY phase, with the read timeout."""
    wire.phase = Phase.PROXY
    sock.settimeout(wire.limits.read_timeout)


def _target(wire: Wire) -> str:
    return f"{wire.request.target.host}:{wire.request.target.port}"


def _read_connect_answer(wire: Wire, sock: socket.socket) -> None:
    """Read the proxy's answer head exactly (never a byte of TLS) and require 200."""
    limits = wire.limits
    _awaiting_proxy(wire, sock)
    head = b""
    try:
        while True:
            wire.check_abort()
            peek = sock.recv(4096, socket.MSG_PEEK)
            wire.check_abort()
            if not peek:
                raise _proxy_error(
                    wire,
                    "closed the connection instead of answering CONNECT; check the "
                    "proxy setting",
                )
            end = (head + peek).find(b"\r\n\r\n")
            take = len(peek) if end < 0 else end + 4 - len(head)
            while take:
                got = sock.recv(take)
                if not got:
                    break
                head += got
                take -= len(got)
            if end >= 0:
                break
            if len(head) > limits.max_header_bytes:
                raise _proxy_error(wire, "sent an oversized answer to CONNECT")
    except TimeoutError:
        raise _proxy_error(
            wire,
            f"did not answer CONNECT within {limits.read_timeout:g} s; check the "
            "proxy setting",
        ) from None
    status = head.split(b"\r\n", 1)[0].decode("latin-1", "replace")
    parts = status.split(" ", 2)
    if len(parts) < 2 or not parts[0].startswith("HTTP/1.") or parts[1] != "200":
        if len(parts) >= 2 and parts[1] == "407":
            raise _proxy_error(
                wire,
                "refused the connection (407 Proxy Authentication Required); check "
                "the proxy user name and password",
                Cause.PROXY_AUTH,
            )
        raise _proxy_error(
            wire,
            f"refused to connect to {_target(wire)} ({status[:80]!r}); check the "
            "proxy setting",
        )


def _socks5(wire: Wire, sock: socket.socket, owner: object) -> None:
    """SOCKS5 greeting, RFC 1929 login if configured, CONNECT by host name."""
    _awaiting_proxy(wire, sock)
    steps = socks.split(wire.request.expected(Channel.PROXY))
    wire.write(sock, Channel.PROXY, steps.greeting, owner)
    answer = _recv_exact(wire, sock, 2, "greeting")
    if answer[0] != socks.VERSION:
        raise _proxy_error(
            wire,
            f"is not a SOCKS5 proxy (it answered {answer!r}); check the proxy "
            "setting",
        )
    if answer[1] != steps.greeting[2]:
        wanted = "a user name and password" if steps.auth else "no login"
        raise _proxy_error(
            wire,
            f"does not accept {wanted}; check the proxy user name and password",
            Cause.PROXY_AUTH,
        )
    if steps.auth is not None:
        wire.write(sock, Channel.PROXY, steps.auth, owner)
        if _recv_exact(wire, sock, 2, "login")[1] != 0:
            raise _proxy_error(
                wire,
                "refused the user name or password; check the proxy setting",
                Cause.PROXY_AUTH,
            )
    wire.write(sock, Channel.PROXY, steps.connect, owner)
    head = _recv_exact(wire, sock, 5, "CONNECT answer")
    if head[0] != socks.VERSION or head[1] != 0:
        why = socks.REPLIES.get(head[1], f"reply code {head[1]}")
        raise _proxy_error(
            wire,
            f"could not connect to {_target(wire)} ({why}); check the proxy setting "
            "or try again later",
        )
    try:
        rest = socks.reply_length(head) - len(head)
    except ValueError:
        raise _proxy_error(wire, "sent an invalid SOCKS5 answer") from None
    _recv_exact(wire, sock, rest, "CONNECT answer")


def _recv_exact(wire: Wire, sock: socket.socket, size: int, what: str) -> bytes:
    data = b""
    try:
        while len(data) < size:
            wire.check_abort()
            got = sock.recv(size - len(data))
            wire.check_abort()
            if not got:
                raise _proxy_error(
                    wire,
                    f"closed the connection during the SOCKS5 {what}; check the "
                    "proxy setting",
                )
            data += got
    except TimeoutError:
        raise _proxy_error(
            wire,
            f"did not answer the SOCKS5 {what} within "
            f"{wire.limits.read_timeout:g} s; check the proxy setting",
        ) from None
    return data


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
