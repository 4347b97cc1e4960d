"""``updater-publish bundle``: the signed feed and one release's files in one carryable file.

The archive layout is described in ``glass_updater.bundle``. Every file is checked against
the signed size and SHA-256 before it is packed, and the bundle is written to a temp file
beside ``--out`` and renamed into place, so a half-written bundle never exists under its
name. Members carry fixed metadata (mtime 0, owner 0, mode 0644): the same site and
version give the same bytes.
"""

from __future__ import annotations

import argparse
import io
import tarfile
from pathlib import Path

from glass_updater.atomic import replacing
from glass_updater.bundle import FEED, MANIFEST, SUFFIX, Manifest, asset_member_name
from glass_updater.errors import FeedError
from glass_updater.limits import DEFAULT_LIMITS
from glass_updater.model import Asset, Release
from glass_updater.publish.site import PublishRefused, asset_file_name, file_digest

CHUNK = 1 << 20


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    bundle = sub.add_parser(
        "bundle",
        help="pack the signed feed and one release's files into one .glassbundle file",
        description="Pack DIR/feed.json and the files of release V (found in DIR) into one "
        "file for offline installation with `updater import FILE`.",
    )
    bundle.add_argument("--site", required=True, type=Path,
                        help="the published folder holding feed.json and the release files")
    bundle.add_argument("--version", required=True, help="the release to pack")
    bundle.add_argument("--out", required=True, type=Path,
                        help=f"the bundle to write (name it *{SUFFIX})")


def _release(site: Path, version: str) -> tuple[bytes, str, Release]:
    from glass_updater.feed import parse_payload
    from glass_updater.signing import parse_envelope

    path = site / FEED
    try:
        with path.open("rb") as fh:
            data = fh.read(DEFAULT_LIMITS.max_feed_bytes + 1)
    except OSError as exc:
        raise PublishRefused(
            f"cannot read {path} ({exc.strerror or exc}); pass the published folder as --site"
        ) from None
    try:
        feed = parse_payload(parse_envelope(data).payload)
    except FeedError as exc:
        raise PublishRefused(f"{path} is not a valid signed feed ({exc.message})") from None
    release = next((r for r in feed.releases if r.version == version), None)
    if release is None:
        known = ", ".join(r.version for r in feed.releases) or "none"
        raise PublishRefused(f"{path} has no release {version} (it has: {known})")
    if not release.assets:
        raise PublishRefused(f"release {version} lists no files to pack")
    return data, feed.product, release


def _source(site: Path, asset: Asset) -> Path:
    name = asset_file_name(asset.url)
    path = site / name
    if not name or not path.is_file():
        raise PublishRefused(f"{path} is missing; the bundle needs every file of the release")
    size, sha = file_digest(path)
    if (size, sha) != (asset.size, asset.sha256):
        raise PublishRefused(f"{path} does not match the signed size and SHA-256; not packed")
    return path


def _info(name: str, size: int) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.size = size
    info.mode = 0o644
    info.mtime = 0
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    return info


def write_bundle(site: Path, version: str, out: Path) -> tuple[int, str]:
    """Write the bundle; returns its (size, SHA-256)."""
    from glass_updater.staging import file_name_for

    feed_data, product, release = _release(site, version)
    sources = [(asset, _source(site, asset)) for asset in release.assets]
    names = [asset_member_name(file_name_for(asset)) for asset, _ in sources]
    if len(set(names)) != len(names):
        raise PublishRefused(f"release {version} names the same file twice; not packed")
    out.parent.mkdir(parents=True, exist_ok=True)
    with replacing(out, 0o644) as raw:
        with tarfile.open(fileobj=raw, mode="w:", format=tarfile.USTAR_FORMAT) as tar:
            manifest = Manifest(product, version).to_bytes()
            tar.addfile(_info(MANIFEST, len(manifest)), io.BytesIO(manifest))
            tar.addfile(_info(FEED, len(feed_data)), io.BytesIO(feed_data))
            for (asset, path), name in zip(sources, names, strict=True):
                with path.open("rb") as src:
                    tar.addfile(_info(name, asset.size), src)
        for asset, path in sources:  # changed while packing? then the bundle is wrong
            if file_digest(path) != (asset.size, asset.sha256):
                raise PublishRefused(f"{path} changed while packing; run the command again")
    return file_digest(out)


def run_bundle(args: argparse.Namespace) -> int:
    size, sha = write_bundle(args.site, args.version, args.out)
    print(f"wrote {args.out} ({size} bytes, SHA-256 {sha}): release {args.version} for "
          "offline installation with `updater import`")
    return 0
