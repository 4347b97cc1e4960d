"""``updater-publish release`` and ``resign``: from built files to a signed site, in one step.

Everything is decided and verified before the site changes: the new feed is checked by the
client's own verifier (signature, schema, product, rollback against the feed it replaces,
expiry) and every listed file by size and SHA-256, in a staging folder beside the site.
Only then are files moved in, the feed last (see ``site.Staging``).
"""

from __future__ import annotations

import argparse
import sys
import unicodedata
from dataclasses import replace
from datetime import datetime
from pathlib import Path

from glass_updater.errors import ConfigError, FeedError
from glass_updater.feed import TrustFloor, format_time, verify_feed
from glass_updater.limits import DEFAULT_LIMITS
from glass_updater.model import Asset, Feed, Release, Withdrawal
from glass_updater.publish.keys import load_private_key, read_public_key
from glass_updater.publish.names import infer_platforms
from glass_updater.publish.site import (
    FEED_NAME,
    PublishRefused,
    SiteFeed,
    Staging,
    asset_file_name,
    asset_url,
    base_url_of,
    check_asset_bytes,
    check_assets_present,
    file_digest,
    load_site_feed,
    parse_duration,
    payload_bytes,
    refuse_keys_inside,
)
from glass_updater.signing import keypair_from_private, sign_envelope
from packaging.version import InvalidVersion, Version

MAX_NOTES_FILE = 256 * 1024


def add_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register ``release`` and ``resign`` on the ``updater-publish`` parser."""
    release = sub.add_parser(
        "release", help="publish built files as a new release (or withdraw one) in a site"
    )
    _common(release)
    release.add_argument("--version", help="the release's version (PEP 440), e.g. 1.2.0")
    release.add_argument("--notes", type=Path, help="release notes, a Markdown file")
    release.add_argument("--channel", default="stable", choices=("stable", "beta"))
    release.add_argument("--critical", action="store_true", help="mark the release critical")
    release.add_argument("--base-url", help="the public URL the site folder is served at")
    release.add_argument("--product", help="product id (needed for the first release only)")
    release.add_argument("--platform", help="override the platform inferred from file names")
    release.add_argument("--kind", help="override the kind inferred from file names")
    release.add_argument("--withdraw", metavar="VERSION", help="withdraw a published release")
    release.add_argument("--reason", help="why it is withdrawn (shown to its users)")
    release.add_argument("files", nargs="*", type=Path, help="built files to publish")

    resign = sub.add_parser("resign", help="re-sign the site's feed: serial + 1, new expiry")
    _common(resign)


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--key", required=True, action="append", type=Path,
        help="private key file (repeat to sign with several keys during rotation)",
    )
    parser.add_argument(
        "--trusted-key", action="append", default=[],
        help="public key (ed25519:… or a file) that may have signed the current feed",
    )
    parser.add_argument("--site", required=True, type=Path, help="the folder to publish")
    parser.add_argument("--expires-in", default="30d", help="feed validity, e.g. 30d (default)")


class _Signer:
    def __init__(self, args: argparse.Namespace) -> None:
        refuse_keys_inside(args.site, args.key)
        self.keys = [load_private_key(path) for path in args.key]
        self.publics = [keypair_from_private(key).public for key in self.keys]
        self.trusted = self.publics + [read_public_key(k) for k in args.trusted_key]

    def sign(self, feed: Feed, old: SiteFeed | None, now: datetime) -> tuple[bytes, Feed]:
        """Sign and verify exactly as a client that accepted ``old`` would."""
        payload = payload_bytes(feed)
        try:
            signed = sign_envelope(payload, self.keys)
            floor = None if old is None else TrustFloor(old.feed.serial, old.feed.digest)
            checked = verify_feed(
                signed, trusted_keys=self.publics, product=feed.product, now=now, floor=floor
            )
        except FeedError as exc:  # the client's own verdict, reworded for the publisher
            detail = exc.message.removeprefix("update feed refused: ").split("; ", 1)[0]
            raise type(exc)(
                f"refusing to publish: clients would refuse the new feed ({detail}); fix the "
                "options or files and run again"
            ) from None
        return signed, checked


def _site_ready(site: Path) -> None:
    if site.exists() and not site.is_dir():
        raise PublishRefused(f"--site {site} is not a folder; pass the folder to publish")
    if not site.exists() and not site.resolve().parent.is_dir():
        raise PublishRefused(f"the parent folder of --site {site} does not exist; create it")


def run_release(args: argparse.Namespace, now: datetime) -> int:
    site: Path = args.site
    _site_ready(site)
    expires = now + parse_duration(args.expires_in)
    if args.withdraw is not None:
        if args.version or args.files or args.notes or args.critical:
            raise ConfigError(
                "--withdraw takes only --reason (and keys, site, expiry); publish new files "
                "in a separate `release`"
            )
        return _withdraw(args, now, expires)
    if args.reason is not None:
        raise ConfigError("--reason goes with --withdraw VERSION; remove it or add --withdraw")
    if not args.version:
        raise ConfigError("pass --version V (PEP 440, e.g. 1.2.0) for the release")
    if not args.files:
        raise ConfigError("pass the built files to publish after the options")
    signer = _Signer(args)
    old = load_site_feed(site, signer.trusted)
    version = _version(args.version)
    product = _product(args.product, old)
    if old is not None:
        for release in old.feed.releases:
            if Version(release.version) == Version(version):
                raise PublishRefused(
                    f"{version} is already published in {site / FEED_NAME}; choose a new "
                    "--version"
                )
        for gone in old.feed.withdrawn:
            if Version(gone.version) == Version(version):
                raise PublishRefused(
                    f"{version} was withdrawn and cannot be published again; release a new "
                    "version (e.g. a patch release)"
                )
    notes = _notes(args.notes)
    base_url = args.base_url or (base_url_of(old.feed) if old is not None else None)
    if not base_url:
        raise ConfigError(
            "pass --base-url with the public URL where the site folder is served (needed "
            "once; later releases reuse it)"
        )
    names = [path.name for path in args.files]
    if len(set(names)) != len(names):
        raise ConfigError("two files have the same name; publish each file once")
    published_names = _published_names(old)
    with Staging(site) as stage:
        assets: list[Asset] = []
        copied: list[str] = []
        for path in args.files:
            name = path.name
            if name == FEED_NAME or name.startswith("."):
                raise PublishRefused(f"{name} cannot be published under that name; rename it")
            if not path.is_file():
                raise PublishRefused(f"{path} is not a readable file; check the path")
            platforms, kind = infer_platforms(name, platform=args.platform, kind=args.kind)
            size, sha = stage.add_file(path, name)
            if size == 0:
                raise PublishRefused(f"{path} is empty; check the build")
            existing = site / name
            prior = published_names.get(name)
            if prior is not None and prior != (size, sha):
                raise PublishRefused(
                    f"{name} is already published with other bytes; give the new build a "
                    "new file name (e.g. with its version in it)"
                )
            if existing.exists():
                if not existing.is_file() or file_digest(existing) != (size, sha):
                    raise PublishRefused(
                        f"{existing} already exists with other bytes; give the new build a "
                        "new file name, or move the old file away if it was never published"
                    )
                stage.drop(name)
            else:
                copied.append(name)
            for platform in platforms:
                assets.append(Asset(platform, kind, asset_url(base_url, name), size, sha))
        seen: set[tuple[str, str]] = set()
        for asset in assets:
            if (asset.platform, asset.kind) in seen:
                raise ConfigError(
                    f"two files are {asset.platform} {asset.kind}; publish one per platform "
                    "and kind, or pass --platform/--kind per release"
                )
            seen.add((asset.platform, asset.kind))
        new = Release(
            version=version,
            channel=args.channel,
            published=now,
            critical=bool(args.critical),
            min_os=(),
            notes=notes,
            assets=tuple(assets),
        )
        releases = (new, *(old.feed.releases if old is not None else ()))
        feed = Feed(
            product=product,
            serial=(old.feed.serial + 1) if old is not None else 1,
            expires=expires,
            releases=tuple(sorted(releases, key=lambda r: Version(r.version), reverse=True)),
            digest="",
            withdrawn=old.feed.withdrawn if old is not None else (),
        )
        signed, checked = signer.sign(feed, old, now)
        for asset in new.assets:  # what the feed says is what is about to be published
            name = asset_file_name(asset.url)
            check_asset_bytes(asset, stage.staged(name) if name in copied else site / name)
        stage.set_feed(signed)
        stage.commit(old.data if old is not None else None)
    _report(site, old, checked, copied)
    for asset in new.assets:
        print(f"+ {version} [{new.channel}{' critical' if new.critical else ''}] "
              f"{asset.platform} {asset.kind} {asset.url} ({asset.size} bytes, "
              f"sha256 {asset.sha256[:16]}…)")
    return 0


def _withdraw(args: argparse.Namespace, now: datetime, expires: datetime) -> int:
    site: Path = args.site
    reason = (args.reason or "").strip()
    if not reason:
        raise ConfigError('pass --reason "…" to say why (its users are shown it)')
    if len(reason) > 1000 or any(unicodedata.category(c).startswith("C") for c in reason):
        raise ConfigError(
            "--reason must be one line of plain text (no control characters), at most 1000 "
            "characters"
        )
    version = _version(args.withdraw)
    signer = _Signer(args)
    old = load_site_feed(site, signer.trusted)
    if old is None:
        raise PublishRefused(f"{site / FEED_NAME} does not exist; there is nothing to withdraw")
    if any(Version(w.version) == Version(version) for w in old.feed.withdrawn):
        raise PublishRefused(f"{version} is already withdrawn; nothing to do")
    target = next(
        (r for r in old.feed.releases if Version(r.version) == Version(version)), None
    )
    if target is None:
        raise PublishRefused(f"{version} is not a published release in {site / FEED_NAME}")
    feed = replace(
        old.feed,
        serial=old.feed.serial + 1,
        expires=expires,
        releases=tuple(r for r in old.feed.releases if r is not target),
        withdrawn=(*old.feed.withdrawn, Withdrawal(version, reason, now)),
        keyids=(),
    )
    with Staging(site) as stage:
        signed, checked = signer.sign(feed, old, now)
        stage.set_feed(signed)
        stage.commit(old.data)
    _report(site, old, checked, [])
    print(f"- {version} withdrawn: {reason}")
    print(f"  its files stay in {site} (delete them yourself once nobody downloads them)")
    print("  note: apps from before withdrawals existed refuse a feed that lists one (they "
          "fail closed); see docs/feed-format.md")
    return 0


def run_resign(args: argparse.Namespace, now: datetime) -> int:
    site: Path = args.site
    _site_ready(site)
    expires = now + parse_duration(args.expires_in)
    signer = _Signer(args)
    old = load_site_feed(site, signer.trusted)
    if old is None:
        raise PublishRefused(
            f"{site / FEED_NAME} does not exist; publish a first release with "
            "`updater-publish release`"
        )
    check_assets_present(old.feed, site)
    feed = replace(old.feed, serial=old.feed.serial + 1, expires=expires, keyids=())
    with Staging(site) as stage:
        signed, checked = signer.sign(feed, old, now)
        if checked.releases != old.feed.releases or checked.withdrawn != old.feed.withdrawn:
            raise PublishRefused("re-signing changed the releases; this is a bug, nothing done")
        stage.set_feed(signed)
        stage.commit(old.data)
    _report(site, old, checked, [])
    print("  releases unchanged")
    return 0


def _report(site: Path, old: SiteFeed | None, new: Feed, copied: list[str]) -> None:
    serial = (
        f"serial {old.feed.serial} -> {new.serial}" if old else f"first feed, serial {new.serial}"
    )
    print(f"{new.product}: {serial}, expires {format_time(new.expires)}")
    for name in copied:
        print(f"  copied {name} into {site}")
    print(f"  wrote {site / FEED_NAME}, signed by "
          f"{', '.join(k[:16] for k in new.keyids)}, verified as a client would")
    sys.stdout.flush()


def _version(text: str) -> str:
    try:
        parsed = Version(text)
    except InvalidVersion:
        raise ConfigError(f"version {text[:40]!r} is not PEP 440 (like 1.2.0); fix it") from None
    if str(parsed) != text:
        raise ConfigError(f"write version {text!r} as {parsed} (its normal PEP 440 form)")
    return text


def _product(given: str | None, old: SiteFeed | None) -> str:
    if old is None:
        if not given:
            raise ConfigError("the first release needs --product ID (the config's [product] id)")
        return given
    if given and given != old.feed.product:
        raise PublishRefused(
            f"--product {given} differs from the site's {old.feed.product}; use another --site"
        )
    return old.feed.product


def _notes(path: Path | None) -> str:
    if path is None:
        return ""
    try:
        with path.open("rb") as fh:
            data = fh.read(MAX_NOTES_FILE + 1)
    except OSError as exc:
        raise ConfigError(f"cannot read notes {path}: {exc.strerror}") from None
    try:
        text = data.decode("utf-8").strip()
    except UnicodeDecodeError:
        raise ConfigError(f"notes {path} are not UTF-8 text; save them as UTF-8") from None
    if len(text) > DEFAULT_LIMITS.max_notes_chars:
        raise ConfigError(
            f"notes {path} are longer than {DEFAULT_LIMITS.max_notes_chars} characters, "
            "which clients refuse; shorten them"
        )
    return text


def _published_names(old: SiteFeed | None) -> dict[str, tuple[int, str]]:
    names: dict[str, tuple[int, str]] = {}
    if old is not None:
        for release in old.feed.releases:
            for asset in release.assets:
                names[asset_file_name(asset.url)] = (asset.size, asset.sha256)
    return names
