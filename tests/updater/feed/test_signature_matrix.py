"""The signature matrix: (trusted keys) x (who signed) x (payload intact or tampered).

Every cell's outcome is written out below, not computed, so a change in the trust rules
shows up as a failing cell. Trusting no key at all is a ConfigError in every cell: an app
without a key can never verify anything, whatever the server sends (THREATS.md #8).
Rotation: the app trusts the current AND the next key; the retired old key is untrusted.
"""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from glass_updater.errors import (
    BadSignatureError,
    ConfigError,
    MalformedFeedError,
    UnsignedError,
    UntrustedKeyError,
)
from glass_updater.feed import verify_feed
from glass_updater.signing import KeyPair, generate_keypair, sign_envelope

from tests.sim import NOW, PRODUCT, FeedSimulator

OK = "accepted"
Outcome = type[Exception] | str

KEYS: dict[str, KeyPair] = {
    name: generate_keypair() for name in ("old", "current", "next", "wrong")
}
TRUST = {
    "one": ("current",),
    "two-rotation": ("current", "next"),
    "none": (),
}
SIGNATURES = ("none", "malformed", "wrong", "old", "current", "next")
PAYLOADS = ("intact", "tampered")

EXPECTED: dict[tuple[str, str, str], Outcome] = {
    # trust one key: current
    ("one", "none", "intact"): UnsignedError,
    ("one", "none", "tampered"): UnsignedError,
    ("one", "malformed", "intact"): MalformedFeedError,
    ("one", "malformed", "tampered"): MalformedFeedError,
    ("one", "wrong", "intact"): UntrustedKeyError,
    ("one", "wrong", "tampered"): UntrustedKeyError,
    ("one", "old", "intact"): UntrustedKeyError,
    ("one", "old", "tampered"): UntrustedKeyError,
    ("one", "current", "intact"): OK,
    ("one", "current", "tampered"): BadSignatureError,
    ("one", "next", "intact"): UntrustedKeyError,
    ("one", "next", "tampered"): UntrustedKeyError,
    # trust two keys during rotation: current + next
    ("two-rotation", "none", "intact"): UnsignedError,
    ("two-rotation", "none", "tampered"): UnsignedError,
    ("two-rotation", "malformed", "intact"): MalformedFeedError,
    ("two-rotation", "malformed", "tampered"): MalformedFeedError,
    ("two-rotation", "wrong", "intact"): UntrustedKeyError,
    ("two-rotation", "wrong", "tampered"): UntrustedKeyError,
    ("two-rotation", "old", "intact"): UntrustedKeyError,
    ("two-rotation", "old", "tampered"): UntrustedKeyError,
    ("two-rotation", "current", "intact"): OK,
    ("two-rotation", "current", "tampered"): BadSignatureError,
    ("two-rotation", "next", "intact"): OK,
    ("two-rotation", "next", "tampered"): BadSignatureError,
    # trust nothing: a configuration error, before the feed is even looked at
    ("none", "none", "intact"): ConfigError,
    ("none", "none", "tampered"): ConfigError,
    ("none", "malformed", "intact"): ConfigError,
    ("none", "malformed", "tampered"): ConfigError,
    ("none", "wrong", "intact"): ConfigError,
    ("none", "wrong", "tampered"): ConfigError,
    ("none", "old", "intact"): ConfigError,
    ("none", "old", "tampered"): ConfigError,
    ("none", "current", "intact"): ConfigError,
    ("none", "current", "tampered"): ConfigError,
    ("none", "next", "intact"): ConfigError,
    ("none", "next", "tampered"): ConfigError,
}


def test_matrix_is_complete() -> None:
    cells = {(t, s, p) for t in TRUST for s in SIGNATURES for p in PAYLOADS}
    assert set(EXPECTED) == cells
    assert len(cells) == 36


def _envelope(signature: str, payload: bytes) -> bytes:
    if signature == "none":
        return sign_envelope(payload, [])
    if signature == "malformed":
        doc = json.loads(sign_envelope(payload, [KEYS["current"].private]))
        doc["signatures"][0]["sig"] = "not base64!"
        return json.dumps(doc).encode()
    return sign_envelope(payload, [KEYS[signature].private])


def _tamper(payload: bytes) -> bytes:
    return payload.replace(b'"1.4.0"', b'"9.4.0"', 1)


@pytest.mark.parametrize(
    ("trust", "signature", "payload"),
    sorted(EXPECTED),
    ids=["-".join(cell) for cell in sorted(EXPECTED)],
)
def test_signature_matrix(trust: str, signature: str, payload: str) -> None:
    sim = FeedSimulator()
    sim.add_release("1.4.0")
    data = _envelope(signature, sim.payload_bytes())
    if payload == "tampered":
        edit: Callable[[bytes], bytes] = _tamper
        data = FeedSimulator.tamper_payload(data, edit)
    trusted = [KEYS[name].public for name in TRUST[trust]]
    expected = EXPECTED[(trust, signature, payload)]

    def run() -> object:
        return verify_feed(data, trusted_keys=trusted, product=PRODUCT, now=NOW, floor=None)

    if expected == OK:
        feed = run()
        assert getattr(feed, "keyids", None) == (KEYS[signature].keyid,)
    else:
        assert isinstance(expected, type)
        with pytest.raises(expected) as info:
            run()
        assert type(info.value) is expected  # exactly this kind, not a near relative
