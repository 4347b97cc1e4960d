"""One test per hostile-feed threat of THREATS.md (parse and trust level)."""

from __future__ import annotations

import base64
import hashlib
import json
import time
from datetime import timedelta

import pytest
from glass_updater.errors import (
    BadSignatureError,
    ConfigError,
    FeedError,
    MalformedFeedError,
    ReplayError,
    RollbackError,
    StaleFeedError,
    UnsignedError,
    UntrustedKeyError,
    WrongProductError,
)
from glass_updater.feed import TrustFloor, verify_feed
from glass_updater.limits import Limits
from glass_updater.model import Feed
from glass_updater.reasons import words
from glass_updater.signing import generate_keypair, sign_envelope
from glass_updater.versions import select_update

from tests.sim import NOW, PLATFORM, PRODUCT, FeedSimulator


def verify(sim: FeedSimulator, data: bytes | None = None, **kw: object) -> Feed:
    args: dict[str, object] = {
        "trusted_keys": [sim.public_key],
        "product": PRODUCT,
        "now": NOW,
        "floor": None,
    }
    args.update(kw)
    return verify_feed(sim.feed_bytes() if data is None else data, **args)  # type: ignore[arg-type]


def envelope_doc(sim: FeedSimulator) -> dict[str, object]:
    doc = json.loads(sim.feed_bytes())
    assert isinstance(doc, dict)
    return doc


def test_genuine_feed_accepted(sim: FeedSimulator) -> None:
    feed = verify(sim)
    assert [r.version for r in feed.releases] == ["1.2.0", "1.4.0"]
    assert feed.keyids == (sim.signer.keyid,)
    assert feed.serial == 1
    assert feed.digest == hashlib.sha256(sim.payload_bytes()).hexdigest()


# 1
def test_unsigned_feed_refused(sim: FeedSimulator) -> None:
    doc = envelope_doc(sim)
    doc["signatures"] = []
    with pytest.raises(UnsignedError, match="not signed"):
        verify(sim, json.dumps(doc).encode())
    del doc["signatures"]
    with pytest.raises(UnsignedError, match="not signed"):
        verify(sim, json.dumps(doc).encode())


def test_bare_payload_without_envelope_refused(sim: FeedSimulator) -> None:
    with pytest.raises(UnsignedError):
        verify(sim, sim.payload_bytes())


# 2
def test_feed_signed_by_untrusted_key_refused(sim: FeedSimulator) -> None:
    trusted = generate_keypair().public
    with pytest.raises(UntrustedKeyError, match="no key this app trusts signed it"):
        verify(sim, trusted_keys=[trusted])


# 3
def test_flipped_payload_byte_refused(sim: FeedSimulator) -> None:
    def flip(payload: bytes) -> bytes:
        i = payload.index(b"1.4.0")
        return payload[:i] + b"9" + payload[i + 1 :]

    tampered = sim.tamper_payload(sim.feed_bytes(), flip)
    with pytest.raises(BadSignatureError, match="does not match"):
        verify(sim, tampered)


# 4
@pytest.mark.parametrize(
    "sig",
    ["not base64 !!", "AAAA=", "AA==\n", "ab+_" * 22],
    ids=["not-base64", "bad-padding", "trailing-newline", "mixed-alphabets"],
)
def test_malformed_signature_is_clean_feed_error(sim: FeedSimulator, sig: str) -> None:
    doc = envelope_doc(sim)
    doc["signatures"][0]["sig"] = sig  # type: ignore[index]
    with pytest.raises(MalformedFeedError, match="signature"):
        verify(sim, json.dumps(doc).encode())


@pytest.mark.parametrize(
    "sig",
    ["", base64.b64encode(b"x" * 63).decode(), base64.b64encode(b"x" * 65).decode(),
     base64.b64encode(b"\0" * 64).decode()],
    ids=["empty", "63-bytes", "65-bytes", "64-zero-bytes"],
)
def test_signature_naming_a_trusted_key_that_does_not_verify_is_a_bad_signature(
    sim: FeedSimulator, sig: str
) -> None:
    """DSSE: ``sig`` must be set, even if empty; one that cannot verify is a bad signature
    of the trusted key its key id names — not a malformed envelope."""
    doc = envelope_doc(sim)
    doc["signatures"][0]["sig"] = sig  # type: ignore[index]
    with pytest.raises(BadSignatureError, match="bad signature"):
        verify(sim, json.dumps(doc).encode())


@pytest.mark.parametrize(
    "keyid",
    [None, "", "ab" * 32, "nothex", "A" * 64, "x" * 500],
    ids=["absent", "empty", "unknown", "not-hex", "uppercase", "long"],
)
def test_key_id_is_only_a_hint_each_trusted_key_is_tried(
    sim: FeedSimulator, keyid: str | None
) -> None:
    """DSSE: the key id is an unauthenticated hint; empty, absent or unknown means try
    each trusted key. The real signature still verifies; a forged one still fails."""
    doc = envelope_doc(sim)
    entry = doc["signatures"][0]  # type: ignore[index]
    if keyid is None:
        del entry["keyid"]
    else:
        entry["keyid"] = keyid
    rotation = [generate_keypair().public, sim.public_key]  # the signer is the second key
    assert verify(sim, json.dumps(doc).encode(), trusted_keys=rotation).keyids == (
        sim.signer.keyid,
    )
    entry["sig"] = base64.b64encode(b"\0" * 64).decode()
    with pytest.raises(UntrustedKeyError, match="no key this app trusts signed it"):
        verify(sim, json.dumps(doc).encode(), trusted_keys=rotation)


def test_unknown_fields_are_ignored_as_dsse_requires(sim: FeedSimulator) -> None:
    doc = envelope_doc(sim)
    doc["comment"] = {"anything": [1, 2]}
    doc["signatures"][0]["cert"] = "-----BEGIN CERTIFICATE-----"  # type: ignore[index]
    assert verify(sim, json.dumps(doc).encode()).keyids == (sim.signer.keyid,)


def test_url_safe_base64_is_accepted_as_dsse_allows(sim: FeedSimulator) -> None:
    sim.add_release("1.5.0", notes="??? >>> ???? >>>> ????? >>>>> ~~~ ~~~~ ~~~~~")
    doc = envelope_doc(sim)
    for holder, key in ((doc, "payload"), (doc["signatures"][0], "sig")):  # type: ignore[index]
        standard = holder[key]
        holder[key] = standard.replace("+", "-").replace("/", "_")
    assert "-" in doc["payload"] or "_" in doc["payload"]  # type: ignore[operator]
    assert verify(sim, json.dumps(doc).encode()).keyids == (sim.signer.keyid,)
    doc["payload"] = doc["payload"].rstrip("=")  # type: ignore[attr-defined]
    with pytest.raises(FeedError):
        verify(sim, json.dumps(doc).encode())  # unpadded is neither alphabet's standard form


# 5
def test_extra_unknown_signature_ignored_and_duplicate_counts_once(sim: FeedSimulator) -> None:
    stranger = generate_keypair()
    sim.extra_signers = [stranger.private, sim.signer.private]  # unknown + duplicate
    doc = envelope_doc(sim)
    assert len(doc["signatures"]) == 3  # type: ignore[arg-type]
    feed = verify(sim)
    assert feed.keyids == (sim.signer.keyid,)


def test_duplicated_bad_signature_does_not_hide_a_good_one(sim: FeedSimulator) -> None:
    doc = envelope_doc(sim)
    good = doc["signatures"][0]  # type: ignore[index]
    bad = dict(good, sig=base64.b64encode(b"\0" * 64).decode())
    doc["signatures"] = [bad, bad, good]
    assert verify(sim, json.dumps(doc).encode()).keyids == (sim.signer.keyid,)
    doc["signatures"] = [bad, bad]
    with pytest.raises(BadSignatureError):
        verify(sim, json.dumps(doc).encode())


# 6
def test_feed_for_another_product_refused(sim: FeedSimulator) -> None:
    sim.product = "other-app"
    with pytest.raises(WrongProductError, match="another product"):
        verify(sim)


# 7
def test_duplicate_json_keys_refused(sim: FeedSimulator) -> None:
    sim.payload_hook = lambda p: p.replace(b'"serial": 1', b'"serial": 9, "serial": 1', 1)
    with pytest.raises(MalformedFeedError, match="duplicate key"):
        verify(sim)


def test_duplicate_envelope_keys_refused(sim: FeedSimulator) -> None:
    sim.envelope_hook = lambda e: e.replace(b"{", b'{"payload": "e30=",', 1)
    with pytest.raises(MalformedFeedError, match="duplicate key"):
        verify(sim)


# 8
def test_no_trusted_key_is_config_error(sim: FeedSimulator) -> None:
    with pytest.raises(ConfigError, match="no trusted feed key"):
        verify(sim, trusted_keys=[])
    with pytest.raises(ConfigError, match="ed25519"):
        verify(sim, trusted_keys=["rsa:abc"])


# 9
def test_rollback_refused(sim: FeedSimulator) -> None:
    old = sim.feed_bytes()
    sim.bump()
    new = verify(sim)
    floor = TrustFloor(new.serial, new.digest)
    with pytest.raises(RollbackError, match="rollback"):
        verify(sim, old, floor=floor)


# 10
def test_same_serial_different_content_refused(sim: FeedSimulator) -> None:
    accepted = verify(sim)
    sim.add_release("2.0.0")
    with pytest.raises(ReplayError, match="different content"):
        verify(sim, floor=TrustFloor(accepted.serial, accepted.digest))


def test_same_serial_same_content_accepted(sim: FeedSimulator) -> None:
    accepted = verify(sim)
    again = verify(sim, floor=TrustFloor(accepted.serial, accepted.digest))
    assert again.digest == accepted.digest


# 11
def test_expired_feed_is_stale_not_up_to_date(sim: FeedSimulator) -> None:
    sim.expires = NOW - timedelta(seconds=1)
    with pytest.raises(StaleFeedError, match="stale"):
        verify(sim)
    sim.expires = NOW + timedelta(days=1)
    verify(sim)
    with pytest.raises(StaleFeedError):  # the clock moved forward
        verify(sim, now=NOW + timedelta(days=2))


def test_rollback_reported_before_staleness(sim: FeedSimulator) -> None:
    sim.expires = NOW - timedelta(days=1)
    with pytest.raises(RollbackError):
        verify(sim, floor=TrustFloor(5, None))


# 12
@pytest.mark.parametrize(
    "serial", ["-1", "1.5", '"7"', "1e3", "true", "null", "99999999999999999999999", "[1]"]
)
def test_bad_serial_refused(sim: FeedSimulator, serial: str) -> None:
    sim.payload_hook = lambda p: p.replace(b'"serial": 1', b'"serial": ' + serial.encode(), 1)
    with pytest.raises(MalformedFeedError):
        verify(sim)


# 13
def test_downgrade_never_offered(sim: FeedSimulator) -> None:
    feed = verify(sim)
    selection = select_update(
        feed, current_version="2.0.0", channel="stable", platform=PLATFORM,
        os_name="linux", os_version="6.5",
    )
    assert selection.release is None
    assert words(selection.reason) == "you are on the newest version (2.0.0)"


# 18
def test_other_platform_or_min_os_not_offered(sim: FeedSimulator) -> None:
    sim.add_release("1.6.0", platforms=("windows-x86_64",))
    sim.add_release("1.5.0", min_os={"linux": "7.1"})
    feed = verify(sim)
    selection = select_update(
        feed, current_version="1.0.0", channel="stable", platform=PLATFORM,
        os_name="linux", os_version="6.5.0",
    )
    assert selection.release is not None and selection.release.version == "1.4.0"
    assert selection.asset is not None and selection.asset.platform == PLATFORM


# 19
@pytest.mark.parametrize(
    "url",
    [
        "http://updates.example.com/a.AppImage",
        "file:///etc/passwd",
        "javascript:alert(1)",
        "/relative/a.AppImage",
        "a.AppImage",
        "https://user:pw@updates.example.com/a",
        "https://updates.example.com/a#frag",
        "ftp://updates.example.com/a",
        "https:///nohost",
        "https://updates.example.com/a b",
    ],
)
def test_bad_asset_url_refused(sim: FeedSimulator, url: str) -> None:
    sim.releases[0]["assets"][0]["url"] = url
    with pytest.raises(MalformedFeedError, match="url"):
        verify(sim)


def test_loopback_http_asset_url_accepted(sim: FeedSimulator) -> None:
    sim.releases[0]["assets"][0]["url"] = "http://127.0.0.1:8000/a.AppImage"
    sim.releases[1]["assets"][0]["url"] = "http://localhost:8000/b.AppImage"
    assert verify(sim).releases[0].assets[0].url == "http://127.0.0.1:8000/a.AppImage"


# 20
def test_missing_hash_refused(sim: FeedSimulator) -> None:
    del sim.releases[0]["assets"][0]["sha256"]
    with pytest.raises(MalformedFeedError, match="no sha256"):
        verify(sim)


@pytest.mark.parametrize("algorithm", ["sha1", "md5", "sha512", "blake2b"])
def test_unknown_hash_algorithm_refused(sim: FeedSimulator, algorithm: str) -> None:
    asset = sim.releases[0]["assets"][0]
    asset[algorithm] = asset.pop("sha256")
    with pytest.raises(MalformedFeedError, match="unknown hash algorithm"):
        verify(sim)


def test_extra_hash_beside_sha256_refused(sim: FeedSimulator) -> None:
    sim.releases[0]["assets"][0]["md5"] = "0" * 32
    with pytest.raises(MalformedFeedError, match="unknown hash algorithm"):
        verify(sim)


# 21
def test_hostile_release_notes_kept_as_inert_text_or_refused(sim: FeedSimulator) -> None:
    script = "<script>fetch('https://evil.example')</script>\x07\x1b[31m<img src=x>"
    sim.releases[1]["notes"] = script
    assert verify(sim).releases[1].notes == script  # data only; the UI renders it inert
    sim.releases[1]["notes"] = "x" * 100_001
    with pytest.raises(MalformedFeedError, match="longer than"):
        verify(sim)


# 25
def test_oversized_feed_refused_at_cap(sim: FeedSimulator) -> None:
    sim.releases[1]["notes"] = "x" * 90_000
    for i in range(12):
        sim.add_release(f"1.5.{i}", notes="y" * 90_000)
    data = sim.feed_bytes()
    assert len(data) > 1024 * 1024
    with pytest.raises(MalformedFeedError, match="larger than"):
        verify(sim, data)


# 30
@pytest.mark.parametrize(
    ("name", "payload", "reason"),
    [
        ("deep-nesting", b"[" * 100_000 + b"]" * 100_000, "nested deeper"),
        ("deep-objects", b'{"a":' * 50_000 + b"1" + b"}" * 50_000, "nested deeper"),
        ("5000-digit-int", b'{"serial": ' + b"9" * 5000 + b"}", "longer than 20 digits"),
        ("5000-digit-float", b'{"serial": 1.' + b"9" * 5000 + b"}", "longer than 20 digits"),
        ("huge-exponent", b'{"serial": 1e99999}', "too large"),
        ("nan", b'{"serial": NaN}', "NaN"),
        ("infinity", b'{"serial": -Infinity}', "Infinity"),
        ("lone-surrogate", b'{"product": "\\ud800"}', "lone surrogate"),
        ("invalid-utf8", b'{"product": "\xff\xfe"}', "UTF-8"),
        ("bom", b'\xef\xbb\xbf{"product": "demo-app"}', "byte-order mark"),
    ],
)
def test_pathological_json_is_clean_feed_error_in_bounded_time(
    sim: FeedSimulator, name: str, payload: bytes, reason: str
) -> None:
    data = sign_envelope(payload, [sim.signer.private])
    started = time.perf_counter()
    with pytest.raises(MalformedFeedError, match=reason):
        verify(sim, data)
    assert time.perf_counter() - started < 10.0, name  # guards against blow-ups only


def test_ten_thousand_releases_refused(sim: FeedSimulator) -> None:
    release = json.dumps(sim.releases[0])
    body = ",".join([release] * 10_001)
    payload = (
        f'{{"product": "{PRODUCT}", "serial": 1, "expires": "2027-01-01T00:00:00Z", '
        f'"releases": [{body}]}}'
    ).encode()
    data = sign_envelope(payload, [sim.signer.private])
    with pytest.raises(FeedError, match=r"larger than|more than"):
        verify(sim, data)


def test_release_and_asset_count_limits(sim: FeedSimulator) -> None:
    with pytest.raises(MalformedFeedError, match="more than 1 entries"):
        verify(sim, limits=Limits(max_releases=1))
    sim.add_release("1.5.0", platforms=("linux-x86_64", "linux-arm64"))
    with pytest.raises(MalformedFeedError, match="more than 1 entries"):
        verify(sim, limits=Limits(max_assets_per_release=1, max_releases=10))


@pytest.mark.parametrize(
    "digits",
    ["\u0662\u0660\u0662\u0666", "\uff12\uff10\uff12\uff16", "\u0968\u0966\u0968\u0966"],
    ids=["arabic-indic", "fullwidth", "devanagari"],
)
def test_times_with_non_ascii_digits_are_refused(sim: FeedSimulator, digits: str) -> None:
    """int() reads "٢٠٢٦" as 2026 and a \\d regex matches it; the feed's times are
    RFC 3339, whose digits are ASCII only."""
    published = json.dumps(f"{digits}-11-20T10:00:00Z").encode()
    sim.payload_hook = lambda p: p.replace(b'"2026-11-20T10:00:00Z"', published, 1)
    assert published in sim.payload_bytes()
    with pytest.raises(MalformedFeedError, match="RFC 3339"):
        verify(sim)


def test_numbers_with_non_ascii_digits_are_refused() -> None:
    from glass_updater import strictjson

    for text in ('{"n": \u0661}', '{"n": 1\u0662}', '{"n": 1.\u0663}'):
        with pytest.raises(strictjson.JsonRejected):
            strictjson.loads(text.encode(), max_bytes=100, max_depth=4, max_digits=20)
