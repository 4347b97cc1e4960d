"""Keys, key ids, the DSSE pre-authentication encoding, and the simulator as a Transport."""

from __future__ import annotations

import base64
import hashlib

import pytest
from glass_updater.allowlist import load_allowlist
from glass_updater.errors import ConfigError, MalformedFeedError, TransportError
from glass_updater.feed import verify_feed
from glass_updater.request import build_check_request, build_download_request
from glass_updater.signing import (
    PAYLOAD_TYPE,
    generate_keypair,
    keypair_from_private,
    load_private_pem,
    pae,
    parse_public_key,
    raw_public,
    sign_envelope,
    verify_envelope,
)
from glass_updater.transport.base import Transport

from tests.sim import BASE_URL, FEED_PATH, NOW, PRODUCT, FeedSimulator


def test_pae_matches_dsse_spec_vector() -> None:
    # From the DSSE protocol specification.
    assert pae("http://example.com/HelloWorld", b"hello world") == (
        b"DSSEv1 29 http://example.com/HelloWorld 11 hello world"
    )
    assert pae("t", b"") == b"DSSEv1 1 t 0 "
    assert pae("é", b"x") == b"DSSEv1 2 \xc3\xa9 1 x"  # lengths are in bytes


def test_signature_covers_payload_type() -> None:
    pair = generate_keypair()
    other = sign_envelope(b"{}", [pair.private], payload_type="application/other")
    with pytest.raises(MalformedFeedError, match="payloadType"):
        verify_envelope(other, [pair.public])


def test_key_text_and_keyid() -> None:
    pair = generate_keypair()
    raw = raw_public(pair.private.public_key())
    assert pair.public == "ed25519:" + base64.b64encode(raw).decode()
    assert pair.keyid == hashlib.sha256(raw).hexdigest()
    assert parse_public_key(pair.public).keyid == pair.keyid
    urlsafe = pair.public.replace("+", "-").replace("/", "_")
    assert parse_public_key(urlsafe).keyid == pair.keyid
    assert keypair_from_private(load_private_pem(pair.private_pem())).public == pair.public


@pytest.mark.parametrize(
    "text",
    ["", "ed25519:", "ed25519:AAAA", "rsa:" + "A" * 43 + "=", "ed25519:" + "!" * 44,
     "ed25519:" + base64.b64encode(b"x" * 33).decode()],
)
def test_bad_public_key_is_config_error(text: str) -> None:
    with pytest.raises(ConfigError):
        parse_public_key(text)


def test_bad_private_key_is_config_error() -> None:
    with pytest.raises(ConfigError, match="PEM"):
        load_private_pem(b"-----BEGIN PRIVATE KEY-----\nnope\n-----END PRIVATE KEY-----\n")


def test_verified_payload_is_exactly_the_signed_bytes() -> None:
    pair = generate_keypair()
    payload = b'{"a": 1}\n'
    envelope = sign_envelope(payload, [pair.private])
    result = verify_envelope(envelope, [pair.public])
    assert result.payload == payload and result.keyids == (pair.keyid,)
    assert PAYLOAD_TYPE.encode() in envelope


def test_simulator_is_a_transport_serving_feed_assets_and_404() -> None:
    sim = FeedSimulator()
    sim.add_release("1.4.0")
    transport: Transport = sim.transport
    allowlist = load_allowlist()
    check = build_check_request(
        allowlist, feed_url=BASE_URL + FEED_PATH, product=PRODUCT, version="1.0.0",
        proxy=None, max_body=1024 * 1024,
    )
    exchange = transport.send(check)
    assert exchange.status == 200 and exchange.sent == check.transmissions
    feed = verify_feed(exchange.body, trusted_keys=[sim.public_key], product=PRODUCT,
                       now=NOW, floor=None)
    asset = feed.releases[0].assets[0]
    download = build_download_request(allowlist, url=asset.url, proxy=None, max_body=asset.size)

    class Sink:
        def __init__(self) -> None:
            self.data = b""

        def begin(self, status: int, headers: tuple[tuple[str, str], ...]) -> None:
            return None

        def write(self, chunk: bytes) -> None:
            self.data += chunk

    sink = Sink()
    got = transport.send(download, sink)
    assert got.body == b"" and hashlib.sha256(sink.data).hexdigest() == asset.sha256
    missing = build_download_request(allowlist, url=BASE_URL + "/nope", proxy=None,
                                     max_body=10)
    assert transport.send(missing).status == 404
    assert [r.target.path for r in sim.requests] == [FEED_PATH, download.target.path, "/nope"]
    small = build_download_request(allowlist, url=asset.url, proxy=None, max_body=5)
    with pytest.raises(TransportError, match="larger than 5"):
        transport.send(small)


def test_simulator_add_asset_serves_signed_bytes() -> None:
    sim = FeedSimulator()
    sim.add_release("1.4.0")
    asset = sim.add_asset("1.4.0", "windows-x86_64", kind="exe", body=b"MZ installer")
    feed = verify_feed(sim.feed_bytes(), trusted_keys=[sim.public_key], product=PRODUCT,
                       now=NOW, floor=None)
    assert [a.platform for a in feed.releases[0].assets] == ["linux-x86_64", "windows-x86_64"]
    path = asset["url"].removeprefix(BASE_URL)
    assert hashlib.sha256(sim.assets[path]).hexdigest() == feed.releases[0].assets[1].sha256
