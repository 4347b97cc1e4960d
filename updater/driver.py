"""How the core asks a front end to show things: the UserDriver contract (as Sparkle's
SPUUserDriver), and the runner through which every call reaches the front end.

Threads. ``UpdateFlow`` makes every ``show_*`` and ``dismiss`` call through ONE runner
the front end supplies (``run_in_front``): Qt posts the call to its GUI thread, a terminal
or a test runs it inline, on whichever thread reached that step. A driver therefore never
marshals threads itself, and its methods are never called concurrently with each other.
A ``reply`` may be called from any thread (normally the front end's own), at most once; a
later call is ignored. Whatever blocks after a reply (network, disk) runs on the flow's
background runner, never on the thread that replied. Every method returns promptly: a
driver shows something and returns; it never waits for the user.

Order. One run of the flow is one of these sequences, and nothing follows ``dismiss``::

    start():        [show_send_confirmation]  (only with "ask before every check")
                      reply(False) -> dismiss
                    show_checking
                    then the OUTCOME below
    start_import(): show_checking, then the OUTCOME (no confirmation, no progress)

    OUTCOME:  show_up_to_date -> dismiss
            | show_error -> dismiss
            | show_update_found
                reply(NOT_NOW) -> dismiss
                reply(SKIP) -> dismiss               (a failed save: show_error -> dismiss)
                reply(INSTALL) -> show_download_progress*   (none for a bundle: verified)
                                  -> show_ready_to_install   (or show_error -> dismiss)
                    reply(False) -> dismiss
                    reply(True) -> show_installing -> dismiss (or show_error -> dismiss)

Cancel: ``CancelToken.cancel()`` may be called from any thread at any time (a Cancel
button, a signal, quitting). The run then ends with ``dismiss`` and no ``show_error``: the
user asked for it. A ``start`` while a run is in progress gets ``show_error(BusyError)``
and nothing else: no ``dismiss``, which belongs to the run in progress.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

from glass_updater.errors import UpdaterError
from glass_updater.ledger import LedgerEntry
from glass_updater.model import CheckResult, InstallEffect, Progress, VerifiedFile
from glass_updater.wire_types import CancelToken, OutboundRequest

Job = Callable[[], None]
# Runs a job: on a worker (``run_in_background``) or where the front end shows things
# (``run_in_front``). It may run the job now, on this thread, or queue it; never drop it.
Runner = Callable[[Job], None]


def run_inline(job: Job) -> None:
    """The runner for a terminal or a test: the caller's thread does the job, now."""
    job()


@dataclass(frozen=True)
class OfferFacts:
    """What a front end may say beside an offer, looked up on the background runner (they
    read settings and the disk) before the ``show_*`` that needs them."""

    proxy: str | None = None  # the download's proxy, as shown (no credentials); None: direct
    effect: InstallEffect = InstallEffect.OPEN_INSTALLER  # what Install will do here


class UpdateChoice(enum.Enum):
    INSTALL = "install"
    SKIP = "skip"  # skip this version: stored locally, never sent
    NOT_NOW = "not-now"  # nothing is stored and nothing will remind: checks are asked for


class UserDriver(Protocol):
    """What a front end implements; called as the module docstring says (thread, order)."""

    def show_send_confirmation(
        self, request: OutboundRequest, reply: Callable[[bool], None]
    ) -> None:
        """Only with "ask before every check", first: show the exact bytes of ``request``.

        reply(True): send it (``show_checking`` follows); reply(False): nothing is sent,
        ``dismiss`` follows.
        """

    def show_checking(self, cancel: CancelToken) -> None:
        """The check is under way (or a bundle is being verified). ``cancel`` stops it.

        Followed by exactly one of ``show_up_to_date``, ``show_update_found``,
        ``show_error``, or (cancelled) ``dismiss``.
        """

    def show_up_to_date(self, result: CheckResult) -> None:
        """Nothing to install; ``result.reason`` says why. ``dismiss`` follows."""

    def show_update_found(
        self, result: CheckResult, reply: Callable[[UpdateChoice], None]
    ) -> None:
        """An update is offered; ``result.release`` and ``result.asset`` are set.

        reply(INSTALL): download (``show_download_progress``...) then
        ``show_ready_to_install``; reply(SKIP) stores the skip locally; reply(NOT_NOW)
        stores nothing. SKIP and NOT_NOW end with ``dismiss``.
        """

    def show_download_progress(self, progress: Progress, cancel: CancelToken) -> None:
        """Called zero or more times while downloading; ``cancel`` stops the download (the
        partial file is kept for a resume). Followed by more progress,
        ``show_ready_to_install``, ``show_error`` or (cancelled) ``dismiss``."""

    def show_ready_to_install(
        self, verified: VerifiedFile, reply: Callable[[bool], None]
    ) -> None:
        """The file matched the signed size and SHA-256. reply(True): install
        (``show_installing`` follows); reply(False): keep the file, ``dismiss`` follows."""

    def show_installing(self, verified: VerifiedFile) -> None:
        """The installer is being started; ``dismiss`` (or ``show_error``) follows. The host
        app may be asked to quit meanwhile (``HostApp.request_shutdown``)."""

    def show_error(self, error: UpdaterError, entries: Sequence[LedgerEntry]) -> None:
        """The run failed; ``dismiss`` follows (except for ``BusyError``: see the module).

        ``entries`` are the ledger records of what was sent before the failure. Never
        called for a cancel.
        """

    def dismiss(self) -> None:
        """The run ended (after a result, an error, a cancel or a user's choice): close
        whatever shows progress. Called exactly once per run, last."""
