"""The PySide6 front end: a tray icon (or a small window) over the ``updater`` core."""
