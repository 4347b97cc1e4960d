"""``run_in_background`` for the flow and the panels: a private thread pool.

Kept apart from the dialogs so that start-up imports only QtCore for it.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable

from PySide6.QtCore import QObject, QThreadPool, Signal

Job = Callable[[], None]


class BackgroundRunner(QObject):
    """Runs jobs on worker threads, never the GUI thread; a failing job is recorded.

    ``failed`` carries a one-line message for the user (emitted from the worker thread;
    connected slots run on the GUI thread), so a save that hits a full disk is not silent.
    """

    failed = Signal(str)

    def __init__(self, parent: QObject | None = None, threads: int = 2) -> None:
        super().__init__(parent)
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(threads)
        self.failures: list[str] = []
        self._log = logging.getLogger(__name__)

    def __call__(self, job: Job) -> None:
        def guarded() -> None:
            try:
                job()
            except Exception as exc:  # a bug in a job must not vanish silently
                text = traceback.format_exc()
                self.failures.append(text)
                self._log.error("background job failed:\n%s", text)
                self.failed.emit(_one_line(exc))

        self.pool.start(guarded)

    def wait(self, msecs: int = 5000) -> bool:
        return bool(self.pool.waitForDone(msecs))


def _one_line(exc: Exception) -> str:
    from glass_updater.errors import UpdaterError, storage_error
    from glass_updater.qt import words as W

    if isinstance(exc, UpdaterError):
        return exc.message
    if isinstance(exc, OSError):
        return storage_error(exc, W.A_LOCAL_FILE).message
    return W.JOB_FAILED.format(kind=type(exc).__name__, error=exc)
