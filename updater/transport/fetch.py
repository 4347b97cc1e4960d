"""Follow redirects ourselves: each hop is a new request from the same builder and rules.

requests would follow https→http, keep custom headers across hosts and re-add netrc
credentials; here every hop is rebuilt by ``rebuild_for_redirect`` (https only unless
loopback, allowed hosts only, allowlisted fields only), loops and long chains are
refused before the next request is made, and every exchange, failed ones included, is
reported to ``on_exchange`` so the ledger shows each hop.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from glass_updater.allowlist import Allowlist
from glass_updater.errors import Cause, RequestRefused, TransportError
from glass_updater.request import rebuild_for_redirect
from glass_updater.transport.base import BodySink, Transport
from glass_updater.wire_types import CancelToken, Exchange, OutboundRequest

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})


def fetch(
    transport: Transport,
    allowlist: Allowlist,
    request: OutboundRequest,
    values: Mapping[str, str],
    *,
    allowed_hosts: frozenset[str],
    max_redirects: int,
    on_exchange: Callable[[Exchange], None],
    on_sending: Callable[[OutboundRequest], None] | None = None,
    sink: BodySink | None = None,
    cancel: CancelToken | None = None,
) -> Exchange:
    """Send ``request`` and follow up to ``max_redirects`` 3xx hops; return the last answer.

    ``on_sending`` is called before each request's first byte is written (the ledger's
    write-ahead record). Raises TransportError for a refused redirect (its exchange was
    already reported).
    A transport's own TransportError is re-raised after its partial exchange is reported;
    callers must not report ``error.exchange`` a second time.
    """
    current = request
    seen = {request.url}
    hops = 0
    while True:
        if on_sending is not None:
            on_sending(current)
        try:
            exchange = transport.send(current, sink=sink, cancel=cancel)
        except TransportError as exc:
            if exc.exchange is not None:
                on_exchange(exc.exchange)
            raise
        on_exchange(exchange)
        if exchange.status not in REDIRECT_STATUSES:
            return exchange
        location = exchange.header("Location")
        if not location:
            raise TransportError(
                f"{current.target.host} answered {exchange.status} without saying where to go "
                "(no Location); the publisher's server is misconfigured",
                cause=Cause.REDIRECT,
                host=current.target.host,
            )
        if hops >= max_redirects:
            raise TransportError(
                f"refused to follow more than {max_redirects} redirects from "
                f"{request.target.host}; the publisher's server is misconfigured",
                cause=Cause.REDIRECT,
                host=current.target.host,
            )
        try:
            nxt = rebuild_for_redirect(allowlist, current, location, values, allowed_hosts)
        except RequestRefused as exc:
            raise TransportError(
                f"{current.target.host} redirected to a place the updater may not go, so it "
                f"was not requested: {exc.message}",
                cause=Cause.REDIRECT,
                host=current.target.host,
            ) from None
        if nxt.url in seen:
            raise TransportError(
                f"refused a redirect loop back to {nxt.url}; the publisher's server is "
                "misconfigured",
                cause=Cause.REDIRECT,
                host=current.target.host,
            )
        seen.add(nxt.url)
        hops += 1
        current = nxt
