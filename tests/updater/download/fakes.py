"""Servers for the transport double (tests/doubles.py), plus helpers to build assets.

``honest`` answers Range and If-Range as a well-behaved server does, and can drop the
connection part-way, so the Downloader is exercised without sockets.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from pathlib import Path

from glass_updater.allowlist import load_allowlist
from glass_updater.client import Client
from glass_updater.download import Downloader
from glass_updater.limits import Limits
from glass_updater.model import Asset, Release
from glass_updater.wire_types import Exchange, OutboundRequest

from tests.doubles import Handler, MockTransport, Response, numbered

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


def honest(content: bytes, etag: str = '"v1"', drop_at: dict[int, int] | None = None) -> Handler:
    """A server that honours Range + If-Range; ``drop_at`` maps request number -> bytes."""
    drops = drop_at or {}
    size = len(content)

    def respond(request: OutboundRequest, n: int) -> Response:
        rng, if_range = header(request, "Range"), header(request, "If-Range")
        if rng is not None and (if_range is None or if_range == etag):
            start = int(rng.removeprefix("bytes=").rstrip("-"))
            headers: tuple[tuple[str, str], ...] = (
                ("ETag", etag),
                ("Content-Range", f"bytes {start}-{size - 1}/{size}"),
                ("Content-Length", str(size - start)),
            )
            return Response(206, headers, content[start:], drop_after=drops.get(n))
        headers = (("ETag", etag), ("Content-Length", str(size)))
        return Response(200, headers, content, drop_after=drops.get(n))

    return numbered(respond)


def make_downloader(
    transport: MockTransport,
    staging: Path,
    exchanges: list[Exchange] | None = None,
    limits: Limits | None = None,
    **kwargs: object,
) -> Downloader:
    record = exchanges if exchanges is not None else []
    client = Client(
        load_allowlist(), transport=lambda: transport, proxy="none", on_exchange=record.append
    )
    return Downloader(
        client,
        staging=staging,
        limits=limits or Limits(download_chunk=4096, progress_interval=0.0),
        **kwargs,  # type: ignore[arg-type]
    )
