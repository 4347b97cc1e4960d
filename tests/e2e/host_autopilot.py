"""Runs examples/host_app/main.py like a user would: Help ▸ Check for Updates…, then
"Download Update", then the install button — by finding the visible widgets, so the
example app itself carries no test hooks.

    python host_autopilot.py APP_DIR/main.py [app args...]
"""

from __future__ import annotations

import runpy
import sys
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QAbstractButton, QApplication, QMainWindow

CLICK = ("Download Update", "Install and Restart", "Quit and Open Installer")


def main() -> None:
    script = Path(sys.argv[1]).resolve()
    sys.argv = [str(script), *sys.argv[2:]]
    sys.path.insert(0, str(script.parent))  # as `python main.py` would
    app = QApplication([str(script)])
    done: set[str] = set()

    def step() -> None:
        for widget in QApplication.topLevelWidgets():
            if not widget.isVisible():
                continue
            if isinstance(widget, QMainWindow) and "check" not in done:
                for menu_action in widget.menuBar().actions():
                    menu = menu_action.menu()
                    for action in menu.actions() if menu else ():
                        if isinstance(action, QAction) and action.text() == "Check for Updates…":
                            done.add("check")
                            print("autopilot: Help ▸ Check for Updates…", flush=True)
                            action.trigger()
            for button in widget.findChildren(QAbstractButton):
                text = button.text()
                if text in CLICK and text not in done and button.isVisible():
                    done.add(text)
                    print(f"autopilot: {text}", flush=True)
                    button.click()

    timer = QTimer(app)
    timer.timeout.connect(step)
    timer.start(50)
    assert app is QApplication.instance()
    runpy.run_path(str(script), run_name="__main__")


if __name__ == "__main__":
    main()
