"""Threat 22 on real sockets: the client follows redirects only where the rules allow;
each hop is rebuilt. The rules one by one, without sockets: tests/updater/test_client.py."""

from __future__ import annotations

import pytest
from glass_updater.allowlist import Allowlist
from glass_updater.client import Client
from glass_updater.errors import TransportError
from glass_updater.request import build_check_request
from glass_updater.transport.http import HttpTransport
from glass_updater.wire_types import Exchange, OutboundRequest

from tests.loopback import LoopbackServer, Reply, TestCA
from tests.updater.transport.conftest import FAST

pytestmark = pytest.mark.loopback


def check(allowlist: Allowlist, url: str) -> OutboundRequest:
    return build_check_request(
        allowlist, feed_url=url, product="demo-app", version="1.0.0", proxy=None, max_body=10_000
    )


def redirect(location: str) -> Reply:
    return Reply(status=302, reason="Found", headers=(("Location", location),), body=b"moved")


def path_of(head: bytes) -> str:
    return head.split(b" ")[1].decode().split("?")[0]


def run(
    allowlist: Allowlist, url: str, ca: TestCA, *, hosts: frozenset[str] = frozenset(),
    max_redirects: int = 5,
) -> tuple[list[Exchange], Exchange | TransportError]:
    seen: list[Exchange] = []
    transport = HttpTransport(FAST, ca_file=ca.ca_pem)
    client = Client(
        allowlist, transport=lambda: transport, proxy="none", allowed_hosts=hosts,
        max_redirects=max_redirects, on_exchange=seen.append,
    )
    try:
        result: Exchange | TransportError = client.send(check(allowlist, url))
    except TransportError as exc:
        result = exc
    return seen, result


def test_redirect_to_plain_http_refused(allowlist: Allowlist, ca: TestCA) -> None:
    with LoopbackServer(Reply(body=b"plain feed")) as plain:
        target = plain.url()
        with LoopbackServer(redirect(target), tls=ca.server_context()) as server:
            seen, result = run(allowlist, server.url(), ca)
            assert server.wait_connections(1)
        assert plain.received == []  # the plain-text URL was never requested
    assert isinstance(result, TransportError) and "from https to" in result.message
    assert [e.status for e in seen] == [302]


def test_redirect_loop_refused(allowlist: Allowlist, ca: TestCA) -> None:
    def replies(head: bytes) -> Reply:
        return redirect("/demo-app/b.json" if path_of(head).endswith("a.json") else "a.json")

    with LoopbackServer(replies, tls=ca.server_context()) as server:
        seen, result = run(allowlist, server.url("/demo-app/a.json"), ca)
        heads = server.wait_connections(2)
    assert isinstance(result, TransportError) and "redirect loop" in result.message
    assert [path_of(h) for h in heads] == ["/demo-app/a.json", "/demo-app/b.json"]
    assert len(seen) == 2


def test_more_than_five_redirects_refused(allowlist: Allowlist, ca: TestCA) -> None:
    def replies(head: bytes) -> Reply:
        n = int(path_of(head).rsplit("/h", 1)[1])
        return redirect(f"/demo-app/h{n + 1}")

    with LoopbackServer(replies, tls=ca.server_context()) as server:
        seen, result = run(allowlist, server.url("/demo-app/h0"), ca)
        heads = server.wait_connections(6)
    assert isinstance(result, TransportError) and "more than 5 redirects" in result.message
    assert [path_of(h) for h in heads] == [f"/demo-app/h{i}" for i in range(6)]
    assert len(seen) == 6


def test_redirect_to_another_host_refused(allowlist: Allowlist, ca: TestCA) -> None:
    with LoopbackServer(Reply(body=b"elsewhere"), tls=ca.server_context()) as other:
        elsewhere = other.url().replace("127.0.0.1", "localhost")
        with LoopbackServer(redirect(elsewhere), tls=ca.server_context()) as server:
            seen, result = run(allowlist, server.url(), ca)
            server.wait_connections(1)
        assert other.received == []
    assert isinstance(result, TransportError) and "another host (localhost)" in result.message
    assert len(seen) == 1


def test_redirect_to_an_allowed_host_is_followed(allowlist: Allowlist, ca: TestCA) -> None:
    with LoopbackServer(Reply(body=b"mirror feed"), tls=ca.server_context()) as other:
        elsewhere = other.url().replace("127.0.0.1", "localhost")
        with LoopbackServer(redirect(elsewhere), tls=ca.server_context()) as server:
            seen, result = run(allowlist, server.url(), ca, hosts=frozenset({"localhost"}))
        (read,) = other.wait_connections(1)
    assert isinstance(result, Exchange) and result.body == b"mirror feed"
    assert read == seen[1].request.request_bytes == seen[1].sent[0].data
    assert b"Host: localhost:" in read


def test_same_host_https_redirect_followed_with_allowlisted_bytes(
    allowlist: Allowlist, ca: TestCA
) -> None:
    def replies(head: bytes) -> Reply:
        if path_of(head) == "/demo-app/feed.json":
            # the server tries to add a tracking query; the builder re-applies only ours
            return redirect("/demo-app/v2/feed.json?product=demo-app&version=1.0.0")
        return Reply(body=b"the feed")

    with LoopbackServer(replies, tls=ca.server_context()) as server:
        seen, result = run(allowlist, server.url(), ca)
        heads = server.wait_connections(2)
    assert isinstance(result, Exchange) and result.body == b"the feed"
    assert [e.status for e in seen] == [302, 200]
    for exchange, head in zip(seen, heads, strict=True):
        assert head == exchange.sent[0].data == exchange.request.request_bytes
    assert heads[1].startswith(
        b"GET /demo-app/v2/feed.json?product=demo-app&version=1.0.0 HTTP/1.1\r\n"
    )
    assert {f.name for f in seen[1].request.fields} <= {f.name for f in allowlist.fields}


def test_redirect_adding_a_query_refused(allowlist: Allowlist, ca: TestCA) -> None:
    with LoopbackServer(redirect("/demo-app/x.json?uid=42"), tls=ca.server_context()) as server:
        seen, result = run(allowlist, server.url(), ca)
        assert len(server.wait_connections(1)) == 1
    assert isinstance(result, TransportError) and "adds a query" in result.message
    assert len(seen) == 1


def test_redirect_to_another_port_of_the_same_host_refused(
    allowlist: Allowlist, ca: TestCA
) -> None:
    """Threat 47: same host name, another port — another service; never requested."""
    with LoopbackServer(Reply(body=b"other service"), tls=ca.server_context()) as other:
        with LoopbackServer(redirect(other.url()), tls=ca.server_context()) as server:
            seen, result = run(allowlist, server.url(), ca, hosts=frozenset({"127.0.0.1"}))
            server.wait_connections(1)
        assert other.received == []
    assert isinstance(result, TransportError) and "another port of 127.0.0.1" in result.message
    assert len(seen) == 1


def test_redirect_from_http_to_https_of_loopback_refused(allowlist: Allowlist, ca: TestCA) -> None:
    """Threat 47: the scheme is kept both ways (loopback http never hops to https)."""
    with LoopbackServer(Reply(body=b"tls service"), tls=ca.server_context()) as other:
        with LoopbackServer(redirect(other.url())) as server:
            seen, result = run(allowlist, server.url(), ca)
            server.wait_connections(1)
        assert other.received == []
    assert isinstance(result, TransportError) and "from http to https" in result.message
    assert len(seen) == 1
