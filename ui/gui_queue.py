"""The one queue to the GUI thread: a worker posts a job, the GUI thread runs it.

Every job a worker hands to the GUI (the UserDriver's ``show_*``, a loaded Settings
dialog, the host app's "can you quit?") goes through ONE queued signal, so they run in
the order they were posted. Connecting it touches Qt's enum namespace (~30 ms once), so
``wire`` waits for the user's first action, on the GUI thread, before any worker exists.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Signal, Slot

Job = Callable[[], None]


class GuiQueue(QObject):
    """Runs posted jobs on the thread this object lives on (the GUI thread)."""

    _posted = Signal(object)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._wired = False

    def wire(self) -> None:
        """Connect the queue (once); jobs posted before this are dropped, as no worker
        that could post one exists before the first action."""
        if not self._wired:
            from PySide6.QtCore import Qt

            self._posted.connect(self._run, Qt.ConnectionType.QueuedConnection)
            self._wired = True

    def post(self, fn: Job) -> None:
        """From any thread: run ``fn`` on the GUI thread, after what was posted before."""
        self._posted.emit(fn)

    @Slot(object)
    def _run(self, fn: Job) -> None:
        fn()
