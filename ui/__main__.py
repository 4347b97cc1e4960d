"""``python -m glass_updater.qt``: start the tray app."""

import sys

from glass_updater.qt.app import main

sys.exit(main())
