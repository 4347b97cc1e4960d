"""``updater-publish import-appcast``: a Sparkle/WinSparkle appcast to a Glass payload.

The migration path for apps that already publish appcasts. Appcasts carry no SHA-256, so
every enclosure is hashed from a local copy of the file (``--assets``); a missing copy is
an error, never a guess. What has no Glass equivalent (EdDSA/DSA archive signatures,
deltas, phased rollout, informational updates, ...) is reported, not silently dropped;
docs/publishing.md lists it.

The XML is parsed with a refusal of any DOCTYPE or entity declaration first (no external
entities, no entity expansion), then by ``xml.etree`` (expat, which fetches nothing).
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from email.utils import parsedate_to_datetime
from html.parser import HTMLParser
from pathlib import Path
from xml.etree import ElementTree

from glass_updater.atomic import atomic_write_bytes
from glass_updater.errors import ConfigError, FeedError
from glass_updater.feed import parse_payload
from glass_updater.limits import DEFAULT_LIMITS
from glass_updater.model import Asset, Feed, Release
from glass_updater.publish.names import MAC_ARCHES, infer_kind
from glass_updater.publish.site import (
    asset_file_name,
    asset_url,
    file_digest,
    parse_duration,
    payload_bytes,
)
from packaging.version import InvalidVersion, Version

SPARKLE = "{http://www.andymatuschak.org/xml-namespaces/sparkle}"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
MAX_APPCAST = 8 * 1024 * 1024
_DECLARATION = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)
_OS_VERSION = re.compile(r"^[0-9]{1,6}(\.[0-9]{1,6}){0,3}$")
_KIND = re.compile(r"^[a-z0-9][a-z0-9.+-]{0,15}$")
_PRODUCT = re.compile(r"[^a-z0-9._-]+")
_WIN_ARCH = {"windows": None, "windows-x64": "x86_64", "windows-x86": "x86",
             "windows-arm64": "arm64"}

# Sparkle elements/attributes with no Glass equivalent, and what a user should know.
DROPPED = {
    "edSignature": "EdDSA archive signatures (the signed feed's SHA-256 replaces them)",
    "dsaSignature": "DSA archive signatures (the signed feed's SHA-256 replaces them)",
    "deltas": "delta updates (Glass downloads the full file)",
    "phasedRolloutInterval": "phased rollout (every user is offered the release at once)",
    "informationalUpdate": "informational updates (items without a file are skipped)",
    "minimumAutoupdateVersion": "minimumAutoupdateVersion (Glass never updates silently)",
    "ignoreSkippedUpgradesBelowVersion": "ignoreSkippedUpgradesBelowVersion",
    "maximumSystemVersion": "maximumSystemVersion (Glass has only a minimum OS)",
    "installerArguments": "installerArguments (configure [install] in the client instead)",
    "releaseNotesLink": "release-notes links (not fetched offline; the link is kept as text)",
    "fullReleaseNotesLink": "full release-notes links (kept as text)",
    "criticalUpdate version": "critical-below-a-version (Glass marks the release critical)",
    "localized notes": "localized release notes (the untagged or first one is kept)",
}


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser(
        "import-appcast", help="convert a Sparkle/WinSparkle appcast into a feed payload"
    )
    parser.add_argument("appcast", type=Path, help="the appcast XML file")
    parser.add_argument("--assets", required=True, type=Path,
                        help="folder with a local copy of every enclosure (to hash it)")
    parser.add_argument("--out", required=True, type=Path, help="payload JSON to write")
    parser.add_argument("--product", help="product id (default: from the appcast's title)")
    parser.add_argument("--base-url", help="publish the files at this URL instead")
    parser.add_argument("--channel-map", action="append", default=[], metavar="NAME=CHANNEL",
                        help="map a Sparkle channel to stable or beta (repeatable)")
    parser.add_argument("--arch", help="architecture of items whose name and os do not say")
    parser.add_argument("--version-from", choices=("short", "build"), default="short",
                        help="shortVersionString (default) or sparkle:version as the version")
    parser.add_argument("--serial", type=int, default=1, help="the payload's serial")
    parser.add_argument("--expires-in", default="30d")


class _Text(HTMLParser):
    """HTML release notes to plain text (Glass shows notes as inert Markdown)."""

    _BLOCKS = frozenset({"p", "div", "br", "ul", "ol", "h1", "h2", "h3", "h4", "tr"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._skip += 1
        elif tag == "li":
            self.parts.append("\n- ")
        elif tag in self._BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._skip = max(0, self._skip - 1)
        elif tag in self._BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def html_to_text(text: str) -> str:
    if "<" not in text:
        return text.strip()
    parser = _Text()
    parser.feed(text)
    parser.close()
    lines = [re.sub(r"[ \t]+", " ", line).strip() for line in "".join(parser.parts).split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


@dataclass
class _Item:
    version: str
    channel: str
    critical: bool
    published: datetime
    notes: str
    min_os: dict[str, str] = field(default_factory=dict)
    assets: list[Asset] = field(default_factory=list)


class _Importer:
    def __init__(self, args: argparse.Namespace, now: datetime) -> None:
        self.args = args
        self.now = now
        self.dropped: Counter[str] = Counter()
        self.skipped: list[str] = []
        self.channel_map = {"": "stable", "stable": "stable", "beta": "beta"}
        for entry in args.channel_map:
            name, _, target = entry.partition("=")
            if target not in ("stable", "beta"):
                raise ConfigError(f"--channel-map {entry!r} must be NAME=stable or NAME=beta")
            self.channel_map[name.strip()] = target

    def _text(self, item: ElementTree.Element, tag: str) -> str | None:
        found = item.find(tag)
        return None if found is None or found.text is None else found.text.strip()

    def _attr_or_child(
        self, item: ElementTree.Element, enclosure: ElementTree.Element, name: str
    ) -> str | None:
        value = enclosure.get(SPARKLE + name)
        return value.strip() if value else self._text(item, SPARKLE + name)

    def _note_dropped(self, item: ElementTree.Element, enclosure: ElementTree.Element) -> None:
        for name in DROPPED:
            if " " in name:
                continue
            if item.find(SPARKLE + name) is not None or enclosure.get(SPARKLE + name):
                self.dropped[name] += 1

    def item(self, item: ElementTree.Element, index: int) -> _Item | None:
        title = self._text(item, "title") or f"item {index}"
        where = f"appcast item {title[:40]!r}"
        enclosure = item.find("enclosure")
        if enclosure is None or enclosure.get(SPARKLE + "deltaFrom"):
            self.skipped.append(f"{title[:40]} (no full-update enclosure)")
            if item.find(SPARKLE + "informationalUpdate") is not None:
                self.dropped["informationalUpdate"] += 1
            return None
        self._note_dropped(item, enclosure)
        version = self._version(item, enclosure, where)
        channel_name = self._text(item, SPARKLE + "channel") or ""
        channel = self.channel_map.get(channel_name)
        if channel is None:
            raise ConfigError(
                f"{where} is on channel {channel_name[:30]!r}, which Glass does not have; "
                f"pass --channel-map {channel_name[:30]}=beta (or =stable)"
            )
        critical_el = item.find(SPARKLE + "criticalUpdate")
        if critical_el is None:
            critical_el = item.find(f"{SPARKLE}tags/{SPARKLE}criticalUpdate")
        if critical_el is not None and critical_el.get(SPARKLE + "version"):
            self.dropped["criticalUpdate version"] += 1
        os_name, arches = self._platform(enclosure, item, where)
        min_os: dict[str, str] = {}
        minimum = self._text(item, SPARKLE + "minimumSystemVersion")
        if minimum:
            if not _OS_VERSION.fullmatch(minimum):
                raise ConfigError(f"{where} minimumSystemVersion {minimum[:20]!r} is not like 12.0")
            min_os[os_name] = minimum
        published = self.now
        pub = self._text(item, "pubDate")
        if pub:
            try:
                published = parsedate_to_datetime(pub)
            except (TypeError, ValueError):
                raise ConfigError(f"{where} pubDate {pub[:40]!r} is not an RFC 822 date") from None
            if published.tzinfo is None:
                raise ConfigError(f"{where} pubDate {pub[:40]!r} has no time zone; add +0000")
        return _Item(
            version=version,
            channel=channel,
            critical=critical_el is not None,
            published=published,
            notes=self._notes(item),
            min_os=min_os,
            assets=self._assets(enclosure, os_name, arches, where),
        )

    def _version(
        self, item: ElementTree.Element, enclosure: ElementTree.Element, where: str
    ) -> str:
        build = self._attr_or_child(item, enclosure, "version")
        short = self._attr_or_child(item, enclosure, "shortVersionString")
        text = (short or build) if self.args.version_from == "short" else (build or short)
        if not text:
            raise ConfigError(f"{where} has no sparkle:version; add one to the appcast")
        try:
            Version(text)
        except InvalidVersion:
            other = "build" if self.args.version_from == "short" else "short"
            raise ConfigError(
                f"{where} version {text[:30]!r} is not PEP 440 (like 1.2.0); fix it or try "
                f"--version-from {other}"
            ) from None
        return text

    def _platform(
        self, enclosure: ElementTree.Element, item: ElementTree.Element, where: str
    ) -> tuple[str, tuple[str, ...]]:
        os_attr = (enclosure.get(SPARKLE + "os") or "macos").strip().lower()
        if os_attr in ("macos", "osx", "mac"):
            hardware = self._text(item, SPARKLE + "hardwareRequirements") or ""
            if self.args.arch:
                return "macos", (self.args.arch,)
            if "arm64" in hardware:
                return "macos", ("arm64",)
            return "macos", MAC_ARCHES  # Sparkle offers an item to every Mac
        if os_attr in _WIN_ARCH:
            arch = _WIN_ARCH[os_attr] or self.args.arch
            if arch is None:
                raise ConfigError(
                    f"{where} is for Windows but does not say which architecture; pass --arch "
                    "x86_64 (or use sparkle:os=\"windows-x64\")"
                )
            return "windows", (arch,)
        raise ConfigError(f"{where} has sparkle:os {os_attr[:20]!r}; expected macos or windows")

    def _assets(
        self, enclosure: ElementTree.Element, os_name: str, arches: tuple[str, ...], where: str
    ) -> list[Asset]:
        url = (enclosure.get("url") or "").strip()
        name = asset_file_name(url)
        if not url or not name:
            raise ConfigError(f"{where} has an enclosure without a file URL; fix the appcast")
        local = self.args.assets / name
        if not local.is_file():
            raise ConfigError(
                f"{name} ({where}) is not in {self.args.assets}; put a copy of the published "
                "file there so it can be hashed"
            )
        size, sha = file_digest(local)
        length = (enclosure.get("length") or "").strip()
        if length and length != "0" and length != str(size):
            raise ConfigError(
                f"{where} says length {length[:20]} but {local} has {size} bytes; which file "
                "is published? put that one in --assets"
            )
        kind = self._kind(name, where)
        if self.args.base_url:
            url = asset_url(self.args.base_url, name)
        return [Asset(f"{os_name}-{arch}", kind, url, size, sha) for arch in arches]

    def _kind(self, name: str, where: str) -> str:
        known = infer_kind(name)
        if known is not None:
            return known[0]
        lower = name.lower()
        match = re.search(r"\.(tar\.[a-z0-9]+|[a-z0-9]+)$", lower)
        if match is None or not _KIND.fullmatch(match.group(1)):
            raise ConfigError(f"cannot tell the kind of {name} ({where}); rename it")
        return match.group(1)

    def _notes(self, item: ElementTree.Element) -> str:
        descriptions = item.findall("description")
        if len(descriptions) > 1 or item.find(f"{SPARKLE}releaseNotesLink[@{XML_LANG}]"):
            self.dropped["localized notes"] += 1
        plain = [d for d in descriptions if d.get(XML_LANG) is None] or descriptions
        parts: list[str] = []
        if plain and plain[0].text:
            parts.append(html_to_text(plain[0].text))
        for tag, label in (("releaseNotesLink", "Release notes"),
                           ("fullReleaseNotesLink", "All release notes")):
            links = [e for e in item.findall(SPARKLE + tag) if e.get(XML_LANG) is None]
            if links and links[0].text:
                parts.append(f"{label}: {links[0].text.strip()}")
        return "\n\n".join(p for p in parts if p)


def _product(args: argparse.Namespace, channel: ElementTree.Element) -> str:
    if args.product:
        return str(args.product)
    title = (channel.findtext("title") or "").strip().lower()
    slug = _PRODUCT.sub("-", title).strip("-._")[:64]
    if not slug:
        raise ConfigError("the appcast has no title to name the product; pass --product ID")
    return slug


class _Declared(Exception):
    pass


def _declares_doctype(data: bytes) -> bool:
    """Ask expat itself: the byte pattern misses a DOCTYPE in UTF-16 or another encoding
    the XML declaration names. The handlers stop the parse before any entity is defined."""
    from xml.parsers import expat

    def refuse(*args: object) -> None:
        raise _Declared

    parser = expat.ParserCreate()
    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    parser.ExternalEntityRefHandler = refuse  # type: ignore[assignment]
    try:
        parser.Parse(data, True)
    except _Declared:
        return True
    except expat.ExpatError:
        return False  # not well-formed: ElementTree says so next
    return False


def parse_appcast(data: bytes) -> ElementTree.Element:
    """The ``<channel>`` element; refuses DTDs and entity declarations before parsing."""
    if _DECLARATION.search(data) or _declares_doctype(data):
        raise ConfigError(
            "the appcast declares a DOCTYPE or entities, which are refused (they can read "
            "local files or expand without bound); remove the declaration"
        )
    try:
        root = ElementTree.fromstring(data)
    except ElementTree.ParseError as exc:
        raise ConfigError(f"the appcast is not well-formed XML ({exc}); fix it") from None
    channel = root.find("channel") if root.tag == "rss" else None
    if channel is None:
        raise ConfigError("the appcast is not an RSS document with a <channel>; check the file")
    return channel


def run_import(args: argparse.Namespace, now: datetime) -> int:
    try:
        with args.appcast.open("rb") as fh:
            data = fh.read(MAX_APPCAST + 1)
    except OSError as exc:
        raise ConfigError(f"cannot read {args.appcast}: {exc.strerror}") from None
    if len(data) > MAX_APPCAST:
        raise ConfigError(f"{args.appcast} is larger than {MAX_APPCAST} bytes; is it an appcast?")
    if not args.assets.is_dir():
        raise ConfigError(f"--assets {args.assets} is not a folder; pass the folder of files")
    expires = now + parse_duration(args.expires_in)
    channel = parse_appcast(data)
    importer = _Importer(args, now)
    by_version: dict[Version, _Item] = {}
    for index, element in enumerate(channel.findall("item"), start=1):
        item = importer.item(element, index)
        if item is None:
            continue
        key = Version(item.version)
        if key in by_version:  # WinSparkle style: one item per OS for the same version
            first = by_version[key]
            if first.channel != item.channel:
                raise ConfigError(f"version {item.version} is listed on two channels; fix it")
            first.critical = first.critical or item.critical
            first.min_os.update(item.min_os)
            first.assets.extend(item.assets)
            first.notes = first.notes or item.notes
        else:
            by_version[key] = item
    if not by_version:
        raise ConfigError("the appcast has no item with a downloadable enclosure")
    releases = tuple(
        Release(
            version=i.version, channel=i.channel, published=i.published, critical=i.critical,
            min_os=tuple(sorted(i.min_os.items())), notes=i.notes, assets=tuple(i.assets),
        )
        for _, i in sorted(by_version.items(), reverse=True)
    )
    feed = Feed(
        product=_product(args, channel), serial=args.serial, expires=expires,
        releases=releases, digest="",
    )
    payload = payload_bytes(feed)
    try:
        parse_payload(payload, limits=DEFAULT_LIMITS)
    except FeedError as exc:
        detail = exc.message.split("; the publisher", 1)[0].removeprefix("update feed refused: ")
        raise ConfigError(
            f"the converted payload would be refused by clients ({detail}); asset URLs must "
            "be https: pass --base-url https://… if the appcast used http"
        ) from None
    atomic_write_bytes(args.out, payload, 0o644)
    print(f"{feed.product}: {len(releases)} release(s) from {args.appcast}, serial "
          f"{feed.serial}; wrote {args.out}")
    for release in releases:
        flag = " critical" if release.critical else ""
        print(f"  {release.version} [{release.channel}{flag}] "
              + ", ".join(f"{a.platform} {a.kind}" for a in release.assets))
    for title in importer.skipped:
        print(f"  skipped {title}", file=sys.stderr)
    for name, count in sorted(importer.dropped.items()):
        print(f"  not carried over ({count} item(s)): {DROPPED[name]}", file=sys.stderr)
    print("next: updater-publish sign --key K.key --site DIR " + str(args.out)
          + " --out DIR/feed.json", file=sys.stderr)
    return 0
