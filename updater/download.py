"""Streamed, resumable, size-capped download, hashed while written, verified before use.

The file grows as ``<staging>/<sha256>.part`` (with a small sidecar saying which URL,
size, hash and server validator it belongs to) and only a complete file whose size and
SHA-256 match the signed feed is renamed to ``<staging>/<sha256>/<name>``, so the final
name never holds a half-written or unverified file. A partial is trusted only up to the
length the sidecar confirms; resuming re-hashes it and asks the server with ``Range`` +
``If-Range``; any answer that does not fit exactly restarts from zero, never splices.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import os
import re
import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO
from urllib.parse import unquote, urlsplit

from glass_updater.allowlist import Allowlist
from glass_updater.atomic import TEMP_PREFIX, fsync_dir, sweep_temps
from glass_updater.errors import (
    Cancelled,
    StorageError,
    TransportError,
    UpdaterError,
    VerificationError,
)
from glass_updater.limits import Limits
from glass_updater.locks import FileLock
from glass_updater.model import Asset, Progress, Release, VerifiedFile
from glass_updater.request import OutboundRequest, ProxySpec, build_download_request
from glass_updater.transport.base import CancelToken, Exchange, Transport

PART_SUFFIX = ".part"
SIDECAR_SUFFIX = ".part.json"
LOCK_DIR = ".locks"
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_SAFE_NAME = re.compile(r"[^A-Za-z0-9._+-]")
_MB = 1024 * 1024
_TEMP_GRACE = 60.0  # an atomic-write temp older than this belongs to a dead process

MISMATCH_MESSAGE = (
    "downloaded file does not match the signed SHA-256; it was deleted. "
    "Try again later or contact the publisher"
)

Checkpoint = Callable[[str], None]
PartOpener = Callable[[Path], BinaryIO]


class DiskFullError(StorageError):
    """The disk (or the user's quota) filled up; the partial file was removed."""

    kind = "disk-full"


def _no_checkpoint(point: str) -> None:
    """Production default; tests pass a hook that kills the process at a named point."""


def open_part(path: Path) -> BinaryIO:
    """Open (creating, private) the partial file for reading and writing."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT | getattr(os, "O_BINARY", 0), 0o600)
    return os.fdopen(fd, "r+b")


def file_name_for(asset: Asset) -> str:
    """A safe local name from the URL's last segment (never a path, never hidden)."""
    segment = unquote(urlsplit(asset.url).path.rsplit("/", 1)[-1])
    name = _SAFE_NAME.sub("_", segment).lstrip(".")[:128]
    return name or f"download.{_SAFE_NAME.sub('_', asset.kind) or 'bin'}"


def hash_file(path: Path, chunk: int, limit: int | None = None) -> tuple[int, str]:
    """(size read, sha256 hex) of ``path``, reading at most ``limit`` bytes in chunks."""
    digest = hashlib.sha256()
    read = 0
    with open(path, "rb") as fh:
        while limit is None or read < limit:
            want = chunk if limit is None else min(chunk, limit - read)
            data = fh.read(want)
            if not data:
                break
            digest.update(data)
            read += len(data)
    return read, digest.hexdigest()


def verify_file(path: Path, asset: Asset, chunk: int = _MB) -> bool:
    """True when ``path`` has exactly the signed size and SHA-256 (read fresh from disk)."""
    try:
        if path.stat().st_size != asset.size:
            return False
        size, digest = hash_file(path, chunk, asset.size + 1)
    except OSError:
        return False
    return size == asset.size and digest == asset.sha256


@dataclass(frozen=True)
class PartialInfo:
    """The sidecar of a partial file: what it belongs to and how much of it is confirmed."""

    url: str
    size: int
    sha256: str
    validator: str  # the server's ETag or Last-Modified, echoed in If-Range
    done: int  # confirmed prefix length ("bytes" in the file); anything beyond is discarded

    def to_bytes(self) -> bytes:
        doc = {
            "url": self.url,
            "size": self.size,
            "sha256": self.sha256,
            "validator": self.validator,
            "bytes": self.done,
        }
        return json.dumps(doc, sort_keys=True).encode("utf-8")

    @classmethod
    def load(cls, path: Path) -> PartialInfo | None:
        """The sidecar, or None when missing or damaged (the partial is then discarded)."""
        try:
            doc = json.loads(path.read_bytes()[:4096])
            info = cls(
                url=doc["url"],
                size=doc["size"],
                sha256=doc["sha256"],
                validator=doc["validator"],
                done=doc["bytes"],
            )
        except (OSError, ValueError, KeyError, TypeError):
            return None
        types_ok = (
            isinstance(info.url, str)
            and isinstance(info.sha256, str)
            and isinstance(info.validator, str)
            and type(info.size) is int
            and type(info.done) is int
        )
        return info if types_ok else None


class _Meter:
    """Turns byte counts into throttled Progress reports with a smoothed rate and ETA."""

    def __init__(
        self,
        total: int,
        interval: float,
        clock: Callable[[], float],
        report: Callable[[Progress], None],
    ) -> None:
        self.total = total
        self.interval = interval
        self.clock = clock
        self.report = report
        self.rate = 0.0
        self._last_t: float | None = None
        self._last_done = 0

    def start(self, done: int) -> None:
        self._last_t = self.clock()
        self._last_done = done
        self.report(Progress(done, self.total, 0.0, None))

    def update(self, done: int, *, force: bool = False) -> None:
        now = self.clock()
        if self._last_t is None:
            self.start(done)
            return
        elapsed = now - self._last_t
        if not force and elapsed < self.interval:
            return
        if elapsed > 0:
            instant = (done - self._last_done) / elapsed
            self.rate = instant if self.rate == 0.0 else 0.3 * instant + 0.7 * self.rate
        self._last_t, self._last_done = now, done
        left = self.total - done
        eta = left / self.rate if self.rate > 0 else (0.0 if left <= 0 else None)
        self.report(Progress(done, self.total, self.rate, eta))


class _Overflow(TransportError):
    """The server sent more body than the signed size allows."""


class _DiskWriteFailed(TransportError):
    """Writing to the local disk failed; the sink keeps the OSError."""


@dataclass
class _AbortToken(CancelToken):
    """The caller's cancel plus our own abort switch.

    The sink stops a transfer by tripping this token instead of raising, so the transport
    ends it through its own cancel path and still reports the exchange for the ledger.
    """

    outer: CancelToken | None = None

    @property
    def cancelled(self) -> bool:
        return self._event.is_set() or (self.outer is not None and self.outer.cancelled)


class _PartSink:
    """BodySink that writes each chunk to the partial file and hashes it as it goes."""

    def __init__(
        self,
        fh: BinaryIO,
        digest: hashlib._Hash,
        *,
        offset: int,
        limit: int,
        meter: _Meter,
        abort: _AbortToken,
        checkpoint: Checkpoint,
    ) -> None:
        self.fh = fh
        self.digest = digest
        self.offset = offset
        self.limit = limit  # bytes this response may carry: signed size minus the offset
        self.meter = meter
        self.abort = abort
        self.checkpoint = checkpoint
        self.written = 0
        self.overflow = False
        self.disk_error: OSError | None = None
        self.failure: TransportError | None = None

    def write(self, chunk: bytes) -> None:
        if self.failure is not None:  # a transport that did not stop at the abort
            raise self.failure
        if self.written + len(chunk) > self.limit:
            self.overflow = True
            self._fail(_Overflow(f"the server sent more than the signed size ({self.limit})"))
            return
        try:
            self.fh.write(chunk)
        except OSError as exc:
            self.disk_error = exc
            self._fail(_DiskWriteFailed(f"could not write the download ({exc.strerror})"))
            return
        self.digest.update(chunk)
        self.written += len(chunk)
        self.checkpoint("chunk-written")
        self.meter.update(self.offset + self.written)

    def _fail(self, failure: TransportError) -> None:
        self.failure = failure
        self.abort.cancel()


@dataclass(frozen=True)
class _Restart:
    """The server's answer to a resume did not fit; discard the partial, start at zero."""

    why: str


def _status_error(exchange: Exchange, asset: Asset) -> TransportError:
    status = exchange.status
    reason = "".join(c for c in exchange.reason[:60] if c.isprintable())
    what = f"HTTP {status}{' ' + reason if reason else ''}"
    name = file_name_for(asset)
    if status in (404, 410):
        msg = f"the update file {name} was not found on the server ({what}); "
        msg += "try again later or contact the publisher"
    elif (status is not None and 500 <= status <= 599) or status == 429:
        msg = f"the download server could not send {name} ({what})"
        retry = exchange.header("Retry-After")
        if retry is not None:
            shown = "".join(c for c in retry.strip()[:40] if c.isprintable())
            unit = " seconds" if shown.isdigit() else ""
            msg += f"; it asks to try again after {shown}{unit}"
        else:
            msg += "; try again later"
    else:
        msg = f"the download server answered {what} for {name}; "
        msg += "try again later or contact the publisher"
    return TransportError(msg, exchange=exchange)


def _validator_of(exchange: Exchange, accepts: Callable[[str], bool]) -> str | None:
    """A strong ETag, else Last-Modified, if the allowlist lets us echo it in If-Range."""
    for name in ("ETag", "Last-Modified"):
        value = exchange.header(name)
        if value is not None and accepts(value.strip()):
            return value.strip()
    return None


class Downloader:
    """Downloads one signed asset at a time per asset (an inter-process lock per hash)."""

    def __init__(
        self,
        transport: Transport,
        allowlist: Allowlist,
        *,
        staging: Path,
        limits: Limits,
        proxy: ProxySpec | None,
        allowed_hosts: frozenset[str],
        on_exchange: Callable[[Exchange], None],
        clock: Callable[[], float] = time.monotonic,
        checkpoint: Checkpoint = _no_checkpoint,
        opener: PartOpener = open_part,
    ) -> None:
        self.transport = transport
        self.allowlist = allowlist
        self.staging = Path(staging)
        self.limits = limits
        self.proxy = proxy
        self.allowed_hosts = allowed_hosts
        self.on_exchange = on_exchange
        self.clock = clock
        self.checkpoint = checkpoint
        self.opener = opener

    # ------------------------------------------------------------------ paths

    def part_path(self, asset: Asset) -> Path:
        return self.staging / f"{asset.sha256}{PART_SUFFIX}"

    def sidecar_path(self, asset: Asset) -> Path:
        return self.staging / f"{asset.sha256}{SIDECAR_SUFFIX}"

    def final_path(self, asset: Asset) -> Path:
        return self.staging / asset.sha256 / file_name_for(asset)

    def lock_for(self, sha256: str) -> FileLock:
        return FileLock(
            self.staging / LOCK_DIR / f"{sha256}.lock",
            "another download of this update is in progress; wait for it to finish",
        )

    # ------------------------------------------------------------------ public

    def download(
        self,
        release: Release,
        asset: Asset,
        *,
        on_progress: Callable[[Progress], None],
        cancel: CancelToken | None = None,
    ) -> VerifiedFile:
        """Download, verify and stage ``asset``; a verified earlier copy is reused."""
        if not _SHA256.fullmatch(asset.sha256):
            raise VerificationError(
                "the signed feed gives no valid SHA-256 for this file; contact the publisher"
            )
        if asset.size < 0 or asset.size > self.limits.max_download_bytes:
            raise VerificationError(
                f"the update file is {asset.size} bytes, more than this client accepts "
                f"({self.limits.max_download_bytes} bytes); contact the publisher"
            )
        self._prepare_staging()
        with self.lock_for(asset.sha256):
            self._sweep_stale(keep=asset.sha256)
            self._sweep_own_temps(asset)
            final = self.final_path(asset)
            if final.exists():
                if verify_file(final, asset, self.limits.download_chunk):
                    self._discard(asset)  # a sidecar left by a kill right after the rename
                    on_progress(Progress(asset.size, asset.size, 0.0, 0.0))
                    return VerifiedFile(path=final, asset=asset, release=release)
                with contextlib.suppress(OSError):
                    final.unlink()
            path = self._fetch(asset, on_progress, cancel)
            return VerifiedFile(path=path, asset=asset, release=release)

    # ------------------------------------------------------------------ staging

    def _prepare_staging(self) -> None:
        for folder in (self.staging, self.staging / LOCK_DIR):
            try:
                folder.mkdir(parents=True, exist_ok=True, mode=0o700)
                os.chmod(folder, 0o700)
            except OSError as exc:
                raise StorageError(
                    f"cannot use the download folder {folder} ({exc.strerror or exc}); "
                    "check that it is writable and try again"
                ) from exc

    def _sweep_stale(self, keep: str) -> None:
        """Remove partials and temps a dead or abandoned download left behind."""
        sweep_temps(self.staging, older_than=min(self.limits.stale_partial_age, _TEMP_GRACE))
        now = time.time()
        for entry in list(self.staging.iterdir()):
            name = entry.name
            if name.endswith(SIDECAR_SUFFIX):
                sha = name[: -len(SIDECAR_SUFFIX)]
            elif name.endswith(PART_SUFFIX):
                sha = name[: -len(PART_SUFFIX)]
            else:
                continue
            try:
                age = now - entry.stat().st_mtime
            except OSError:
                continue
            if age < self.limits.stale_partial_age:
                continue
            if sha == keep:
                self._discard_paths(entry)
                continue
            try:
                with self.lock_for(sha):
                    self._discard_paths(entry)
            except UpdaterError:
                continue  # another process is downloading it right now

    def _discard_paths(self, *paths: Path) -> None:
        for path in paths:
            with contextlib.suppress(FileNotFoundError):
                path.unlink()

    def _discard(self, asset: Asset) -> None:
        self._discard_paths(self.sidecar_path(asset), self.part_path(asset))

    def _resume_point(self, asset: Asset) -> tuple[int, str | None]:
        """(confirmed bytes, validator) of a usable partial; anything else is discarded."""
        part, sidecar = self.part_path(asset), self.sidecar_path(asset)
        info = PartialInfo.load(sidecar)
        range_field = self.allowlist.get("range")
        if_range_field = self.allowlist.get("if_range")
        try:
            on_disk = part.stat().st_size
        except OSError:
            on_disk = -1
        usable = (
            info is not None
            and range_field is not None
            and if_range_field is not None
            and info.url == asset.url
            and info.size == asset.size
            and info.sha256 == asset.sha256
            and if_range_field.accepts(info.validator)
            and 0 < info.done < asset.size
            and on_disk >= info.done
        )
        if not usable or info is None:
            self._discard(asset)
            return 0, None
        return info.done, info.validator

    # ------------------------------------------------------------------ transfer

    def _fetch(
        self,
        asset: Asset,
        on_progress: Callable[[Progress], None],
        cancel: CancelToken | None,
    ) -> Path:
        offset, validator = self._resume_point(asset)
        self._check_free_space(asset, offset)
        meter = _Meter(asset.size, self.limits.progress_interval, self.clock, on_progress)
        outcome = self._attempt(asset, offset, validator, meter, cancel)
        if isinstance(outcome, _Restart):
            self._discard(asset)
            outcome = self._attempt(asset, 0, None, meter, cancel)
        if isinstance(outcome, _Restart):  # cannot happen from offset 0; fail closed anyway
            self._discard(asset)
            raise TransportError(f"the download server answered oddly ({outcome.why}); try again")
        return outcome

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

    def _request(self, asset: Asset, offset: int, validator: str | None) -> OutboundRequest:
        return build_download_request(
            self.allowlist,
            url=asset.url,
            proxy=self.proxy,
            max_body=asset.size - offset,
            resume_from=offset or None,
            if_range=validator,
        )

    def _attempt(
        self,
        asset: Asset,
        offset: int,
        validator: str | None,
        meter: _Meter,
        cancel: CancelToken | None,
    ) -> Path | _Restart:
        from glass_updater.transport.fetch import fetch

        request = self._request(asset, offset, validator)
        values: dict[str, str] = {}
        if offset:
            values["range"] = f"bytes={offset}-"
            if validator is not None:
                values["if_range"] = validator
        digest = hashlib.sha256()
        if offset:
            try:
                digest = _hash_prefix(self.part_path(asset), offset, self.limits.download_chunk)
            except OSError:
                self._discard(asset)
                return _Restart("the partial file could not be read back")
        if cancel is not None and cancel.cancelled:
            raise Cancelled("download cancelled")
        abort = _AbortToken(outer=cancel)
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
                self._discard(asset)
                raise self._storage_error(asset, exc) from exc
            sink = _PartSink(
                fh,
                digest,
                offset=offset,
                limit=asset.size - offset,
                meter=meter,
                abort=abort,
                checkpoint=self.checkpoint,
            )
            meter.start(offset)
            try:
                exchange = fetch(
                    self.transport,
                    self.allowlist,
                    request,
                    values,
                    allowed_hosts=self.allowed_hosts,
                    max_redirects=self.limits.max_redirects,
                    on_exchange=self.on_exchange,
                    sink=sink,
                    cancel=abort,
                )
                if sink.failure is not None:  # the last chunk failed; the transfer had ended
                    failure = sink.failure
                    raise type(failure)(failure.message, exchange=exchange)
            except (UpdaterError, OSError) as exc:
                return self._after_failure(asset, offset, validator, fh, sink, exc, cancel)
            verdict = self._judge(exchange, asset, offset, validator)
            if isinstance(verdict, _Restart):
                return verdict
            if verdict is not None:
                self._keep_or_discard(asset, offset, validator, fh, None)
                raise verdict
            if sink.overflow:
                self._discard(asset)
                raise VerificationError(self._overlong_message(asset))
            meter.update(offset + sink.written, force=True)
            total = offset + sink.written
            if total != asset.size or digest.hexdigest() != asset.sha256:
                self._discard(asset)
                raise VerificationError(self._mismatch_message(asset, total))
            try:
                fh.flush()
                os.fsync(fh.fileno())
            except OSError as exc:
                self._discard(asset)
                raise self._storage_error(asset, exc) from exc
        self.checkpoint("part-fsynced")
        return self._promote(asset)

    def _promote(self, asset: Asset) -> Path:
        """Rename the verified partial to its final name; the sidecar goes last."""
        final = self.final_path(asset)
        try:
            final.parent.mkdir(exist_ok=True, mode=0o700)
            os.chmod(final.parent, 0o700)
            os.replace(self.part_path(asset), final)
        except OSError as exc:
            self._discard(asset)
            raise self._storage_error(asset, exc) from exc
        fsync_dir(final.parent)
        fsync_dir(self.staging)
        self.checkpoint("replaced")
        self._discard_paths(self.sidecar_path(asset))
        return final

    def _judge(
        self, exchange: Exchange, asset: Asset, offset: int, validator: str | None
    ) -> TransportError | _Restart | None:
        """None when the response carries the bytes we asked for, else what to do."""
        status = exchange.status
        if offset == 0:
            return None if status == 200 else _status_error(exchange, asset)
        if status in (200, 416):
            return _Restart(f"HTTP {status} to a resume request")
        if status != 206:
            return _status_error(exchange, asset)
        expected = f"bytes {offset}-{asset.size - 1}/{asset.size}"
        got = " ".join((exchange.header("Content-Range") or "").split())
        if got != expected:
            return _Restart(f"Content-Range {got[:60]!r}, expected {expected!r}")
        if validator is not None:
            name = "ETag" if validator.startswith('"') else "Last-Modified"
            now = exchange.header(name)
            if now is not None and now.strip() != validator:
                return _Restart(f"the file changed on the server ({name})")
        return None

    def _after_failure(
        self,
        asset: Asset,
        offset: int,
        validator: str | None,
        fh: BinaryIO,
        sink: _PartSink,
        exc: BaseException,
        cancel: CancelToken | None,
    ) -> _Restart:
        """Classify an interrupted transfer: keep a resumable partial, or discard it."""
        if sink.disk_error is not None or (isinstance(exc, OSError) and _is_full(exc)):
            fh.close()
            self._discard(asset)
            err = sink.disk_error if sink.disk_error is not None else exc
            if isinstance(err, OSError) and _is_full(err):
                raise self._disk_full(asset, asset.size - offset) from exc
            raise self._storage_error(asset, err) from exc
        exchange = exc.exchange if isinstance(exc, TransportError) else None
        cancelled = sink.failure is None and (
            isinstance(exc, Cancelled) or bool(cancel and cancel.cancelled)
        )
        verdict: TransportError | _Restart | None = None
        if exchange is not None and exchange.status is not None:
            verdict = self._judge(exchange, asset, offset, validator)
        if isinstance(verdict, _Restart) and not cancelled:
            return verdict
        status_ok = exchange is not None and exchange.status is not None and verdict is None
        announced = (exchange.header("Content-Length") or "").strip() if exchange else ""
        too_long = (
            (announced.isdigit() and int(announced) > sink.limit)
            or sink.overflow
            or (exchange is not None and exchange.bytes_received > sink.limit)
        )
        overlong = status_ok and (too_long or sink.written >= sink.limit)
        if not cancelled and (overlong or sink.overflow):
            fh.close()
            self._discard(asset)
            raise VerificationError(self._overlong_message(asset)) from exc
        if verdict is not None and not isinstance(verdict, _Restart):
            self._keep_or_discard(asset, offset, validator, fh, None)
            raise verdict from exc
        new_validator = validator
        if status_ok and exchange is not None and offset == 0:
            if_range = self.allowlist.get("if_range")
            new_validator = (
                _validator_of(exchange, if_range.accepts) if if_range is not None else None
            )
        confirmed = sink.written if status_ok else 0
        kept = self._keep_or_discard(asset, offset + confirmed, new_validator, fh, offset)
        if cancelled:
            note = f"; it will resume from {kept // _MB} MB" if kept else ""
            raise Cancelled(f"download cancelled{note}") from exc
        if isinstance(exc, UpdaterError):
            raise exc
        raise TransportError(f"the download failed ({exc}); try again") from exc

    def _keep_or_discard(
        self,
        asset: Asset,
        confirmed: int,
        validator: str | None,
        fh: BinaryIO,
        fallback: int | None,
    ) -> int:
        """Trim the partial to its confirmed prefix and record it; returns bytes kept.

        ``fallback`` is the previously confirmed length, used when ``confirmed`` is 0 for a
        resume whose answer never started (the old sidecar then stays valid).
        """
        keep = confirmed if confirmed else (fallback or 0)
        if not keep or validator is None or keep >= asset.size:
            fh.close()
            self._discard(asset)
            return 0
        try:
            fh.flush()
            fh.truncate(keep)
            os.fsync(fh.fileno())
            fh.close()
            info = PartialInfo(asset.url, asset.size, asset.sha256, validator, keep)
            self._write_sidecar(asset, info.to_bytes())
        except OSError:
            fh.close()
            self._discard(asset)
            return 0
        self.checkpoint("sidecar-written")
        return keep

    def _write_sidecar(self, asset: Asset, data: bytes) -> None:
        """atomic_write_bytes, with the temp named after the asset, so the next run can
        remove a temp a killed process left, under this asset's lock, whatever its age."""
        fd, tmp = tempfile.mkstemp(prefix=self._temp_prefix(asset), dir=self.staging)
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            self.checkpoint("sidecar-temp-written")
            os.replace(tmp, self.sidecar_path(asset))
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
            raise
        fsync_dir(self.staging)

    def _temp_prefix(self, asset: Asset) -> str:
        return f"{TEMP_PREFIX}{asset.sha256}-"

    def _sweep_own_temps(self, asset: Asset) -> None:
        prefix = self._temp_prefix(asset)
        for entry in self.staging.iterdir():
            if entry.name.startswith(prefix):
                self._discard_paths(entry)

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


def _hash_prefix(path: Path, length: int, chunk: int) -> hashlib._Hash:
    """A running SHA-256 over the first ``length`` bytes, to continue hashing a resume."""
    digest = hashlib.sha256()
    left = length
    with open(path, "rb") as fh:
        while left > 0:
            data = fh.read(min(chunk, left))
            if not data:
                raise OSError(errno.EIO, "the partial download is shorter than recorded")
            digest.update(data)
            left -= len(data)
    return digest
