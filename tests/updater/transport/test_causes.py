"""Each real network failure carries its cause, and its message has words, not errno codes."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest
from glass_updater.allowlist import Allowlist
from glass_updater.errors import Cause, TransportError
from glass_updater.request import build_check_request
from glass_updater.transport.http import HttpTransport
from glass_updater.wire_types import OutboundRequest, ProxySpec

from tests.loopback import ConnectProxy, LoopbackServer, Reply, TestCA
from tests.updater.transport.conftest import FAST

pytestmark = pytest.mark.loopback


def _request(
    allowlist: Allowlist, url: str, proxy: ProxySpec | None = None
) -> OutboundRequest:
    return build_check_request(
        allowlist, feed_url=url, product="demo-app", version="1.0.0", proxy=proxy,
        max_body=10_000,
    )


def _closed_port() -> int:
    """A loopback port nothing listens on (bound, then closed)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _fail(transport: HttpTransport, request: OutboundRequest) -> TransportError:
    with pytest.raises(TransportError) as info:
        transport.send(request)
    error = info.value
    assert "Errno" not in error.message and "ECONN" not in error.message
    return error


def test_refused_connection(allowlist: Allowlist) -> None:
    port = _closed_port()
    error = _fail(HttpTransport(FAST), _request(allowlist, f"http://127.0.0.1:{port}/f.json"))
    assert error.cause is Cause.REFUSED and error.host == "127.0.0.1"
    assert "Connection refused" in error.message


def test_proxy_that_is_not_there(allowlist: Allowlist, ca: TestCA) -> None:
    port = _closed_port()
    request = _request(allowlist, "https://127.0.0.1:9/f.json", ProxySpec("127.0.0.1", port))
    error = _fail(HttpTransport(FAST, ca_file=ca.ca_pem), request)
    assert error.cause is Cause.PROXY


def test_proxy_wants_credentials(allowlist: Allowlist, ca: TestCA) -> None:
    with ConnectProxy(("alice", "s3cret")) as proxy:
        request = _request(
            allowlist, "https://127.0.0.1:9/f.json", ProxySpec("127.0.0.1", proxy.port)
        )
        error = _fail(HttpTransport(FAST, ca_file=ca.ca_pem), request)
    assert error.cause is Cause.PROXY_AUTH and error.host == "127.0.0.1"


def test_untrusted_certificate(allowlist: Allowlist, ca: TestCA) -> None:
    with LoopbackServer(Reply(body=b"{}"), tls=ca.self_signed_context()) as server:
        error = _fail(HttpTransport(FAST, ca_file=ca.ca_pem), _request(allowlist, server.url()))
    assert error.cause is Cause.CERTIFICATE


def test_no_answer_in_time(allowlist: Allowlist) -> None:
    with LoopbackServer(Reply(silent=True)) as server:
        error = _fail(HttpTransport(FAST), _request(allowlist, server.url()))
    assert error.cause is Cause.TIMEOUT


def test_connection_closed_mid_answer(allowlist: Allowlist) -> None:
    reply = Reply(body=b"x" * 500, truncate_at=10)
    with LoopbackServer(reply) as server:
        error = _fail(HttpTransport(FAST), _request(allowlist, server.url()))
    assert error.cause is Cause.CONNECTION_LOST


@pytest.mark.parametrize(
    ("status", "cause"),
    [(404, Cause.HTTP_NOT_FOUND), (410, Cause.HTTP_NOT_FOUND), (503, Cause.HTTP_SERVER),
     (500, Cause.HTTP_SERVER), (403, Cause.HTTP_STATUS)],
)
def test_http_status_causes_through_the_facade(
    status: int, cause: Cause, tmp_path: Path
) -> None:
    """The Updater turns a non-200 answer into a TransportError whose cause is the status."""
    from glass_updater.paths import Paths
    from glass_updater.updater import Updater

    from tests.sim import FeedSimulator
    from tests.updater.test_updater import make_config

    sim = FeedSimulator()
    with LoopbackServer(Reply(status=status, reason="Whatever", body=b"no")) as server:
        config = make_config(sim, feed_url=server.url())
        updater = Updater(config, paths=Paths.under(tmp_path / "s"),
                          transport=HttpTransport(FAST))
        with pytest.raises(TransportError) as info:
            updater.check()
    assert info.value.cause is cause
    assert info.value.host == "127.0.0.1"
