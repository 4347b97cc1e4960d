"""Fixtures for the tray app: a real Updater over the feed simulator, and the controller.

The app's composition is the same as ``ui.app.main`` except the transport (a
MockTransport: over the feed simulator by default, or one a test configures) and the
clock; the front is always the fallback window, since the offscreen platform has no
system tray.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from glass_updater.config import PackagerConfig
from glass_updater.paths import Paths
from glass_updater.qt.app import AppController
from glass_updater.qt.driver import QtUserDriver
from glass_updater.transport.base import Transport
from glass_updater.updater import Updater
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from tests.sim import BASE_URL, FEED_PATH, NOW, PLATFORM, FeedSimulator


def make_config(sim: FeedSimulator, **overrides: object) -> PackagerConfig:
    values: dict[str, object] = dict(
        product_id="demo-app",
        product_name="Demo App",
        version="1.0.0",
        feed_url=BASE_URL + FEED_PATH,
        trusted_keys=(sim.public_key,),
        platform=PLATFORM,
        os_version="6.0",
        proxy="none",
    )
    values.update(overrides)
    return PackagerConfig(**values)  # type: ignore[arg-type]


@dataclass
class AppHarness:
    controller: AppController
    sim: FeedSimulator
    paths: Paths
    updater_box: list[Updater]

    @property
    def driver(self) -> QtUserDriver:
        return self.controller.driver()

    @property
    def updater(self) -> Updater:
        return self.controller.updater()


@pytest.fixture
def sim() -> FeedSimulator:
    return FeedSimulator()


@pytest.fixture
def make_app(
    qtbot: QtBot, tmp_path: Path, sim: FeedSimulator
) -> Iterator[Callable[..., AppHarness]]:
    made: list[AppController] = []

    def build(
        transport: Transport | None = None, policy_path: Path | None = None, **config: object
    ) -> AppHarness:
        paths = Paths.under(tmp_path / "state")
        cfg = make_config(sim, **config)
        box: list[Updater] = []
        policy = policy_path or tmp_path / "no-policy" / "policy.toml"

        def make_updater() -> Updater:
            updater = Updater(cfg, paths=paths, transport=transport or sim.transport,
                              clock=lambda: NOW, policy_path=policy)
            box.append(updater)
            return updater

        controller = AppController(cfg, make_updater=make_updater)
        controller.build_front(force_window=True)
        assert controller.front is not None
        qtbot.addWidget(controller.front)
        made.append(controller)
        return AppHarness(controller, sim, paths, box)

    yield build
    for controller in made:
        if controller._flow is not None:
            controller._flow.cancel.cancel()
        controller.runner.wait(10_000)
        QApplication.processEvents()  # deliver what workers queued, while windows exist
        assert not controller.runner.failures, controller.runner.failures
        driver = controller._driver
        for dialog in driver.dialogs if driver else []:
            dialog.hide()
            dialog.deleteLater()
        for window in [*controller.windows.values(), controller.panel]:
            if window is not None:
                window.hide()
                window.deleteLater()
