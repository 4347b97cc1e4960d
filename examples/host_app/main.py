"""Host App: a tiny PySide6 application that updates itself with Glass Updater.

It uses only the documented API (docs/packagers.md): ``glass_updater.load_config`` and
``glass_updater.qt.UpdateController``. It has its own ``ui/`` and ``resources/`` packages
on purpose: installed, Glass Updater lives entirely under ``glass_updater`` and never
shadows them.

    python main.py [--config config.toml]

Help ▸ Check for Updates… is the only way a check starts.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

APP_DIR = Path(__file__).resolve().parent


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="host-app", description=__doc__.splitlines()[0])
    parser.add_argument("--config", type=Path, default=APP_DIR / "config.toml",
                        help="the packager config (default: config.toml beside main.py)")
    parser.add_argument("--updated-from", type=int, metavar="PID",
                        help=argparse.SUPPRESS)  # set by our own relaunch after an update
    return parser.parse_args(argv)


def record(event: str, **fields: object) -> None:
    """Append one JSON line to $HOST_APP_EVENTS (a diagnostic log the tests read)."""
    path = os.environ.get("HOST_APP_EVENTS")
    if path:
        line = {"event": event, "pid": os.getpid(), "ppid": os.getppid(),
                "t": time.monotonic(), **fields}
        with open(path, "a", encoding="utf-8") as fh:
            fh.write(json.dumps(line) + "\n")


def process_gone(pid: int) -> bool:
    """True when ``pid`` has exited (no such process, or a zombie awaiting its parent)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return True
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] in ("Z", "X")


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    if args.updated_from is not None:
        record("previous", previous_pid=args.updated_from,
               previous_gone=process_gone(args.updated_from))

    from PySide6.QtWidgets import QApplication
    from ui.main_window import MainWindow  # this app's own ui package

    from resources import NAME, VERSION  # this app's own resources package

    app = QApplication.instance() or QApplication(sys.argv[:1])
    window = MainWindow(NAME, VERSION)

    from glass_updater.qt import UpdateController

    def relaunch_argv() -> list[str]:
        # The same main.py: after a tar.gz update it is the new version's file.
        return [sys.executable, str(APP_DIR / "main.py"), "--config", str(args.config),
                "--updated-from", str(os.getpid())]

    # ONE controller for the whole app; its actions go in the Help menu. Given the config
    # file's path, it reads it only when the user first picks an action (start-up stays
    # lean); a config error is then shown in one line, before anything is sent.
    updates = UpdateController(
        args.config,
        parent=window,
        can_quit=window.can_quit,      # unsaved text: the update waits
        quit=window.quit_for_update,   # close the window and leave the event loop
        relaunch_argv=relaunch_argv(),
    )
    window.help_menu.insertAction(window.about_action, updates.check_action)
    window.help_menu.insertAction(window.about_action, updates.import_action)  # offline bundle
    window.help_menu.insertAction(window.about_action, updates.payload_action)
    window.help_menu.insertSeparator(window.about_action)
    window.show()
    record("started", version=VERSION)
    code = app.exec()
    updates.shutdown()
    record("exiting", version=VERSION)
    return code


if __name__ == "__main__":
    sys.exit(main())
