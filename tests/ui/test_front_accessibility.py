"""The front (tray or fallback window), icons, keyboard use and accessible names."""

from __future__ import annotations

from pathlib import Path

from glass_updater.model import Progress
from glass_updater.qt.app import AppController
from glass_updater.qt.icons import SIZES, render_svg, svg_bytes, tray_icon
from glass_updater.qt.progress_dialogs import DownloadDialog
from glass_updater.wire_types import CancelToken
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QAbstractButton, QCheckBox, QLineEdit, QSystemTrayIcon, QWidget
from pytestqt.qtbot import QtBot

from tests.doubles import MockTransport
from tests.ui.conftest import AppHarness
from tests.ui.test_check_flow import TIMEOUT, click_check
from tests.ui.test_payload_panel import open_panel
from tests.ui.test_screenshots import pixel_variance
from tests.ui.test_settings_about import open_settings


def test_no_tray_means_fallback_window_with_same_actions(qtbot: QtBot, make_app) -> None:
    app: AppHarness = make_app()
    controller = AppController(app.controller.config, make_updater=app.controller.updater)
    assert not QSystemTrayIcon.isSystemTrayAvailable()  # offscreen has none
    controller.build_front()
    assert controller.tray is None and controller.front is not None
    qtbot.addWidget(controller.front)
    front = controller.front
    assert front.isVisible()
    assert list(front.buttons) == list(controller.actions_)
    assert [b.text() for b in front.buttons.values()] == [
        a.text() for a in controller.actions_.values()
    ]


def _interactive(root: QWidget) -> list[QWidget]:
    kinds = (QAbstractButton, QCheckBox, QLineEdit)
    return [
        w
        for w in root.findChildren(QWidget)
        if isinstance(w, kinds) and w.isVisibleTo(root) and not w.objectName().startswith("qt_")
    ]


def _named(widget: QWidget) -> bool:
    text = widget.text() if isinstance(widget, QAbstractButton) else ""
    return bool(widget.accessibleName() or text)


def test_controls_have_names_and_take_focus(qtbot: QtBot, make_app) -> None:
    app: AppHarness = make_app()
    panel = open_panel(qtbot, app)
    settings = open_settings(qtbot, app)
    for root in (app.controller.front, panel, settings):
        assert isinstance(root, QWidget)
        controls = _interactive(root)
        assert controls
        for w in controls:
            assert _named(w), f"{type(w).__name__} in {type(root).__name__} has no name"
            assert w.focusPolicy() & Qt.FocusPolicy.TabFocus, w.accessibleName()


def test_keyboard_starts_a_check(qtbot: QtBot, make_app) -> None:
    app: AppHarness = make_app()
    app.sim.add_release("1.0.0")
    button = app.controller.front.buttons["check"]  # type: ignore[union-attr]
    button.setFocus()
    with qtbot.waitSignal(
        app.driver.shown, timeout=TIMEOUT, check_params_cb=lambda k, _d: k == "up-to-date"
    ):
        qtbot.keyClick(button, Qt.Key.Key_Space)
    assert len(app.sim.requests) == 1


def test_double_check_brings_the_running_check_forward(qtbot: QtBot, make_app, sim) -> None:
    """Threat 39 in the UI: a second click while a check runs does not start another;
    the running check's dialog comes to the front instead of an "already checking" box."""
    sim.add_release("1.0.0")
    slow = MockTransport(sim.handler, held=True)
    app: AppHarness = make_app(transport=slow)
    checking = click_check(qtbot, app, "checking")
    qtbot.waitUntil(slow.entered.is_set, timeout=TIMEOUT)
    again = click_check(qtbot, app, "brought-to-front")
    assert again is checking and checking.isVisible()
    with qtbot.waitSignal(
        app.driver.shown, timeout=TIMEOUT, check_params_cb=lambda k, _d: k == "up-to-date"
    ):
        slow.release.set()
    assert len(sim.requests) == 1


def test_download_progress_text(qtbot: QtBot) -> None:
    token = CancelToken()
    dialog = DownloadDialog(token)
    qtbot.addWidget(dialog)
    dialog.set_progress(Progress(done=5_000_000, total=20_000_000,
                                 rate=1_000_000, eta=15.0), token)
    assert dialog.label.text() == "5.0 MB of 20.0 MB — 1.0 MB/s — about 15 s left"
    assert dialog.bar.value() == 250
    qtbot.mouseClick(dialog.cancel_button, Qt.MouseButton.LeftButton)
    assert token.cancelled and not dialog.cancel_button.isEnabled()


def test_tray_icons_render_crisply_in_both_schemes(tmp_path: Path) -> None:
    for name in ("tray-light.svg", "tray-dark.svg", "app-icon.svg"):
        data = svg_bytes(name)
        assert data.startswith(b"<?xml") and b"<script" not in data
        for size in SIZES:
            image = render_svg(data, size).toImage()
            assert (image.width(), image.height()) == (size, size)
            assert pixel_variance(image) > 0
    light = tray_icon(dark=False).pixmap(32, 32).toImage()
    dark = tray_icon(dark=True).pixmap(32, 32).toImage()
    assert light != dark
    # Light icon is dark ink (for light panels) and vice versa.
    assert _mean_ink(light) < _mean_ink(dark)


def _mean_ink(image: QImage) -> float:
    values = [
        image.pixelColor(x, y).lightness()
        for y in range(image.height())
        for x in range(image.width())
        if image.pixelColor(x, y).alpha() > 200
    ]
    return sum(values) / len(values)


def test_tray_front_where_a_tray_exists(qtbot: QtBot, make_app, monkeypatch) -> None:
    app: AppHarness = make_app()
    monkeypatch.setattr(QSystemTrayIcon, "isSystemTrayAvailable", staticmethod(lambda: True))
    controller = AppController(app.controller.config, make_updater=app.controller.updater)
    controller.build_front()
    assert controller.front is None and controller.tray is not None
    tray = controller.tray
    assert tray.contextMenu() is controller.menu
    assert not tray.icon().isNull()
    assert "nothing is sent until you check" in tray.toolTip()
    assert [a.text() for a in tray.contextMenu().actions() if not a.isSeparator()] == [
        "Check for Updates…", "Install from File…", "What Is Sent…", "Settings…",
        "About && Privacy", "Quit",
    ]
    tray.hide()
