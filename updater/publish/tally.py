"""``updater-publish serve --tally``: how many distinct request shapes the server has seen.

A shape is the SHA-256 of a request's exact head bytes (request line, headers, blank
line) as the server read them. Every installation of one product and version sends the
same check bytes, so a fleet on one version shows ONE check shape; its SHA-256 is the
"check request sha256" that ``updater audit`` prints on each machine. A second shape for
the same version means some client sends something else — worth a look.

Only counts and digests are kept, never addresses or times.
"""

from __future__ import annotations

import hashlib
import json
import threading
from dataclasses import dataclass

TALLY_PATH = "/__tally"


@dataclass(frozen=True)
class Shape:
    sha256: str
    request_line: str  # for people: "GET /demo-app/feed.json?product=…&version=… HTTP/1.1"
    count: int


class RequestTally:
    """Thread-safe counts of request heads by SHA-256."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts: dict[str, int] = {}
        self._lines: dict[str, str] = {}

    def add(self, head: bytes) -> Shape | None:
        """Count one request; returns the shape when it is new (the first of its kind)."""
        digest = hashlib.sha256(head).hexdigest()
        line = head.split(b"\r\n", 1)[0].decode("ascii", "backslashreplace")[:200]
        with self._lock:
            new = digest not in self._counts
            self._counts[digest] = self._counts.get(digest, 0) + 1
            self._lines.setdefault(digest, line)
            return Shape(digest, line, 1) if new else None

    def shapes(self) -> tuple[Shape, ...]:
        with self._lock:
            return tuple(
                Shape(d, self._lines[d], n)
                for d, n in sorted(self._counts.items(), key=lambda item: -item[1])
            )

    @property
    def total(self) -> int:
        with self._lock:
            return sum(self._counts.values())

    def summary(self) -> str:
        shapes = self.shapes()
        lines = [f"tally: {len(shapes)} distinct request shape(s) in {self.total} request(s)"]
        lines += [f"  {s.count:>8}  sha256={s.sha256}  {s.request_line}" for s in shapes]
        return "\n".join(lines) + "\n"

    def to_json(self) -> bytes:
        doc = {
            "distinct": len(self.shapes()),
            "requests": self.total,
            "shapes": [
                {"sha256": s.sha256, "count": s.count, "request_line": s.request_line}
                for s in self.shapes()
            ],
        }
        return json.dumps(doc, indent=2).encode() + b"\n"
