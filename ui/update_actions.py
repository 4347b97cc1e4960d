"""The controller's menu actions: what a host app puts in its Help menu, and the tray's menu.

One table, in menu order: the key (``UpdateController.actions_``, and the word a later
launch forwards, ``instance_protocol.MESSAGES``) and the words. Each action keeps its
place in the menu it is put in (no macOS application-menu role).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from glass_updater.qt import words as W
from PySide6.QtCore import QObject
from PySide6.QtGui import QAction

ACTIONS = (
    ("check", W.CHECK_FOR_UPDATES_MENU),
    ("import", W.INSTALL_FROM_FILE_MENU),
    ("payload", W.WHAT_IS_SENT_MENU),
    ("settings", W.UPDATE_SETTINGS_MENU),
    ("about", W.ABOUT_UPDATES_MENU),
)


def build_actions(owner: QObject, slots: Mapping[str, Callable[[], object]]) -> dict[str, QAction]:
    """The actions of ``ACTIONS``, owned by ``owner`` (words through its ``tr``), each
    triggering ``slots[key]``."""
    actions: dict[str, QAction] = {}
    for key, words in ACTIONS:
        action = QAction(owner.tr(words), owner)
        action.setMenuRole(QAction.MenuRole.NoRole)  # stays in the menu it is put in
        action.triggered.connect(slots[key])
        actions[key] = action
    return actions
