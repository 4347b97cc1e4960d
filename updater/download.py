"""Streamed, resumable, size-capped download, hashed while written, verified before use.

The seams: ``staging`` (where files live, the resume record, the final rename),
``resume`` (the pure rules: may a partial be continued, does an answer fit — read its
tables first), ``partsink`` (the hot loop: write, hash, progress), ``progress`` and
``digest``. This module only orders them: plan, send, judge, keep or discard, promote.

Only a complete file whose size and SHA-256 match the signed feed is renamed to its
final name. A partial is resumed from its length on disk with ``Range`` + ``If-Range``;
any answer that does not fit exactly restarts from zero, never splices.
"""

from __future__ import annotations

import errno
import hashlib
import os
import re
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from glass_updater.client import Client
from glass_updater.digest import sha256_prefix
from glass_updater.errors import (
    Cancelled,
    StorageError,
    TransportError,
    UpdaterError,
    VerificationError,
    server_text,
)
from glass_updater.limits import Limits
from glass_updater.model import Asset, Progress, Release, VerifiedFile
from glass_updater.partsink import AbortToken, PartSink
from glass_updater.progress import ProgressMeter
from glass_updater.request import parse_target
from glass_updater.resume import Judgement, PartialInfo, Verdict, judge_head, plan_resume
from glass_updater.staging import (
    LOCK_DIR,
    PART_SUFFIX,
    SIDECAR_SUFFIX,
    Checkpoint,
    PartOpener,
    Staging,
    file_name_for,
    open_part,
    verify_file,
)
from glass_updater.wire_types import CancelToken, Exchange, OutboundRequest, Target

__all__ = [
    "LOCK_DIR",
    "MISMATCH_MESSAGE",
    "PART_SUFFIX",
    "SIDECAR_SUFFIX",
    "DiskFullError",
    "Downloader",
    "PartialInfo",
    "file_name_for",
    "open_part",
    "verify_file",
]

_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_MB = 1024 * 1024

MISMATCH_MESSAGE = (
    "downloaded file does not match the signed SHA-256; it was deleted. "
    "Try again later or contact the publisher"
)


class DiskFullError(StorageError):
    """The disk (or the user's quota) filled up; the partial file was removed."""

    kind = "disk-full"


def _no_checkpoint(point: str) -> None:
    """Production default; tests pass a hook that kills the process at a named point."""


@dataclass(frozen=True)
class _Restart:
    """The server's answer to a resume did not fit; discard the partial, start at zero."""

    why: str


@dataclass
class _Attempt:
    """What one request learned: the validator the resume record holds (if any)."""

    offset: int
    validator: str | None


def _status_error(exchange: Exchange, asset: Asset) -> TransportError:
    status = exchange.status
    reason = server_text(exchange.reason)
    what = f"HTTP {status}{' ' + reason if reason else ''}"
    name = file_name_for(asset)
    if status in (404, 410):
        msg = f"the update file {name} was not found on the server ({what}); "
        msg += "try again later or contact the publisher"
    elif (status is not None and 500 <= status <= 599) or status == 429:
        msg = f"the download server could not send {name} ({what})"
        retry = exchange.header("Retry-After")
        if retry is not None:
            shown = server_text(retry, 40)
            unit = " seconds" if shown.isascii() and shown.isdigit() else ""
            msg += f"; it asks to try again after {shown}{unit}"
        else:
            msg += "; try again later"
    else:
        msg = f"the download server answered {what} for {name}; "
        msg += "try again later or contact the publisher"
    return TransportError(msg, exchange=exchange)


def _lookup(headers: tuple[tuple[str, str], ...]) -> Callable[[str], str | None]:
    def header(name: str) -> str | None:
        lname = name.lower()
        return next((v for k, v in headers if k.lower() == lname), None)

    return header


def _validator_of(
    header: Callable[[str], str | None], accepts: Callable[[str], bool]
) -> str | None:
    """A strong ETag, else Last-Modified, if the allowlist lets us echo it in If-Range."""
    for name in ("ETag", "Last-Modified"):
        value = header(name)
        if value is not None and accepts(value.strip()):
            return value.strip()
    return None


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
        self.checkpoint = checkpoint
        self.opener = opener

    # ------------------------------------------------------------------ paths

    def part_path(self, asset: Asset) -> Path:
        return self.files.part_path(asset.sha256)

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
                raise self._storage_error(asset, exc) from exc
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
        outcome = self._attempt(asset, target, _Attempt(offset, validator), meter, cancel)
        if isinstance(outcome, _Restart):
            self.files.discard(asset.sha256)
            outcome = self._attempt(asset, target, _Attempt(0, None), meter, cancel)
        if isinstance(outcome, _Restart):  # cannot happen from offset 0; fail closed anyway
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
            raise self._disk_full(asset, need)

    def _disk_full(self, asset: Asset, need: int) -> DiskFullError:
        mb = max(1, -(-need // _MB))
        return DiskFullError(
            f"not enough disk space to download {file_name_for(asset)} (need {mb} MB in "
            f"{self.staging}); free some space and try again"
        )

    def _request(self, asset: Asset, target: Target, attempt: _Attempt) -> OutboundRequest:
        return self.client.download_request(
            target,
            max_body=asset.size - attempt.offset,
            resume_from=attempt.offset or None,
            if_range=attempt.validator,
        )

    def _on_head(
        self, asset: Asset, attempt: _Attempt, status: int, headers: tuple[tuple[str, str], ...]
    ) -> Judgement:
        """Judge the head and, for a fresh 200, write the resume record before any byte."""
        header = _lookup(headers)
        judgement = judge_head(
            status, header, offset=attempt.offset, size=asset.size, validator=attempt.validator
        )
        if judgement.verdict is Verdict.USE and attempt.offset == 0:
            if_range = self.allowlist.get("if_range")
            attempt.validator = (
                _validator_of(header, if_range.accepts) if if_range is not None else None
            )
            if attempt.validator is not None:
                info = PartialInfo(asset.url, asset.size, asset.sha256, attempt.validator, 0)
                try:
                    self.files.write_record(asset.sha256, info)
                except OSError:
                    attempt.validator = None  # not resumable, but the download goes on
        return judgement

    def _attempt(
        self,
        asset: Asset,
        target: Target,
        attempt: _Attempt,
        meter: ProgressMeter,
        cancel: CancelToken | None,
    ) -> Path | _Restart:
        offset = attempt.offset
        request = self._request(asset, target, attempt)
        digest = hashlib.sha256()
        if offset:
            try:
                digest = sha256_prefix(self.part_path(asset), offset, self.limits.download_chunk)
            except OSError:
                self.files.discard(asset.sha256)
                return _Restart("the partial file could not be read back")
        if cancel is not None and cancel.cancelled:
            raise Cancelled("download cancelled")
        abort = AbortToken(outer=cancel)
        try:
            fh = self.opener(self.part_path(asset))
        except OSError as exc:
            raise self._storage_error(asset, exc) from exc
        self.checkpoint("part-opened")
        with fh:
            try:
                fh.seek(offset)
                fh.truncate(offset)
            except OSError as exc:
                fh.close()
                self.files.discard(asset.sha256)
                raise self._storage_error(asset, exc) from exc
            sink = PartSink(
                fh,
                digest,
                offset=offset,
                limit=asset.size - offset,
                meter=meter,
                abort=abort,
                checkpoint=self.checkpoint,
                on_head=lambda status, headers: self._on_head(asset, attempt, status, headers),
            )
            meter.start(offset)
            try:
                try:
                    exchange = self.client.send(request, sink=sink, cancel=abort)
                    if sink.failure is not None:  # the last chunk failed; the transfer had ended
                        failure = sink.failure
                        raise type(failure)(failure.message, exchange=exchange)
                except (UpdaterError, OSError) as exc:
                    return self._after_failure(asset, attempt, fh, sink, exc, cancel)
                judgement = sink.head or judge_head(
                    exchange.status,
                    exchange.header,
                    offset=offset,
                    size=asset.size,
                    validator=attempt.validator,
                )
                if judgement.verdict is Verdict.RESTART:
                    return _Restart(judgement.why)
                if judgement.verdict is Verdict.FAIL:
                    self._keep(asset, attempt, fh, offset)  # nothing of an error body is kept
                    raise _status_error(exchange, asset)
                if sink.overflow:
                    self.files.discard(asset.sha256)
                    raise VerificationError(self._overlong_message(asset))
                meter.update(offset + sink.written, force=True)
                total = offset + sink.written
                if total != asset.size or sink.hexdigest() != asset.sha256:
                    fh.close()
                    self.files.discard(asset.sha256)
                    raise VerificationError(self._mismatch_message(asset, total))
                try:
                    fh.flush()
                    os.fsync(fh.fileno())
                except OSError as exc:
                    self.files.discard(asset.sha256)
                    raise self._storage_error(asset, exc) from exc
            finally:
                sink.close()  # the hashing thread ends with the attempt
        self.checkpoint("part-fsynced")
        try:
            return self.files.promote(asset)
        except OSError as exc:
            self.files.discard(asset.sha256)
            raise self._storage_error(asset, exc) from exc

    def _after_failure(
        self,
        asset: Asset,
        attempt: _Attempt,
        fh: BinaryIO,
        sink: PartSink,
        exc: BaseException,
        cancel: CancelToken | None,
    ) -> _Restart:
        """Classify an interrupted transfer: keep a resumable partial, or discard it."""
        if sink.disk_error is not None or (isinstance(exc, OSError) and _is_full(exc)):
            fh.close()
            self.files.discard(asset.sha256)
            err = sink.disk_error if sink.disk_error is not None else exc
            if isinstance(err, OSError) and _is_full(err):
                raise self._disk_full(asset, asset.size - attempt.offset) from exc
            raise self._storage_error(asset, err) from exc
        exchange = exc.exchange if isinstance(exc, TransportError) else None
        refused = sink.head is not None and sink.head.verdict is not Verdict.USE
        cancelled = sink.failure is None and (
            bool(cancel and cancel.cancelled) or (isinstance(exc, Cancelled) and not refused)
        )
        judgement = sink.head
        if judgement is None and exchange is not None and exchange.status is not None:
            judgement = judge_head(
                exchange.status,
                exchange.header,
                offset=attempt.offset,
                size=asset.size,
                validator=attempt.validator,
            )
        if judgement is not None and judgement.verdict is Verdict.RESTART and not cancelled:
            fh.close()
            return _Restart(judgement.why)
        status_ok = judgement is not None and judgement.verdict is Verdict.USE
        announced = (exchange.header("Content-Length") or "").strip() if exchange else ""
        too_long = (
            (announced.isascii() and announced.isdigit() and int(announced) > sink.limit)
            or sink.overflow
            or (exchange is not None and exchange.bytes_received > sink.limit)
        )
        overlong = status_ok and (too_long or sink.written >= sink.limit)
        if not cancelled and (overlong or sink.overflow):
            fh.close()
            self.files.discard(asset.sha256)
            raise VerificationError(self._overlong_message(asset)) from exc
        kept = self._keep(asset, attempt, fh, attempt.offset + (sink.written if status_ok else 0))
        if judgement is not None and judgement.verdict is Verdict.FAIL and exchange is not None:
            raise _status_error(exchange, asset) from exc
        if cancelled:
            note = f"; the next run resumes after the {kept} bytes kept" if kept else ""
            error = Cancelled(f"download cancelled{note}", exchange=exchange)
            raise error from exc
        if isinstance(exc, UpdaterError):
            raise exc
        raise TransportError(f"the download failed ({exc}); try again") from exc

    def _keep(self, asset: Asset, attempt: _Attempt, fh: BinaryIO, length: int) -> int:
        """Keep the first ``length`` bytes for the next run (if resumable); returns bytes
        kept. Only bytes of an answer judged USE are ever counted in ``length``."""
        if attempt.validator is None:
            fh.close()
            self.files.discard(asset.sha256)
            return 0
        try:
            fh.flush()
            fh.truncate(length)
            os.fsync(fh.fileno())
            size = min(os.fstat(fh.fileno()).st_size, asset.size)
            fh.close()
            if size <= 0:
                self.files.discard(asset.sha256)
                return 0
            info = PartialInfo(asset.url, asset.size, asset.sha256, attempt.validator, size)
            self.files.write_record(asset.sha256, info)
        except OSError:
            fh.close()
            self.files.discard(asset.sha256)
            return 0
        return size

    # ------------------------------------------------------------------ messages

    def _storage_error(self, asset: Asset, exc: BaseException) -> StorageError:
        if isinstance(exc, OSError) and _is_full(exc):
            return self._disk_full(asset, asset.size)
        why = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        return StorageError(
            f"could not write the download to {self.staging} ({why}); "
            "check that the folder is writable and try again"
        )

    def _mismatch_message(self, asset: Asset, total: int) -> str:
        if total != asset.size:
            return (
                f"downloaded file is {total} bytes but the signed size is {asset.size}; it was "
                "deleted. Try again later or contact the publisher"
            )
        return MISMATCH_MESSAGE

    def _overlong_message(self, asset: Asset) -> str:
        return (
            f"the server sent more than the signed size of {file_name_for(asset)} "
            f"({asset.size} bytes); the file was deleted. Try again later or contact the "
            "publisher"
        )


def _is_full(exc: OSError) -> bool:
    return exc.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC))
