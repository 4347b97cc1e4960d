"""PyInstaller entry point for the command line (``updater``)."""

from glass_updater.cli import main

raise SystemExit(main())
