"""Streamed, resumable, size-capped download, hashed while written, verified before use.

The seams: ``staging`` (where files live, the resume record, the final rename),
``resume`` (the pure rules: may a partial be continued, does an answer fit — read its
tables first), ``transfer`` (one request into the part file: send, judge, keep or
discard, promote), ``partsink`` (the hot loop: write, hash, progress), ``progress``,
``digest`` and ``download_failures`` (what each failure says). This module only orders
them: validate, lock, reuse a verified copy, plan the resume, attempt, restart once.
``run_download`` is the façade's download operation around it: the preflight, the
client with the settings read once, and the ledger records of every request.

Only a complete file whose size and SHA-256 match the signed feed is renamed to its
final name. A partial is resumed from its length on disk with ``Range`` + ``If-Range``;
any answer that does not fit exactly restarts from zero, never splices.
"""

from __future__ import annotations

import re
import shutil
import time
from collections.abc import Callable
from pathlib import Path

from glass_updater.client import Client
from glass_updater.download_failures import disk_full, write_failure
from glass_updater.errors import (
    InternalError,
    StorageError,
    TransportError,
    VerificationError,
    storage_error,
)
from glass_updater.ledger import LedgerEntry
from glass_updater.limits import Limits
from glass_updater.model import Asset, CheckResult, Progress, Release, VerifiedFile
from glass_updater.operation import DownloadFacade
from glass_updater.progress import ProgressMeter
from glass_updater.recording import Recording
from glass_updater.request import parse_target
from glass_updater.resume import plan_resume
from glass_updater.staging import Checkpoint, PartOpener, Staging, open_part
from glass_updater.transfer import Attempt, Restart, Transfer
from glass_updater.wire_types import CancelToken, Target

_SHA256 = re.compile(r"^[0-9a-f]{64}$")


def _no_checkpoint(point: str) -> None:
    """Production default; tests pass a hook that kills the process at a named point."""


class Downloader:
    """Downloads one signed asset at a time per asset (an inter-process lock per hash)."""

    def __init__(
        self,
        client: Client,
        *,
        staging: Path,
        limits: Limits,
        clock: Callable[[], float] = time.monotonic,
        checkpoint: Checkpoint = _no_checkpoint,
        opener: PartOpener = open_part,
    ) -> None:
        """``client`` builds, routes and sends each request (and reports its exchanges)."""
        self.client = client
        self.allowlist = client.allowlist
        self.staging = Path(staging)
        self.files = Staging(self.staging, checkpoint, limits.stale_partial_age)
        self.limits = limits
        self.clock = clock
        self.transfer = Transfer(client, self.files, limits, checkpoint=checkpoint, opener=opener)

    # ------------------------------------------------------------------ public

    def download(
        self,
        release: Release,
        asset: Asset,
        *,
        on_progress: Callable[[Progress], None],
        cancel: CancelToken | None = None,
        target: Target | None = None,
    ) -> VerifiedFile:
        """Download, verify and stage ``asset``; a verified earlier copy is reused.

        ``target`` is ``asset.url`` already parsed by the caller (parsed here if not).
        """
        if not _SHA256.fullmatch(asset.sha256):
            raise VerificationError(
                "the signed feed gives no valid SHA-256 for this file; contact the publisher"
            )
        if asset.size < 0 or asset.size > self.limits.max_download_bytes:
            raise VerificationError(
                f"the update file is {asset.size} bytes, more than this client accepts "
                f"({self.limits.max_download_bytes} bytes); contact the publisher"
            )
        try:
            self.files.prepare()
        except OSError as exc:
            raise StorageError(
                f"cannot use the download folder {self.staging} ({exc.strerror or exc}); "
                "check that it is writable and try again"
            ) from exc
        with self.files.lock_for(asset.sha256):
            self.files.sweep_stale(keep=asset.sha256)
            self.files.sweep_own_temps(asset.sha256)
            try:
                reused = self.files.reuse(asset, self.limits.download_chunk)
            except OSError as exc:
                raise write_failure(asset, exc, self.staging) from exc
            if reused is not None:
                on_progress(Progress(asset.size, asset.size, 0.0, 0.0))
                return VerifiedFile(path=reused, asset=asset, release=release)
            if target is None:
                target = parse_target(asset.url, purpose="asset")
            path = self._fetch(asset, target, on_progress, cancel)
            return VerifiedFile(path=path, asset=asset, release=release)

    # ------------------------------------------------------------------ transfer

    def _fetch(
        self,
        asset: Asset,
        target: Target,
        on_progress: Callable[[Progress], None],
        cancel: CancelToken | None,
    ) -> Path:
        offset, validator = self._resume_point(asset)
        self._check_free_space(asset, offset)
        meter = ProgressMeter(asset.size, self.limits.progress_interval, self.clock, on_progress)
        outcome = self.transfer.run(asset, target, Attempt(offset, validator), meter, cancel)
        if isinstance(outcome, Restart):
            self.files.discard(asset.sha256)
            outcome = self.transfer.run(asset, target, Attempt(0, None), meter, cancel)
        if isinstance(outcome, Restart):  # cannot happen from offset 0; fail closed anyway
            self.files.discard(asset.sha256)
            raise TransportError(f"the download server answered oddly ({outcome.why}); try again")
        return outcome

    def _resume_point(self, asset: Asset) -> tuple[int, str | None]:
        """(offset, validator) by the rules in ``resume.plan_resume``; else discarded."""
        range_field = self.allowlist.get("range")
        if_range_field = self.allowlist.get("if_range")
        may_echo = (
            if_range_field.accepts
            if range_field is not None and if_range_field is not None
            else None
        )
        plan = plan_resume(
            self.files.load_record(asset.sha256),
            self.files.on_disk(asset.sha256),
            url=asset.url,
            size=asset.size,
            sha256=asset.sha256,
            may_echo=may_echo,
        )
        if plan.offset == 0:
            self.files.discard(asset.sha256)
        return plan.offset, plan.validator

    def _check_free_space(self, asset: Asset, offset: int) -> None:
        need = asset.size - offset
        try:
            free = shutil.disk_usage(self.staging).free
        except OSError:
            return
        if free < need:
            raise disk_full(asset, need, self.staging)


def run_download(
    updater: DownloadFacade,
    result: CheckResult,
    on_progress: Callable[[Progress], None],
    cancel: CancelToken | None,
    entries: list[LedgerEntry],
) -> VerifiedFile:
    """Fetch and verify ``result``'s asset; ``entries`` receives the records, also when it
    fails. The asset's URL is parsed once; a redirect may also go to the asset's host."""
    from glass_updater.safefs import ensure_dir

    updater.policy.refuse()
    if result.release is None or result.asset is None:
        raise InternalError("there is no update to download; run a check first")
    asset = result.asset
    if updater.preflight_downloads:
        # Before any byte: refuse what could not be installed.
        updater.preflight(asset, result.release)
    target = parse_target(asset.url, purpose="asset")
    recording = Recording(updater.ledger)
    client = updater.client_for(updater.user_settings(), recording, extra_hosts=(target.host,))
    cache = updater.paths.cache
    downloader = Downloader(client, staging=cache / "downloads", limits=updater.limits)
    with recording.failures(entries):
        try:
            ensure_dir(cache)
            verified = downloader.download(
                result.release, asset, on_progress=on_progress, cancel=cancel, target=target
            )
        except OSError as exc:
            raise storage_error(exc, "the download") from exc
    try:
        entries.extend(recording.record(
            f"verified {asset.size} bytes, SHA-256 {asset.sha256[:16]}…"
        ))
    except OSError as exc:
        raise storage_error(exc, "the transmission log") from exc
    return verified
