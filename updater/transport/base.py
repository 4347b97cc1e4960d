"""The Transport seam: one method, through which every network byte of the program passes."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Protocol

from glass_updater.request import OutboundRequest, Transmission


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


class BodySink(Protocol):
    """Receives a 2xx response: its head once, then its body in chunks.

    ``begin`` is called when the head has arrived, before the first ``write`` (a download
    writes its resume record there). Raising from either aborts the transfer.
    """

    def begin(self, status: int, headers: tuple[tuple[str, str], ...]) -> None: ...

    def write(self, chunk: bytes) -> None: ...


@dataclass
class CancelToken:
    """Set from any thread; the transport polls it at least every ``Limits.cancel_latency``."""

    _event: threading.Event = field(default_factory=threading.Event)

    def cancel(self) -> None:
        self._event.set()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()


class Transport(Protocol):
    def send(
        self,
        request: OutboundRequest,
        sink: BodySink | None = None,
        cancel: CancelToken | None = None,
    ) -> Exchange:
        """Write exactly ``request.transmissions`` and read the response.

        Without a sink the body is returned in ``Exchange.body`` (at most
        ``request.max_body`` bytes, else TransportError). With a sink a 2xx body is
        streamed into it, also capped at ``request.max_body``; the body of any other
        status (a redirect, an error page) never goes into the sink: it is returned in
        ``Exchange.body``, truncated to a small cap. Any HTTP status is returned as an
        Exchange; network failures raise TransportError whose ``exchange`` attribute holds
        what was sent before the failure, so it can still be logged.
        """
        ...
