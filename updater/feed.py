"""Verify a signed feed: bytes in, a ``Feed`` out, or a typed ``FeedError``.

Pure on purpose (as python-tuf's TrustedMetadataSet): the clock, the trusted keys and the
last accepted serial are arguments, so every attack is a plain unit test. No I/O here.

Order of checks: envelope signature, payload JSON, payload schema, product, rollback,
equal-serial equivocation, expiry. Expiry comes last so that a rolled-back feed is
reported as the attack it is, not as merely stale.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from glass_updater import strictjson
from glass_updater.errors import (
    MalformedFeedError,
    ReplayError,
    RequestRefused,
    RollbackError,
    StaleFeedError,
    WrongProductError,
)
from glass_updater.limits import DEFAULT_LIMITS, Limits
from glass_updater.model import Asset, Feed, Release, Withdrawal
from glass_updater.request import parse_target
from glass_updater.signing import verify_envelope
from packaging.version import InvalidVersion, Version

__all__ = [
    "CHANNELS",
    "FreezeError",
    "TrustFloor",
    "format_time",
    "parse_payload",
    "payload_dict",
    "verify_feed",
]

CHANNELS = ("stable", "beta")
OS_NAMES = ("linux", "macos", "windows")
MAX_SERIAL = 2**63 - 1
# [0-9], not \d: \d also matches non-ASCII digits ("٢٠٢٦"), which int() would accept.
_RFC3339_UTC = re.compile(
    r"^([0-9]{4})-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2}):([0-9]{2})(\.[0-9]{1,6})?Z$"
)
_PRODUCT = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")  # as the allowlist
_PLATFORM = re.compile(r"^[a-z][a-z0-9]{0,15}-[a-z0-9_]{1,24}$")
_KIND = re.compile(r"^[a-z0-9][a-z0-9.+-]{0,15}$")
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_OS_VERSION = re.compile(r"^[0-9]{1,6}(\.[0-9]{1,6}){0,3}$")
_HASH_NAME = re.compile(r"^(sha|md[0-9]|blake|crc|ripemd|whirlpool|xxh|hash|digest|checksum)")
_TOP = ("product", "serial", "expires", "releases")
_TOP_OPTIONAL = ("withdrawn",)
_WITHDRAWAL = ("version", "reason", "withdrawn")
_RELEASE_REQUIRED = ("version", "channel", "published", "assets")
_RELEASE_OPTIONAL = ("critical", "min_os", "notes")
_ASSET = ("platform", "kind", "url", "size", "sha256")


FreezeError = ReplayError


@dataclass(frozen=True)
class TrustFloor:
    """What this app accepted last: no feed below ``serial``; at ``serial`` only ``digest``."""

    serial: int
    digest: str | None


def _bad(where: str, what: str) -> MalformedFeedError:
    return MalformedFeedError(
        f"update feed refused: {where} {what}; the publisher's feed is invalid, "
        "contact the publisher"
    )


def format_time(value: datetime) -> str:
    """RFC 3339 UTC with a ``Z``, the only time form the feed accepts."""
    text = value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S")
    if value.microsecond:
        text += f".{value.microsecond:06d}"
    return text + "Z"


def _time(value: object, where: str) -> datetime:
    if not isinstance(value, str):
        raise _bad(where, "is not an RFC 3339 time string")
    match = _RFC3339_UTC.fullmatch(value)
    if match is None:
        raise _bad(where, f"{value[:40]!r} is not an RFC 3339 UTC time like 2026-12-31T00:00:00Z")
    year, month, day, hour, minute, second = (int(g) for g in match.groups()[:6])
    fraction = match.group(7)
    micro = int((fraction[1:] + "000000")[:6]) if fraction else 0
    try:
        return datetime(year, month, day, hour, minute, second, micro, tzinfo=UTC)
    except ValueError:
        raise _bad(where, f"{value!r} is not a real date and time") from None


def _int(value: object, where: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise _bad(where, f"must be a whole number, not {type(value).__name__}")
    if not low <= value <= high:
        raise _bad(where, f"must be between {low} and {high}")
    return value


def _str(value: object, where: str, pattern: re.Pattern[str] | None = None) -> str:
    if not isinstance(value, str):
        raise _bad(where, f"must be a string, not {type(value).__name__}")
    if pattern is not None and not pattern.fullmatch(value):
        raise _bad(where, f"{value[:40]!r} has the wrong form")
    return value


def _fields(
    obj: object, where: str, required: Sequence[str], optional: Sequence[str] = ()
) -> dict[str, object]:
    if not isinstance(obj, dict):
        raise _bad(where, "must be a JSON object")
    for key in obj:
        if key not in required and key not in optional:
            if "sha256" in required and _HASH_NAME.match(key.lower()):
                raise _bad(where, f"uses an unknown hash algorithm {key[:20]!r} (only sha256)")
            raise _bad(where, f"has an unknown field {key[:40]!r}")
    for key in required:
        if key not in obj:
            if key == "sha256":
                raise _bad(where, "has no sha256 hash; an asset without a hash is never used")
            raise _bad(where, f"has no {key!r} field")
    return obj


def _version(value: object, where: str) -> str:
    text = _str(value, where)
    if len(text) > 64 or text != text.strip():
        raise _bad(where, f"{text[:40]!r} is not a PEP 440 version")
    try:
        Version(text)
    except InvalidVersion:
        raise _bad(where, f"{text[:40]!r} is not a PEP 440 version") from None
    return text


def _url(value: object, where: str) -> str:
    text = _str(value, where)
    try:
        parse_target(text, purpose="asset")
    except RequestRefused as exc:
        reason = exc.message.removesuffix("; nothing was sent")
        raise _bad(where, f"is not acceptable ({reason})") from None
    return text


def _asset(obj: object, where: str, limits: Limits) -> Asset:
    fields = _fields(obj, where, _ASSET)
    return Asset(
        platform=_str(fields["platform"], f"{where} platform", _PLATFORM),
        kind=_str(fields["kind"], f"{where} kind", _KIND),
        url=_url(fields["url"], f"{where} url"),
        size=_int(fields["size"], f"{where} size", 1, limits.max_download_bytes),
        sha256=_str(fields["sha256"], f"{where} sha256 (64 lowercase hex digits)", _SHA256),
    )


def _min_os(value: object, where: str) -> tuple[tuple[str, str], ...]:
    if not isinstance(value, dict):
        raise _bad(where, "must be an object like {\"macos\": \"12\"}")
    out: list[tuple[str, str]] = []
    for name, version in value.items():
        if name not in OS_NAMES:
            raise _bad(where, f"names an unknown OS {name[:20]!r} (use linux, macos, windows)")
        out.append((name, _str(version, f"{where} {name}", _OS_VERSION)))
    return tuple(sorted(out))


def _release(obj: object, where: str, limits: Limits) -> Release:
    fields = _fields(obj, where, _RELEASE_REQUIRED, _RELEASE_OPTIONAL)
    version = _version(fields["version"], f"{where} version")
    where = f"release {version}"
    channel = _str(fields["channel"], f"{where} channel")
    if channel not in CHANNELS:
        raise _bad(f"{where} channel", f"{channel[:20]!r} is not one of {', '.join(CHANNELS)}")
    critical = fields.get("critical", False)
    if not isinstance(critical, bool):
        raise _bad(f"{where} critical", "must be true or false")
    notes = _str(fields.get("notes", ""), f"{where} notes")
    if len(notes) > limits.max_notes_chars:
        raise _bad(f"{where} notes", f"are longer than {limits.max_notes_chars} characters")
    raw_assets = fields["assets"]
    if not isinstance(raw_assets, list) or not raw_assets:
        raise _bad(f"{where} assets", "must be a non-empty list")
    if len(raw_assets) > limits.max_assets_per_release:
        raise _bad(f"{where} assets", f"has more than {limits.max_assets_per_release} entries")
    assets = tuple(
        _asset(item, f"{where} asset {i + 1}", limits) for i, item in enumerate(raw_assets)
    )
    seen: set[tuple[str, str]] = set()
    for asset in assets:
        if (asset.platform, asset.kind) in seen:
            raise _bad(where, f"lists {asset.platform} {asset.kind} twice")
        seen.add((asset.platform, asset.kind))
    return Release(
        version=version,
        channel=channel,
        published=_time(fields["published"], f"{where} published"),
        critical=critical,
        min_os=_min_os(fields.get("min_os", {}), f"{where} min_os"),
        notes=notes,
        assets=assets,
    )


def _withdrawal(obj: object, where: str, limits: Limits) -> Withdrawal:
    fields = _fields(obj, where, _WITHDRAWAL)
    version = _version(fields["version"], f"{where} version")
    where = f"withdrawal of {version}"
    reason = _str(fields["reason"], f"{where} reason").strip()
    if not reason or len(reason) > limits.max_reason_chars:
        raise _bad(f"{where} reason", f"must be 1 to {limits.max_reason_chars} characters")
    if any(unicodedata.category(c).startswith("C") for c in reason):
        # It is shown verbatim in terminals and dialogs: one line of plain text only
        # (no escape sequences, bidi overrides or line breaks).
        raise _bad(f"{where} reason", "contains control or formatting characters")
    return Withdrawal(
        version=version,
        reason=reason,
        withdrawn=_time(fields["withdrawn"], f"{where} time"),
    )


def _withdrawals(value: object, releases: Sequence[Release], limits: Limits) -> tuple[
    Withdrawal, ...
]:
    """A withdrawn version is never listed as a release too: one or the other, not both."""
    if not isinstance(value, list):
        raise _bad("withdrawn", "must be a list")
    if len(value) > limits.max_releases:
        raise _bad("withdrawn", f"has more than {limits.max_releases} entries")
    out = tuple(_withdrawal(item, f"withdrawal {i + 1}", limits) for i, item in enumerate(value))
    listed = {Version(r.version) for r in releases}
    seen: set[Version] = set()
    for item in out:
        parsed = Version(item.version)
        if parsed in listed:
            raise _bad("withdrawn", f"names {item.version}, which is also listed as a release")
        if parsed in seen:
            raise _bad("withdrawn", f"lists {item.version} twice")
        seen.add(parsed)
    return out


def parse_payload(
    payload: bytes, *, limits: Limits = DEFAULT_LIMITS, keyids: tuple[str, ...] = ()
) -> Feed:
    """Schema-check payload bytes (no signature, product, time or rollback checks)."""
    try:
        doc = strictjson.loads(
            payload,
            max_bytes=limits.max_feed_bytes,
            max_depth=limits.max_json_depth,
            max_digits=limits.max_number_digits,
        )
    except strictjson.JsonRejected as exc:
        raise _bad("the payload", str(exc)) from None
    fields = _fields(doc, "the payload", _TOP, _TOP_OPTIONAL)
    product = _str(fields["product"], "product", _PRODUCT)
    serial = _int(fields["serial"], "serial", 0, MAX_SERIAL)
    expires = _time(fields["expires"], "expires")
    raw_releases = fields["releases"]
    if not isinstance(raw_releases, list):
        raise _bad("releases", "must be a list")
    if len(raw_releases) > limits.max_releases:
        raise _bad("releases", f"has more than {limits.max_releases} entries")
    releases = tuple(
        _release(item, f"release {i + 1}", limits) for i, item in enumerate(raw_releases)
    )
    versions: set[Version] = set()
    for release in releases:
        parsed = Version(release.version)
        if parsed in versions:
            raise _bad("releases", f"list version {release.version} twice")
        versions.add(parsed)
    withdrawn = _withdrawals(fields.get("withdrawn", []), releases, limits)
    return Feed(
        product=product,
        serial=serial,
        expires=expires,
        releases=releases,
        digest=hashlib.sha256(payload).hexdigest(),
        keyids=keyids,
        withdrawn=withdrawn,
    )


def payload_dict(feed: Feed) -> dict[str, object]:
    """The JSON form of a feed's payload (for publishers, simulators and round trips).

    ``withdrawn`` appears only when there is a withdrawal, so feeds without one keep the
    exact shape older clients accept.
    """
    doc: dict[str, object] = {
        "product": feed.product,
        "serial": feed.serial,
        "expires": format_time(feed.expires),
        "releases": [
            {
                "version": r.version,
                "channel": r.channel,
                "published": format_time(r.published),
                "critical": r.critical,
                "min_os": dict(r.min_os),
                "notes": r.notes,
                "assets": [
                    {
                        "platform": a.platform,
                        "kind": a.kind,
                        "url": a.url,
                        "size": a.size,
                        "sha256": a.sha256,
                    }
                    for a in r.assets
                ],
            }
            for r in feed.releases
        ],
    }
    if feed.withdrawn:
        doc["withdrawn"] = [
            {"version": w.version, "reason": w.reason, "withdrawn": format_time(w.withdrawn)}
            for w in feed.withdrawn
        ]
    return doc


def check_trust(feed: Feed, *, product: str, now: datetime, floor: TrustFloor | None) -> Feed:
    """The rules that need context: product, rollback, equivocation, expiry."""
    if feed.product != product:
        raise WrongProductError(
            f"update feed refused: it is for another product ({feed.product[:40]!r}, not "
            f"{product!r}); the server is misconfigured or hostile, contact the publisher"
        )
    if floor is not None:
        if feed.serial < floor.serial:
            raise RollbackError(
                f"update feed refused: rollback to an older feed (serial {feed.serial} < "
                f"{floor.serial} already seen); someone may be replaying old update "
                "information, try again later"
            )
        if feed.serial == floor.serial and floor.digest is not None and (
            feed.digest != floor.digest
        ):
            raise ReplayError(
                f"update feed refused: serial {feed.serial} was seen before with different "
                "content; the publisher must raise the serial for every change"
            )
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    if feed.expires <= now:
        raise StaleFeedError(
            f"update information is stale: the feed expired at {format_time(feed.expires)}; "
            "updates cannot be checked until the publisher refreshes it (or check your "
            "clock)"
        )
    return feed


def verify_feed(
    data: bytes,
    *,
    trusted_keys: Sequence[str],
    product: str,
    now: datetime,
    floor: TrustFloor | None,
    limits: Limits = DEFAULT_LIMITS,
) -> Feed:
    """Verify signature, schema and trust rules; ConfigError if no key is trusted."""
    verified = verify_envelope(data, trusted_keys, limits)
    feed = parse_payload(verified.payload, limits=limits, keyids=verified.keyids)
    return check_trust(feed, product=product, now=now, floor=floor)
