"""PyInstaller entry point for the tray app (``glass-updater``)."""

from glass_updater.helper import run_if_requested

run_if_requested()  # started as the install helper: install, relaunch, exit

from glass_updater.qt.app import main  # noqa: E402  (after the helper check, on purpose)

raise SystemExit(main())
