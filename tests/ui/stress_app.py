"""Runs the real tray app (``glass_updater.qt.app.main``) and, like a very patient user,
opens and closes every window many times, checks for updates now and then, then picks
Quit. The test asserts the process exits 0 (no "none_dealloc" abort, no crash).

    python stress_app.py CYCLES CHECK_EVERY -- APP ARGS...
"""

from __future__ import annotations

import sys
from collections.abc import Callable

from glass_updater.qt.app import FallbackWindow, main
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QWidget

Step = Callable[[FallbackWindow], bool]  # True: done, go to the next step


def pilot(cycles: int, check_every: int) -> None:
    state = {"cycle": 0, "step": 0, "opened": 0, "checks": 0}
    seen: dict[str, object] = {}

    def open_and_close(key: str, window: Callable[[FallbackWindow], QWidget | None]) -> list[Step]:
        def click(front: FallbackWindow) -> bool:
            seen[key] = window(front)
            front.buttons[key].click()
            return True

        def close(front: FallbackWindow) -> bool:
            shown = window(front)
            if shown is None or not shown.isVisible() or (
                shown is seen.get(key) and key != "payload"
            ):
                return False  # not there yet (settings and about load in the background)
            shown.close()
            state["opened"] += 1
            return True

        return [click, close]

    def check(front: FallbackWindow) -> bool:
        front.buttons["check"].click()
        return True

    def check_done(front: FallbackWindow) -> bool:
        controller = front.controller
        flow = controller._flow
        driver = controller._driver
        if flow is None or not flow.finished.is_set() or driver is None:
            return False
        shown = [d for d in driver.dialogs if d.isVisible()]
        if not shown:
            return False
        for dialog in shown:
            dialog.close()
        state["checks"] += 1
        return True

    def steps_for(cycle: int) -> list[Step]:
        steps = [
            *open_and_close("payload", lambda f: f.controller.panel),
            *open_and_close("settings", lambda f: f.controller.windows.get("settings")),
            *open_and_close("about", lambda f: f.controller.windows.get("about")),
        ]
        if cycle % check_every == 0:
            steps += [check, check_done]
        return steps

    plan = {"steps": steps_for(0)}

    def tick() -> None:
        front = next(
            (w for w in QApplication.topLevelWidgets() if isinstance(w, FallbackWindow)), None
        )
        if front is None:
            return
        if state["cycle"] >= cycles:
            timer.stop()
            print(f"stress: done {state['opened']} windows, {state['checks']} checks",
                  flush=True)
            front.controller.actions_["quit"].trigger()
            return
        steps = plan["steps"]
        if steps[state["step"]](front):
            state["step"] += 1
            if state["step"] == len(steps):
                state["step"] = 0
                state["cycle"] += 1
                plan["steps"] = steps_for(state["cycle"])

    timer = QTimer()
    timer.setInterval(0)
    timer.timeout.connect(tick)
    QTimer.singleShot(0, timer.start)
    pilot.timer = timer  # type: ignore[attr-defined]  # kept alive with the app


if __name__ == "__main__":
    cycles, check_every = int(sys.argv[1]), int(sys.argv[2])
    app_args = sys.argv[sys.argv.index("--") + 1 :]
    QApplication(["glass-updater"])
    pilot(cycles, check_every)
    raise SystemExit(main(app_args))
