"""One user-initiated update flow, driving any front end through the UserDriver.

The flow never blocks on a dialog: it shows something, returns, and continues when the
driver calls ``reply``. Every ``show_*`` and ``dismiss`` goes through the front end's
``run_in_front`` runner (its GUI thread, or inline); blocking work (network, disk) goes to
``run_in_background``, so a reply that arrives on a GUI thread never runs a download or a
write there. The thread and order contract is in ``glass_updater.driver``.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from glass_updater.driver import (
    Job,
    OfferFacts,
    Runner,
    UpdateChoice,
    UserDriver,
    run_inline,
)
from glass_updater.errors import BusyError, Cancelled, InternalError, UpdaterError
from glass_updater.ledger import LedgerEntry
from glass_updater.model import CheckResult, CheckStatus, InstallEffect, Progress, VerifiedFile
from glass_updater.settings import UserSettings
from glass_updater.updater import Updater
from glass_updater.wire_types import CancelToken, OutboundRequest

if TYPE_CHECKING:
    from glass_updater.install import HostApp

T = TypeVar("T")


class UpdateFlow:
    def __init__(
        self,
        updater: Updater,
        driver: UserDriver,
        *,
        run_in_background: Runner,
        host: HostApp,
        run_in_front: Runner = run_inline,
    ) -> None:
        self._updater = updater
        self._driver = driver
        self._run = run_in_background
        self._front = run_in_front
        self._host = host
        self._busy = threading.Lock()
        self.cancel = CancelToken()
        self._settings: UserSettings | None = None  # the running check's, read once
        self.result: CheckResult | None = None
        self.verified: VerifiedFile | None = None
        self.error: UpdaterError | None = None
        # The records of what the failed step sent (the error's "What was sent"), and of
        # a completed download: the check's own are in ``result.entries``.
        self.error_entries: tuple[LedgerEntry, ...] = ()
        self.download_entries: tuple[LedgerEntry, ...] = ()
        self.facts = OfferFacts()
        self.finished = threading.Event()
        self._run_id = 0  # guards from an earlier run never end a later one

    @property
    def running(self) -> bool:
        return self._busy.locked()

    def start(self) -> None:
        """Begin a check; a second start while one runs is told it is in progress."""
        if not self._begin():
            return
        try:
            self._updater.policy.refuse()  # first: a policy refusal before any read
            # Read once: the preview, the check and the offer all use this snapshot.
            self._settings = settings = self._updater.user_settings()
            request = self._updater.preview(settings)
            ask = settings.ask_before_check
        except UpdaterError as exc:
            self._fail(exc)
            return
        if ask:

            def send(ok: bool) -> None:
                self._confirmed(ok, request)

            confirm = self._reply(send)
            self._guarded(self._show)(
                lambda: self._driver.show_send_confirmation(request, confirm)
            )
        else:
            self._guarded(self._confirmed)(True, request)

    def start_import(self, path: Path) -> None:
        """Install from an offline bundle: verified like a check and a download, no socket.

        The same dialogs follow (update found, ready to install), so a user sees one flow.
        """
        if not self._begin():
            return
        cancel = self.cancel
        self._guarded(self._show)(lambda: self._driver.show_checking(cancel))
        if self.finished.is_set():  # the front end failed to show it: the run has ended
            return
        self._run(self._guarded(lambda: self._import(path)))

    def _begin(self) -> bool:
        """Take the run; False (the user told it is busy) while another run holds it."""
        if not self._busy.acquire(blocking=False):
            busy = BusyError("a check is already in progress; wait for it to finish")
            self._front(lambda: self._driver.show_error(busy, ()))
            return False
        if self._run_id:  # the first run keeps the flow's own token: a front end may have
            self.cancel = CancelToken()  # handed it to a canceller already (the CLI's signals)
        self._settings = None
        self.result = self.verified = self.error = None
        self.error_entries = self.download_entries = ()
        self.facts = OfferFacts()
        self._run_id += 1
        self.finished.clear()
        return True

    def _import(self, path: Path) -> None:
        try:
            result, verified = self._updater.import_bundle(path)
        except UpdaterError as exc:
            self._fail(exc)
            return
        self.result = result
        self.verified = verified
        if verified is None:
            self._show(lambda: self._driver.show_up_to_date(result))
            self._done()
        else:
            self._offer(result)

    # Each step below runs either on the background runner or right after a reply.

    def _confirmed(self, send: bool, request: OutboundRequest) -> None:
        if not send:
            self._done()
            return
        cancel = self.cancel
        self._show(lambda: self._driver.show_checking(cancel))
        self._run(self._guarded(lambda: self._check(request)))

    def _check(self, request: OutboundRequest) -> None:
        outcome = self._updater.check_outcome(
            cancel=self.cancel, request=request, settings=self._settings
        )
        if outcome.error is not None:
            self._fail(outcome.error, outcome.entries)
            return
        self.result = result = outcome.unwrap()
        if result.status is CheckStatus.UPDATE_AVAILABLE:
            self._offer(result)
        else:
            self._show(lambda: self._driver.show_up_to_date(result))
            self._done()

    def _offer(self, result: CheckResult) -> None:
        """On the background runner: look up what the offer's dialog says, then show it."""
        asset = result.asset
        settings = self._settings
        proxy = (
            self._quietly(lambda: self._updater.proxy_for(asset.url, settings)) if asset else None
        )
        self.facts = replace(self.facts, proxy=proxy.url if proxy is not None else None)
        chosen = self._reply(self._chosen)
        self._show(lambda: self._driver.show_update_found(result, chosen))

    def _chosen(self, choice: UpdateChoice) -> None:
        result = self.result
        assert result is not None and result.release is not None
        if choice is UpdateChoice.INSTALL:
            if self.verified is not None:  # imported from a bundle: already verified
                self._run(self._guarded(lambda: self._ready(self.verified)))
            else:
                self._run(self._guarded(self._download))
            return
        if choice is UpdateChoice.SKIP:
            version = result.release.version
            self._run(self._guarded(lambda: self._skip(version)))
            return
        self._done()  # NOT_NOW: nothing is stored, nothing will remind

    def _skip(self, version: str) -> None:
        try:
            self._updater.skip_version(version)
        except UpdaterError as exc:
            self._fail(exc)
            return
        self._done()

    def _download(self) -> None:
        assert self.result is not None
        cancel = self.cancel

        def progress(p: Progress) -> None:
            self._show(lambda: self._driver.show_download_progress(p, cancel))

        outcome = self._updater.download_outcome(self.result, progress, cancel)
        if outcome.error is not None:
            self._fail(outcome.error, outcome.entries)
            return
        self.verified = verified = outcome.unwrap()
        self.download_entries = outcome.entries
        self._ready(verified)

    def _ready(self, verified: VerifiedFile | None) -> None:
        """On the background runner: work out what Install will do here, then ask."""
        assert verified is not None
        effect = self._quietly(lambda: self._updater.install_effect(verified.asset))
        self.facts = replace(self.facts, effect=effect or InstallEffect.OPEN_INSTALLER)
        confirmed = self._reply(self._install_confirmed)
        self._show(lambda: self._driver.show_ready_to_install(verified, confirmed))

    def _install_confirmed(self, go: bool) -> None:
        if not go:
            self._done()
            return
        self._run(self._guarded(self._install))

    def _install(self) -> None:
        verified = self.verified
        assert verified is not None
        self._show(lambda: self._driver.show_installing(verified))
        try:
            self._updater.install(verified, self._host)
        except UpdaterError as exc:
            self._fail(exc)
            return
        self._done()

    # ------------------------------------------------------------------ plumbing

    def _show(self, call: Job) -> None:
        """Every driver call of a run goes through the front end's runner."""
        self._front(call)

    def _reply(self, step: Callable[[T], None]) -> Callable[[T], None]:
        """The reply handed to the driver: once only (a later call is ignored), guarded."""
        guarded = self._guarded(step)
        answered = threading.Lock()

        def reply(value: T) -> None:
            if answered.acquire(blocking=False):
                guarded(value)

        return reply

    @staticmethod
    def _quietly(lookup: Callable[[], T]) -> T | None:
        """A fact for the dialog only: if it cannot be looked up, the dialog says less (the
        download or install that needs it will say what is wrong)."""
        try:
            return lookup()
        except (UpdaterError, OSError):
            return None

    def _guarded(self, step: Callable[..., None]) -> Callable[..., None]:
        """Any unexpected exception still ends the flow: the error is shown, the lock freed.

        Without this, a bug or an unforeseen OSError in a background step would leave the
        front end on "Checking…" and every later check "already in progress".
        """

        run_id = self._run_id

        def run(*args: object) -> None:
            try:
                step(*args)
            except Exception as exc:
                if self.finished.is_set() or run_id != self._run_id:
                    raise
                self._fail(
                    InternalError(
                        f"unexpected error ({type(exc).__name__}: {exc}); nothing was "
                        "installed, try again, and report this if it happens again"
                    )
                )

        return run

    def _fail(self, exc: UpdaterError, entries: tuple[LedgerEntry, ...] = ()) -> None:
        """``entries``: the records of what the failed step sent before it failed."""
        self.error = exc
        self.error_entries = entries
        try:
            if not isinstance(exc, Cancelled):
                self._show(lambda: self._driver.show_error(exc, entries))
        finally:
            self._done()

    def _done(self) -> None:
        """Always ends the run: even a front end that raises cannot keep the lock held."""
        try:
            self._show(self._driver.dismiss)
        finally:
            self.finished.set()
            self._busy.release()
