"""urllib3 connection classes whose every socket operation goes through our ``Wire``.

``send()`` is the one method http.client and urllib3 use to write (the request head
comes out of ``_send_output`` as a single call); here it is the gate. ``connect()`` is
ours too: the TCP connect, the CONNECT or SOCKS5 handshake with a proxy (written by us, so
its bytes are the previewed ones on every Python version) and the TLS handshake with our
own context.
"""

from __future__ import annotations

import http.client
from typing import Any

import urllib3.connection
import urllib3.connectionpool
from glass_updater.errors import GateViolation
from glass_updater.transport.route import connect, through_proxy
from glass_updater.transport.wire import Wire
from glass_updater.wire_types import Channel
from requests import PreparedRequest
from requests.adapters import HTTPAdapter


def _gated_send(conn: Any, wire: Wire, channel: Channel, data: object) -> None:
    if not isinstance(data, bytes | bytearray):
        raise GateViolation(
            "refused to send a request body or stream that is not in the preview; "
            "please report it"
        )
    payload = bytes(data)
    wire.gate.check(channel, payload)  # before connecting, too: refuse first
    if conn.sock is None:
        conn.connect()
    wire.write(conn.sock, channel, payload, conn)


class HeadTruncated(http.client.HTTPException):
    """The connection ended before the blank line that closes the response head."""


class _LineWatch:
    """Delegates to the socket file, remembering the last line ``readline`` returned."""

    def __init__(self, fp: Any) -> None:
        self._fp = fp
        self.last: bytes | None = None

    def readline(self, limit: int = -1) -> bytes:
        line: bytes = self._fp.readline(limit)
        self.last = line
        return line

    def __getattr__(self, name: str) -> Any:
        return getattr(self._fp, name)


class HeadCheckedResponse(http.client.HTTPResponse):
    """http.client takes the end of the stream for the end of the headers; a response
    head cut short by a closed connection is an error here, never a short answer."""

    def begin(self) -> None:
        if self.headers is not None:
            return
        real = self.fp
        watch = _LineWatch(real)
        self.fp = watch
        try:
            super().begin()
        finally:
            if self.fp is watch:
                self.fp = real
        if watch.last is not None and watch.last not in (b"\r\n", b"\n"):
            raise HeadTruncated("the connection closed in the middle of the response head")


def _no_stdlib_tunnel(*args: Any, **kwargs: Any) -> None:
    """http.client's CONNECT differs between Python versions; ours is the only one."""
    raise GateViolation(
        "refused to let the HTTP library write its own CONNECT request; please report it"
    )


class _Gated:
    """What both connection classes share: our tunnel only, the checked head, the gate."""

    set_tunnel = _no_stdlib_tunnel
    _tunnel = _no_stdlib_tunnel
    response_class: type[http.client.HTTPResponse] = HeadCheckedResponse
    _channel: Channel
    sock: Any

    def __init__(self, *args: Any, wire: Wire, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._wire = wire

    def _new_conn(self) -> Any:
        """urllib3's own socket opener, should anything call it: the wire's instead."""
        return connect(self._wire)

    def send(self, data: Any) -> None:
        _gated_send(self, self._wire, self._channel, data)


class GatedHTTPConnection(_Gated, urllib3.connection.HTTPConnection):
    """Plain HTTP (loopback only): connect and write through the wire."""

    _channel = Channel.PLAIN

    def connect(self) -> None:
        self.sock = connect(self._wire)  # set first: urllib3 closes it on failure
        through_proxy(self._wire, self.sock, self)


class GatedHTTPSConnection(_Gated, urllib3.connection.HTTPSConnection):
    """HTTPS, directly or through a proxy's tunnel, with our SSLContext."""

    _channel = Channel.TLS

    def connect(self) -> None:
        wire = self._wire
        self.sock = connect(wire)  # set first: urllib3 closes it on failure
        through_proxy(wire, self.sock, self)
        self.sock = tls = wire.wrap_tls(self.sock)
        wire.handshake(tls)
        self.is_verified = True  # by our context: CERT_REQUIRED and check_hostname


class GatedHTTPPool(urllib3.connectionpool.HTTPConnectionPool):
    ConnectionCls = GatedHTTPConnection


class GatedHTTPSPool(urllib3.connectionpool.HTTPSConnectionPool):
    ConnectionCls = GatedHTTPSConnection


class GatedAdapter(HTTPAdapter):
    """A requests adapter that always hands out one fresh gated pool for this send."""

    def __init__(self, wire: Wire) -> None:
        super().__init__(max_retries=0)
        self._wire = wire
        target = wire.request.target
        pool_cls = GatedHTTPSPool if target.scheme == "https" else GatedHTTPPool
        self._pool = pool_cls(target.host, target.port, maxsize=1, block=False, wire=wire)

    def get_connection_with_tls_context(
        self,
        request: PreparedRequest,
        verify: Any,
        proxies: Any = None,
        cert: Any = None,
    ) -> Any:
        return self._pool

    def cert_verify(self, conn: Any, url: Any, verify: Any, cert: Any) -> None:
        """Our SSLContext decides trust; requests' CA-bundle logic must not touch it."""

    def close(self) -> None:
        super().close()
        self._pool.close()
