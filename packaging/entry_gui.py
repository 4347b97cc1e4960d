"""PyInstaller entry point for the tray app (``glass-updater``)."""

from ui.app import main

raise SystemExit(main())
