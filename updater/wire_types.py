"""The value types of what the updater sends and receives: a leaf at the bottom of the core.

A request (``OutboundRequest``: its target, allowlisted fields and exact wire bytes), an
``Exchange`` (what really went out and came back) and a ``CancelToken`` are plain data
shared by the builder, the transport, the ledger, the errors and the front ends. They live
here, importing nothing of the project, so none of those modules has to import another's
behaviour just to name a type (tests/test_import_graph.py keeps it that way).
"""

from __future__ import annotations

import base64
import enum
import threading
from dataclasses import dataclass, field


class Where(enum.Enum):
    """Where in a request an allowlisted field travels."""

    PATH = "path"
    QUERY = "query"
    QUERY_STRING = "query-string"
    HEADER = "header"
    REQUEST_LINE = "request-line"
    SOCKS = "socks"  # a field of a SOCKS5 message, sent only to your proxy


class RequestKind(enum.Enum):
    """The kinds of request the allowlist governs (proxy: the CONNECT/SOCKS5 handshake)."""

    CHECK = "check"
    DOWNLOAD = "download"
    PROXY = "proxy"


class Channel(enum.Enum):
    """Where a run of bytes travels, as the payload panel labels it."""

    PROXY = "proxy"  # in clear, to your proxy (the CONNECT request)
    TLS = "tls"  # to the update server, inside TLS
    PLAIN = "plain"  # to the update server, unencrypted (loopback only)

    @property
    def label(self) -> str:
        return {
            Channel.PROXY: "to your proxy, in clear",
            Channel.TLS: "to the update server, inside TLS",
            Channel.PLAIN: "to the update server, unencrypted (loopback only)",
        }[self]


@dataclass(frozen=True)
class Transmission:
    """One run of bytes, written as is, on one channel."""

    channel: Channel
    data: bytes


@dataclass(frozen=True)
class ProxySpec:
    """An HTTP proxy that tunnels with CONNECT, or a SOCKS5 proxy that resolves names
    itself (``socks5h``). Credentials go only to the proxy."""

    host: str
    port: int
    username: str | None = None
    password: str | None = None
    scheme: str = "http"  # "http" | "socks5h"

    @property
    def url(self) -> str:
        """The proxy's address without credentials, safe to show and log."""
        return f"{self.scheme}://{self.host}:{self.port}"

    @property
    def is_socks(self) -> bool:
        return self.scheme == "socks5h"

    def authorization(self) -> str | None:
        if self.username is None or self.is_socks:
            return None
        token = f"{self.username}:{self.password or ''}".encode()
        return "Basic " + base64.b64encode(token).decode("ascii")


@dataclass(frozen=True)
class SentField:
    """One allowlisted field as it will travel, with the purpose shown to auditors."""

    name: str
    where: Where
    key: str | None
    value: str
    purpose: str


@dataclass(frozen=True)
class Target:
    """A validated URL split into the parts the wire needs."""

    scheme: str
    host: str
    port: int
    path: str
    query: str

    @property
    def authority(self) -> str:
        default = 443 if self.scheme == "https" else 80
        return self.host if self.port == default else f"{self.host}:{self.port}"

    @property
    def url(self) -> str:
        q = f"?{self.query}" if self.query else ""
        return f"{self.scheme}://{self.authority}{self.path}{q}"

    @property
    def origin_form(self) -> str:
        return self.path + (f"?{self.query}" if self.query else "")


@dataclass(frozen=True)
class OutboundRequest:
    """A request whose wire bytes are fixed before any socket exists."""

    kind: RequestKind
    method: str
    target: Target
    headers: tuple[tuple[str, str], ...]  # in wire order
    fields: tuple[SentField, ...]  # every allowlisted field it carries, proxy ones included
    proxy: ProxySpec | None
    transmissions: tuple[Transmission, ...]  # expected bytes, in the order they are written
    max_body: int  # the transport never reads more response body than this
    # The caller's variable field values (query parameters, Range...) as given to the
    # builder: a redirect hop is rebuilt from them, so nothing travels beside the request.
    values: tuple[tuple[str, str], ...] = ()

    @property
    def url(self) -> str:
        return self.target.url

    @property
    def channel(self) -> Channel:
        """The channel that carries the request itself (not the CONNECT)."""
        return self.transmissions[-1].channel

    @property
    def request_bytes(self) -> bytes:
        """The request head as the update server receives it."""
        return self.transmissions[-1].data

    def expected(self, channel: Channel) -> bytes:
        return b"".join(t.data for t in self.transmissions if t.channel is channel)


@dataclass(frozen=True)
class Exchange:
    """One request/response as it really happened: the bytes written, and what came back.

    ``sent`` is recorded at the socket's write call, not reconstructed from the request.
    """

    request: OutboundRequest
    sent: tuple[Transmission, ...]
    status: int | None  # None when no response arrived (the error says why)
    reason: str = ""
    response_headers: tuple[tuple[str, str], ...] = ()
    body: bytes = b""  # empty when the body was streamed into a sink
    bytes_received: int = 0  # response body bytes read
    started_at: float = 0.0  # wall-clock seconds since the epoch
    duration: float = 0.0
    remote: str = ""  # "host:port" actually connected to (the proxy, when one is used)
    error: str | None = None  # set on exchanges recorded for a failed send

    def header(self, name: str) -> str | None:
        lname = name.lower()
        return next((v for k, v in self.response_headers if k.lower() == lname), None)


@dataclass
class CancelToken:
    """Set from any thread; the transport polls it at least every ``Limits.cancel_latency``."""

    _event: threading.Event = field(default_factory=threading.Event)

    def cancel(self) -> None:
        self._event.set()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()
