"""Hand-written invalid feeds: each one correctly signed, each one refused with FeedError.

Signing every document with the trusted key proves the refusal comes from the payload or
envelope rules themselves, not from the signature check.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from typing import Any

import pytest
from glass_updater.errors import (
    BadSignatureError,
    FeedError,
    MalformedFeedError,
    StaleFeedError,
    UnsignedError,
    UntrustedKeyError,
    WrongProductError,
)
from glass_updater.feed import verify_feed
from glass_updater.signing import generate_keypair, sign_envelope

from tests.sim import NOW, PRODUCT

KEY = generate_keypair()
HASH = "ab" * 32


def base() -> dict[str, Any]:
    return {
        "product": PRODUCT,
        "serial": 3,
        "expires": "2027-01-01T00:00:00Z",
        "releases": [
            {
                "version": "1.4.0",
                "channel": "stable",
                "published": "2026-11-20T10:00:00Z",
                "critical": False,
                "min_os": {"macos": "12"},
                "notes": "Fixes",
                "assets": [
                    {
                        "platform": "linux-x86_64",
                        "kind": "appimage",
                        "url": "https://updates.example.com/a.AppImage",
                        "size": 1000,
                        "sha256": HASH,
                    }
                ],
            }
        ],
    }


Doc = dict[str, Any]


def top(key: str, value: object) -> Callable[[Doc], None]:
    def edit(d: Doc) -> None:
        d[key] = value

    return edit


def drop(key: str) -> Callable[[Doc], None]:
    def edit(d: Doc) -> None:
        del d[key]

    return edit


def rel(key: str, value: object) -> Callable[[Doc], None]:
    def edit(d: Doc) -> None:
        d["releases"][0][key] = value

    return edit


def rel_drop(key: str) -> Callable[[Doc], None]:
    def edit(d: Doc) -> None:
        del d["releases"][0][key]

    return edit


def asset(key: str, value: object) -> Callable[[Doc], None]:
    def edit(d: Doc) -> None:
        d["releases"][0]["assets"][0][key] = value

    return edit


def asset_drop(key: str) -> Callable[[Doc], None]:
    def edit(d: Doc) -> None:
        del d["releases"][0]["assets"][0][key]

    return edit


def dup_release(d: Doc) -> None:
    d["releases"].append(copy.deepcopy(d["releases"][0]))


def dup_release_equivalent_version(d: Doc) -> None:
    d["releases"].append(copy.deepcopy(d["releases"][0]))
    d["releases"][1]["version"] = "1.4"  # equal to 1.4.0 under PEP 440


def dup_asset(d: Doc) -> None:
    d["releases"][0]["assets"].append(copy.deepcopy(d["releases"][0]["assets"][0]))


def many_assets(d: Doc) -> None:
    a = d["releases"][0]["assets"][0]
    d["releases"][0]["assets"] = [dict(a, kind=f"k{i}") for i in range(65)]


PAYLOAD_CASES: list[tuple[str, Callable[[Doc], None], type[FeedError]]] = [
    # top level
    ("product-missing", drop("product"), MalformedFeedError),
    ("product-number", top("product", 7), MalformedFeedError),
    ("product-empty", top("product", ""), MalformedFeedError),
    ("product-spaces", top("product", "demo app"), MalformedFeedError),
    ("product-other", top("product", "other-app"), WrongProductError),
    ("product-case", top("product", "Demo-App"), MalformedFeedError),
    ("product-similar", top("product", "demo-app2"), WrongProductError),
    ("serial-missing", drop("serial"), MalformedFeedError),
    ("serial-negative", top("serial", -1), MalformedFeedError),
    ("serial-float", top("serial", 3.0), MalformedFeedError),
    ("serial-string", top("serial", "3"), MalformedFeedError),
    ("serial-bool", top("serial", True), MalformedFeedError),
    ("serial-null", top("serial", None), MalformedFeedError),
    ("serial-huge", top("serial", 2**63), MalformedFeedError),
    ("serial-list", top("serial", [3]), MalformedFeedError),
    ("expires-missing", drop("expires"), MalformedFeedError),
    ("expires-number", top("expires", 1767225600), MalformedFeedError),
    ("expires-no-zone", top("expires", "2027-01-01T00:00:00"), MalformedFeedError),
    ("expires-offset", top("expires", "2027-01-01T00:00:00+02:00"), MalformedFeedError),
    ("expires-date-only", top("expires", "2027-01-01"), MalformedFeedError),
    ("expires-feb-30", top("expires", "2027-02-30T00:00:00Z"), MalformedFeedError),
    ("expires-hour-25", top("expires", "2027-01-01T25:00:00Z"), MalformedFeedError),
    ("expires-lowercase", top("expires", "2027-01-01t00:00:00z"), MalformedFeedError),
    ("expires-past", top("expires", "2020-01-01T00:00:00Z"), StaleFeedError),
    ("releases-missing", drop("releases"), MalformedFeedError),
    ("releases-object", top("releases", {}), MalformedFeedError),
    ("releases-string", top("releases", "1.4.0"), MalformedFeedError),
    ("release-not-object", top("releases", ["1.4.0"]), MalformedFeedError),
    ("release-null", top("releases", [None]), MalformedFeedError),
    ("unknown-top-field", top("extra", 1), MalformedFeedError),
    ("unknown-top-hashes", top("hashes", {}), MalformedFeedError),
    # release
    ("version-missing", rel_drop("version"), MalformedFeedError),
    ("version-number", rel("version", 1.4), MalformedFeedError),
    ("version-not-pep440", rel("version", "one point four"), MalformedFeedError),
    ("version-padded", rel("version", " 1.4.0"), MalformedFeedError),
    ("version-empty", rel("version", ""), MalformedFeedError),
    ("version-too-long", rel("version", "1." + "0." * 40 + "0"), MalformedFeedError),
    ("version-duplicate", dup_release, MalformedFeedError),
    ("version-equivalent-duplicate", dup_release_equivalent_version, MalformedFeedError),
    ("channel-missing", rel_drop("channel"), MalformedFeedError),
    ("channel-unknown", rel("channel", "nightly"), MalformedFeedError),
    ("channel-case", rel("channel", "Stable"), MalformedFeedError),
    ("channel-number", rel("channel", 1), MalformedFeedError),
    ("published-missing", rel_drop("published"), MalformedFeedError),
    ("published-bad", rel("published", "yesterday"), MalformedFeedError),
    ("critical-string", rel("critical", "false"), MalformedFeedError),
    ("critical-number", rel("critical", 0), MalformedFeedError),
    ("min-os-list", rel("min_os", ["macos", "12"]), MalformedFeedError),
    ("min-os-unknown-os", rel("min_os", {"beos": "5"}), MalformedFeedError),
    ("min-os-number", rel("min_os", {"macos": 12}), MalformedFeedError),
    ("min-os-words", rel("min_os", {"macos": "Monterey"}), MalformedFeedError),
    ("notes-number", rel("notes", 5), MalformedFeedError),
    ("notes-too-long", rel("notes", "n" * 100_001), MalformedFeedError),
    ("assets-missing", rel_drop("assets"), MalformedFeedError),
    ("assets-empty", rel("assets", []), MalformedFeedError),
    ("assets-object", rel("assets", {}), MalformedFeedError),
    ("assets-too-many", many_assets, MalformedFeedError),
    ("asset-not-object", rel("assets", ["https://x.example/a"]), MalformedFeedError),
    ("unknown-release-field", rel("url", "https://x.example"), MalformedFeedError),
    # asset
    ("platform-missing", asset_drop("platform"), MalformedFeedError),
    ("platform-no-arch", asset("platform", "linux"), MalformedFeedError),
    ("platform-upper", asset("platform", "Linux-x86_64"), MalformedFeedError),
    ("platform-number", asset("platform", 64), MalformedFeedError),
    ("kind-missing", asset_drop("kind"), MalformedFeedError),
    ("kind-path", asset("kind", "../exe"), MalformedFeedError),
    ("kind-empty", asset("kind", ""), MalformedFeedError),
    ("url-missing", asset_drop("url"), MalformedFeedError),
    ("url-http", asset("url", "http://updates.example.com/a"), MalformedFeedError),
    ("url-file", asset("url", "file:///tmp/a"), MalformedFeedError),
    ("url-javascript", asset("url", "javascript:alert(1)"), MalformedFeedError),
    ("url-data", asset("url", "data:text/plain,hi"), MalformedFeedError),
    ("url-relative", asset("url", "../a.AppImage"), MalformedFeedError),
    ("url-scheme-relative", asset("url", "//updates.example.com/a"), MalformedFeedError),
    ("url-userinfo", asset("url", "https://u:p@updates.example.com/a"), MalformedFeedError),
    ("url-fragment", asset("url", "https://updates.example.com/a#x"), MalformedFeedError),
    ("url-newline", asset("url", "https://updates.example.com/a\r\nX: y"), MalformedFeedError),
    ("url-non-ascii", asset("url", "https://updatés.example.com/a"), MalformedFeedError),
    ("url-bad-port", asset("url", "https://updates.example.com:99999/a"), MalformedFeedError),
    ("url-number", asset("url", 42), MalformedFeedError),
    ("size-missing", asset_drop("size"), MalformedFeedError),
    ("size-zero", asset("size", 0), MalformedFeedError),
    ("size-negative", asset("size", -5), MalformedFeedError),
    ("size-float", asset("size", 10.5), MalformedFeedError),
    ("size-string", asset("size", "1000"), MalformedFeedError),
    ("size-bool", asset("size", True), MalformedFeedError),
    ("size-over-cap", asset("size", 8 * 1024**3 + 1), MalformedFeedError),
    ("sha256-missing", asset_drop("sha256"), MalformedFeedError),
    ("sha256-short", asset("sha256", "ab" * 31), MalformedFeedError),
    ("sha256-long", asset("sha256", "ab" * 33), MalformedFeedError),
    ("sha256-uppercase", asset("sha256", "AB" * 32), MalformedFeedError),
    ("sha256-not-hex", asset("sha256", "zz" * 32), MalformedFeedError),
    ("sha256-null", asset("sha256", None), MalformedFeedError),
    ("sha256-trailing-newline", asset("sha256", HASH + "\n"), MalformedFeedError),
    ("platform-trailing-newline", asset("platform", "linux-x86_64\n"), MalformedFeedError),
    ("expires-trailing-newline", top("expires", "2027-01-01T00:00:00Z\n"), MalformedFeedError),
    ("product-trailing-newline", top("product", PRODUCT + "\n"), MalformedFeedError),
    ("sha256-prefixed", asset("sha256", "sha256:" + HASH), MalformedFeedError),
    ("hash-sha1-extra", asset("sha1", "a" * 40), MalformedFeedError),
    ("hash-md5-extra", asset("md5", "a" * 32), MalformedFeedError),
    ("unknown-asset-field", asset("signature", "x"), MalformedFeedError),
    ("asset-duplicate", dup_asset, MalformedFeedError),
]

RAW_PAYLOADS: list[tuple[str, bytes]] = [
    ("empty", b""),
    ("whitespace", b"   \n"),
    ("null", b"null"),
    ("array", b"[]"),
    ("string", b'"feed"'),
    ("number", b"12"),
    ("truncated", json.dumps(base()).encode()[:-20]),
    ("trailing-garbage", json.dumps(base()).encode() + b"x"),
    ("two-documents", json.dumps(base()).encode() * 2),
    ("single-quotes", b"{'product': 'demo-app'}"),
    ("trailing-comma", b'{"product": "demo-app",}'),
    ("comment", b'{"product": "demo-app" /* hi */}'),
    ("raw-control-char", b'{"product": "demo\x01app"}'),
    ("latin1", '{"product": "démo"}'.encode("latin-1")),
    ("utf16", json.dumps(base()).encode("utf-16")),
    ("utf8-encoded-surrogate", b'{"product": "\xed\xa0\x80"}'),
    ("utf8-overlong", b'{"product": "\xc0\xaf"}'),
    ("escaped-lone-surrogate-key", b'{"\\udfff": 1}'),
]


@pytest.mark.parametrize(
    ("name", "mutate", "expected"), PAYLOAD_CASES, ids=[c[0] for c in PAYLOAD_CASES]
)
def test_invalid_payload_refused(
    name: str, mutate: Callable[[Doc], None], expected: type[FeedError]
) -> None:
    doc = base()
    mutate(doc)
    data = sign_envelope(json.dumps(doc).encode(), [KEY.private])
    with pytest.raises(expected) as info:
        verify_feed(data, trusted_keys=[KEY.public], product=PRODUCT, now=NOW, floor=None)
    assert "\n" not in info.value.message and info.value.message


@pytest.mark.parametrize(("name", "payload"), RAW_PAYLOADS, ids=[c[0] for c in RAW_PAYLOADS])
def test_invalid_raw_payload_refused(name: str, payload: bytes) -> None:
    data = sign_envelope(payload, [KEY.private])
    with pytest.raises(MalformedFeedError):
        verify_feed(data, trusted_keys=[KEY.public], product=PRODUCT, now=NOW, floor=None)


def _env(**changes: object) -> bytes:
    doc = json.loads(sign_envelope(json.dumps(base()).encode(), [KEY.private]))
    for key, value in changes.items():
        if value is None:
            del doc[key]
        else:
            doc[key] = value
    return json.dumps(doc).encode()


ENVELOPE_CASES: list[tuple[str, bytes, type[FeedError]]] = [
    ("env-empty", b"", MalformedFeedError),
    ("env-array", b"[]", MalformedFeedError),
    ("env-no-payload", _env(payload=None), MalformedFeedError),
    ("env-no-type", _env(payloadType=None), MalformedFeedError),
    ("env-wrong-type", _env(payloadType="application/vnd.in-toto+json"), MalformedFeedError),
    ("env-type-number", _env(payloadType=1), MalformedFeedError),
    ("env-payload-number", _env(payload=5), MalformedFeedError),
    ("env-payload-not-base64", _env(payload="%%%"), MalformedFeedError),
    ("env-payload-urlsafe-not-signed", _env(payload="-_-_"), BadSignatureError),
    ("env-payload-mixed-alphabets", _env(payload="ab+_"), MalformedFeedError),
    ("env-payload-no-padding", _env(payload="e30"), MalformedFeedError),
    ("env-payload-empty", _env(payload=""), MalformedFeedError),
    ("env-signatures-object", _env(signatures={}), MalformedFeedError),
    ("env-signature-string", _env(signatures=["sig"]), MalformedFeedError),
    ("env-signature-no-keyid", _env(signatures=[{"sig": "AA=="}]), UntrustedKeyError),
    ("env-signature-no-sig", _env(signatures=[{"keyid": KEY.keyid}]), MalformedFeedError),
    ("env-signature-keyid-number", _env(signatures=[{"keyid": 7, "sig": "AA=="}]),
     MalformedFeedError),
    ("env-signature-extra-field", _env(signatures=[{"keyid": "a" * 64, "sig": "A" * 88,
                                                     "cert": "x"}]), UntrustedKeyError),
    ("env-too-many-signatures", _env(signatures=[{"keyid": "a" * 64, "sig": "A" * 86 + "=="}]
                                     * 17), MalformedFeedError),
    ("env-keyid-trailing-newline", _env(signatures=[{"keyid": "a" * 64 + "\n",
                                                     "sig": "A" * 86 + "=="}]),
     UntrustedKeyError),
    ("env-no-signatures", _env(signatures=None), UnsignedError),
    ("env-signatures-empty", _env(signatures=[]), UnsignedError),
]


@pytest.mark.parametrize(
    ("name", "data", "expected"), ENVELOPE_CASES, ids=[c[0] for c in ENVELOPE_CASES]
)
def test_invalid_envelope_refused(name: str, data: bytes, expected: type[FeedError]) -> None:
    with pytest.raises(expected):
        verify_feed(data, trusted_keys=[KEY.public], product=PRODUCT, now=NOW, floor=None)


def test_at_least_seventy_hand_written_documents() -> None:
    assert len(PAYLOAD_CASES) + len(RAW_PAYLOADS) + len(ENVELOPE_CASES) >= 70
    names = [c[0] for c in PAYLOAD_CASES] + [c[0] for c in RAW_PAYLOADS]
    names += [c[0] for c in ENVELOPE_CASES]
    assert len(names) == len(set(names))


def test_base_document_is_valid() -> None:
    """Guards the table: every case above differs from an accepted document."""
    data = sign_envelope(json.dumps(base()).encode(), [KEY.private])
    feed = verify_feed(data, trusted_keys=[KEY.public], product=PRODUCT, now=NOW, floor=None)
    assert feed.serial == 3 and feed.releases[0].min_os == (("macos", "12"),)
