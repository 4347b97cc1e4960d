"""Glass Updater core: a software-update client that sends only allowlisted fields.

This package never imports Qt; the front ends (``ui`` and the CLI) depend on it,
never the other way round.
"""

__version__ = "0.1.0"
