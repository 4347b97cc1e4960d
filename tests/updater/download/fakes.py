"""A fake Transport that implements the real protocol, plus helpers to build assets.

It streams a scripted reply into the sink in chunks, caps the body at
``request.max_body`` and raises TransportError(exchange=...) on drops and overflow,
as HttpTransport does, so the Downloader is exercised without sockets.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

from glass_updater.allowlist import load_allowlist
from glass_updater.download import Downloader
from glass_updater.errors import Cancelled, TransportError
from glass_updater.limits import Limits
from glass_updater.model import Asset, Release
from glass_updater.transport.base import BodySink
from glass_updater.wire_types import CancelToken, Exchange, OutboundRequest

URL = "http://127.0.0.1:8765/demo-app/demo-app-1.4.0.AppImage"


def make_asset(content: bytes, url: str = URL, kind: str = "appimage") -> Asset:
    return Asset(
        platform="linux-x86_64",
        kind=kind,
        url=url,
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
    )


def make_release(asset: Asset) -> Release:
    return Release(
        version="1.4.0",
        channel="stable",
        published=datetime(2026, 11, 20, tzinfo=UTC),
        critical=False,
        min_os=(),
        notes="",
        assets=(asset,),
    )


def content_of(size: int, seed: int = 1) -> bytes:
    """Deterministic, non-repeating bytes, so any splice changes the hash."""
    out = bytearray()
    counter = 0
    while len(out) < size:
        out += hashlib.sha256(f"{seed}:{counter}".encode()).digest()
        counter += 1
    return bytes(out[:size])


def header(request: OutboundRequest, name: str) -> str | None:
    return next((v for k, v in request.headers if k.lower() == name.lower()), None)


@dataclass(frozen=True)
class Reply:
    status: int
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes = b""
    drop_at: int | None = None  # the connection breaks after this many body bytes
    reason: str = ""


Responder = Callable[[OutboundRequest, int], Reply]


def honest(content: bytes, etag: str = '"v1"', drop_at: dict[int, int] | None = None) -> Responder:
    """A server that honours Range + If-Range; ``drop_at`` maps request number -> bytes."""
    drops = drop_at or {}
    size = len(content)

    def respond(request: OutboundRequest, n: int) -> Reply:
        rng, if_range = header(request, "Range"), header(request, "If-Range")
        if rng is not None and (if_range is None or if_range == etag):
            start = int(rng.removeprefix("bytes=").rstrip("-"))
            headers = (
                ("ETag", etag),
                ("Content-Range", f"bytes {start}-{size - 1}/{size}"),
                ("Content-Length", str(size - start)),
            )
            return Reply(206, headers, content[start:], drops.get(n))
        headers = (("ETag", etag), ("Content-Length", str(size)))
        return Reply(200, headers, content, drops.get(n))

    return respond


class FakeTransport:
    """Implements ``Transport.send`` over scripted replies; records every request."""

    def __init__(self, respond: Responder, chunk: int = 1024) -> None:
        self.respond = respond
        self.chunk = chunk
        self.requests: list[OutboundRequest] = []
        self.after_chunk: Callable[[int], None] | None = None
        self.polls_cancel = True  # False: a transport that never looks at the token

    def send(
        self,
        request: OutboundRequest,
        sink: BodySink | None = None,
        cancel: CancelToken | None = None,
    ) -> Exchange:
        n = len(self.requests)
        self.requests.append(request)
        reply = self.respond(request, n)
        base = Exchange(
            request=request,
            sent=request.transmissions,
            status=reply.status,
            reason=reply.reason,
            response_headers=reply.headers,
        )
        received = 0
        body = b""
        if sink is not None and 200 <= reply.status < 300:
            sink.begin(reply.status, reply.headers)
        for start in range(0, len(reply.body), self.chunk):
            if self.polls_cancel and cancel is not None and cancel.cancelled:
                raise Cancelled("cancelled", exchange=replace(base, bytes_received=received))
            piece = reply.body[start : start + self.chunk]
            failure: TransportError | None = None
            if reply.drop_at is not None and received + len(piece) > reply.drop_at:
                piece = piece[: reply.drop_at - received]
                failure = TransportError("the connection was closed before the end")
            if received + len(piece) > request.max_body:
                piece = piece[: request.max_body - received]
                failure = TransportError(f"response larger than {request.max_body} bytes")
            if piece:
                if sink is None:
                    body += piece
                else:
                    sink.write(piece)
                received += len(piece)
            if failure is not None:
                exchange = replace(base, bytes_received=received, error=str(failure))
                raise TransportError(failure.message, exchange=exchange)
            if self.after_chunk is not None:
                self.after_chunk(received)
        return replace(base, body=body, bytes_received=received)


def make_downloader(
    transport: FakeTransport,
    staging: Path,
    exchanges: list[Exchange] | None = None,
    limits: Limits | None = None,
    **kwargs: object,
) -> Downloader:
    record = exchanges if exchanges is not None else []
    return Downloader(
        transport,
        load_allowlist(),
        staging=staging,
        limits=limits or Limits(download_chunk=4096, progress_interval=0.0),
        proxy=None,
        allowed_hosts=frozenset(),
        on_exchange=record.append,
        **kwargs,  # type: ignore[arg-type]
    )
