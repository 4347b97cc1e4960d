"""Property and fuzz tests of the feed verifier (hypothesis).

* Any single-byte change of the signed envelope is refused, except one that swaps a JSON
  whitespace byte between tokens for another whitespace byte: that changes no value (the
  payload is base64 inside a string, so whitespace can only sit outside it) and must give
  the identical Feed.
* Payloads round-trip: Feed -> JSON -> Feed is the identity.
* Fuzzing: whatever the bytes, the only failure allowed is FeedError.
"""

from __future__ import annotations

import json
import string
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from glass_updater.errors import FeedError
from glass_updater.feed import parse_payload, payload_dict, verify_feed
from glass_updater.model import Asset, Feed, Release
from glass_updater.signing import generate_keypair, sign_envelope
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.sim import NOW, PRODUCT, FeedSimulator

KEY = generate_keypair()
WHITESPACE = b" \t\r\n"
FAST = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _signed_sim() -> tuple[bytes, Feed]:
    sim = FeedSimulator(signer=KEY)
    sim.add_release("1.2.0")
    sim.add_release("1.4.0", channel="beta", critical=True, min_os={"linux": "5.4"})
    data = sim.feed_bytes()
    return data, verify(data)


def verify(data: bytes) -> Feed:
    return verify_feed(data, trusted_keys=[KEY.public], product=PRODUCT, now=NOW, floor=None)


ENVELOPE, FEED = _signed_sim()


@FAST
@given(st.data())
def test_any_single_byte_change_of_signed_bytes_is_refused(data: st.DataObject) -> None:
    index = data.draw(st.integers(0, len(ENVELOPE) - 1), label="index")
    old = ENVELOPE[index]
    new = data.draw(st.integers(0, 255).filter(lambda b: b != old), label="byte")
    mutated = ENVELOPE[:index] + bytes([new]) + ENVELOPE[index + 1 :]
    try:
        feed = verify(mutated)
    except FeedError:
        return
    # Accepted only if no signed byte changed: JSON whitespace, the unsigned key id hint,
    # a field name turned into an unknown (ignored) field, or the same bytes in the other
    # base64 alphabet — never a different payload or payload type.
    assert feed == FEED, (index, old, new)


@FAST
@given(st.integers(0, len(ENVELOPE) - 1))
def test_any_single_byte_deletion_is_refused(index: int) -> None:
    mutated = ENVELOPE[:index] + ENVELOPE[index + 1 :]
    try:
        feed = verify(mutated)
    except FeedError:
        return
    assert feed == FEED, index  # only unsigned bytes (whitespace, the key id hint) went


def test_mutation_property_can_see_an_accepted_whitespace_change() -> None:
    """The whitespace branch above is reachable: a swapped indent is still the same feed."""
    index = ENVELOPE.index(b"\n") + 1
    assert ENVELOPE[index : index + 1] == b" "
    assert verify(ENVELOPE[:index] + b"\t" + ENVELOPE[index + 1 :]) == FEED


# --- round trip ---------------------------------------------------------------------

_TIMES = st.datetimes(
    min_value=datetime(2000, 1, 1), max_value=datetime(2099, 12, 31), timezones=st.just(UTC)
)
_VERSIONS = st.builds(
    lambda a, b, c, pre: f"{a}.{b}.{c}{pre}",
    st.integers(0, 99), st.integers(0, 99), st.integers(0, 999),
    st.sampled_from(["", "a1", "b2", "rc1", ".post1", ".dev3"]),
)
_HOSTS = st.sampled_from(["https://updates.example.com", "https://cdn.example.org:8443",
                          "http://127.0.0.1:8000", "http://localhost"])
_ASSETS = st.builds(
    Asset,
    platform=st.sampled_from(["linux-x86_64", "windows-x86_64", "macos-arm64", "linux-arm64"]),
    kind=st.sampled_from(["appimage", "exe", "msi", "dmg", "deb", "tar.gz"]),
    url=st.builds(lambda h, p: f"{h}/{p}", _HOSTS,
                  st.text(string.ascii_letters + string.digits + "-._/", max_size=30)),
    size=st.integers(1, 8 * 1024**3),
    sha256=st.text("0123456789abcdef", min_size=64, max_size=64),
)
_MIN_OS = st.dictionaries(
    st.sampled_from(["linux", "macos", "windows"]),
    st.builds(lambda a, b: f"{a}.{b}", st.integers(0, 99), st.integers(0, 99)),
).map(lambda d: tuple(sorted(d.items())))


@st.composite
def _releases(draw: st.DrawFn) -> Release:
    assets = draw(st.lists(_ASSETS, min_size=1, max_size=4,
                           unique_by=lambda a: (a.platform, a.kind)))
    return Release(
        version=draw(_VERSIONS),
        channel=draw(st.sampled_from(["stable", "beta"])),
        published=draw(_TIMES),
        critical=draw(st.booleans()),
        min_os=draw(_MIN_OS),
        notes=draw(st.text(max_size=200)),
        assets=tuple(assets),
    )


@st.composite
def _feeds(draw: st.DrawFn) -> Feed:
    from packaging.version import Version

    releases = draw(st.lists(_releases(), max_size=5, unique_by=lambda r: Version(r.version)))
    return Feed(
        product=draw(st.from_regex(r"[a-z0-9][a-z0-9._-]{0,20}", fullmatch=True)),
        serial=draw(st.integers(0, 2**63 - 1)),
        expires=draw(_TIMES),
        releases=tuple(releases),
        digest="",
    )


@settings(max_examples=200, deadline=None)
@given(_feeds())
def test_payload_round_trip(feed: Feed) -> None:
    payload = json.dumps(payload_dict(feed)).encode()
    parsed = parse_payload(payload)
    assert parsed == replace(feed, digest=parsed.digest)
    assert json.loads(json.dumps(payload_dict(parsed))) == json.loads(payload)


@settings(max_examples=50, deadline=None)
@given(_feeds())
def test_signed_round_trip_verifies(feed: Feed) -> None:
    feed = replace(feed, product=PRODUCT, expires=NOW + timedelta(days=1))
    payload = json.dumps(payload_dict(feed), indent=1).encode()
    verified = verify(sign_envelope(payload, [KEY.private]))
    assert verified == replace(feed, digest=verified.digest, keyids=(KEY.keyid,))


# --- fuzz ---------------------------------------------------------------------------

_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)


def _only_feed_errors(data: bytes) -> None:
    try:
        verify(data)
    except FeedError as exc:
        assert exc.message and "\n" not in exc.message


@FAST
@given(st.binary(max_size=2048))
def test_fuzz_random_bytes_only_feed_error(data: bytes) -> None:
    _only_feed_errors(data)


@FAST
@given(_JSON)
def test_fuzz_signed_random_json_only_feed_error(value: object) -> None:
    _only_feed_errors(sign_envelope(json.dumps(value).encode(), [KEY.private]))


@FAST
@given(_JSON)
def test_fuzz_random_envelope_json_only_feed_error(value: object) -> None:
    _only_feed_errors(json.dumps(value).encode())


def _mutate_doc(doc: object, path: list[int], value: object) -> object:
    """Replace one node of a JSON tree, chosen by ``path`` indices."""
    if not path or not isinstance(doc, dict | list) or not doc:
        return value
    keys = list(doc.keys()) if isinstance(doc, dict) else list(range(len(doc)))
    key = keys[path[0] % len(keys)]
    doc[key] = _mutate_doc(doc[key], path[1:], value)  # type: ignore[index]
    return doc


@FAST
@given(st.lists(st.integers(0, 50), max_size=6), _JSON)
def test_fuzz_structured_payload_mutation_only_feed_error(path: list[int], value: object) -> None:
    doc = json.loads(json.dumps(payload_dict(FEED)))
    mutated = _mutate_doc(doc, path, value)
    _only_feed_errors(sign_envelope(json.dumps(mutated).encode(), [KEY.private]))
