"""The single-instance protocol both backends speak: its words and its patience.

A leaf shared by ``single_instance`` (Unix socket) and ``single_instance_qt`` (named pipe),
so neither imports the other to agree on what a second launch may ask.
"""

from __future__ import annotations

MESSAGES = ("activate", "check", "quit", "payload", "settings", "about")
TIMEOUT_S = 2.0
MAX_LINE = 64  # longer than any message: a client sending more is dropped
