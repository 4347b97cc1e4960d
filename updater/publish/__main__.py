"""``python -m updater.publish`` is ``updater-publish``."""

from __future__ import annotations

import sys

from updater.publish.cli import main

sys.exit(main())
