"""``python -m glass_updater.publish`` is ``updater-publish``."""

from __future__ import annotations

import sys

from glass_updater.publish.cli import main

sys.exit(main())
