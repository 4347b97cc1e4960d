"""The site folder a publisher uploads: its signed feed, its files, and atomic changes to it.

Every publishing command prepares the complete new state in a staging folder beside the
site (same file system), checks it with the client's own verifier, and only then moves
files in with ``os.replace``, the feed last. A refusal or a crash before that point leaves
the site exactly as it was; a crash during the moves leaves new, unreferenced files at
worst (never a feed pointing at a missing or different file).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from types import TracebackType
from urllib.parse import quote, unquote, urlsplit

from glass_updater.atomic import fsync_dir
from glass_updater.digest import sha256_stream
from glass_updater.errors import ConfigError, FeedError, UpdaterError
from glass_updater.feed import parse_payload, payload_dict
from glass_updater.limits import DEFAULT_LIMITS, Limits
from glass_updater.model import Asset, Feed
from glass_updater.signing import verify_envelope

FEED_NAME = "feed.json"
CHUNK = 1024 * 1024
_DURATION = re.compile(r"^([1-9][0-9]{0,3})([hdw])$")
_UNITS = {"h": timedelta(hours=1), "d": timedelta(days=1), "w": timedelta(weeks=1)}
MAX_EXPIRY = timedelta(days=366)


class PublishRefused(UpdaterError):
    """A local file or folder is not fit to publish; nothing was changed.

    The publishing tool's own error (``updater-publish`` exits 1, its EXIT_REFUSED); it
    never reaches the ``updater`` client, so it stays beside the tool.
    """


def parse_duration(text: str) -> timedelta:
    """``30d``, ``12h``, ``2w``: how long a signed feed stays valid."""
    match = _DURATION.fullmatch(text.strip())
    if match is None:
        raise ConfigError(f"--expires-in {text[:20]!r} is not like 30d, 12h or 2w; fix it")
    value = int(match.group(1)) * _UNITS[match.group(2)]
    if value > MAX_EXPIRY:
        raise ConfigError(
            f"--expires-in {text} is longer than a year; a shorter expiry limits how long a "
            "stolen or replayed feed works, use 30d and a weekly `updater-publish resign`"
        )
    return value


def payload_bytes(feed: Feed) -> bytes:
    """The payload as published: indented JSON, one trailing newline."""
    return (json.dumps(payload_dict(feed), indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def file_digest(path: Path) -> tuple[int, str]:
    """(size, sha256 hex) of a publisher's file, streamed (links followed: these are the
    publisher's own build outputs, not the updater's state files)."""
    with path.open("rb") as fh:
        size, digest = sha256_stream(fh, chunk=CHUNK)
    return size, digest.hexdigest()


def asset_file_name(url: str) -> str:
    """The file name an asset URL points at (its last path segment, unquoted)."""
    return unquote(urlsplit(url).path.rsplit("/", 1)[-1])


def asset_url(base_url: str, name: str) -> str:
    return base_url.rstrip("/") + "/" + quote(name)


def base_url_of(feed: Feed) -> str | None:
    """Where the feed's newest assets live (their URL without the file name)."""
    for release in feed.releases:
        for asset in release.assets:
            return asset.url.rsplit("/", 1)[0]
    return None


@dataclass(frozen=True)
class SiteFeed:
    """The feed now in the site folder, verified by one of the publisher's keys."""

    data: bytes
    feed: Feed
    keyids: tuple[str, ...]


def load_site_feed(
    site: Path, trusted: Sequence[str], limits: Limits = DEFAULT_LIMITS
) -> SiteFeed | None:
    """None for a site without a feed; refuses a feed none of the given keys signed.

    The old feed is checked before anything is built on it, so a feed altered on the
    publishing machine is never re-signed into a genuine one. Expiry is not checked: a
    stale feed is exactly what ``resign`` repairs.
    """
    path = site / FEED_NAME
    if not path.exists():
        return None
    if not path.is_file():
        raise PublishRefused(f"{path} is not a file; move it away")
    with path.open("rb") as fh:
        data = fh.read(limits.max_feed_bytes + 1)
    try:
        verified = verify_envelope(data, trusted, limits)
    except FeedError as exc:
        raise PublishRefused(
            f"{path} does not verify with the given keys ({exc.kind}); pass the key that "
            "signed it (--key, or its public key with --trusted-key) or restore the feed"
        ) from None
    feed = parse_payload(verified.payload, limits=limits, keyids=verified.keyids)
    return SiteFeed(data, feed, verified.keyids)


def refuse_keys_inside(site: Path, keys: Iterable[Path]) -> None:
    """A private key inside the folder that gets uploaded would be published with it."""
    root = site.resolve()
    for key in keys:
        resolved = Path(key).resolve()
        if resolved == root or root in resolved.parents:
            raise PublishRefused(
                f"private key {key} is inside the site folder {site}, which gets uploaded; "
                "move the key out of it"
            )


def check_assets_present(feed: Feed, folder: Path) -> int:
    """Every listed file present in ``folder`` must have the signed size and SHA-256."""
    checked = 0
    seen: set[str] = set()
    for release in feed.releases:
        for asset in release.assets:
            name = asset_file_name(asset.url)
            if name in seen or not name:
                continue
            seen.add(name)
            path = folder / name
            if not path.is_file():
                continue
            size, sha = file_digest(path)
            if (size, sha) != (asset.size, asset.sha256):
                what = "size" if size != asset.size else "sha256"
                raise PublishRefused(
                    f"{path} does not match release {release.version} ({what}: file has "
                    f"{size if what == 'size' else sha[:16] + '…'}, feed says "
                    f"{asset.size if what == 'size' else asset.sha256[:16] + '…'}); fix the "
                    "payload or replace the file"
                )
            checked += 1
    return checked


def check_asset_bytes(asset: Asset, path: Path) -> None:
    size, sha = file_digest(path)
    if (size, sha) != (asset.size, asset.sha256):
        raise PublishRefused(f"{path} changed while publishing; run the command again")


class _Changed(Exception):
    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.name = name


def _current_feed(site: Path) -> bytes | None:
    try:
        return (site / FEED_NAME).read_bytes()
    except FileNotFoundError:
        return None


class Staging:
    """A private folder beside the site; ``commit`` moves its files in, the feed last."""

    def __init__(self, site: Path) -> None:
        self.site = Path(site)
        self.parent = self.site.resolve().parent
        self.root: Path | None = None
        self._files: list[str] = []
        self._feed: bytes | None = None

    def __enter__(self) -> Staging:
        try:
            self.root = Path(
                tempfile.mkdtemp(prefix=f".{self.site.name}.glass-stage-", dir=self.parent)
            )
        except OSError as exc:
            raise PublishRefused(
                f"cannot create a staging folder in {self.parent} ({exc.strerror}); the site "
                "folder's parent must be writable"
            ) from None
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self.root is not None:
            shutil.rmtree(self.root, ignore_errors=True)

    def _path(self, name: str) -> Path:
        if self.root is None:
            raise RuntimeError("staging is not open")
        return self.root / name

    def add_file(self, source: Path, name: str) -> tuple[int, str]:
        """Copy ``source`` in, hashing the bytes as they are copied (what we hash is what
        we publish, even if the source changes meanwhile)."""
        target = self._path(name)
        with source.open("rb") as src, target.open("xb") as dst:
            size, digest = sha256_stream(src, chunk=CHUNK, copy_to=dst)
            dst.flush()
            os.fsync(dst.fileno())
        os.chmod(target, 0o644)
        self._files.append(name)
        return size, digest.hexdigest()

    def drop(self, name: str) -> None:
        """The site already holds this exact file: nothing to move for it."""
        self._path(name).unlink()
        self._files.remove(name)

    def staged(self, name: str) -> Path:
        return self._path(name)

    def set_feed(self, data: bytes) -> None:
        self._feed = data

    def commit(self, expected: bytes | None) -> list[str]:
        """Move staged files into the site, then the feed; undo the files on failure.

        ``expected`` is the feed this publication was built on (None: no feed yet). If the
        site changed meanwhile (another release or resign ran), nothing is published: the
        two would otherwise both claim the next serial.
        """
        if self._feed is None:
            raise RuntimeError("no feed staged")
        created_site = not self.site.exists()
        placed: list[Path] = []
        try:
            self.site.mkdir(parents=False, exist_ok=True)
            for name in self._files:
                target = self.site / name
                if os.path.lexists(target):
                    raise _Changed(name)
                os.replace(self._path(name), target)
                placed.append(target)
            if _current_feed(self.site) != expected:
                raise _Changed(FEED_NAME)
            feed_tmp = self._path(FEED_NAME + ".new")
            with feed_tmp.open("xb") as fh:
                fh.write(self._feed)
                fh.flush()
                os.fsync(fh.fileno())
            os.chmod(feed_tmp, 0o644)
            os.replace(feed_tmp, self.site / FEED_NAME)
        except (OSError, _Changed) as exc:
            for path in placed:  # only new names are ever placed: removing them restores
                with contextlib.suppress(OSError):
                    path.unlink()
            if created_site:
                with contextlib.suppress(OSError):
                    self.site.rmdir()
            if isinstance(exc, _Changed):
                raise PublishRefused(
                    f"{self.site / exc.name} changed while publishing (another release or "
                    "resign running?); nothing was published, run the command again"
                ) from None
            raise PublishRefused(
                f"could not write into {self.site} ({exc.strerror}); nothing was published, "
                "fix the folder's permissions or free space and run again"
            ) from None
        fsync_dir(self.site)
        return [p.name for p in placed]
