"""The terminal as a front end: its UserDriver and HostApp, and signals as a cancel.

The command line is non-interactive: the driver answers every question the way the
command asked (``install`` installs, ``download`` stops after verifying).
"""

from __future__ import annotations

import contextlib
import signal
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from typing import TextIO

from glass_updater.cli_output import check_text
from glass_updater.config import PackagerConfig
from glass_updater.driver import UpdateChoice
from glass_updater.errors import UpdaterError
from glass_updater.ledger import LedgerEntry
from glass_updater.model import CheckResult, Progress, VerifiedFile
from glass_updater.wire_types import CancelToken, OutboundRequest


class TerminalDriver:
    """Prints to the terminal and answers as the command line asked (non-interactive)."""

    def __init__(self, out: TextIO, *, install: bool, quiet: bool = False) -> None:
        self._out = out
        self._install = install
        self._quiet = quiet
        self._tty = out.isatty()
        self._last_line = 0.0
        self.result: CheckResult | None = None
        self.verified: VerifiedFile | None = None
        self.error: UpdaterError | None = None

    def _say(self, text: str) -> None:
        if not self._quiet:
            self._out.write(text + "\n")
            self._out.flush()

    def show_send_confirmation(
        self, request: OutboundRequest, reply: Callable[[bool], None]
    ) -> None:
        reply(True)  # the user typed the command: that is the request to send

    def show_checking(self, cancel: CancelToken) -> None:
        self._say("Checking for updates…")

    def show_up_to_date(self, result: CheckResult) -> None:
        self.result = result
        self._say(f"Up to date: {result.reason}")

    def show_update_found(
        self, result: CheckResult, reply: Callable[[UpdateChoice], None]
    ) -> None:
        self.result = result
        assert result.release is not None
        crit = " (critical)" if result.critical else ""
        self._say(f"Update available{crit}: {result.reason}")
        reply(UpdateChoice.INSTALL)

    def show_download_progress(self, progress: Progress, cancel: CancelToken) -> None:
        if self._quiet:
            return
        pct = 100.0 * progress.done / progress.total if progress.total else 100.0
        eta = f"{progress.eta:.0f}s" if progress.eta is not None else "?"
        rate = f"{progress.rate / 1e6:.1f} MB/s"
        if self._tty:
            bar = "#" * int(pct / 4)
            self._out.write(f"\r[{bar:<25}] {pct:5.1f}%  {rate}  ETA {eta}   ")
            if progress.done >= progress.total:
                self._out.write("\n")
            self._out.flush()
        elif time.monotonic() - self._last_line >= 1.0 or progress.done >= progress.total:
            self._last_line = time.monotonic()
            self._say(f"downloaded {progress.done}/{progress.total} bytes ({pct:.0f}%, {rate})")

    def show_ready_to_install(
        self, verified: VerifiedFile, reply: Callable[[bool], None]
    ) -> None:
        self.verified = verified
        self._say(f"Verified (size and SHA-256 match the signed feed): {verified.path}")
        reply(self._install)

    def show_installing(self, verified: VerifiedFile) -> None:
        self._say(f"Handing {verified.path.name} to the installer; it runs once this command "
                  "has exited (its outcome: install-report.json in the state folder)…")

    def show_error(self, error: UpdaterError, entries: Sequence[LedgerEntry]) -> None:
        self.error = error

    def dismiss(self) -> None:
        return None


class CheckDriver(TerminalDriver):
    """``updater check``: quiet while checking, then what was sent and what was found.

    An update found is answered "not now": the check command never downloads.
    """

    def __init__(self, out: TextIO, config: PackagerConfig, *, quiet: bool = False) -> None:
        super().__init__(out, install=False, quiet=quiet)
        self._config = config

    def show_checking(self, cancel: CancelToken) -> None:
        return None

    def show_up_to_date(self, result: CheckResult) -> None:
        self.result = result
        if not self._quiet:
            check_text(result, self._config, self._out)

    def show_update_found(
        self, result: CheckResult, reply: Callable[[UpdateChoice], None]
    ) -> None:
        self.show_up_to_date(result)
        reply(UpdateChoice.NOT_NOW)


class TerminalHost:
    """The CLI is not the application being updated: it can always let go."""

    def can_shut_down(self) -> bool:
        return True

    def request_shutdown(self) -> None:
        return None

    def relaunch_argv(self) -> list[str]:
        return []  # nothing to start again: the user runs the command


class Interrupt:
    """SIGINT, SIGTERM and SIGHUP become a cancel, so an interrupted download keeps its
    resume record and the log lists the interrupted request; exit 128 + the signal number
    (130 for SIGINT, 143 for SIGTERM, 129 for SIGHUP).

    Only the first signal is turned into a cancel; a second one acts as usual (Ctrl-C
    twice stops at once).
    """

    def __init__(self) -> None:
        self.received: int | None = None
        self._tokens: list[Callable[[], CancelToken]] = []
        self._saved: dict[int, object] = {}

    @contextlib.contextmanager
    def catching(self) -> Iterator[None]:
        self.received = None
        self._tokens = []
        if threading.current_thread() is not threading.main_thread():
            yield  # signals are delivered to the main thread only
            return
        self._saved = {sig: signal.signal(sig, self._on_signal) for sig in _SIGNALS}
        try:
            yield
        finally:
            for sig, handler in self._saved.items():
                signal.signal(sig, handler)  # type: ignore[arg-type]

    def cancels(self, token: Callable[[], CancelToken]) -> None:
        """Cancel ``token()`` (looked up when the signal arrives) on SIGINT/SIGTERM."""
        self._tokens.append(token)
        if self.received is not None:
            token().cancel()

    def _on_signal(self, signum: int, frame: object) -> None:
        self.received = signum
        for sig in _SIGNALS:
            signal.signal(sig, signal.default_int_handler if sig == signal.SIGINT
                          else signal.SIG_DFL)
        for token in self._tokens:
            token().cancel()

    def exit_code(self, code: int) -> int:
        return 128 + self.received if self.received is not None and code != 0 else code


# SIGHUP: the terminal went away (logout, a closed window).
_SIGNALS = tuple(
    getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name)
)
INTERRUPT = Interrupt()


def reader_gone(out: TextIO) -> int:
    """``updater log | head``: the reader closed the pipe; stop quietly, like other tools."""
    import os

    # No error at exit's flush; an in-memory stream (tests) has nothing to redirect.
    with contextlib.suppress(OSError, ValueError):
        os.dup2(os.open(os.devnull, os.O_WRONLY), out.fileno())
    return 141  # what a shell reports for a command stopped by SIGPIPE
