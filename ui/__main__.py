"""``python -m ui``: start the tray app."""

import sys

from ui.app import main

sys.exit(main())
