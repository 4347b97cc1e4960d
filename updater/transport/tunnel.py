"""Through a proxy to the update server: the HTTP CONNECT or the SOCKS5 handshake.

``through_proxy`` is the one place that chooses between them. Each message is the builder's
previewed bytes, written through the wire's gate; each answer is read exactly (never a
byte of what follows), so TLS or plain HTTP starts on a clean stream. Every failure here
is the proxy's, so every error carries ``Cause.PROXY`` (or ``PROXY_AUTH``) and the
proxy's host, built in one place (``_proxy_error``).
"""

from __future__ import annotations

import socket

import glass_updater.socks as socks
from glass_updater.errors import Cause, TransportError
from glass_updater.transport.wire import Phase, Wire
from glass_updater.wire_types import Channel


def through_proxy(wire: Wire, sock: socket.socket, owner: object) -> None:
    """On the socket ``wire.open_socket`` connected: the proxy's handshake, if one is set,
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
