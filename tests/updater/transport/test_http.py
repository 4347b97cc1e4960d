"""HttpTransport against real loopback servers: exact bytes, caps, timeouts, TLS, cancel."""

from __future__ import annotations

import gzip
import threading
import time
import tracemalloc
from dataclasses import replace

import pytest
from glass_updater.allowlist import Allowlist
from glass_updater.errors import Cancelled, TransportError
from glass_updater.request import build_check_request
from glass_updater.transport.http import HttpTransport
from glass_updater.wire_types import CancelToken, Channel, OutboundRequest, ProxySpec

from tests.loopback import ConnectProxy, LoopbackServer, Reply, TestCA
from tests.updater.transport.conftest import FAST

pytestmark = pytest.mark.loopback


def check(
    allowlist: Allowlist, url: str, *, proxy: ProxySpec | None = None, max_body: int = 100_000
) -> OutboundRequest:
    return build_check_request(
        allowlist, feed_url=url, product="demo-app", version="1.4.0", proxy=proxy,
        max_body=max_body,
    )


class ListSink:
    def __init__(self) -> None:
        self.chunks: list[bytes] = []
        self.head: tuple[int, tuple[tuple[str, str], ...]] | None = None

    def begin(self, status: int, headers: tuple[tuple[str, str], ...]) -> None:
        self.head = (status, headers)

    def write(self, chunk: bytes) -> None:
        self.chunks.append(chunk)


# ---------------------------------------------------------------- what you see is what is sent


def test_http_recorded_bytes_equal_preview_and_server_read(allowlist: Allowlist) -> None:
    with LoopbackServer(Reply(body=b'{"ok": true}')) as server:
        request = check(allowlist, server.url())
        exchange = HttpTransport(FAST).send(request)
        (read,) = server.wait_connections(1)
    assert exchange.sent == request.transmissions
    assert exchange.sent[0].channel is Channel.PLAIN
    assert read == request.request_bytes == exchange.sent[0].data
    assert read == (
        b"GET /demo-app/feed.json?product=demo-app&version=1.4.0 HTTP/1.1\r\n"
        b"Host: 127.0.0.1:" + str(server.port).encode() + b"\r\n"
        b"User-Agent: glass-updater\r\nAccept: application/json\r\n"
        b"Accept-Encoding: identity\r\nConnection: close\r\n\r\n"
    )
    assert (exchange.status, exchange.body) == (200, b'{"ok": true}')
    assert exchange.remote == f"127.0.0.1:{server.port}"
    assert exchange.bytes_received == len(b'{"ok": true}')


def test_https_recorded_bytes_equal_preview_and_server_read(
    allowlist: Allowlist, ca: TestCA
) -> None:
    with LoopbackServer(Reply(body=b"feed"), tls=ca.server_context()) as server:
        request = check(allowlist, server.url())
        exchange = HttpTransport(FAST, ca_file=ca.ca_pem).send(request)
        (read,) = server.wait_connections(1)
    assert [t.channel for t in exchange.sent] == [Channel.TLS]
    assert read == request.request_bytes == exchange.sent[0].data
    assert exchange.body == b"feed"


def test_proxy_credentials_go_only_to_the_proxy(allowlist: Allowlist, ca: TestCA) -> None:
    """Threat 40: CONNECT (with credentials) to the proxy; the origin never sees them."""
    with (
        LoopbackServer(Reply(body=b"feed"), tls=ca.server_context()) as server,
        ConnectProxy(("alice", "s3cret")) as proxy,
    ):
        spec = ProxySpec("127.0.0.1", proxy.port, "alice", "s3cret")
        request = check(allowlist, server.url(), proxy=spec)
        exchange = HttpTransport(FAST, ca_file=ca.ca_pem).send(request)
        (origin_read,) = server.wait_connections(1)
    assert exchange.sent == request.transmissions
    assert [t.channel for t in exchange.sent] == [Channel.PROXY, Channel.TLS]
    assert proxy.heads == [request.transmissions[0].data]
    authority = f"127.0.0.1:{server.port}".encode()
    assert proxy.heads[0] == (
        b"CONNECT " + authority + b" HTTP/1.1\r\nHost: " + authority + b"\r\n"
        b"Proxy-Authorization: Basic YWxpY2U6czNjcmV0\r\n\r\n"
    )
    assert origin_read == request.request_bytes == exchange.sent[1].data
    assert b"Proxy-Authorization" not in origin_read and b"YWxpY2U" not in origin_read
    assert exchange.remote == f"127.0.0.1:{proxy.port}"
    assert exchange.body == b"feed"


def test_proxy_refusing_credentials_is_a_clear_error(allowlist: Allowlist, ca: TestCA) -> None:
    with (
        LoopbackServer(Reply(body=b"feed"), tls=ca.server_context()) as server,
        ConnectProxy(("alice", "right")) as proxy,
    ):
        request = check(allowlist, server.url(), proxy=ProxySpec("127.0.0.1", proxy.port, "a", "b"))
        with pytest.raises(TransportError, match="407 Proxy Authentication Required") as info:
            HttpTransport(FAST, ca_file=ca.ca_pem).send(request)
        proxy.wait_connections(1)
        assert server.received == []
    assert info.value.exchange is not None
    assert info.value.exchange.sent == request.transmissions[:1]


# ---------------------------------------------------------------- HTTP status and sinks


def test_error_status_is_an_exchange_not_an_error(allowlist: Allowlist) -> None:
    with LoopbackServer(Reply(status=503, reason="Busy", body=b"later",
                              headers=(("Retry-After", "120"),))) as server:
        exchange = HttpTransport(FAST).send(check(allowlist, server.url()))
    assert (exchange.status, exchange.reason, exchange.body) == (503, "Busy", b"later")
    assert exchange.header("retry-after") == "120"
    assert exchange.error is None


def test_sink_receives_2xx_body_only(allowlist: Allowlist) -> None:
    with LoopbackServer([Reply(body=b"A" * 5000), Reply(status=404, body=b"nope")]) as server:
        ok_sink, error_sink = ListSink(), ListSink()
        ok = HttpTransport(FAST).send(check(allowlist, server.url()), sink=ok_sink)
        missing = HttpTransport(FAST).send(check(allowlist, server.url()), sink=error_sink)
    assert b"".join(ok_sink.chunks) == b"A" * 5000 and ok.body == b""
    assert error_sink.chunks == [] and missing.body == b"nope"


# ---------------------------------------------------------------- threats 25, 26, 29


def test_endless_body_capped_at_max_body(allowlist: Allowlist) -> None:
    """Threat 25: an endless body stops at the cap, with memory bounded by the cap."""
    with LoopbackServer(Reply(add_length=False, endless=True)) as server:
        request = check(allowlist, server.url(), max_body=200_000)
        tracemalloc.start()
        try:
            with pytest.raises(TransportError, match="larger than 200000 bytes"):
                HttpTransport(FAST).send(request)
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    assert peak < 3 * 1024 * 1024


def test_content_length_claiming_huge_is_refused_before_reading(allowlist: Allowlist) -> None:
    """Threat 26: the client's cap wins over a Content-Length of 10 GB."""
    reply = Reply(headers=(("Content-Length", str(10 * 1024**3)),), add_length=False,
                  body=b"x" * 10)
    with (
        LoopbackServer(reply) as server,
        pytest.raises(TransportError, match="announced 10737418240") as info,
    ):
        HttpTransport(FAST).send(check(allowlist, server.url(), max_body=1000))
    assert info.value.exchange is not None and info.value.exchange.bytes_received == 0


def test_content_length_small_then_huge_reads_only_announced(allowlist: Allowlist) -> None:
    """Threat 26: Content-Length 10 followed by a megabyte: only 10 bytes are taken."""
    reply = Reply(headers=(("Content-Length", "10"),), add_length=False, body=b"y" * 1_000_000)
    with LoopbackServer(reply) as server:
        exchange = HttpTransport(FAST).send(check(allowlist, server.url()))
    assert exchange.body == b"y" * 10 and exchange.bytes_received == 10


def test_content_length_longer_than_body_is_an_error(allowlist: Allowlist) -> None:
    reply = Reply(headers=(("Content-Length", "500"),), add_length=False, body=b"z" * 100)
    with (
        LoopbackServer(reply) as server,
        pytest.raises(TransportError, match="closed the connection after 100 bytes"),
    ):
        HttpTransport(FAST).send(check(allowlist, server.url()))


def test_gzip_content_encoding_is_not_decoded(allowlist: Allowlist) -> None:
    """Threats 29, 45: a gzip bomb is never inflated, and an encoding the client did not
    ask for is a network fault naming the encoding (exit 3), not a forged feed."""
    bomb = gzip.compress(b"\0" * 20_000_000)
    with (
        LoopbackServer(Reply(headers=(("Content-Encoding", "gzip"),), body=bomb)) as server,
        pytest.raises(TransportError, match="encoded as 'gzip'") as info,
    ):
        HttpTransport(FAST).send(check(allowlist, server.url()))
    assert type(info.value) is TransportError and info.value.exit_code == 3
    exchange = info.value.exchange
    assert exchange is not None and exchange.status == 200
    assert ("Content-Encoding", "gzip") in exchange.response_headers  # recorded as it came
    assert exchange.bytes_received == 0 and exchange.body == b""  # nothing read, nothing used
    assert len(bomb) < 100_000


@pytest.mark.parametrize("encoding", ["identity", "Identity", ""])
def test_identity_encoding_is_accepted(allowlist: Allowlist, encoding: str) -> None:
    with LoopbackServer(Reply(headers=(("Content-Encoding", encoding),), body=b"{}")) as server:
        exchange = HttpTransport(FAST).send(check(allowlist, server.url()))
    assert exchange.body == b"{}"


@pytest.mark.parametrize("cut", [len(b"HTTP/1.1 200 OK\r\nContent-Ty"),
                                 len(b"HTTP/1.1 200 OK\r\n"),
                                 len(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n")])
def test_connection_closed_in_the_middle_of_the_head_is_a_network_error(
    allowlist: Allowlist, cut: int
) -> None:
    """Threat 45: http.client takes EOF for the end of the headers; we do not."""
    reply = Reply(headers=(("Content-Type", "application/json"),), body=b"{}",
                  head_truncate_at=cut)
    with (
        LoopbackServer(reply) as server,
        pytest.raises(TransportError, match="in the middle of the response head") as info,
    ):
        HttpTransport(FAST).send(check(allowlist, server.url()))
    assert type(info.value) is TransportError and info.value.exit_code == 3
    assert "\n" not in info.value.message


# ---------------------------------------------------------------- threats 27, 28


def test_drip_aborted_by_minimum_throughput(allowlist: Allowlist) -> None:
    """Threat 27: 5 bytes/s is below a 100 bytes/s minimum: stopped after the grace."""
    limits = replace(FAST, min_throughput=100, read_timeout=5.0, deadline=10.0)
    with LoopbackServer(Reply(body=b"d" * 50, drip=0.2)) as server:
        start = time.monotonic()
        with pytest.raises(TransportError, match="less than 100 bytes/s"):
            HttpTransport(limits).send(check(allowlist, server.url()))
    assert time.monotonic() - start < 2.5


def test_drip_aborted_by_deadline(allowlist: Allowlist) -> None:
    """Threat 27: every byte arrives within the read timeout, but the deadline wins."""
    limits = replace(FAST, read_timeout=5.0, deadline=0.8)
    with LoopbackServer(Reply(body=b"d" * 50, drip=0.1)) as server:
        start = time.monotonic()
        with pytest.raises(TransportError, match=r"longer than 0\.8 s"):
            HttpTransport(limits).send(check(allowlist, server.url()))
    assert time.monotonic() - start < 2.5


def test_drip_of_the_response_head_aborted_by_deadline(allowlist: Allowlist) -> None:
    """Threat 27: a status line at 20 bytes/s never trips the read timeout; the deadline does."""
    limits = replace(FAST, read_timeout=5.0, deadline=0.8)
    with LoopbackServer(Reply(body=b"d", drip=0.05, drip_head=True)) as server:
        start = time.monotonic()
        with pytest.raises(TransportError, match=r"longer than 0\.8 s"):
            HttpTransport(limits).send(check(allowlist, server.url()))
    assert time.monotonic() - start < 2.5


def test_silent_proxy_times_out_naming_the_proxy(allowlist: Allowlist) -> None:
    with LoopbackServer(Reply(silent=True)) as fake_proxy:
        request = check(
            allowlist, "https://updates.example.com/demo-app/feed.json",
            proxy=ProxySpec("127.0.0.1", fake_proxy.port),
        )
        with pytest.raises(TransportError, match=r"your proxy .* did not answer CONNECT") as info:
            HttpTransport(FAST).send(request)
        (read,) = fake_proxy.wait_connections(1)
    assert read == request.transmissions[0].data
    assert info.value.exchange is not None
    assert info.value.exchange.sent == request.transmissions[:1]


def test_accept_and_never_answer_times_out(allowlist: Allowlist) -> None:
    """Threat 28: the server accepts, reads the request, and says nothing."""
    with LoopbackServer(Reply(silent=True)) as server:
        request = check(allowlist, server.url())
        start = time.monotonic()
        with pytest.raises(TransportError, match=r"sent no answer within 0\.6 s") as info:
            HttpTransport(FAST).send(request)
        elapsed = time.monotonic() - start
    assert 0.5 < elapsed < 2.5
    exchange = info.value.exchange
    assert exchange is not None and exchange.sent == request.transmissions
    assert exchange.status is None and exchange.error == info.value.message


def test_tls_handshake_stall_times_out(allowlist: Allowlist, ca: TestCA) -> None:
    """Threat 28: TCP is accepted but the TLS handshake never completes."""
    with LoopbackServer(Reply(silent=True)) as plain:  # never answers the ClientHello
        url = plain.url().replace("http://", "https://")
        start = time.monotonic()
        with pytest.raises(TransportError, match=r"handshake .* did not finish within 1 s") as info:
            HttpTransport(FAST, ca_file=ca.ca_pem).send(check(allowlist, url))
    assert time.monotonic() - start < 3.0
    assert info.value.exchange is not None and info.value.exchange.sent == ()


def test_connection_refused_is_a_clear_error(allowlist: Allowlist) -> None:
    with LoopbackServer() as server:
        url = server.url()
    with pytest.raises(TransportError, match="could not connect to the update server"):
        HttpTransport(FAST).send(check(allowlist, url))


# ---------------------------------------------------------------- cancel


@pytest.mark.parametrize(
    "case",
    ["drip", "silent", "tls-stall", "proxy-stall"],
)
def test_cancel_from_another_thread_within_one_second(
    allowlist: Allowlist, ca: TestCA, case: str
) -> None:
    limits = replace(
        FAST, connect_timeout=30.0, read_timeout=30.0, deadline=60.0, cancel_latency=0.5
    )
    reply = Reply(body=b"c" * 100, drip=0.2) if case == "drip" else Reply(silent=True)
    token = CancelToken()
    with LoopbackServer(reply) as server:
        url, proxy = server.url(), None
        if case == "tls-stall":
            url = url.replace("http://", "https://")
        if case == "proxy-stall":  # the "proxy" reads CONNECT and never answers
            url = "https://updates.example.com/demo-app/feed.json"
            proxy = ProxySpec("127.0.0.1", server.port)
        timer = threading.Timer(0.3, token.cancel)
        start = time.monotonic()
        timer.start()
        try:
            with pytest.raises(Cancelled) as info:
                HttpTransport(limits, ca_file=ca.ca_pem).send(
                    check(allowlist, url, proxy=proxy), cancel=token
                )
        finally:
            timer.cancel()
        elapsed = time.monotonic() - start
    assert elapsed < 0.3 + 1.0
    assert info.value.exchange is not None


# ---------------------------------------------------------------- threat 23


@pytest.mark.parametrize("case", ["wrong-host", "self-signed", "expired"])
def test_bad_certificate_fails_closed(allowlist: Allowlist, ca: TestCA, case: str) -> None:
    context = {
        "wrong-host": lambda: ca.server_context("updates.example.com"),
        "self-signed": ca.self_signed_context,
        "expired": lambda: ca.server_context(expired=True),
    }[case]()
    with LoopbackServer(Reply(body=b"feed"), tls=context) as server:
        request = check(allowlist, server.url())
        bad_cert = r"certificate of 127\.0\.0\.1 is not valid"
        with pytest.raises(TransportError, match=bad_cert) as info:
            HttpTransport(FAST, ca_file=ca.ca_pem).send(request)
        server.wait_connections(1)
        connections = list(server.connections)
    assert info.value.exchange is not None and info.value.exchange.sent == ()
    assert len(connections) == 1  # no retry, no fallback to http
    assert connections[0].received == b""
    assert "no fallback to http" in info.value.message


class FullDisk:
    def begin(self, status: int, headers: tuple[tuple[str, str], ...]) -> None:
        return None

    def write(self, chunk: bytes) -> None:
        raise OSError(28, "No space left on device")


def test_sink_failure_propagates_unchanged(allowlist: Allowlist) -> None:
    """A full disk is the caller's error to report, not a 'network error'."""
    with (
        LoopbackServer(Reply(body=b"A" * 5000)) as server,
        pytest.raises(OSError, match="No space left") as info,
    ):
        HttpTransport(FAST).send(check(allowlist, server.url()), sink=FullDisk())
    assert not isinstance(info.value, TransportError)


def test_repeated_response_headers_are_all_kept(allowlist: Allowlist) -> None:
    reply = Reply(headers=(("Set-Cookie", "a=1"), ("Set-Cookie", "b=2"), ("ETag", '"e"')))
    with LoopbackServer(reply) as server:
        exchange = HttpTransport(FAST).send(check(allowlist, server.url()))
    assert exchange.response_headers[:3] == (
        ("Set-Cookie", "a=1"), ("Set-Cookie", "b=2"), ("ETag", '"e"')
    )
