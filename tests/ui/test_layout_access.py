"""Issue 9, item 5: layout and access — screen-sized dialogs, crisp icons, keys in the
fallback window, every check result announced to screen readers."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from glass_updater.errors import Cause
from glass_updater.qt.access import ANNOUNCED
from glass_updater.qt.app import FallbackWindow
from glass_updater.qt.icons import ICONS, icon, render_svg, svg_bytes
from glass_updater.qt.windows import available_area
from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QAccessible, QImage
from pytestqt.qtbot import QtBot

from tests.doubles import MockTransport, refuse
from tests.ui.test_check_flow import TIMEOUT, click_check
from tests.ui.test_payload_panel import open_panel

ROOT = Path(__file__).resolve().parents[2]


def _described(widget: object) -> str:
    """The text Qt's accessibility interface gives a screen reader for ``widget``."""
    iface = QAccessible.queryAccessibleInterface(widget)  # type: ignore[arg-type]
    assert iface is not None and iface.isValid()
    return iface.text(QAccessible.Text.Description)


def test_every_check_result_is_announced(qtbot: QtBot, make_app) -> None:
    app = make_app()
    app.sim.add_release("1.0.0")
    ANNOUNCED.clear()
    dialog = click_check(qtbot, app, "up-to-date")
    last = ANNOUNCED[-1]
    assert last.widget is dialog and not last.assertive
    assert last.message.startswith("You're up to date (version 1.0.0)")
    assert _described(dialog) == last.message  # what a screen reader reads from Qt


def test_update_found_and_errors_are_announced(qtbot: QtBot, make_app, sim) -> None:
    app = make_app()
    app.sim.add_release("1.4.0")
    ANNOUNCED.clear()
    dialog = click_check(qtbot, app, "update-found")
    assert "Demo App 1.4.0 is available" in _described(dialog)
    dialog.reject()

    broken = make_app(transport=MockTransport(refuse("no route", cause=Cause.OFFLINE)))
    error = click_check(qtbot, broken, "error")
    assert ANNOUNCED[-1].assertive and ANNOUNCED[-1].widget is error
    assert _described(error).startswith("This computer could not reach the network.")


def test_fallback_window_has_ctrl_q_and_esc(qtbot: QtBot, make_app) -> None:
    app = make_app()
    front = app.controller.front
    assert isinstance(front, FallbackWindow)
    quits: list[str] = []
    quit_action = app.controller.actions_["quit"]
    quit_action.triggered.disconnect()
    quit_action.triggered.connect(lambda: quits.append("ctrl+q"))
    app.controller.quit = lambda: quits.append("close")  # type: ignore[method-assign]
    front.show()
    qtbot.waitExposed(front)
    front.activateWindow()
    qtbot.waitUntil(front.isActiveWindow, timeout=TIMEOUT)
    qtbot.keyClick(front, Qt.Key.Key_Q, Qt.KeyboardModifier.ControlModifier)
    assert quits == ["ctrl+q"]
    qtbot.keyClick(front, Qt.Key.Key_Escape)
    assert quits == ["ctrl+q", "close"] and not front.isVisible()


TRAY_QUIT_SCRIPT = """
import sys
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QApplication
app = QApplication(sys.argv[:1])
assert app.platformName() == "xcb", app.platformName()
# xcb has a Quit binding (offscreen has none, so only here can the test fail).
assert QKeySequence.keyBindings(QKeySequence.StandardKey.Quit)
from glass_updater.qt.app import AppController
from tests.sim import FeedSimulator
from tests.ui.conftest import make_config
controller = AppController(make_config(FeedSimulator()), make_updater=lambda: sys.exit(3))
quit_action = controller.actions_["quit"]
assert quit_action in controller.menu.actions()
assert quit_action.shortcut().isEmpty(), quit_action.shortcut().toString()
controller.build_front(force_window=True)  # no tray: the window takes Ctrl+Q
assert quit_action.shortcut().toString() == "Ctrl+Q", quit_action.shortcut().toString()
print("OK")
"""


def run_under_xvfb(script: str) -> None:
    """Run ``script`` on a real X server (xcb, no window manager); it prints OK when its
    own asserts held."""
    root = Path(__file__).resolve().parents[2]
    env = dict(os.environ, QT_QPA_PLATFORM="xcb", PYTHONPATH=str(root))
    done = subprocess.run(
        ["xvfb-run", "-a", sys.executable, "-c", script],
        env=env, cwd=root, capture_output=True, text=True, timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert "OK" in done.stdout


@pytest.mark.skipif(shutil.which("xvfb-run") is None, reason="Xvfb is not installed")
def test_tray_menu_shows_no_shortcut_it_cannot_honour() -> None:
    """Found under trayer: the tray menu said "Quit  Ctrl+Q" and Ctrl+Q did nothing there."""
    run_under_xvfb(TRAY_QUIT_SCRIPT)


UNFRAMED_SCRIPT = """
import sys
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QWidget
from glass_updater.qt.windows import MARGIN, UNDECORATED, available_area, bring_to_front
app = QApplication(sys.argv[:1])
assert app.platformName() == "xcb", app.platformName()
fresh = QWidget()
fresh.resize(400, 300)
bring_to_front(fresh)  # xvfb-run has no window manager: the frame is never known
assert not fresh.testAttribute(Qt.WidgetAttribute.WA_Moved), fresh.geometry()
lost = QWidget()
lost.resize(400, 300)
lost.move(-500, -500)
bring_to_front(lost)
area = available_area(lost)
top = UNDECORATED.height() - UNDECORATED.width() // 2
assert lost.geometry().top() >= area.top() + MARGIN + top, lost.geometry()
assert lost.geometry().left() >= area.left() + MARGIN, lost.geometry()
print("OK")
"""


@pytest.mark.skipif(shutil.which("xvfb-run") is None, reason="Xvfb is not installed")
def test_a_window_not_yet_framed_keeps_its_title_bar_on_screen() -> None:
    """Found under openbox: the panel opened at y=8 with its title bar above the screen."""
    run_under_xvfb(UNFRAMED_SCRIPT)


def test_windows_fit_the_available_screen_area(qtbot: QtBot, make_app) -> None:
    app = make_app()
    app.sim.add_release("1.4.0", notes="x\n\n" * 400)
    dialog = click_check(qtbot, app, "update-found")
    panel = open_panel(qtbot, app)  # asks for 860×620 on an 800×600 offscreen screen
    for window in (dialog, panel):
        area = available_area(window)
        assert area.contains(window.frameGeometry()), (window, window.frameGeometry(), area)
    dialog.reject()


FIT_SCRIPT = r"""
import json, sys
from datetime import UTC, datetime
from PySide6.QtWidgets import QApplication
from glass_updater.model import Asset, CheckResult, CheckStatus, Release
from glass_updater.reasons import Reason, Why
from glass_updater.qt.dialogs import MessageDialog, UpdateDialog
from glass_updater.qt.windows import available_area, bring_to_front

app = QApplication([])
asset = Asset("linux-x86_64", "appimage", "https://u.example/a", 12_345_678, "0" * 64)
release = Release("1.4.0", "stable", datetime(2026, 11, 20, tzinfo=UTC), True, (),
                  "# Notes\n\n" + "- a fix\n" * 300, (asset,))
result = CheckResult(CheckStatus.UPDATE_AVAILABLE, "1.0.0", Reason(Why.AVAILABLE, "1.4.0"), release,
                     asset, skipped=True)
out = []
for dialog in (
    UpdateDialog(result, "Demo App", lambda c: None, lambda e: None, unskip=lambda: None),
    MessageDialog(title="t", heading="The update server u.example refused the connection.",
                  body="", advice="Try again later.", details="x" * 500),
):
    bring_to_front(dialog)
    app.processEvents()
    area, geo = available_area(dialog), dialog.frameGeometry()
    buttons = dialog.buttons.geometry()
    out.append({"inside": area.contains(geo), "geo": [geo.x(), geo.y(), geo.width(),
                geo.height()], "area": [area.width(), area.height()],
                "buttons_visible": dialog.rect().contains(buttons),
                "scale": dialog.devicePixelRatioF()})
print(json.dumps(out))
"""


@pytest.mark.parametrize("scale", ["1", "2"])
def test_dialogs_fit_a_small_screen_at_2x(scale: str) -> None:
    """At 2× the offscreen 800×600 screen is 400×300 logical pixels: still all inside."""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "QT_SCALE_FACTOR": scale,
           "PYTHONPATH": str(ROOT)}
    proc = subprocess.run([sys.executable, "-c", FIT_SCRIPT], env=env, capture_output=True,
                          text=True, timeout=60, check=False)
    assert proc.returncode == 0, proc.stderr
    for shown in json.loads(proc.stdout.strip().splitlines()[-1]):
        assert shown["inside"], shown
        assert shown["buttons_visible"], shown
        assert shown["scale"] == float(scale)


def _difference(a: QImage, b: QImage) -> float:
    """Mean absolute difference per channel (0-255) between two same-sized images."""
    a = a.convertToFormat(QImage.Format.Format_RGBA8888)
    b = b.convertToFormat(QImage.Format.Format_RGBA8888)
    assert a.size() == b.size()
    da, db = bytes(a.constBits()), bytes(b.constBits())  # type: ignore[call-overload]
    return sum(abs(x - y) for x, y in zip(da, db, strict=True)) / len(da)


@pytest.mark.parametrize("dpr", [1.0, 2.0, 3.0])
def test_icons_are_crisp_at_every_scale(qtbot: QtBot, dpr: float) -> None:
    """Each size at 1×, 2×, 3× has as many device pixels as asked, drawn from a source at
    least that large, and looks like the SVG rendered at that very size (not upscaled)."""
    for name in ICONS:
        qicon = icon(name)
        largest = max(s.width() for s in qicon.availableSizes())
        for size in (16, 22, 32, 48):
            pixmap = qicon.pixmap(QSize(size, size), dpr)
            device = round(size * dpr)
            assert pixmap.width() == device and pixmap.height() == device, (name, size, dpr)
            assert largest >= device
            reference = render_svg(svg_bytes(f"{name}.svg"), device).toImage()
            assert _difference(pixmap.toImage(), reference) < 12.0, (name, size, dpr)
