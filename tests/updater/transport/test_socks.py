"""SOCKS5 with remote DNS (threat 51): builder bytes through the gate, no local lookup.

Against a byte-recording SOCKS5 server written here (it resolves only names it knows and
refuses addresses) and against a real one from PyPI (pproxy), over HTTP and HTTPS. The
update host ``updates.glass.test`` does not exist in any DNS: only a proxy that resolves
it can reach it, so a client that looked it up locally would fail outright.
"""

from __future__ import annotations

import contextlib
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from glass_updater.allowlist import Allowlist
from glass_updater.config import parse_config
from glass_updater.credentials import redact_proxy_credentials
from glass_updater.errors import ConfigError, RequestRefused, TransportError
from glass_updater.ledger import Ledger
from glass_updater.proxy import parse_proxy_url, resolve_proxy
from glass_updater.request import build_check_request, parse_target
from glass_updater.transport.http import HttpTransport
from glass_updater.transport.witness import Witness
from glass_updater.wire_types import Channel, ProxySpec

from tests.loopback import LoopbackServer, Reply, Socks5Proxy, TestCA
from tests.updater.transport.conftest import FAST

NAME = "updates.glass.test"


def check(allowlist: Allowlist, url: str, proxy: ProxySpec | None):  # type: ignore[no-untyped-def]
    return build_check_request(
        allowlist, feed_url=url, product="demo-app", version="1.0.0", proxy=proxy,
        max_body=1 << 20,
    )


def socks(port: int, user: str | None = None, word: str | None = None) -> ProxySpec:
    return ProxySpec("127.0.0.1", port, user, word, scheme="socks5h")


def test_builder_writes_the_rfc_1928_bytes(allowlist: Allowlist) -> None:
    request = check(allowlist, f"https://{NAME}/demo-app/feed.json", socks(9050))
    assert [t.channel for t in request.transmissions] == [Channel.PROXY, Channel.TLS]
    name = NAME.encode()
    assert request.transmissions[0].data == (
        b"\x05\x01\x00" + b"\x05\x01\x00\x03" + bytes([len(name)]) + name + (443).to_bytes(2, "big")
    )
    assert {f.name for f in request.fields} >= {"socks_greeting", "socks_connect"}
    with_login = check(allowlist, f"https://{NAME}/demo-app/feed.json", socks(9050, "al", "pw"))
    assert with_login.transmissions[0].data.startswith(b"\x05\x01\x02\x01\x02al\x02pw\x05\x01")
    assert with_login.request_bytes == request.request_bytes  # the server sees the same


def test_socks_fields_come_from_the_allowlist(allowlist: Allowlist) -> None:
    narrowed = allowlist.narrow(["socks_username"])
    with pytest.raises(RequestRefused, match="socks_username"):
        check(narrowed, f"https://{NAME}/f.json", socks(9050, "al", "pw"))
    with pytest.raises(RequestRefused) as caught:
        check(allowlist, f"https://{NAME}/f.json", socks(9050, "al", "p\u00e9"))
    assert "p\u00e9" not in caught.value.message  # a credential is never echoed


def test_socks5_without_h_is_refused_naming_the_dns_leak() -> None:
    for url in ("socks5://127.0.0.1:9050", "socks4://127.0.0.1:9050"):
        with pytest.raises(ConfigError, match="DNS"):
            parse_proxy_url(url)
    with pytest.raises(ConfigError, match="socks5h"):
        parse_config(
            '[product]\nid = "a"\nversion = "1.0"\n[feed]\nurl = "https://x.example/f"\n'
            'trusted_keys = ["ed25519:' + "A" * 43 + '="]\n[network]\nproxy = "socks5://h:1"\n'
        )
    spec = parse_proxy_url("socks5h://al:pw@127.0.0.1:9050")
    assert (spec.scheme, spec.username, spec.url) == ("socks5h", "al", "socks5h://127.0.0.1:9050")
    assert parse_proxy_url("socks5h://127.0.0.1").port == 1080


def test_explicit_socks_carries_plain_loopback_http_too() -> None:
    loopback = parse_target("http://localhost:8/f", purpose="feed")
    assert resolve_proxy("socks5h://127.0.0.1:9050", loopback) is not None
    assert resolve_proxy("http://127.0.0.1:3128", loopback) is None


@pytest.mark.parametrize("tls", [True, False])
def test_check_through_recording_socks_never_resolves_the_host(
    allowlist: Allowlist, ca: TestCA, witness: Witness, tls: bool
) -> None:
    host = NAME if tls else "localhost"
    context = ca.server_context(NAME) if tls else None
    with (
        LoopbackServer(Reply(body=b"feed"), tls=context) as server,
        Socks5Proxy() as proxy,
    ):
        scheme = "https" if tls else "http"
        request = check(allowlist, f"{scheme}://{host}:{server.port}/demo-app/feed.json",
                        socks(proxy.port))
        with witness.recording() as log:
            exchange = HttpTransport(FAST, ca_file=ca.ca_pem).send(request)
        (origin_read,) = server.wait_connections(1)
    assert exchange.body == b"feed"
    assert exchange.sent == request.transmissions  # recorded at the socket, gate-checked
    assert proxy.handshakes == [request.transmissions[0].data]
    assert proxy.requested == [(host, server.port)]
    assert origin_read == request.request_bytes
    looked_up = {e.host for e in log.lookups}
    assert host not in looked_up and looked_up <= {"127.0.0.1"}
    mine = threading.get_ident()  # the proxy's own upstream connect runs on its thread
    assert {(e.host, e.port) for e in log.connects if e.thread == mine} == {
        ("127.0.0.1", proxy.port)
    }
    assert log.sent.startswith(request.transmissions[0].data[:3])  # audit saw the greeting
    assert exchange.remote == f"127.0.0.1:{proxy.port}"


def test_credentials_go_only_to_the_proxy_and_are_redacted(
    allowlist: Allowlist, ca: TestCA, tmp_path: Path
) -> None:
    with (
        LoopbackServer(Reply(body=b"feed"), tls=ca.server_context(NAME)) as server,
        Socks5Proxy(("alice", "s3cret")) as proxy,
    ):
        request = check(allowlist, f"https://{NAME}:{server.port}/f.json",
                        socks(proxy.port, "alice", "s3cret"))
        exchange = HttpTransport(FAST, ca_file=ca.ca_pem).send(request)
        (origin_read,) = server.wait_connections(1)
    assert b"s3cret" in proxy.handshakes[0] and b"s3cret" not in origin_read
    entry = Ledger(tmp_path).record(exchange, "test")
    logged = entry.sent[0].data
    assert b"s3cret" not in logged and b"alice" not in logged
    assert logged == b"\x05\x01\x02\x01<redacted 13 bytes>" + request.transmissions[0].data[17:]
    assert b"s3cret" not in (tmp_path / "transmissions.jsonl").read_bytes()
    assert redact_proxy_credentials(request.transmissions[1].data) == request.request_bytes


def test_wrong_credentials_and_unknown_host_are_clear_errors(
    allowlist: Allowlist, ca: TestCA
) -> None:
    with Socks5Proxy(("alice", "right")) as proxy:
        request = check(allowlist, f"https://{NAME}/f.json", socks(proxy.port, "alice", "no"))
        with pytest.raises(TransportError, match="refused the user name or password") as info:
            HttpTransport(FAST, ca_file=ca.ca_pem).send(request)
    assert info.value.exchange is not None
    with Socks5Proxy() as proxy:
        request = check(allowlist, "https://nowhere.glass.test/f.json", socks(proxy.port))
        with pytest.raises(TransportError, match="host unreachable"):
            HttpTransport(FAST, ca_file=ca.ca_pem).send(request)
        request = check(allowlist, f"https://{NAME}/f.json", socks(proxy.port, "a", "b"))
        with pytest.raises(TransportError, match="does not accept a user name and password"):
            HttpTransport(FAST, ca_file=ca.ca_pem).send(request)


# ---------------------------------------------------------------- a real SOCKS5 server

def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextlib.contextmanager
def pproxy(auth: str = "") -> Iterator[int]:
    """pproxy (PyPI) as a SOCKS5 server on 127.0.0.1; it resolves names itself."""
    pytest.importorskip("pproxy", reason="pproxy is a test extra (pip install -e .[test])")
    port = _free_port()
    listen = f"socks5://127.0.0.1:{port}" + (f"#{auth}" if auth else "")
    proc = subprocess.Popen(
        [sys.executable, "-u", "-m", "pproxy", "-l", listen],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()  # "Serving on ... by socks5": it is listening
        assert "Serving on" in line, line
        yield port
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        if proc.stdout is not None:
            proc.stdout.close()


@pytest.mark.parametrize("tls", [True, False])
def test_check_through_pproxy_over_http_and_https(
    allowlist: Allowlist, ca: TestCA, witness: Witness, tls: bool
) -> None:
    with (
        LoopbackServer(Reply(body=b"feed"), tls=ca.server_context("localhost") if tls else None)
        as server,
        pproxy("alice:s3cret") as port,
    ):
        scheme = "https" if tls else "http"
        request = check(allowlist, f"{scheme}://localhost:{server.port}/demo-app/feed.json",
                        socks(port, "alice", "s3cret"))
        with witness.recording() as log:
            exchange = HttpTransport(FAST, ca_file=ca.ca_pem).send(request)
        (origin_read,) = server.wait_connections(1)
    assert exchange.status == 200 and exchange.body == b"feed"
    assert exchange.sent == request.transmissions
    assert origin_read == request.request_bytes
    assert "localhost" not in {e.host for e in log.lookups}


def test_handshake_in_words_raw_masked_and_redacted(allowlist: Allowlist) -> None:
    import glass_updater.socks as socks_words

    request = check(allowlist, f"https://{NAME}/f.json", socks(9050, "alice", "s3cret"))
    data = request.transmissions[0].data
    raw = socks_words.describe(data)
    assert "user 'alice', password 's3cret'" in raw
    assert f"CONNECT to {NAME} port 443, by name" in raw
    masked = socks_words.describe(socks_words.mask(data))
    assert "user '*****', password '******'" in masked and "s3cret" not in masked
    redacted = socks_words.describe(redact_proxy_credentials(data))
    assert "redacted" in redacted and f"CONNECT to {NAME} port 443" in redacted
    bare = check(allowlist, f"https://{NAME}/f.json", socks(1)).transmissions[0].data
    plain = socks_words.describe(bare)
    assert "no login" in plain and "RFC 1929" not in plain
