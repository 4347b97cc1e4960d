"""The resume rules, as two pure functions: may a partial be continued, does an answer fit.

No I/O here: the Downloader gathers the facts (the resume record, the partial's length on
disk, the response head) and acts on the decision. Read a table top to bottom; the
first row that matches decides.

Before sending — :func:`plan_resume`:

====================================  =====================  ==============================
resume record (``<sha>.part.json``)   partial on disk        decision
====================================  =====================  ==============================
missing or unreadable                 any                    start at 0, discard partial
another URL, size or SHA-256          any                    start at 0, discard partial
Range/If-Range not allowed, or its    any                    start at 0, discard partial
validator may not be echoed
matches this asset                    missing or 0 bytes     start at 0, discard partial
matches this asset                    N > 0 bytes            resume at min(N, size - 1)
                                                             with Range + If-Range
====================================  =====================  ==============================

The length on disk is trusted, whatever the record says it had confirmed: a process
killed with ``kill -9`` cannot update its record, and a wrong byte anywhere (a lying
server, a planted partial) is caught by the final size and SHA-256 check, which deletes
the file so the next try starts clean. ``size - 1``: a complete partial (killed before
its rename) is re-asked for its last byte, never for an empty range.

When the response head arrives — :func:`judge_head`:

==========  =================  ===============================================  ========
asked from  status             Content-Range and validator                      verdict
==========  =================  ===============================================  ========
0           200                —                                                USE
0           anything else      —                                                FAIL
N > 0       206                exactly ``bytes N-(size-1)/size``, validator     USE
                               unchanged (or not repeated)
N > 0       206                anything else                                    RESTART
N > 0       200 or 416         — (the server ignored or refused the range)      RESTART
N > 0       anything else      —                                                FAIL
==========  =================  ===============================================  ========

USE: the body is the bytes asked for. RESTART: discard the partial and ask again from 0
(once per run): a resume is never spliced onto bytes of another version. FAIL: an HTTP
error; the partial and its record stay for a later try.
"""

from __future__ import annotations

import enum
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from glass_updater.limits import DEFAULT_LIMITS


@dataclass(frozen=True)
class PartialInfo:
    """The resume record: which file the partial belongs to, and the server's validator.

    Written as soon as the first response head arrives (so a killed download can resume),
    and refreshed with ``done`` (bytes on disk) when a transfer is interrupted.
    """

    url: str
    size: int
    sha256: str
    validator: str  # the server's ETag or Last-Modified, echoed in If-Range
    done: int  # bytes on disk when the record was last written (informative)

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
        """The record in ``path`` (read without following links), or None."""
        from glass_updater import safefs

        data = safefs.read_file(path, DEFAULT_LIMITS.max_record_bytes)
        return None if data is None else cls.from_bytes(data)

    @classmethod
    def from_bytes(cls, data: bytes) -> PartialInfo | None:
        """The record, or None when damaged (the partial is then discarded)."""
        try:
            doc = json.loads(data[: DEFAULT_LIMITS.max_record_bytes])
            info = cls(
                url=doc["url"],
                size=doc["size"],
                sha256=doc["sha256"],
                validator=doc["validator"],
                done=doc["bytes"],
            )
        except (ValueError, KeyError, TypeError, RecursionError):
            return None
        types_ok = (
            isinstance(info.url, str)
            and isinstance(info.sha256, str)
            and isinstance(info.validator, str)
            and type(info.size) is int
            and type(info.done) is int
        )
        return info if types_ok else None


@dataclass(frozen=True)
class ResumePlan:
    offset: int  # 0: start from the beginning (and discard any partial)
    validator: str | None  # echoed in If-Range when offset > 0
    why: str


def plan_resume(
    record: PartialInfo | None,
    on_disk: int | None,
    *,
    url: str,
    size: int,
    sha256: str,
    may_echo: Callable[[str], bool] | None,
) -> ResumePlan:
    """Where to start; ``may_echo`` is None when the allowlist has no Range/If-Range."""
    if record is None:
        return ResumePlan(0, None, "no resume record")
    if (record.url, record.size, record.sha256) != (url, size, sha256):
        return ResumePlan(0, None, "the record belongs to another file")
    if may_echo is None or not may_echo(record.validator):
        return ResumePlan(0, None, "the validator may not be sent back")
    if not on_disk or on_disk <= 0 or size <= 0:
        return ResumePlan(0, None, "nothing on disk")
    return ResumePlan(min(on_disk, size - 1), record.validator, "resume")


class Verdict(enum.Enum):
    USE = "use"
    RESTART = "restart"
    FAIL = "fail"


@dataclass(frozen=True)
class Judgement:
    verdict: Verdict
    why: str = ""


def judge_head(
    status: int | None,
    header: Callable[[str], str | None],
    *,
    offset: int,
    size: int,
    validator: str | None,
) -> Judgement:
    """Does this answer carry exactly the bytes asked for? (see the table above)."""
    if offset == 0:
        if status == 200:
            return Judgement(Verdict.USE)
        return Judgement(Verdict.FAIL, f"HTTP {status}")
    if status in (200, 416):
        return Judgement(Verdict.RESTART, f"HTTP {status} to a resume request")
    if status != 206:
        return Judgement(Verdict.FAIL, f"HTTP {status}")
    expected = f"bytes {offset}-{size - 1}/{size}"
    got = " ".join((header("Content-Range") or "").split())
    if got != expected:
        return Judgement(Verdict.RESTART, f"Content-Range {got[:60]!r}, expected {expected!r}")
    if validator is not None:
        name = "ETag" if validator.startswith('"') else "Last-Modified"
        now = header(name)
        if now is not None and now.strip() != validator:
            return Judgement(Verdict.RESTART, f"the file changed on the server ({name})")
    return Judgement(Verdict.USE)
