"""The client between the façade and the transport, as httpx's ``Client``: build, route, follow.

One ``Client`` serves one operation (a check, a download) with the user's settings as
they were read once at its start. It builds requests with the pure builder
(``request.build_request``) after resolving the proxy for the target, sends them through
the one-method ``Transport`` and follows redirects itself: requests would follow
https→http, keep custom headers across hosts and re-add netrc credentials; here every hop
is rebuilt from the request's own ``values`` by the same builder (https only unless
loopback, allowed hosts only, the scheme and port kept, allowlisted fields only), loops
and long chains are refused before the next request is made, ``on_sending`` (the ledger's
write-ahead record) runs before each hop's first byte and every exchange, failed ones
included, is reported to ``on_exchange`` so the ledger shows each hop.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from urllib.parse import urljoin

from glass_updater.allowlist import Allowlist
from glass_updater.config import PackagerConfig
from glass_updater.errors import Cause, ExchangeError, RequestRefused, TransportError
from glass_updater.limits import DEFAULT_LIMITS
from glass_updater.proxy import resolve_proxy
from glass_updater.request import (
    build_check_request,
    build_download_request,
    build_request,
    one_line,
    parse_target,
)
from glass_updater.transport.base import BodySink, Transport
from glass_updater.wire_types import (
    CancelToken,
    Exchange,
    OutboundRequest,
    ProxySpec,
    RequestKind,
    Target,
)

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})


def check_request(
    allowlist: Allowlist,
    config: PackagerConfig,
    *,
    max_body: int,
    proxy_for: Callable[[Target], ProxySpec | None] | None = None,
) -> OutboundRequest:
    """The check request of ``config``: the one path the preview, the check and the audit
    digest (``policy.check_request_sha256``) all build it by, so they cannot drift.

    The feed URL is parsed once; ``proxy_for`` picks the proxy for it (none if omitted).
    """
    feed = parse_target(config.feed_url, purpose="feed")
    return build_check_request(
        allowlist,
        feed_url=feed,
        product=config.product_id,
        version=config.version,
        proxy=proxy_for(feed) if proxy_for is not None else None,
        max_body=max_body,
    )


class Client:
    """Builds, routes and sends the requests of one operation; follows redirects by rule."""

    def __init__(
        self,
        allowlist: Allowlist,
        *,
        transport: Callable[[], Transport],
        proxy: str,
        allowed_hosts: frozenset[str] = frozenset(),
        max_redirects: int = DEFAULT_LIMITS.max_redirects,
        on_sending: Callable[[OutboundRequest], None] | None = None,
        on_exchange: Callable[[Exchange], None] | None = None,
    ) -> None:
        """``transport`` is called at the first send, so building a preview loads no
        network code; ``proxy`` is the effective setting ("none", "system" or a URL);
        ``allowed_hosts`` are the other hosts a redirect may lead to."""
        self.allowlist = allowlist
        self._transport = transport
        self._proxy_setting = proxy
        self._proxies: dict[Target, ProxySpec | None] = {}
        self.allowed_hosts = allowed_hosts
        self.max_redirects = max_redirects
        self.on_sending = on_sending
        self.on_exchange = on_exchange

    # ------------------------------------------------------------------ building

    def proxy_for(self, target: Target) -> ProxySpec | None:
        """The proxy a request to ``target`` goes through (resolved once per target)."""
        if target not in self._proxies:
            self._proxies[target] = resolve_proxy(self._proxy_setting, target)
        return self._proxies[target]

    def check_request(self, config: PackagerConfig, *, max_body: int) -> OutboundRequest:
        """The update check; what ``Updater.preview`` shows and ``Updater.check`` sends."""
        return check_request(self.allowlist, config, max_body=max_body, proxy_for=self.proxy_for)

    def download_request(
        self,
        target: Target,
        *,
        max_body: int,
        resume_from: int | None = None,
        if_range: str | None = None,
    ) -> OutboundRequest:
        """A signed asset's request; Range and If-Range only when resuming."""
        return build_download_request(
            self.allowlist,
            url=target,
            proxy=self.proxy_for(target),
            max_body=max_body,
            resume_from=resume_from,
            if_range=if_range,
        )

    # ------------------------------------------------------------------ sending

    def send(
        self,
        request: OutboundRequest,
        *,
        sink: BodySink | None = None,
        cancel: CancelToken | None = None,
    ) -> Exchange:
        """Send ``request`` and follow up to ``max_redirects`` 3xx hops; return the last answer.

        Raises TransportError for a refused redirect (its exchange was already reported).
        A transport's own ExchangeError (network failure, cancel, gate violation) is
        re-raised after its partial exchange is reported; callers must not report
        ``error.exchange`` a second time.
        """
        transport = self._transport()
        current = request
        seen = {request.url}
        hops = 0
        while True:
            if self.on_sending is not None:
                self.on_sending(current)
            try:
                exchange = transport.send(current, sink=sink, cancel=cancel)
            except ExchangeError as exc:
                if exc.exchange is not None:
                    self._report(exc.exchange)
                raise
            self._report(exchange)
            if exchange.status not in REDIRECT_STATUSES:
                return exchange
            nxt = self._next_hop(request, current, exchange, hops)
            if nxt.url in seen:
                raise _refused(
                    f"refused a redirect loop back to {nxt.url}; the publisher's server "
                    "is misconfigured",
                    current,
                )
            seen.add(nxt.url)
            hops += 1
            current = nxt

    def _report(self, exchange: Exchange) -> None:
        if self.on_exchange is not None:
            self.on_exchange(exchange)

    def _next_hop(
        self, first: OutboundRequest, current: OutboundRequest, exchange: Exchange, hops: int
    ) -> OutboundRequest:
        host = current.target.host
        location = exchange.header("Location")
        if not location:
            raise _refused(
                f"{host} answered {exchange.status} without saying where to go "
                "(no Location); the publisher's server is misconfigured",
                current,
            )
        if hops >= self.max_redirects:
            raise _refused(
                f"refused to follow more than {self.max_redirects} redirects from "
                f"{first.target.host}; the publisher's server is misconfigured",
                current,
            )
        try:
            return rebuild_for_redirect(self.allowlist, current, location, self.allowed_hosts)
        except RequestRefused as exc:
            raise _refused(
                f"{host} redirected to a place the updater may not go, so it was not "
                f"requested: {exc.message}",
                current,
            ) from None


def _refused(message: str, request: OutboundRequest) -> TransportError:
    return TransportError(message, cause=Cause.REDIRECT, host=request.target.host)


def rebuild_for_redirect(
    allowlist: Allowlist,
    previous: OutboundRequest,
    location: str,
    allowed_hosts: frozenset[str],
) -> OutboundRequest:
    """A 3xx hop: the new URL must stay https (or loopback http) on an allowed host.

    The hop is built from scratch by the same builder from ``previous.values``, so it
    carries only allowlisted fields; the check's query parameters are re-applied, any other
    query in Location is refused.
    """
    absolute = urljoin(previous.target.url, location)
    target = parse_target(absolute, purpose="redirect")
    if previous.target.scheme == "https" and target.scheme != "https":
        raise RequestRefused(
            "url", f"refused a redirect from https to {one_line(absolute)}; nothing was sent"
        )
    if target.scheme != previous.target.scheme:
        raise RequestRefused(
            "url",
            f"refused a redirect from {previous.target.scheme} to {target.scheme} "
            f"({one_line(absolute)}); nothing was sent there",
        )
    if target.host != previous.target.host and target.host not in allowed_hosts:
        raise RequestRefused(
            "url",
            f"refused a redirect to another host ({target.host}); nothing was sent there",
        )
    if target.host == previous.target.host and target.port != previous.target.port:
        # Another port of the same host is another service (threat 47).
        raise RequestRefused(
            "url",
            f"refused a redirect to another port of {target.host} (from "
            f"{previous.target.port} to {target.port}); nothing was sent there",
        )
    if previous.kind is RequestKind.CHECK and target.query:
        if target.query != previous.target.query:
            raise RequestRefused(
                "query", f"refused a redirect that adds a query ({one_line(target.query)})"
            )
        target = replace(target, query="")
    return build_request(
        allowlist,
        previous.kind,
        target,
        dict(previous.values),
        proxy=previous.proxy,
        max_body=previous.max_body,
    )
