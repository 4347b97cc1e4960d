"""The strict gate: bytes that differ from the preview never leave, and are never recorded."""

from __future__ import annotations

import http.client
from typing import Any

import pytest
import requests
import requests.adapters
from glass_updater.allowlist import Allowlist
from glass_updater.errors import GateViolation
from glass_updater.request import build_check_request
from glass_updater.transport.gate import Gate
from glass_updater.transport.http import HttpTransport
from glass_updater.transport.witness import Witness
from glass_updater.wire_types import Channel, OutboundRequest

from tests.loopback import LoopbackServer, Reply, TestCA
from tests.updater.transport.conftest import FAST


def check(allowlist: Allowlist, url: str) -> OutboundRequest:
    return build_check_request(
        allowlist, feed_url=url, product="demo-app", version="1.4.0", proxy=None, max_body=10_000
    )


# ---------------------------------------------------------------- the gate on its own


def test_gate_accepts_the_preview_in_pieces_and_records_them_merged(allowlist: Allowlist) -> None:
    request = check(allowlist, "https://updates.example.com/demo-app/feed.json")
    gate = Gate(request)
    data = request.request_bytes
    for piece in (data[:7], data[7:30], data[30:]):
        gate.check(Channel.TLS, piece)
        gate.record(Channel.TLS, piece)
    gate.verify_complete()
    assert gate.sent == request.transmissions


def test_gate_refuses_a_changed_byte_and_records_nothing(allowlist: Allowlist) -> None:
    request = check(allowlist, "https://updates.example.com/demo-app/feed.json")
    gate = Gate(request)
    tampered = request.request_bytes.replace(b"version=1.4.0", b"version=1.4.1")
    at = request.request_bytes.index(b"version=1.4.0") + len(b"version=1.4.")
    with pytest.raises(GateViolation, match=f"differ from the preview at byte {at} "):
        gate.check(Channel.TLS, tampered)
    assert gate.sent == ()


def test_gate_refuses_extra_bytes_and_other_channels(allowlist: Allowlist) -> None:
    request = check(allowlist, "https://updates.example.com/demo-app/feed.json")
    gate = Gate(request)
    with pytest.raises(GateViolation):
        gate.check(Channel.TLS, request.request_bytes + b"X")
    with pytest.raises(GateViolation):
        gate.check(Channel.PROXY, b"CONNECT ")  # no proxy in this request
    with pytest.raises(GateViolation):
        gate.check(Channel.PLAIN, request.request_bytes)  # right bytes, wrong channel


def test_gate_short_write_is_an_error(allowlist: Allowlist) -> None:
    request = check(allowlist, "https://updates.example.com/demo-app/feed.json")
    gate = Gate(request)
    head = request.request_bytes[:-2]  # everything but the final CRLF
    gate.check(Channel.TLS, head)
    gate.record(Channel.TLS, head)
    with pytest.raises(GateViolation, match=f"only {len(head)} of the {len(head) + 2}"):
        gate.verify_complete()


# ---------------------------------------------------------------- the gate in the real stack


def _inject_via_adapter(monkeypatch: pytest.MonkeyPatch) -> None:
    original = requests.adapters.HTTPAdapter.add_headers

    def add_headers(self: Any, request: requests.PreparedRequest, **kwargs: Any) -> None:
        original(self, request, **kwargs)
        request.headers["X-Tracking-Id"] = "user-1234"

    monkeypatch.setattr(requests.adapters.HTTPAdapter, "add_headers", add_headers)


def _inject_via_putheader(monkeypatch: pytest.MonkeyPatch) -> None:
    original = http.client.HTTPConnection.putheader

    def putheader(self: Any, header: Any, *values: Any) -> None:
        original(self, header, *values)
        if str(header).lower() == "accept":
            original(self, "Cookie", "session=abc")

    monkeypatch.setattr(http.client.HTTPConnection, "putheader", putheader)


def _inject_via_response_hook(monkeypatch: pytest.MonkeyPatch) -> None:
    """A library that rewrites every PreparedRequest's headers as it is sent."""
    original = requests.Session.send

    def send(self: Any, request: requests.PreparedRequest, **kwargs: Any) -> Any:
        request.headers["User-Agent"] = "python-requests/2 (Linux; host=alice-laptop)"
        return original(self, request, **kwargs)

    monkeypatch.setattr(requests.Session, "send", send)


INJECTIONS = {
    "adapter-add-headers": _inject_via_adapter,
    "patched-putheader": _inject_via_putheader,
    "session-send-hook": _inject_via_response_hook,
}


@pytest.mark.loopback
@pytest.mark.parametrize("how", sorted(INJECTIONS))
def test_injected_header_refused_before_any_byte_leaves_https(
    allowlist: Allowlist, ca: TestCA, witness: Witness, monkeypatch: pytest.MonkeyPatch, how: str
) -> None:
    INJECTIONS[how](monkeypatch)
    with LoopbackServer(Reply(body=b"feed"), tls=ca.server_context()) as server:
        request = check(allowlist, server.url())
        with witness.recording() as log, pytest.raises(GateViolation) as info:
            HttpTransport(FAST, ca_file=ca.ca_pem).send(request)
        read = server.wait_connections(1)
    assert read == [b""]  # TLS was set up, but not one byte of the request arrived
    assert log.of("http.client.send") == []
    assert info.value.exchange is not None and info.value.exchange.sent == ()
    assert "differ from the preview" in info.value.message


@pytest.mark.loopback
def test_injected_header_over_http_refused_before_connecting(
    allowlist: Allowlist, witness: Witness, monkeypatch: pytest.MonkeyPatch
) -> None:
    _inject_via_adapter(monkeypatch)
    with LoopbackServer(Reply(body=b"feed")) as server:
        with witness.recording() as log, pytest.raises(GateViolation):
            HttpTransport(FAST).send(check(allowlist, server.url()))
        assert server.received == []
    assert log.connects == [] and log.of("http.client.send") == []


@pytest.mark.loopback
def test_session_default_headers_are_never_merged(
    allowlist: Allowlist, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Code that adds Session-wide headers and hooks cannot reach our requests."""
    original = requests.Session.__init__

    def init(self: Any) -> None:
        original(self)
        self.headers["X-Machine"] = "alice-laptop"
        self.auth = ("alice", "pw")

    monkeypatch.setattr(requests.Session, "__init__", init)
    with LoopbackServer(Reply(body=b"feed")) as server:
        request = check(allowlist, server.url())
        exchange = HttpTransport(FAST).send(request)
        (read,) = server.wait_connections(1)
    assert read == request.request_bytes == exchange.sent[0].data


@pytest.mark.parametrize("cls_name", ["GatedHTTPConnection", "GatedHTTPSConnection"])
def test_stdlib_connect_tunnel_is_never_used(cls_name: str) -> None:
    """py3.11's http.client writes 'CONNECT h:p HTTP/1.0'; only our previewed CONNECT goes."""
    from glass_updater.transport import connection

    cls = getattr(connection, cls_name)
    with pytest.raises(GateViolation, match="its own CONNECT"):
        cls.set_tunnel(object(), "example.com", 443)
    with pytest.raises(GateViolation, match="its own CONNECT"):
        cls._tunnel(object())
