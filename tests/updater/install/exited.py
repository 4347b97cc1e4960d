"""What a fake ProcessRunner's ``start`` returns: a process that already exited (or not)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Exited:
    code: int | None
    pid: int = 4242

    def wait(self, timeout: float) -> int | None:
        return self.code
