"""PyInstaller entry point for the tray app (``glass-updater``)."""

from glass_updater.qt.app import main

raise SystemExit(main())
