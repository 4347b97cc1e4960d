"""Screenshots of the main surfaces (offscreen), saved to screenshots/ and checked non-blank.

Under Xvfb the same script runs in a subprocess with the xcb platform, when Xvfb exists.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from glass_updater.qt.app import FallbackWindow
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from tests.ui.conftest import AppHarness
from tests.ui.test_check_flow import click_check, wait_flow_done
from tests.ui.test_payload_panel import open_panel

ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "screenshots"
NOTES = """## What's new

- **Faster start-up**: the window opens in half the time.
- Fixed a crash when the disk was full.
- `Settings` now remembers the window size.

<script>alert('never runs')</script>
"""


def pixel_variance(image: QImage) -> float:
    """Variance of grey levels over a sample grid: 0 for a blank image."""
    image = image.convertToFormat(QImage.Format.Format_Grayscale8)
    values = [
        image.pixelColor(x, y).value()
        for y in range(0, image.height(), max(1, image.height() // 60))
        for x in range(0, image.width(), max(1, image.width() // 60))
    ]
    mean = sum(values) / len(values)
    return sum((v - mean) ** 2 for v in values) / len(values)


def save_shot(widget: QWidget, name: str, suffix: str = "offscreen") -> Path:
    SHOTS.mkdir(exist_ok=True)
    pixmap = widget.grab()
    path = SHOTS / f"{name}-{suffix}.png"
    assert pixmap.save(str(path), "PNG")
    image = QImage(str(path))
    assert image.width() >= 100 and image.height() >= 60
    assert pixel_variance(image) > 50, f"{path} looks blank"
    return path


def test_screenshot_fallback_window(qtbot: QtBot, make_app) -> None:
    app: AppHarness = make_app()
    front = app.controller.front
    assert isinstance(front, FallbackWindow)
    qtbot.waitExposed(front)
    save_shot(front, "fallback-window")


def test_screenshot_tray_menu(qtbot: QtBot, make_app) -> None:
    app: AppHarness = make_app()
    menu = app.controller.menu
    menu.adjustSize()
    texts = [a.text() for a in menu.actions() if not a.isSeparator()]
    assert texts == [
        "Check for Updates…", "Install from File…", "What Is Sent…", "Settings…",
        "About && Privacy", "Quit",
    ]
    save_shot(menu, "tray-menu")


def test_screenshot_update_dialog(qtbot: QtBot, make_app) -> None:
    app: AppHarness = make_app()
    app.sim.add_release("1.4.0", critical=True, notes=NOTES)
    dialog = click_check(qtbot, app, "update-found")
    qtbot.waitExposed(dialog)
    save_shot(dialog, "update-dialog")


def test_screenshot_payload_panel(qtbot: QtBot, make_app) -> None:
    app: AppHarness = make_app()
    panel = open_panel(qtbot, app)
    qtbot.waitExposed(panel)
    save_shot(panel, "payload-panel")
    app.sim.add_release("1.0.0")
    click_check(qtbot, app, "up-to-date")
    panel = open_panel(qtbot, app)
    panel.tabs.setCurrentIndex(1)
    save_shot(panel, "payload-panel-history")


XVFB_SCRIPT = """
import sys
from PySide6.QtWidgets import QApplication
app = QApplication(sys.argv)
assert app.platformName() == "xcb", app.platformName()
from tests.sim import FeedSimulator
from tests.ui.conftest import make_config
from tests.ui.test_screenshots import NOTES, save_shot
from glass_updater.qt.app import AppController
cfg = make_config(FeedSimulator())
controller = AppController(cfg, make_updater=lambda: None)
controller.build_front(force_window=True)
app.processEvents()
save_shot(controller.front, "fallback-window", "xvfb")
controller.menu.adjustSize()
save_shot(controller.menu, "tray-menu", "xvfb")
from tests.ui.test_notes_inert import _result
from glass_updater.qt.dialogs import UpdateDialog
dialog = UpdateDialog(_result(NOTES), "Demo App", lambda _c: None, lambda _i: None)
dialog.show()
app.processEvents()
save_shot(dialog, "update-dialog", "xvfb")
import tempfile
from pathlib import Path
from tests.doubles import MockTransport, no_network
from glass_updater.qt.payload_panel import PayloadPanel
from glass_updater.paths import Paths
from glass_updater.updater import Updater
updater = Updater(cfg, paths=Paths.under(Path(tempfile.mkdtemp())),
                  transport=MockTransport(no_network))
panel = PayloadPanel(lambda: updater, lambda job: job())
panel.open_at(None)
app.processEvents()
save_shot(panel, "payload-panel", "xvfb")
print("OK")
"""


@pytest.mark.skipif(shutil.which("xvfb-run") is None, reason="Xvfb is not installed")
def test_screenshots_under_xvfb() -> None:
    env = dict(os.environ, QT_QPA_PLATFORM="xcb", PYTHONPATH=str(ROOT))
    done = subprocess.run(
        ["xvfb-run", "-a", sys.executable, "-c", XVFB_SCRIPT],
        env=env, cwd=ROOT, capture_output=True, text=True, timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert "OK" in done.stdout


def test_screenshot_result_dialogs_settings_about(qtbot: QtBot, make_app) -> None:
    from datetime import timedelta

    from tests.sim import NOW
    from tests.ui.test_settings_about import open_settings

    app: AppHarness = make_app()
    app.sim.add_release("1.0.0")
    save_shot(click_check(qtbot, app, "up-to-date"), "up-to-date-dialog")
    wait_flow_done(qtbot, app)
    app.sim.expires = NOW - timedelta(days=2)
    app.sim.bump()
    save_shot(click_check(qtbot, app, "stale"), "stale-dialog")
    save_shot(open_settings(qtbot, app), "settings-dialog")
    app.controller.show_about()
    qtbot.waitUntil(lambda: "about" in app.controller.windows, timeout=10_000)
    save_shot(app.controller.windows["about"], "about-dialog")


def test_screenshot_send_confirmation_with_proxy(qtbot: QtBot, make_app) -> None:
    from glass_updater.settings import UserSettings

    app: AppHarness = make_app()
    app.sim.add_release("1.0.0")
    app.updater.settings.save(
        UserSettings(proxy="http://alice:s3cret@proxy.local:3128", ask_before_check=True)
    )
    dialog = click_check(qtbot, app, "confirm-send")
    qtbot.waitExposed(dialog)
    save_shot(dialog, "send-confirmation")
    dialog.reject()  # Cancel: nothing is sent
    wait_flow_done(qtbot, app)
    assert app.sim.requests == []
