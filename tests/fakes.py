"""Fakes that implement the real protocols (UserDriver, HostApp), recording what happens."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from glass_updater.driver import UpdateChoice
from glass_updater.errors import UpdaterError
from glass_updater.ledger import LedgerEntry
from glass_updater.model import CheckResult, Progress, VerifiedFile
from glass_updater.wire_types import CancelToken, OutboundRequest


@dataclass
class RecordingDriver:
    """A UserDriver that records every show_* call and answers as scripted."""

    choice: UpdateChoice = UpdateChoice.INSTALL
    install: bool = True
    send: bool = True
    calls: list[str] = field(default_factory=list)
    errors: list[UpdaterError] = field(default_factory=list)
    error_entries: list[Sequence[LedgerEntry]] = field(default_factory=list)
    progress: list[Progress] = field(default_factory=list)
    confirmations: list[OutboundRequest] = field(default_factory=list)
    result: CheckResult | None = None
    verified: VerifiedFile | None = None
    on_progress: Callable[[Progress, CancelToken], None] | None = None
    dismissed: threading.Event = field(default_factory=threading.Event)
    # Where each call ran (every call, each progress too): ``where()`` at the call, e.g.
    # the thread, or whether the flow's front runner was running it.
    where: Callable[[], object] | None = None
    places: list[tuple[str, object]] = field(default_factory=list)

    def _at(self, call: str) -> None:
        if self.where is not None:
            self.places.append((call, self.where()))

    def show_send_confirmation(
        self, request: OutboundRequest, reply: Callable[[bool], None]
    ) -> None:
        self._at("send_confirmation")
        self.calls.append("send_confirmation")
        self.confirmations.append(request)
        reply(self.send)

    def show_checking(self, cancel: CancelToken) -> None:
        self._at("checking")
        self.calls.append("checking")

    def show_up_to_date(self, result: CheckResult) -> None:
        self._at("up_to_date")
        self.calls.append("up_to_date")
        self.result = result

    def show_update_found(
        self, result: CheckResult, reply: Callable[[UpdateChoice], None]
    ) -> None:
        self._at("update_found")
        self.calls.append("update_found")
        self.result = result
        reply(self.choice)

    def show_download_progress(self, progress: Progress, cancel: CancelToken) -> None:
        self._at("progress")
        if "progress" not in self.calls:
            self.calls.append("progress")
        self.progress.append(progress)
        if self.on_progress is not None:
            self.on_progress(progress, cancel)

    def show_ready_to_install(
        self, verified: VerifiedFile, reply: Callable[[bool], None]
    ) -> None:
        self._at("ready_to_install")
        self.calls.append("ready_to_install")
        self.verified = verified
        reply(self.install)

    def show_installing(self, verified: VerifiedFile) -> None:
        self._at("installing")
        self.calls.append("installing")

    def show_error(self, error: UpdaterError, entries: Sequence[LedgerEntry]) -> None:
        self._at("error")
        self.calls.append(f"error:{error.kind}")
        self.errors.append(error)
        self.error_entries.append(entries)

    def dismiss(self) -> None:
        self._at("dismiss")
        self.calls.append("dismiss")
        self.dismissed.set()


@dataclass
class FakeHost:
    """The application being updated."""

    allow_shutdown: bool = True
    shutdown_requested: bool = False

    def can_shut_down(self) -> bool:
        return self.allow_shutdown

    def request_shutdown(self) -> None:
        self.shutdown_requested = True

    def relaunch_argv(self) -> list[str]:
        return []


@dataclass
class RecordingLauncher:
    """Records argv instead of starting an installer."""

    launched: list[tuple[tuple[str, ...], bool]] = field(default_factory=list)

    def launch(self, argv: Sequence[str], *, detached: bool) -> None:
        self.launched.append((tuple(argv), detached))
