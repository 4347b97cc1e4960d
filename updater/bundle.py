"""Offline bundles (``.glassbundle``): one file a person can carry on a USB stick.

The format is an uncompressed POSIX ustar archive (``tar tvf`` lists it) with exactly:

1. ``glass-bundle.json`` — ``{"format": 1, "product": ID, "version": V}``: which release
   of the feed the bundle carries. Unsigned: it can only choose among signed releases.
2. ``feed.json`` — the publisher's signed feed, byte for byte as served.
3. ``assets/<name>`` — each file of release V, named as the client names downloads (the
   last segment of the asset URL).

The reader is strict: these names only, in this order, each once; regular files only (no
links, folders, devices or pax extensions); sizes capped (the feed by the feed cap, an
asset by its signed size). Anything else is refused with one line. Trust comes only from
the feed's signature and the signed sizes and SHA-256 values, as online.
"""

from __future__ import annotations

import json
import re
import tarfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO

from glass_updater.errors import BundleError
from glass_updater.limits import Limits

MANIFEST = "glass-bundle.json"
FEED = "feed.json"
ASSET_DIR = "assets/"
FORMAT = 1
SUFFIX = ".glassbundle"
_ASSET_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._+-]{0,127}$")


@dataclass(frozen=True)
class Manifest:
    product: str
    version: str

    def to_bytes(self) -> bytes:
        doc = {"format": FORMAT, "product": self.product, "version": self.version}
        return json.dumps(doc, sort_keys=True).encode() + b"\n"


def _refuse(what: str) -> BundleError:
    return BundleError(f"this is not a valid update bundle: {what}; nothing was changed")


def parse_manifest(data: bytes, limits: Limits) -> Manifest:
    from glass_updater import strictjson

    try:
        doc = strictjson.loads(
            data,
            max_bytes=limits.max_bundle_manifest_bytes,
            max_depth=2,
            max_digits=limits.max_number_digits,
        )
    except strictjson.JsonRejected as exc:
        raise _refuse(f"{MANIFEST} is not valid JSON ({exc})") from None
    if not isinstance(doc, dict) or set(doc) != {"format", "product", "version"}:
        raise _refuse(f"{MANIFEST} must hold exactly format, product and version")
    if doc["format"] != FORMAT:
        raise _refuse(f"bundle format {doc['format']!r} is not supported (expected {FORMAT})")
    product, version = doc["product"], doc["version"]
    if not isinstance(product, str) or not isinstance(version, str) or not version:
        raise _refuse(f"{MANIFEST} product and version must be text")
    return Manifest(product, version)


class BundleReader:
    """Walks a bundle's members in order, checking each header before its data is read."""

    def __init__(self, fileobj: IO[bytes], limits: Limits) -> None:
        self._limits = limits
        self._file = fileobj
        try:
            self._tar = tarfile.open(fileobj=fileobj, mode="r:")  # noqa: SIM115 - the caller owns the file
        except (tarfile.TarError, EOFError) as exc:
            raise _refuse(f"not an uncompressed tar archive ({exc})") from None
        self._members: Iterator[tarfile.TarInfo] = iter(self._tar)
        self._seen: set[str] = set()
        self._count = 0

    def next_member(self) -> tarfile.TarInfo | None:
        try:
            member = next(self._members, None)
        except (tarfile.TarError, EOFError) as exc:
            raise _refuse(f"the archive is damaged or truncated ({exc})") from None
        if member is None:
            return None
        self._count += 1
        name = member.name
        if self._count > self._limits.max_bundle_members:
            raise _refuse(f"more than {self._limits.max_bundle_members} files")
        if not member.isreg() or member.pax_headers:
            raise _refuse(f"{name[:80]!r} is not a plain file (links and folders are refused)")
        if name in self._seen:
            raise _refuse(f"{name[:80]!r} appears twice")
        self._seen.add(name)
        return member

    def read_small(self, member: tarfile.TarInfo, cap: int) -> bytes:
        if member.size > cap:
            raise _refuse(f"{member.name} is larger than {cap} bytes")
        source = self._tar.extractfile(member)
        if source is None:
            raise _refuse(f"{member.name} cannot be read")
        try:
            data = source.read(cap + 1)
        except (tarfile.TarError, EOFError, OSError) as exc:
            raise _refuse(f"{member.name} is truncated ({exc})") from None
        if len(data) != member.size:
            raise _refuse(f"{member.name} is truncated")
        return data

    def stream(self, member: tarfile.TarInfo, chunk: int) -> Iterator[bytes]:
        source = self._tar.extractfile(member)
        if source is None:
            raise _refuse(f"{member.name} cannot be read")
        left = member.size
        while left > 0:
            try:
                data = source.read(min(chunk, left))
            except (tarfile.TarError, EOFError, OSError) as exc:
                raise _refuse(f"{member.name} is truncated ({exc})") from None
            if not data:
                raise _refuse(f"{member.name} is truncated")
            left -= len(data)
            yield data

    def head(self) -> tuple[Manifest, bytes]:
        """The manifest and the signed feed bytes: the first two members."""
        first = self.next_member()
        if first is None or first.name != MANIFEST:
            raise _refuse(f"it must start with {MANIFEST}")
        raw = self.read_small(first, self._limits.max_bundle_manifest_bytes)
        manifest = parse_manifest(raw, self._limits)
        second = self.next_member()
        if second is None or second.name != FEED:
            raise _refuse(f"{FEED} must follow {MANIFEST}")
        return manifest, self.read_small(second, self._limits.max_feed_bytes)

    def asset_members(self) -> Iterator[tarfile.TarInfo]:
        """The asset files, then a check that the archive ends as written (not cut short)."""
        while (member := self.next_member()) is not None:
            if not member.name.startswith(ASSET_DIR) or not _ASSET_NAME.fullmatch(
                member.name[len(ASSET_DIR):]
            ):
                raise _refuse(f"unexpected file {member.name[:80]!r}")
            yield member
        self._check_end()

    def _check_end(self) -> None:
        """A complete archive ends with at least two zero blocks and nothing but zeros."""
        self._file.seek(self._tar.offset)
        zeros = 0
        while True:
            block = self._file.read(64 * 1024)
            if not block:
                break
            if block.count(0) != len(block):
                raise _refuse("it has data after the end of the archive")
            zeros += len(block)
            if zeros > 1024 * 1024:
                raise _refuse("it has more than 1 MiB of padding")
        if zeros < 2 * tarfile.BLOCKSIZE:
            raise _refuse("the archive is truncated (its end marker is missing)")


def asset_member_name(file_name: str) -> str:
    return ASSET_DIR + file_name
