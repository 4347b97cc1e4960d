"""Screen-reader announcements: the result of every check is spoken, not only shown.

``announce`` sends Qt's ``QAccessibleAnnouncementEvent`` (Qt 6.8+; AT-SPI, UIA and
NSAccessibility bridges speak it) and also puts the words in the window's accessible
description, so a screen reader that arrives later still finds them. Each announcement
is kept in ``ANNOUNCED`` (the last few) for tests and diagnostics.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

from PySide6.QtGui import QAccessible, QAccessibleAnnouncementEvent
from PySide6.QtWidgets import QWidget


@dataclass(frozen=True)
class Announcement:
    widget: QWidget
    message: str
    assertive: bool


ANNOUNCED: deque[Announcement] = deque(maxlen=20)


def announce(widget: QWidget, message: str, *, assertive: bool = False) -> None:
    """Speak ``message`` (politely, or interrupting with ``assertive``) for ``widget``."""
    widget.setAccessibleDescription(message)
    event = QAccessibleAnnouncementEvent(widget, message)
    event.setPoliteness(
        QAccessible.AnnouncementPoliteness.Assertive
        if assertive
        else QAccessible.AnnouncementPoliteness.Polite
    )
    QAccessible.updateAccessibility(event)
    ANNOUNCED.append(Announcement(widget, message, assertive))
