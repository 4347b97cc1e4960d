"""The Transport seam: one method, through which every network byte of the program passes."""

from __future__ import annotations

from typing import Protocol

from glass_updater.wire_types import CancelToken, Exchange, OutboundRequest


class BodySink(Protocol):
    """Receives a 2xx response: its head once, then its body in chunks.

    ``begin`` is called when the head has arrived, before the first ``write`` (a download
    writes its resume record there). Raising from either aborts the transfer.
    """

    def begin(self, status: int, headers: tuple[tuple[str, str], ...]) -> None: ...

    def write(self, chunk: bytes) -> None: ...


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
        Exchange; a failure raises an ExchangeError (TransportError for the network,
        Cancelled, GateViolation) whose ``exchange`` attribute holds what was sent before
        it, so it can still be logged.
        """
        ...
