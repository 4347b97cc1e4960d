"""PyInstaller runtime hook: a frozen host app started as Glass Updater's install helper
(``<app> --glass-updater-helper --spec JSON``) runs the helper and exits before the app's
own code starts. Any other start returns at once and imports nothing."""

import sys

if len(sys.argv) > 1 and sys.argv[1] == "--glass-updater-helper":
    from glass_updater.helper import run_if_requested

    run_if_requested()
