"""The part sink: response body chunks -> the partial file, hashed as they are written.

This is the download's hot loop (one ``write`` per received chunk): check the signed-size
cap, write, hand the chunk to the hashing thread (``hashing``: the hash of one chunk
overlaps receiving and writing the next), report progress. A failure never raises
through the transport; it trips the abort token, so the transport ends the transfer
through its cancel path and still reports the exchange for the ledger.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import BinaryIO

from glass_updater.errors import DiskWriteFailed, Overflow, TransportError
from glass_updater.hashing import BackgroundSha256
from glass_updater.progress import ProgressMeter
from glass_updater.resume import Judgement, Verdict
from glass_updater.wire_types import CancelToken

Checkpoint = Callable[[str], None]
HeadHook = Callable[[int, tuple[tuple[str, str], ...]], Judgement]


@dataclass
class AbortToken(CancelToken):
    """The caller's cancel plus the sink's own abort switch."""

    outer: CancelToken | None = None

    @property
    def cancelled(self) -> bool:
        return self._event.is_set() or (self.outer is not None and self.outer.cancelled)


class PartSink:
    """BodySink that writes each chunk to the partial file and hashes it as it goes."""

    def __init__(
        self,
        fh: BinaryIO,
        digest: hashlib._Hash,
        *,
        offset: int,
        limit: int,
        meter: ProgressMeter,
        abort: AbortToken,
        checkpoint: Checkpoint,
        on_head: HeadHook,
    ) -> None:
        self.fh = fh
        self._hash = BackgroundSha256(digest)
        self.offset = offset
        self.limit = limit  # bytes this response may carry: signed size minus the offset
        self.meter = meter
        self.abort = abort
        self.checkpoint = checkpoint
        self.on_head = on_head
        self.head: Judgement | None = None  # set when the response head arrived
        self.written = 0
        self.overflow = False
        self.disk_error: OSError | None = None
        self.failure: TransportError | None = None

    def begin(self, status: int, headers: tuple[tuple[str, str], ...]) -> None:
        """The response head arrived: judge it (and write the resume record) first."""
        self.head = self.on_head(status, headers)
        if self.head.verdict is not Verdict.USE:
            self.abort.cancel()  # not our bytes: do not let them reach the partial

    def write(self, chunk: bytes) -> None:
        if self.failure is not None:  # a transport that did not stop at the abort
            raise self.failure
        if self.head is not None and self.head.verdict is not Verdict.USE:
            return  # a transport that did not stop at the abort: drop, never splice
        if self.written + len(chunk) > self.limit:
            self.overflow = True
            self._fail(Overflow(f"the server sent more than the signed size ({self.limit})"))
            return
        try:
            self.fh.write(chunk)
        except OSError as exc:
            self.disk_error = exc
            self._fail(DiskWriteFailed(f"could not write the download ({exc.strerror})"))
            return
        self._hash.update(chunk)
        self.written += len(chunk)
        self.checkpoint("chunk-written")
        self.meter.update(self.offset + self.written)

    def hexdigest(self) -> str:
        """The SHA-256 of the resumed prefix and every chunk written (waits for the hash)."""
        return self._hash.finish().hexdigest()

    def close(self) -> None:
        """Stop the hashing thread (at most a few chunks left to hash)."""
        self._hash.finish()

    def _fail(self, failure: TransportError) -> None:
        self.failure = failure
        self.abort.cancel()
