"""The request builder: exact bytes for allowed values; clear refusal, and no socket, otherwise."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

import pytest
from glass_updater.allowlist import Allowlist, load_allowlist
from glass_updater.errors import RequestRefused
from glass_updater.limits import Limits
from glass_updater.request import build_check_request, build_download_request, build_request
from glass_updater.transport.http import HttpTransport
from glass_updater.transport.witness import Witness
from glass_updater.wire_types import Channel, ProxySpec, RequestKind

from tests.loopback import LoopbackServer, Reply

FAST = Limits(connect_timeout=1.0, read_timeout=1.0, deadline=3.0)


@pytest.fixture
def allowlist() -> Allowlist:
    return load_allowlist()


@pytest.fixture(scope="module")
def server() -> Iterator[LoopbackServer]:
    with LoopbackServer(Reply(body=b"feed")) as srv:
        yield srv


def send_check(
    allowlist: Allowlist, url: str, values: Mapping[str, str], kind: RequestKind = RequestKind.CHECK
) -> None:
    """What a caller does: build, then send. A refusal must happen before any socket."""
    request = build_request(allowlist, kind, url, values, proxy=None, max_body=1000)
    HttpTransport(FAST).send(request)


def assert_refused_without_network(
    allowlist: Allowlist, server: LoopbackServer, url: str, values: Mapping[str, str],
    field: str, kind: RequestKind = RequestKind.CHECK,
) -> RequestRefused:
    witness = Witness.install()
    before = len(server.received)
    with witness.recording() as log, pytest.raises(RequestRefused) as info:
        send_check(allowlist, url, values, kind)
    assert log.network == []  # no getaddrinfo, no connect: no socket was opened
    assert log.of("http.client.send") == []
    assert len(server.received) == before
    assert info.value.field == field
    assert "\n" not in info.value.message
    return info.value


# ---------------------------------------------------------------- exact bytes


def test_check_request_bytes_are_exactly_the_allowlisted_fields(allowlist: Allowlist) -> None:
    request = build_check_request(
        allowlist, feed_url="https://updates.example.com/demo-app/feed.json",
        product="demo-app", version="1.4.0", proxy=None, max_body=1000,
    )
    assert request.transmissions[0].channel is Channel.TLS
    assert request.request_bytes == (
        b"GET /demo-app/feed.json?product=demo-app&version=1.4.0 HTTP/1.1\r\n"
        b"Host: updates.example.com\r\nUser-Agent: glass-updater\r\n"
        b"Accept: application/json\r\nAccept-Encoding: identity\r\nConnection: close\r\n\r\n"
    )
    assert [f.name for f in request.fields] == [
        "feed_path", "product", "version", "host", "user_agent", "accept",
        "accept_encoding", "connection",
    ]
    assert all(f.purpose for f in request.fields)


def test_proxy_connect_bytes_carry_credentials_only_to_the_proxy(allowlist: Allowlist) -> None:
    request = build_check_request(
        allowlist, feed_url="https://updates.example.com/demo-app/feed.json",
        product="demo-app", version="1.4.0",
        proxy=ProxySpec("proxy.corp", 3128, "bob", "pw"), max_body=1000,
    )
    assert [t.channel for t in request.transmissions] == [Channel.PROXY, Channel.TLS]
    assert request.transmissions[0].data == (
        b"CONNECT updates.example.com:443 HTTP/1.1\r\nHost: updates.example.com:443\r\n"
        b"Proxy-Authorization: Basic Ym9iOnB3\r\n\r\n"
    )
    assert b"Proxy-Authorization" not in request.request_bytes


def test_plain_http_loopback_never_uses_a_proxy(allowlist: Allowlist) -> None:
    request = build_check_request(
        allowlist, feed_url="http://127.0.0.1:8765/demo-app/feed.json", product="demo-app",
        version="1.0.0", proxy=ProxySpec("proxy.corp", 3128), max_body=1000,
    )
    assert request.proxy is None
    assert [t.channel for t in request.transmissions] == [Channel.PLAIN]


def test_download_resume_adds_range_and_if_range_only(allowlist: Allowlist) -> None:
    fresh = build_download_request(
        allowlist, url="https://dl.example.com/demo-app/app-1.4.0.AppImage?v=1.4.0",
        proxy=None, max_body=10,
    )
    resumed = build_download_request(
        allowlist, url="https://dl.example.com/demo-app/app-1.4.0.AppImage?v=1.4.0",
        proxy=None, max_body=10, resume_from=1024, if_range='"abc-1"',
    )
    assert b"Range" not in fresh.request_bytes
    assert resumed.request_bytes == (
        b"GET /demo-app/app-1.4.0.AppImage?v=1.4.0 HTTP/1.1\r\nHost: dl.example.com\r\n"
        b"User-Agent: glass-updater\r\nAccept: application/octet-stream\r\n"
        b"Accept-Encoding: identity\r\nRange: bytes=1024-\r\nIf-Range: \"abc-1\"\r\n"
        b"Connection: close\r\n\r\n"
    )


# ---------------------------------------------------------------- refusals, no socket


@pytest.mark.loopback
@pytest.mark.parametrize(
    "version",
    [
        "1.2.3\r\nX-Evil: 1",
        "1.2.3&user=alice",
        "1.2.3 beta",
        "1.2.3é",
        "1." + "1" * 200,
        "",
        "1.2.3\n",
        "1.2.3%0d%0aX-Evil:%201",
        "alice-laptop",
    ],
)
def test_disallowed_version_refused(
    allowlist: Allowlist, server: LoopbackServer, version: str
) -> None:
    error = assert_refused_without_network(
        allowlist, server, server.url(), {"product": "demo-app", "version": version}, "version"
    )
    assert "refusing to send version" in error.message


@pytest.mark.loopback
@pytest.mark.parametrize("product", ["Demo App", "demo-app&uid=1", "démo", "a" * 65, "-x"])
def test_disallowed_product_refused(
    allowlist: Allowlist, server: LoopbackServer, product: str
) -> None:
    assert_refused_without_network(
        allowlist, server, server.url(), {"product": product, "version": "1.0.0"}, "product"
    )


@pytest.mark.loopback
@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("http://alice:pw@127.0.0.1:{port}/demo-app/feed.json", "user name or password"),
        ("http://alice@127.0.0.1:{port}/demo-app/feed.json", "user name or password"),
        ("http://127.0.0.1:{port}/demo-app/feed.json#me", "fragment"),
        ("ftp://127.0.0.1:{port}/demo-app/feed.json", "https://"),
        ("file:///etc/passwd", "https://"),
        ("javascript:alert(1)", "https://"),
        ("http://updates.example.com/demo-app/feed.json", "plain http://"),
        ("http://127.0.0.1:{port}/demo app/feed.json", "spaces"),
        ("http://127.0.0.1:{port}/démo/feed.json", "non-ASCII"),
        ("https://updätes.example.com/feed.json", "non-ASCII"),
        ("http://127.0.0.1:{port}/" + "a" * 2100, "too long"),
        ("http://127.0.0.1:{port}/demo-app/feed.json?uid=42", "query string"),
        ("http://[::1]:{port}/demo-app/feed.json", "IPv6"),
        ("http://127.0.0.1:{port}/", "feed_path"),
    ],
)
def test_disallowed_url_refused(
    allowlist: Allowlist, server: LoopbackServer, url: str, words: str
) -> None:
    field = {"query string": "query", "feed_path": "feed_path"}.get(words, "url")
    error = assert_refused_without_network(
        allowlist, server, url.format(port=server.port),
        {"product": "demo-app", "version": "1.0.0"}, field,
    )
    assert words in error.message


@pytest.mark.loopback
@pytest.mark.parametrize("name", ["user_id", "hostname", "locale", "X-Forwarded-For"])
def test_unknown_field_name_refused(
    allowlist: Allowlist, server: LoopbackServer, name: str
) -> None:
    error = assert_refused_without_network(
        allowlist, server, server.url(), {"product": "demo-app", "version": "1.0.0", name: "1"},
        name,
    )
    assert repr(name) in error.message and "not in the allowlist" in error.message


@pytest.mark.loopback
@pytest.mark.parametrize(
    ("name", "value"),
    [("user_agent", "python-requests/2.34"), ("host", "evil.example"), ("feed_path", "/x")],
)
def test_setting_a_fixed_field_refused(
    allowlist: Allowlist, server: LoopbackServer, name: str, value: str
) -> None:
    values = {"product": "demo-app", "version": "1.0.0", name: value}
    error = assert_refused_without_network(allowlist, server, server.url(), values, name)
    assert "fixed" in error.message


@pytest.mark.loopback
def test_download_field_in_a_check_refused(allowlist: Allowlist, server: LoopbackServer) -> None:
    values = {"product": "demo-app", "version": "1.0.0", "range": "bytes=0-"}
    assert_refused_without_network(allowlist, server, server.url(), values, "range")


@pytest.mark.loopback
def test_removed_field_value_is_dropped_not_sent(
    allowlist: Allowlist, server: LoopbackServer
) -> None:
    narrowed = allowlist.narrow(["version"])
    request = build_check_request(
        narrowed, feed_url=server.url(), product="demo-app", version="1.0.0", proxy=None,
        max_body=1000,
    )
    exchange = HttpTransport(FAST).send(request)
    assert exchange.sent[0].data.startswith(b"GET /demo-app/feed.json?product=demo-app HTTP/1.1")
    assert b"version" not in exchange.sent[0].data
