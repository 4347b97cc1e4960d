"""What a check or a download came to, with the ledger records of what it sent.

Errors carry no records: the façade returns them beside the result or the error, so a
front end can link a failure to "What was sent" without the error knowing the ledger.
``unwrap()`` gives the raising style (``Updater.check()``/``download()``) to callers that
want exceptions.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

from glass_updater.errors import UpdaterError
from glass_updater.ledger import LedgerEntry

T = TypeVar("T")


@dataclass(frozen=True)
class Outcome(Generic[T]):
    """Exactly one of ``value`` and ``error`` is set; ``entries`` are the records of every
    request this operation sent, in order (empty when nothing was sent)."""

    value: T | None
    error: UpdaterError | None
    entries: tuple[LedgerEntry, ...] = ()

    def __post_init__(self) -> None:
        if (self.value is None) == (self.error is None):
            raise ValueError("an outcome holds either a value or an error")

    @property
    def ok(self) -> bool:
        return self.error is None

    def unwrap(self) -> T:
        """The value, or the error raised (with the traceback of where it happened)."""
        if self.error is not None:
            raise self.error
        assert self.value is not None
        return self.value
