"""``run_in_background`` for the flow and the panels: a private thread pool.

Kept apart from the dialogs so that start-up imports only QtCore for it.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable

from PySide6.QtCore import QObject, QThreadPool

Job = Callable[[], None]


class BackgroundRunner(QObject):
    """Runs jobs on worker threads, never the GUI thread; a failing job is recorded."""

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
            except BaseException:  # a bug in a job must not vanish silently
                text = traceback.format_exc()
                self.failures.append(text)
                self._log.error("background job failed:\n%s", text)

        self.pool.start(guarded)

    def wait(self, msecs: int = 5000) -> bool:
        return bool(self.pool.waitForDone(msecs))
