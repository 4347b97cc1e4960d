"""One request of a download, streamed into the part file: send, judge, keep or discard.

``Downloader`` picks where to start and restarts once from zero when an answer does not
fit; a ``Transfer`` runs one attempt. It hashes the bytes already on disk, opens the part
file at the offset and streams the answer into it through ``PartSink`` (the resume record
is written at the head, before any byte); then it keeps a complete file only if its size
and SHA-256 match (fsynced, promoted), and classifies an interruption: a resumable partial
is kept for the next run, anything else is discarded. The rules of what fits are in
``resume`` (pure tables), the sentences of each failure in ``download_failures``.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from glass_updater.client import Client
from glass_updater.digest import sha256_prefix
from glass_updater.download_failures import (
    disk_full,
    is_full,
    mismatch_error,
    overlong_error,
    status_error,
    write_failure,
)
from glass_updater.errors import Cancelled, ExchangeError, TransportError, UpdaterError
from glass_updater.limits import Limits
from glass_updater.model import Asset
from glass_updater.partsink import AbortToken, PartSink
from glass_updater.progress import ProgressMeter
from glass_updater.resume import Judgement, PartialInfo, Verdict, judge_head
from glass_updater.staging import Checkpoint, PartOpener, Staging
from glass_updater.wire_types import CancelToken, OutboundRequest, Target


@dataclass(frozen=True)
class Restart:
    """The server's answer to a resume did not fit; discard the partial, start at zero."""

    why: str


@dataclass
class Attempt:
    """What one request learned: the validator the resume record holds (if any)."""

    offset: int
    validator: str | None


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


class Transfer:
    """Runs one attempt of a download into the part file of ``files``."""

    def __init__(
        self,
        client: Client,
        files: Staging,
        limits: Limits,
        *,
        checkpoint: Checkpoint,
        opener: PartOpener,
    ) -> None:
        self.client = client
        self.files = files
        self.limits = limits
        self.checkpoint = checkpoint
        self.opener = opener

    def run(
        self,
        asset: Asset,
        target: Target,
        attempt: Attempt,
        meter: ProgressMeter,
        cancel: CancelToken | None,
    ) -> Path | Restart:
        """One request from ``attempt.offset``: the promoted file, or Restart (the
        answer does not fit the partial; the caller starts again from zero)."""
        offset = attempt.offset
        request = self._request(asset, target, attempt)
        digest = hashlib.sha256()
        if offset:
            try:
                part = self.files.part_path(asset.sha256)
                digest = sha256_prefix(part, offset, self.limits.download_chunk)
            except OSError:
                self.files.discard(asset.sha256)
                return Restart("the partial file could not be read back")
        if cancel is not None and cancel.cancelled:
            raise Cancelled("download cancelled")
        abort = AbortToken(outer=cancel)
        try:
            fh = self.opener(self.files.part_path(asset.sha256))
        except OSError as exc:
            raise write_failure(asset, exc, self.files.folder) from exc
        self.checkpoint("part-opened")
        with fh:
            try:
                fh.seek(offset)
                fh.truncate(offset)
            except OSError as exc:
                fh.close()
                self.files.discard(asset.sha256)
                raise write_failure(asset, exc, self.files.folder) from exc
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
                    return Restart(judgement.why)
                if judgement.verdict is Verdict.FAIL:
                    self._keep(asset, attempt, fh, offset)  # nothing of an error body is kept
                    raise status_error(exchange, asset)
                if sink.overflow:
                    self.files.discard(asset.sha256)
                    raise overlong_error(asset)
                meter.update(offset + sink.written, force=True)
                total = offset + sink.written
                if total != asset.size or sink.hexdigest() != asset.sha256:
                    fh.close()
                    self.files.discard(asset.sha256)
                    raise mismatch_error(asset, total)
                try:
                    fh.flush()
                    os.fsync(fh.fileno())
                except OSError as exc:
                    self.files.discard(asset.sha256)
                    raise write_failure(asset, exc, self.files.folder) from exc
            finally:
                sink.close()  # the hashing thread ends with the attempt
        self.checkpoint("part-fsynced")
        try:
            return self.files.promote(asset)
        except OSError as exc:
            self.files.discard(asset.sha256)
            raise write_failure(asset, exc, self.files.folder) from exc

    def _request(self, asset: Asset, target: Target, attempt: Attempt) -> OutboundRequest:
        return self.client.download_request(
            target,
            max_body=asset.size - attempt.offset,
            resume_from=attempt.offset or None,
            if_range=attempt.validator,
        )

    def _on_head(
        self, asset: Asset, attempt: Attempt, status: int, headers: tuple[tuple[str, str], ...]
    ) -> Judgement:
        """Judge the head and, for a fresh 200, write the resume record before any byte."""
        header = _lookup(headers)
        judgement = judge_head(
            status, header, offset=attempt.offset, size=asset.size, validator=attempt.validator
        )
        if judgement.verdict is Verdict.USE and attempt.offset == 0:
            if_range = self.client.allowlist.get("if_range")
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

    def _after_failure(
        self,
        asset: Asset,
        attempt: Attempt,
        fh: BinaryIO,
        sink: PartSink,
        exc: BaseException,
        cancel: CancelToken | None,
    ) -> Restart:
        """Classify an interrupted transfer: keep a resumable partial, or discard it."""
        if sink.disk_error is not None or (isinstance(exc, OSError) and is_full(exc)):
            fh.close()
            self.files.discard(asset.sha256)
            err = sink.disk_error if sink.disk_error is not None else exc
            if isinstance(err, OSError) and is_full(err):
                raise disk_full(asset, asset.size - attempt.offset, self.files.folder) from exc
            raise write_failure(asset, err, self.files.folder) from exc
        exchange = exc.exchange if isinstance(exc, ExchangeError) else None
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
            return Restart(judgement.why)
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
            raise overlong_error(asset) from exc
        kept = self._keep(asset, attempt, fh, attempt.offset + (sink.written if status_ok else 0))
        if judgement is not None and judgement.verdict is Verdict.FAIL and exchange is not None:
            raise status_error(exchange, asset) from exc
        if cancelled:
            note = f"; the next run resumes after the {kept} bytes kept" if kept else ""
            error = Cancelled(f"download cancelled{note}", exchange=exchange)
            raise error from exc
        if isinstance(exc, UpdaterError):
            raise exc
        raise TransportError(f"the download failed ({exc}); try again") from exc

    def _keep(self, asset: Asset, attempt: Attempt, fh: BinaryIO, length: int) -> int:
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
