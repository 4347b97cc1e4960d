"""The host app's side of an install, for Qt: may it quit now, how to quit, how to relaunch.

The flow asks these questions from a worker thread; a Qt host answers on its GUI thread,
so ``QtHostApp`` carries each question there through the controller's queue
(``gui_queue``) and waits a bounded time for the answer.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence

from glass_updater.qt.gui_queue import Job
from PySide6.QtCore import QThread
from PySide6.QtWidgets import QApplication

ASK_TIMEOUT_S = 10.0  # a GUI thread that does not answer "can you quit?" in time: "no"


class QtHostApp:
    """``HostApp`` for a Qt application (see ``glass_updater.HostApp``).

    The flow asks from a worker thread; ``can_quit`` is run on the GUI thread (it may
    look at widgets, e.g. unsaved documents) and ``quit`` is posted there.
    """

    def __init__(
        self,
        post: Callable[[Job], None],
        *,
        quit: Callable[[], None] | None = None,
        can_quit: Callable[[], bool] | None = None,
        relaunch_argv: Sequence[str] | None = None,
    ) -> None:
        self._post = post
        self._quit = quit or quit_application
        self._can_quit = can_quit
        self._relaunch = None if relaunch_argv is None else list(relaunch_argv)

    def can_shut_down(self) -> bool:
        ask = self._can_quit
        if ask is None:
            return True
        if _on_gui_thread():
            return bool(ask())
        answered = threading.Event()
        answer: list[bool] = []

        def on_gui() -> None:
            try:
                answer.append(bool(ask()))
            finally:
                answered.set()

        self._post(on_gui)
        return answered.wait(ASK_TIMEOUT_S) and bool(answer and answer[0])

    def request_shutdown(self) -> None:
        self._post(self._quit)

    def relaunch_argv(self) -> list[str]:
        if self._relaunch is not None:
            return list(self._relaunch)
        from glass_updater.install import default_relaunch_argv

        return default_relaunch_argv()


def _on_gui_thread() -> bool:
    app = QApplication.instance()
    return app is not None and QThread.currentThread() is app.thread()


def quit_application() -> None:
    """The default way a Qt host quits (and the controller's ``quit`` after cancelling)."""
    app = QApplication.instance()
    if app is not None:
        app.quit()
