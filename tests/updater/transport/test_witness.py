"""The audit-hook witness: an independent record of lookups, connects and writes."""

from __future__ import annotations

import socket

import pytest
from glass_updater.allowlist import Allowlist
from glass_updater.errors import UnannouncedConnection
from glass_updater.request import build_check_request
from glass_updater.transport.http import HttpTransport
from glass_updater.transport.witness import Witness

from tests.loopback import LoopbackServer, Reply, TestCA
from tests.updater.transport.conftest import FAST


def test_install_returns_the_one_instance() -> None:
    assert Witness.install() is Witness.install() is Witness.installed()


@pytest.mark.loopback
def test_witness_sees_exactly_the_recorded_bytes(
    allowlist: Allowlist, ca: TestCA, witness: Witness
) -> None:
    with LoopbackServer(Reply(body=b"feed"), tls=ca.server_context()) as server:
        request = build_check_request(
            allowlist, feed_url=server.url(), product="demo-app", version="1.0.0",
            proxy=None, max_body=1000,
        )
        with witness.recording() as log:
            exchange = HttpTransport(FAST, ca_file=ca.ca_pem).send(request)
        (read,) = server.wait_connections(1)
    assert log.sent == read == exchange.sent[0].data
    assert [(e.host, e.port) for e in log.connects] == [("127.0.0.1", server.port)]
    assert [(e.host, e.port) for e in log.lookups] == [("127.0.0.1", server.port)]
    assert not any(e.refused for e in log.events)


@pytest.mark.loopback
def test_tripwire_refuses_an_unannounced_connection(witness: Witness) -> None:
    with LoopbackServer() as server:
        with witness.tripwire() as log, pytest.raises(UnannouncedConnection, match="did not"):
            socket.create_connection(("127.0.0.1", server.port), timeout=2)
        assert server.received == []
    assert [(e.host, e.port, e.refused) for e in log.connects] == [
        ("127.0.0.1", server.port, True)
    ]
    assert ("127.0.0.1", server.port) in [(e.host, e.port) for e in witness.violations]


@pytest.mark.loopback
def test_tripwire_lets_the_transport_through(allowlist: Allowlist, witness: Witness) -> None:
    with LoopbackServer(Reply(body=b"ok")) as server:
        request = build_check_request(
            allowlist, feed_url=server.url(), product="demo-app", version="1.0.0",
            proxy=None, max_body=1000,
        )
        with witness.tripwire() as log:
            exchange = HttpTransport(FAST).send(request)
    assert exchange.body == b"ok"
    assert len(log.connects) == 1 and not log.connects[0].refused


def test_disarmed_witness_refuses_nothing(witness: Witness) -> None:
    with LoopbackServer() as server, socket.create_connection(("127.0.0.1", server.port)):
        pass
    server.wait_connections(1)
