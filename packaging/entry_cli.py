"""PyInstaller entry point for the command line (``updater``)."""

from updater.cli import main

raise SystemExit(main())
