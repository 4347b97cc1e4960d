"""The network seam: every byte the program sends passes through a Transport.

``HttpTransport`` is imported lazily (it pulls in requests and urllib3), so importing
this package for the protocol types costs nothing at start-up.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from glass_updater.transport.base import BodySink, Transport
from glass_updater.transport.witness import Witness
from glass_updater.wire_types import CancelToken, Exchange

if TYPE_CHECKING:
    from glass_updater.transport.http import HttpTransport

__all__ = [
    "BodySink",
    "CancelToken",
    "Exchange",
    "HttpTransport",
    "Transport",
    "Witness",
]


def __getattr__(name: str) -> Any:
    if name == "HttpTransport":
        from glass_updater.transport.http import HttpTransport

        return HttpTransport
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
