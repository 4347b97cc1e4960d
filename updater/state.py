"""Local state: the last accepted feed (the rollback floor) and the user's skip/remind.

Loading never raises: a truncated, garbage or deleted file gives an empty state, so the
check still works and the rollback floor falls back to "only newer than installed"
(``select_update`` never offers a downgrade). Saving is atomic (updater/atomic.py).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

from glass_updater import safefs
from glass_updater.atomic import atomic_write_bytes
from glass_updater.feed import TrustFloor
from glass_updater.limits import DEFAULT_LIMITS
from glass_updater.model import Feed
from packaging.version import InvalidVersion, Version

FORMAT = 1
_SHA256 = re.compile(r"^[0-9a-f]{64}$")


@dataclass(frozen=True)
class LocalState:
    last_serial: int | None = None
    last_digest: str | None = None
    skipped_version: str | None = None
    remind_after: datetime | None = None

    def accepted(self, feed: Feed) -> LocalState:
        """This state after ``feed`` was verified and accepted."""
        return replace(self, last_serial=feed.serial, last_digest=feed.digest)


def _decode(data: bytes) -> LocalState:
    doc = json.loads(data.decode("utf-8"))
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        return LocalState()
    serial = doc.get("last_serial")
    digest = doc.get("last_digest")
    skipped = doc.get("skipped_version")
    remind = doc.get("remind_after")
    if serial is not None and (
        isinstance(serial, bool) or not isinstance(serial, int) or serial < 0
    ):
        return LocalState()
    if digest is not None and (not isinstance(digest, str) or not _SHA256.fullmatch(digest)):
        return LocalState()
    if serial is None and digest is not None:
        return LocalState()
    if skipped is not None:
        if not isinstance(skipped, str):
            return LocalState()
        try:
            Version(skipped)
        except InvalidVersion:
            skipped = None
    remind_at: datetime | None = None
    if isinstance(remind, str) and remind.isascii():
        try:
            remind_at = datetime.fromisoformat(remind)
        except ValueError:
            remind_at = None
        if remind_at is not None and remind_at.tzinfo is None:
            remind_at = remind_at.replace(tzinfo=UTC)
    return LocalState(serial, digest, skipped, remind_at)


class StateStore:
    """One JSON file, written atomically with mode 0600."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)

    def load(self) -> LocalState:
        """A planted link, FIFO or foreign file raises UnsafeFileError (never followed)."""
        try:
            data = safefs.read_file(self.path, DEFAULT_LIMITS.max_state_bytes)
            if data is None or len(data) > DEFAULT_LIMITS.max_state_bytes:
                return LocalState()
            return _decode(data)
        except (OSError, ValueError, TypeError, RecursionError, OverflowError):
            return LocalState()

    def save(self, state: LocalState) -> None:
        """Atomic: a crash leaves the old file or the new one. OSError propagates."""
        doc = {
            "format": FORMAT,
            "last_serial": state.last_serial,
            "last_digest": state.last_digest,
            "skipped_version": state.skipped_version,
            "remind_after": state.remind_after.isoformat() if state.remind_after else None,
        }
        safefs.ensure_dir(self.path.parent)
        atomic_write_bytes(self.path, (json.dumps(doc, indent=2) + "\n").encode(), 0o600)

    @staticmethod
    def floor(state: LocalState) -> TrustFloor | None:
        if state.last_serial is None:
            return None
        return TrustFloor(state.last_serial, state.last_digest)
