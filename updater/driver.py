"""How the core asks a front end to show things (as Sparkle's SPUUserDriver).

The core never blocks on a dialog: each decision comes back through a ``reply`` callback,
which the front end may call from any thread, once.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Sequence
from typing import Protocol

from glass_updater.errors import UpdaterError
from glass_updater.ledger import LedgerEntry
from glass_updater.model import CheckResult, Progress, VerifiedFile
from glass_updater.wire_types import CancelToken, OutboundRequest


class UpdateChoice(enum.Enum):
    INSTALL = "install"
    SKIP = "skip"  # skip this version: stored locally, never sent
    NOT_NOW = "not-now"  # nothing is stored and nothing will remind: checks are asked for


class UserDriver(Protocol):
    def show_send_confirmation(
        self, request: OutboundRequest, reply: Callable[[bool], None]
    ) -> None:
        """Only with "ask before every check": show the exact bytes; reply True to send."""

    def show_checking(self, cancel: CancelToken) -> None: ...

    def show_up_to_date(self, result: CheckResult) -> None: ...

    def show_update_found(
        self, result: CheckResult, reply: Callable[[UpdateChoice], None]
    ) -> None: ...

    def show_download_progress(self, progress: Progress, cancel: CancelToken) -> None: ...

    def show_ready_to_install(
        self, verified: VerifiedFile, reply: Callable[[bool], None]
    ) -> None: ...

    def show_installing(self, verified: VerifiedFile) -> None: ...

    def show_error(self, error: UpdaterError, entries: Sequence[LedgerEntry]) -> None:
        """``entries`` are the ledger records of what was sent before the failure."""

    def dismiss(self) -> None:
        """The flow ended (after a result, an error or a user's choice)."""
