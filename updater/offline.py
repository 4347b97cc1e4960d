"""Import an offline bundle: the same trust rules as online, and no socket at all.

Signature, product, rollback floor, expiry, the administrator's pin, the user's channel and
platform, then the asset's signed size and SHA-256 — the same functions the online check
and download use. Everything is verified before anything is kept: a refused bundle leaves
no file, no temp and no state change. Only then is the import recorded in the history
("offline import: no network") and the rollback floor raised, in that order, like a check.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import stat
import tempfile
from dataclasses import replace
from pathlib import Path

from glass_updater.atomic import TEMP_PREFIX, fsync_dir
from glass_updater.bundle import BundleReader, asset_member_name
from glass_updater.errors import (
    BundleError,
    BundleUnreadable,
    VerificationError,
    storage_error,
)
from glass_updater.model import Asset, CheckResult, CheckStatus, VerifiedFile
from glass_updater.operation import ImportFacade
from glass_updater.reasons import words

NO_NETWORK = "offline import: no network"


def _open(path: Path) -> int:
    """The user's bundle file (a link the user named is fine); a FIFO is never waited on."""
    nonblock = getattr(os, "O_NONBLOCK", 0)
    try:
        fd = os.open(path, os.O_RDONLY | nonblock | getattr(os, "O_BINARY", 0))
    except OSError as exc:
        raise BundleUnreadable(
            f"cannot read the bundle {path}: {exc.strerror or type(exc).__name__}; check the "
            "file name"
        ) from None
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise BundleUnreadable(f"{path} is not a regular file; pass the .glassbundle file")
    if nonblock:
        os.set_blocking(fd, True)
    return fd


class _Staged:
    """The extracted asset: a temp file until kept, removed (with new folders) otherwise."""

    def __init__(self, staging: Path) -> None:
        self.staging = staging
        self.created: list[Path] = []
        self.temp: Path | None = None
        self.final: Path | None = None

    def folder(self, path: Path) -> None:
        """Create (0700) or check the staging folders like a download does (threat 42)."""
        import glass_updater.safefs as safefs

        missing = []
        for candidate in (path, *path.parents):
            if os.path.lexists(candidate):
                break
            missing.append(candidate)
        self.created.extend(missing)
        safefs.ensure_dir(self.staging)
        safefs.ensure_dir(path)

    def discard(self) -> None:
        if self.temp is not None:
            with contextlib.suppress(FileNotFoundError):
                self.temp.unlink()
        if self.final is not None:
            with contextlib.suppress(FileNotFoundError):
                self.final.unlink()
        for folder in self.created:  # deepest first
            with contextlib.suppress(OSError):
                folder.rmdir()


def import_bundle(updater: ImportFacade, path: Path) -> tuple[CheckResult, VerifiedFile | None]:
    """Verify and keep a bundle's update; ``(result, verified file or None if nothing new)``."""
    from glass_updater.decision import eligibility
    from glass_updater.feed import verify_feed
    from glass_updater.history import missed_releases, withdrawal_of
    from glass_updater.staging import file_name_for
    from glass_updater.versions import select_update

    if updater.policy.error is not None:
        updater.policy.refuse()  # a broken policy might pin versions: fail closed
    config = updater.config
    limits = updater.limits
    channel = updater.channel()  # the user's settings, read once for the whole import
    fd = _open(path)
    staged = _Staged(updater.paths.cache / "downloads")
    try:
        with updater.exclusive("check"), os.fdopen(fd, "rb") as fh:
            reader = BundleReader(fh, limits)
            manifest, feed_bytes = reader.head()
            state = updater.state.load()
            feed = verify_feed(
                feed_bytes,
                trusted_keys=config.trusted_keys,
                product=config.product_id,
                now=updater.now(),
                floor=updater.state.floor(state),
                limits=limits,
            )
            if manifest.product != feed.product:
                raise BundleError(
                    f"this bundle says it is for {manifest.product!r} but carries the feed of "
                    f"{feed.product!r}; nothing was changed"
                )
            pinned = updater.pinned(feed)
            carried = replace(
                pinned, releases=tuple(r for r in pinned.releases if r.version == manifest.version)
            )
            selection = select_update(
                carried,
                current_version=config.version,
                **eligibility(config, channel),  # no skip: an explicit choice
            )
            if not any(r.version == manifest.version for r in feed.releases):
                raise BundleError(
                    f"the bundle's feed has no release {manifest.version}; nothing was changed"
                )
            verified: VerifiedFile | None = None
            want = None
            if selection.release is not None and selection.asset is not None:
                want = asset_member_name(file_name_for(selection.asset))
            for member in reader.asset_members():
                if member.name != want or verified is not None:
                    continue  # other platforms' files: walked over, so damage is still seen
                assert selection.release is not None and selection.asset is not None
                final = _extract(reader, member, selection.asset, staged, limits.download_chunk)
                verified = VerifiedFile(final, selection.asset, selection.release)
            if want is not None and verified is None:
                raise BundleError(
                    f"the bundle does not contain the file for {config.platform} "
                    f"({want}); nothing was changed"
                )
            reason = words(selection.reason)
            outcome = f"{NO_NETWORK} — accepted feed serial {feed.serial}: {reason}"
            entry = updater.ledger.record_local("import", path.resolve().as_uri(), outcome)
            new_state = replace(state, last_serial=feed.serial, last_digest=feed.digest)
            if new_state != state:
                updater.state.save(new_state)
    except BaseException as exc:
        staged.discard()
        if isinstance(exc, OSError):
            raise storage_error(exc, "the imported update") from exc
        raise
    status = CheckStatus.UPDATE_AVAILABLE if verified is not None else CheckStatus.UP_TO_DATE
    missed = () if selection.release is None else missed_releases(
        pinned,  # the bundle carries the whole signed feed: every skipped release's notes
        current_version=config.version,
        offered=selection.release,
        channel=channel,
        platform=config.platform,
    )
    result = CheckResult(
        status=status,
        current_version=config.version,
        why=selection.reason,
        release=selection.release,
        asset=selection.asset,
        feed_serial=feed.serial,
        entries=(entry,),
        missed=missed,
        withdrawn=withdrawal_of(feed, config.version),
        install_problem=updater.install_problem(selection.release, selection.asset),
    )
    return result, verified


def _extract(
    reader: BundleReader, member: object, asset: Asset, staged: _Staged, chunk: int
) -> Path:
    """Copy one member into the download staging folder, hashing; keep it only if it matches."""
    import tarfile

    from glass_updater.staging import file_name_for

    assert isinstance(member, tarfile.TarInfo)
    if member.size != asset.size:
        raise VerificationError(
            f"the bundle's {member.name} has {member.size} bytes, but the publisher signed "
            f"{asset.size}; it was not kept"
        )
    final = staged.staging / asset.sha256 / file_name_for(asset)
    staged.folder(final.parent)
    fd, tmp = tempfile.mkstemp(prefix=TEMP_PREFIX, dir=staged.staging)
    staged.temp = Path(tmp)
    digest = hashlib.sha256()
    with os.fdopen(fd, "wb") as out:
        for data in reader.stream(member, chunk):
            digest.update(data)
            out.write(data)
        out.flush()
        os.fsync(out.fileno())
    if digest.hexdigest() != asset.sha256:
        raise VerificationError(
            f"the bundle's {member.name} does not match the SHA-256 the publisher signed; "
            "it was not kept"
        )
    existed = final.exists()
    os.replace(tmp, final)
    staged.temp = None
    if not existed:
        staged.final = final  # removed again if a later step refuses the bundle
    fsync_dir(final.parent)
    return final
