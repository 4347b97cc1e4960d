"""Ed25519 keys and the DSSE envelope that carries a signed feed.

DSSE (the Dead Simple Signing Envelope of in-toto and sigstore) signs the payload bytes
exactly as published, through a pre-authentication encoding (PAE) that binds the payload
type, so no JSON canonicalisation is needed and a signature for one kind of document can
never be replayed as another.

Trust rule (threshold = 1): the envelope is accepted when at least ONE signature verifies
against a trusted key. Several keys may be trusted at once so a publisher can rotate keys:
ship an app that trusts the current and the next key, then switch the signer. Signatures
from keys we do not trust are ignored (another party may co-sign); a trusted key's
signature listed twice counts once. A threshold above 1 would protect against a single
stolen key but makes a lost key fatal to every installed copy; for a single publisher we
chose availability and document it in docs/feed-format.md.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from glass_updater import strictjson
from glass_updater.errors import (
    BadSignatureError,
    ConfigError,
    MalformedFeedError,
    UnsignedError,
    UntrustedKeyError,
)
from glass_updater.limits import DEFAULT_LIMITS, Limits

PAYLOAD_TYPE = "application/vnd.glass-updater.feed+json"
KEY_PREFIX = "ed25519:"
_ENVELOPE_KEYS = frozenset({"payloadType", "payload", "signatures"})


def _malformed(what: str) -> MalformedFeedError:
    return MalformedFeedError(
        f"update feed refused: {what}; the server sent a damaged or forged feed, "
        "try again later or contact the publisher"
    )


# --- keys ---------------------------------------------------------------------------


@dataclass(frozen=True)
class PublicKey:
    keyid: str  # hex SHA-256 of the raw 32-byte key
    key: Ed25519PublicKey

    @property
    def text(self) -> str:
        return public_key_text(self.key)


@dataclass(frozen=True)
class KeyPair:
    private: Ed25519PrivateKey
    public: str  # "ed25519:<base64>"
    keyid: str

    def private_pem(self) -> bytes:
        return private_key_pem(self.private)


def raw_public(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def keyid_of(key: Ed25519PublicKey) -> str:
    return hashlib.sha256(raw_public(key)).hexdigest()


def public_key_text(key: Ed25519PublicKey) -> str:
    return KEY_PREFIX + base64.b64encode(raw_public(key)).decode("ascii")


def private_key_pem(key: Ed25519PrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def generate_keypair() -> KeyPair:
    private = Ed25519PrivateKey.generate()
    public = private.public_key()
    return KeyPair(private, public_key_text(public), keyid_of(public))


def keypair_from_private(private: Ed25519PrivateKey) -> KeyPair:
    public = private.public_key()
    return KeyPair(private, public_key_text(public), keyid_of(public))


def parse_public_key(text: str) -> PublicKey:
    """``ed25519:<base64 of 32 raw bytes>`` (standard or URL-safe base64) to a key."""
    shown = text[:24] if isinstance(text, str) else repr(text)[:24]
    if not isinstance(text, str) or not text.startswith(KEY_PREFIX):
        raise ConfigError(
            f"trusted key {shown!r}... is not an ed25519:… key; use the line printed by "
            "`updater-publish keygen`"
        )
    body = text[len(KEY_PREFIX) :].strip()
    try:
        raw = base64.b64decode(body.replace("-", "+").replace("_", "/"), validate=True)
    except (binascii.Error, ValueError):
        raw = b""
    if len(raw) != 32:
        raise ConfigError(
            f"trusted key {shown!r}... is not 32 bytes of base64; copy it again from "
            "`updater-publish keygen` output"
        )
    key = Ed25519PublicKey.from_public_bytes(raw)
    return PublicKey(keyid_of(key), key)


def load_private_pem(data: bytes) -> Ed25519PrivateKey:
    try:
        key = serialization.load_pem_private_key(data, password=None)
    except (ValueError, TypeError) as exc:
        raise ConfigError(
            f"private key file is not an unencrypted PEM key ({exc}); create one with "
            "`updater-publish keygen`"
        ) from None
    if not isinstance(key, Ed25519PrivateKey):
        raise ConfigError("private key is not an Ed25519 key; use `updater-publish keygen`")
    return key


# --- envelope -----------------------------------------------------------------------


def pae(payload_type: str, payload: bytes) -> bytes:
    """DSSE pre-authentication encoding: "DSSEv1" SP LEN(type) SP type SP LEN(body) SP body."""
    kind = payload_type.encode("utf-8")
    return b"DSSEv1 %d %b %d %b" % (len(kind), kind, len(payload), payload)


def sign_envelope(
    payload: bytes,
    private_keys: Sequence[Ed25519PrivateKey],
    payload_type: str = PAYLOAD_TYPE,
) -> bytes:
    """Wrap ``payload`` in a DSSE envelope signed by each key (indented JSON + newline)."""
    message = pae(payload_type, payload)
    signatures = [
        {
            "keyid": keyid_of(key.public_key()),
            "sig": base64.b64encode(key.sign(message)).decode("ascii"),
        }
        for key in private_keys
    ]
    envelope = {
        "payloadType": payload_type,
        "payload": base64.b64encode(payload).decode("ascii"),
        "signatures": signatures,
    }
    return (json.dumps(envelope, indent=2) + "\n").encode("ascii")


@dataclass(frozen=True)
class Signature:
    keyid: str
    sig: bytes


@dataclass(frozen=True)
class Envelope:
    """A structurally valid envelope whose signatures have NOT been checked yet."""

    payload_type: str
    payload: bytes
    signatures: tuple[Signature, ...]


@dataclass(frozen=True)
class VerifiedPayload:
    payload: bytes
    keyids: tuple[str, ...]  # trusted keys whose signature verified, each once


def _b64(value: object, what: str, *, allow_empty: bool = False) -> bytes:
    """Base64 as DSSE allows it: the standard or the URL-safe alphabet (one of them), with
    padding, canonical only (one text per byte string)."""
    if not isinstance(value, str):
        raise _malformed(f"{what} is not a string")
    if not value and not allow_empty:
        raise _malformed(f"{what} is empty")
    urlsafe = "-" in value or "_" in value
    if urlsafe and ("+" in value or "/" in value):
        raise _malformed(f"{what} mixes the standard and URL-safe base64 alphabets")
    text = value.replace("-", "+").replace("_", "/") if urlsafe else value
    try:
        raw = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise _malformed(f"{what} is not valid base64") from None
    if base64.b64encode(raw).decode("ascii") != text:
        raise _malformed(f"{what} is not canonical base64")
    return raw


def parse_envelope(data: bytes, limits: Limits = DEFAULT_LIMITS) -> Envelope:
    """Check the envelope's shape as the DSSE envelope spec says; signatures are checked
    by ``verify_envelope``.

    Required: ``payload``, ``payloadType``, ``signatures`` and each signature's ``sig``.
    ``keyid`` is optional (unset is the same as empty) and only a hint. Fields the spec
    does not name are ignored, as it requires. Nothing else is lenient: types, base64,
    the payload type and the number of signatures are checked strictly.
    """
    try:
        doc = strictjson.loads(
            data,
            max_bytes=limits.max_feed_bytes,
            max_depth=limits.max_json_depth,
            max_digits=limits.max_number_digits,
        )
    except strictjson.JsonRejected as exc:
        raise _malformed(f"the envelope {exc}") from None
    if not isinstance(doc, dict):
        raise _malformed("the envelope is not a JSON object")
    missing = _ENVELOPE_KEYS - doc.keys()
    if "signatures" in missing:
        raise UnsignedError(
            "update feed refused: it is not signed; the server may be compromised or "
            "misconfigured, contact the publisher"
        )
    if missing:
        raise _malformed(f"the envelope has no {' or '.join(sorted(missing))}")
    payload_type = doc["payloadType"]
    if payload_type != PAYLOAD_TYPE:
        raise _malformed(f"payloadType is {str(payload_type)[:60]!r}, expected {PAYLOAD_TYPE!r}")
    payload = _b64(doc["payload"], "payload")
    sigs = doc["signatures"]
    if not isinstance(sigs, list):
        raise _malformed("signatures is not a list")
    if not sigs:
        raise UnsignedError(
            "update feed refused: it is not signed; the server may be compromised or "
            "misconfigured, contact the publisher"
        )
    if len(sigs) > limits.max_signatures:
        raise _malformed(f"more than {limits.max_signatures} signatures")
    parsed: list[Signature] = []
    for index, entry in enumerate(sigs):
        where = f"signature {index + 1}"
        if not isinstance(entry, dict) or "sig" not in entry:
            raise _malformed(f"{where} must be an object with a sig")
        keyid = entry.get("keyid", "")
        if keyid is None:
            keyid = ""
        if not isinstance(keyid, str):
            raise _malformed(f"{where} has a key id that is not a string")
        sig = _b64(entry["sig"], where, allow_empty=True)
        parsed.append(Signature(keyid, sig))
    return Envelope(payload_type, payload, tuple(parsed))


def parse_trusted_keys(trusted_keys: Sequence[str]) -> dict[str, PublicKey]:
    """Trusting no key would mean trusting nothing: that is a configuration error."""
    if isinstance(trusted_keys, str) or not trusted_keys:
        raise ConfigError(
            "no trusted feed key is configured, so no update can ever be verified; add the "
            "key printed by `updater-publish keygen` to [feed] trusted_keys"
        )
    keys: dict[str, PublicKey] = {}
    for text in trusted_keys:
        key = parse_public_key(text)
        keys[key.keyid] = key
    return keys


def verify_envelope(
    data: bytes, trusted_keys: Sequence[str], limits: Limits = DEFAULT_LIMITS
) -> VerifiedPayload:
    """Return the payload if at least one trusted key signed it (threshold 1).

    A signature's ``keyid`` only narrows which trusted key to try (DSSE: it is an
    unauthenticated hint): a key id of a trusted key tries that key; an empty, absent or
    unknown one tries each trusted key. Errors say which case failed: a signature that
    names a trusted key and does not verify is a bad signature (the content changed);
    otherwise no trusted key signed the feed.

    Raises ConfigError when ``trusted_keys`` is empty or invalid (checked first, so an app
    without keys fails the same way whatever the server sends), else a FeedError subclass.
    """
    keys = parse_trusted_keys(trusted_keys)
    envelope = parse_envelope(data, limits)
    message = pae(envelope.payload_type, envelope.payload)
    good: list[str] = []
    named_trusted = False
    for signature in envelope.signatures:
        named = keys.get(signature.keyid)
        named_trusted = named_trusted or named is not None
        candidates = [named] if named is not None else list(keys.values())
        for key in candidates:
            if key.keyid in good:
                continue  # a trusted key counts once, however often it signed
            if len(signature.sig) != 64:
                continue  # an Ed25519 signature is 64 bytes: this one cannot verify
            try:
                key.key.verify(signature.sig, message)
            except InvalidSignature:
                continue
            good.append(key.keyid)
            break
    if good:
        return VerifiedPayload(envelope.payload, tuple(good))
    if named_trusted:
        raise BadSignatureError(
            "update feed refused: bad signature — it names a key this app trusts but does "
            "not match its content (it was altered after signing); do not install anything "
            "from this server, contact the publisher"
        )
    raise UntrustedKeyError(
        "update feed refused: no key this app trusts signed it; if the publisher rotated "
        "keys, install the new version from their website"
    )
