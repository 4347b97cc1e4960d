"""Window helpers shared by every surface; light, so start-up can import them."""

from __future__ import annotations

from PySide6.QtCore import QPoint, QRect, QSize
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QWidget

MARGIN = 8  # between a window and the screen edge, and between two windows placed side by side


def available_area(window: QWidget) -> QRect:
    """The part of the window's screen not covered by panels and docks."""
    screen = window.screen() or QGuiApplication.primaryScreen()
    return screen.availableGeometry() if screen is not None else QRect(0, 0, 1024, 768)


UNDECORATED = QSize(16, 40)  # room for a title bar and borders not yet added by the WM


def frame_of(window: QWidget) -> tuple[QSize, bool]:
    """The window manager's frame around ``window``, and whether it is only a guess.

    Just after ``show()`` an X11 window manager has not framed the window yet, and a
    ``move()`` then places the inside of the window, not its title bar (found under
    openbox: the panel opened at y=8 with its title bar above the screen).
    """
    frame = window.frameGeometry().size() - window.geometry().size()
    if frame.isEmpty() and QGuiApplication.platformName() not in ("offscreen", "minimal"):
        return UNDECORATED, True
    return frame, False


def fit_to_screen(window: QWidget) -> None:
    """Never larger than the available area: shrink (and lower the minimum) to fit, move in.

    At 2× scaling a 460-pixel-high dialog needs 920 device pixels; on a 1280×800 screen
    its buttons would be off-screen, so the layout gets less room and scrolls instead.
    """
    area = available_area(window)
    frame, guessed = frame_of(window)
    room = QSize(
        max(120, area.width() - 2 * MARGIN - frame.width()),
        max(80, area.height() - 2 * MARGIN - frame.height()),
    )
    minimum = window.minimumSize()
    if minimum.width() > room.width() or minimum.height() > room.height():
        window.setMinimumSize(minimum.boundedTo(room))
    window.setMaximumSize(window.maximumSize().boundedTo(room))
    size = window.size().boundedTo(room)
    if size != window.size():
        window.resize(size)
    geo = window.frameGeometry()
    left = top = 0
    if guessed:
        if area.contains(geo):
            return  # not framed yet and inside: the window manager places it on the screen
        left, top = frame.width() // 2, frame.height() - frame.width() // 2
        geo = QRect(geo.x() - left, geo.y() - top, geo.width() + frame.width(),
                    geo.height() + frame.height())
    x = min(max(geo.x(), area.left() + MARGIN), area.right() - MARGIN - geo.width() + 1)
    y = min(max(geo.y(), area.top() + MARGIN), area.bottom() - MARGIN - geo.height() + 1)
    if (x, y) != (geo.x(), geo.y()):
        window.move(max(area.left(), x) + left, max(area.top(), y) + top)


def beside(anchor: QRect, size: QSize, area: QRect, min_width: int = 480) -> QRect:
    """Where a window of ``size`` goes so that it does not cover ``anchor``, if it can.

    Right of the anchor, else left, else below, else above; if none fits at full size, the
    wider side with the window narrowed to the room there (not below ``min_width``);
    otherwise the corner of the area farthest from the anchor (then the anchor is raised).
    """
    w, h = min(size.width(), area.width()), min(size.height(), area.height())
    top = min(max(anchor.top(), area.top()), area.bottom() - h + 1)
    left = min(max(anchor.left(), area.left()), area.right() - w + 1)
    candidates = (
        QRect(anchor.right() + 1 + MARGIN, top, w, h),
        QRect(anchor.left() - MARGIN - w, top, w, h),
        QRect(left, anchor.bottom() + 1 + MARGIN, w, h),
        QRect(left, anchor.top() - MARGIN - h, w, h),
    )
    for rect in candidates:
        if area.contains(rect):
            return rect
    room_right = area.right() - anchor.right() - 2 * MARGIN
    room_left = anchor.left() - area.left() - 2 * MARGIN
    room = max(room_right, room_left)
    if room >= min_width:
        x = anchor.right() + 1 + MARGIN if room_right >= room_left else area.left() + MARGIN
        return QRect(x, top, min(w, room), h)
    right = anchor.center().x() < area.center().x()
    bottom = anchor.center().y() < area.center().y()
    x = area.right() - w + 1 if right else area.left()
    y = area.bottom() - h + 1 if bottom else area.top()
    return QRect(x, y, w, h)


def room_beside(anchor: QRect, size: QSize, area: QRect, min_width: int = 480) -> QPoint | None:
    """Where to move ``anchor`` so a window of ``size`` fits next to it, or None.

    None when ``beside`` already leaves the anchor uncovered, or when the screen is too
    narrow for both. Otherwise the anchor goes to the edge it is nearer, which leaves the
    other side at least ``min_width`` wide (on 1280×800 a centred update dialog otherwise
    leaves under 480 pixels on each side, and the panel would open behind it).
    """
    if not beside(anchor, size, area, min_width).intersects(anchor):
        return None
    if area.width() - anchor.width() - 3 * MARGIN < min_width:
        return None
    top = min(max(anchor.top(), area.top()), area.bottom() - anchor.height() + 1)
    if anchor.center().x() <= area.center().x():
        return QPoint(area.left() + MARGIN, top)
    return QPoint(area.right() - MARGIN - anchor.width() + 1, top)


def make_room_beside(anchor: QWidget, window: QWidget) -> None:
    """Move ``anchor`` aside if that lets ``window`` open next to it instead of over it."""
    point = room_beside(
        anchor.frameGeometry(), window.frameGeometry().size(), available_area(anchor)
    )
    if point is not None:
        anchor.move(point)


def place_beside(window: QWidget, anchor: QWidget) -> None:
    """Move (and if need be narrow) ``window`` so it leaves ``anchor`` visible."""
    frame, guessed = frame_of(window)
    inset = QPoint(frame.width() // 2, frame.height() - frame.width() // 2)
    anchor_frame, anchor_guessed = frame_of(anchor)
    if guessed and not anchor_guessed:  # the same window manager will frame it the same way
        frame = anchor_frame
        inset = anchor.geometry().topLeft() - anchor.frameGeometry().topLeft()
    full = window.geometry().size() + frame if guessed else window.frameGeometry().size()
    rect = beside(anchor.frameGeometry(), full, available_area(anchor))
    if rect.width() < full.width():
        window.resize(max(1, rect.width() - frame.width()), window.height())
    if guessed:  # not framed yet: a move places the inside; leave room for the title bar
        window.move(rect.topLeft() + inset)
    else:
        window.move(rect.topLeft())


def bring_to_front(window: QWidget) -> None:
    """Show and raise a window (raising is skipped where the platform cannot do it)."""
    window.show()
    fit_to_screen(window)
    if QGuiApplication.platformName() not in ("offscreen", "minimal"):
        window.raise_()
        window.activateWindow()
