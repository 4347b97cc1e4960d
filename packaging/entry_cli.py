"""PyInstaller entry point for the command line (``updater``)."""

from glass_updater.helper import run_if_requested

run_if_requested()  # started as the install helper (`updater install`): install, exit

from glass_updater.cli import main  # noqa: E402  (after the helper check, on purpose)

raise SystemExit(main())
