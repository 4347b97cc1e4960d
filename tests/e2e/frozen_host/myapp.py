"""A tiny host app, frozen by tests/e2e/test_pyinstaller_hook.py with plain
``pyinstaller myapp.py``: Help ▸ Check for Updates… through the public API.

    myapp CONFIG   -> checks (as if the user picked the menu item), prints what the
                      update dialog says, exits 0; exits 1 if no dialog showed up.
"""

import sys
from pathlib import Path

import glass_updater
from glass_updater import load_config
from glass_updater.qt import UpdateController
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QDialog, QLabel, QMainWindow


def main() -> int:
    app = QApplication(sys.argv[:1])
    window = QMainWindow()
    help_menu = window.menuBar().addMenu("&Help")
    updates = UpdateController(load_config(Path(sys.argv[1])))
    help_menu.addAction(updates.check_action)
    window.show()
    print(f"glass_updater {glass_updater.__version__}", flush=True)
    outcome = {"code": 1}

    def look() -> None:
        for widget in QApplication.topLevelWidgets():
            if isinstance(widget, QDialog) and widget.isVisible():
                texts = [label.text() for label in widget.findChildren(QLabel) if label.text()]
                if any(t.startswith(("Checking", "Cancelling")) for t in texts):
                    continue  # the progress dialog: wait for the answer
                print("dialog:", " | ".join(texts), flush=True)
                outcome["code"] = 0
                app.quit()

    poll = QTimer()
    poll.timeout.connect(look)
    poll.start(50)
    QTimer.singleShot(0, updates.check_action.trigger)  # the user picks the menu item
    QTimer.singleShot(60_000, app.quit)  # bounded: no dialog within a minute is a failure
    app.exec()
    updates.shutdown()
    return outcome["code"]


if __name__ == "__main__":
    sys.exit(main())
