"""The one transport double of the tests: ``MockTransport(handler)``, as httpx's.

A handler maps each OutboundRequest to a ``Response`` (status, headers, body, an optional
drop after N body bytes) or raises, as a failed connection does. MockTransport plays the
answer under the real Transport contract, so code under test cannot tell it from
HttpTransport: a 2xx body is streamed into the sink after ``begin``, any other body is
returned (cut to the error-body cap), a body over ``request.max_body`` is a TransportError,
a cancel is honoured between chunks, and every request sent is recorded.
"""

from __future__ import annotations

import http
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace

from glass_updater.errors import Cancelled, Cause, TransportError
from glass_updater.limits import DEFAULT_LIMITS
from glass_updater.transport.base import BodySink
from glass_updater.wire_types import CancelToken, Exchange, OutboundRequest


@dataclass(frozen=True)
class Response:
    """What the server answers. ``reason`` None: the standard phrase of ``status``.

    ``drop_after``: the connection breaks after that many body bytes, raising ``failure``
    (default: "the connection was closed before the end", carrying what arrived). A
    ``failure`` that already carries an exchange is raised unchanged.
    """

    status: int = 200
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes = b""
    reason: str | None = None
    drop_after: int | None = None
    failure: TransportError | None = None

    @property
    def phrase(self) -> str:
        if self.reason is not None:
            return self.reason
        try:
            return http.HTTPStatus(self.status).phrase
        except ValueError:
            return ""


Handler = Callable[[OutboundRequest], Response]


def refuse(
    message: str, *, cause: Cause, error: str | None = None, host: str = ""
) -> Handler:
    """A handler for a server that cannot be reached: raises before any byte is sent.

    ``error`` (the exchange's error text) None: the failure carries no exchange at all.
    """

    def handler(request: OutboundRequest) -> Response:
        exchange = None if error is None else Exchange(request, (), None, error=error)
        raise TransportError(message, exchange=exchange, cause=cause, host=host)

    return handler


def in_turn(*handlers: Handler) -> Handler:
    """The first call goes to the first handler, the next to the next; the last repeats."""
    return numbered(lambda request, n: handlers[min(n, len(handlers) - 1)](request))


def numbered(respond: Callable[[OutboundRequest, int], Response]) -> Handler:
    """A handler that is also told how many requests it answered before this one."""
    lock = threading.Lock()
    calls = [0]

    def handler(request: OutboundRequest) -> Response:
        with lock:
            n = calls[0]
            calls[0] += 1
        return respond(request, n)

    return handler


def routes(table: Mapping[str, Sequence[Response | Handler]]) -> Handler:
    """Answers by URL path from a script: one answer per call, in order; the last repeats.

    An answer is a Response, or a handler (to build one from the request).
    """
    turns = {
        path: in_turn(*(a if callable(a) else _constant(a) for a in answers))
        for path, answers in table.items()
    }

    def handler(request: OutboundRequest) -> Response:
        return turns[request.target.path](request)

    return handler


def _constant(response: Response) -> Handler:
    return lambda _request: response


def no_network(request: OutboundRequest) -> Response:
    """A handler for code that must never send: the test fails at the first request."""
    raise AssertionError(f"nothing may be sent here, but {request.url} was")


@dataclass
class MockTransport:
    """Implements ``Transport`` over ``handler``; records every request in ``requests``.

    ``chunk``: body bytes per sink write (cancel is polled and ``on_chunk`` called after
    each). ``held``: each send waits for ``release`` (or a cancel) before it is answered,
    ``entered`` says a send is waiting. ``honours_cancel`` False: a transport that never
    looks at the token.
    """

    handler: Handler
    chunk: int = 1024
    held: bool = False
    honours_cancel: bool = True
    on_chunk: Callable[[int], None] | None = None
    requests: list[OutboundRequest] = field(default_factory=list)
    entered: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def calls(self) -> int:
        return len(self.requests)

    def send(
        self,
        request: OutboundRequest,
        sink: BodySink | None = None,
        cancel: CancelToken | None = None,
    ) -> Exchange:
        with self._lock:
            self.requests.append(request)
        if self.held:
            self._wait(request, cancel)
        answer = self.handler(request)
        base = Exchange(
            request=request,
            sent=request.transmissions,
            status=answer.status,
            reason=answer.phrase,
            response_headers=answer.headers,
            remote=f"{request.target.host}:{request.target.port}",
        )
        ok = 200 <= answer.status < 300
        into = sink if ok else None  # a 2xx body streams into the sink, others are kept
        strict = ok or sink is None  # a body the caller uses: over the cap is an error
        cap = request.max_body if strict else min(request.max_body, DEFAULT_LIMITS.error_body_cap)
        announced = (base.header("Content-Length") or "").strip()
        if strict and announced.isascii() and announced.isdigit() and int(announced) > cap:
            message = (
                f"response larger than {cap} bytes ({request.target.host} announced "
                f"{int(announced)}); nothing more was read"
            )
            raise TransportError(
                message, exchange=replace(base, error=message), cause=Cause.TOO_LARGE
            )
        if into is not None:
            into.begin(answer.status, answer.headers)
        received = 0
        kept = bytearray()
        for start in range(0, len(answer.body), self.chunk):
            if self.honours_cancel and cancel is not None and cancel.cancelled:
                raise Cancelled("cancelled", exchange=replace(base, bytes_received=received))
            piece = answer.body[start : start + self.chunk]
            failure: TransportError | None = None
            if answer.drop_after is not None and received + len(piece) > answer.drop_after:
                piece = piece[: answer.drop_after - received]
                failure = answer.failure or TransportError(
                    "the connection was closed before the end", cause=Cause.CONNECTION_LOST
                )
            if received + len(piece) > cap:
                piece = piece[: cap - received]
                if strict:
                    failure = TransportError(
                        f"response larger than {cap} bytes from {request.target.host}; "
                        "stopped reading",
                        cause=Cause.TOO_LARGE,
                    )
                else:  # an error page: kept up to the cap, the rest unread
                    kept += piece
                    received += len(piece)
                    break
            if piece:
                if into is not None:
                    into.write(piece)
                else:
                    kept += piece
                received += len(piece)
            if failure is not None:
                if failure.exchange is not None:
                    raise failure
                exchange = replace(base, bytes_received=received, error=failure.message)
                raise failure.again(exchange)
            if self.on_chunk is not None:
                self.on_chunk(received)
        return replace(base, body=bytes(kept), bytes_received=received)

    def _wait(self, request: OutboundRequest, cancel: CancelToken | None) -> None:
        """Hold the answer until ``release``; a cancel meanwhile ends the send, as the
        real transport's watchdog does."""
        self.entered.set()
        for _ in range(400):  # bounded: at most ~20 s
            if self.release.wait(0.05):
                return
            if cancel is not None and cancel.cancelled:
                raise Cancelled(
                    "the check was cancelled; nothing was changed",
                    exchange=Exchange(request, request.transmissions, None, error="cancelled"),
                )
        raise AssertionError("MockTransport was held and never released")
