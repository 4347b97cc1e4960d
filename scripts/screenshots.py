"""Screenshots of every dialog, as a user sees them: real X server, window manager, tray.

Run by scripts/screenshots.sh (Xvfb + openbox + trayer, QT_QPA_PLATFORM=xcb), once at 1×
and once at 2× (QT_SCALE_FACTOR=2). Each window is shown through the app's own code path
where one exists, then captured from the root window with ImageMagick's ``import`` so the
window manager's frame is in the picture. The feed is the test simulator: nothing leaves
the machine.

    python scripts/screenshots.py OUT_DIR SUFFIX
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from glass_updater.errors import Cause, TransportError  # noqa: E402
from glass_updater.paths import Paths  # noqa: E402
from glass_updater.qt.app import AppController  # noqa: E402
from glass_updater.settings import UserSettings  # noqa: E402
from glass_updater.updater import Updater  # noqa: E402
from glass_updater.wire_types import Exchange, OutboundRequest  # noqa: E402
from PySide6.QtCore import QPoint  # noqa: E402
from PySide6.QtWidgets import QApplication, QWidget  # noqa: E402

from tests.doubles import MockTransport, Response  # noqa: E402
from tests.sim import NOW, FeedSimulator  # noqa: E402
from tests.ui.conftest import make_config  # noqa: E402

NOTES = """## What's new in 1.4.0

- **Faster start-up**: the window opens in half the time.
- Fixed a crash when the disk was full.
- `Settings` now remembers the window size.

<script>alert('shown as text, never run')</script>
"""


class Switchable:
    """The simulator, or a failure chosen for the next send (to show each error)."""

    def __init__(self, sim: FeedSimulator) -> None:
        self.sim = sim
        self.fail: TransportError | None = None

    def handler(self, request: OutboundRequest) -> Response:
        if self.fail is not None:
            error, self.fail = self.fail, None
            exchange = Exchange(request, (), None, error=error.message)
            raise TransportError(error.message, exchange=exchange, cause=error.cause,
                                 host=error.host)
        return self.sim.handler(request)


def pump(seconds: float = 0.4) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        QApplication.processEvents()
        time.sleep(0.02)


def wait_for(predicate, seconds: float = 15.0) -> None:  # type: ignore[no-untyped-def]
    end = time.monotonic() + seconds
    while not predicate():
        if time.monotonic() > end:
            raise SystemExit("screenshots: timed out waiting for a window")
        QApplication.processEvents()
        time.sleep(0.02)


class Shooter:
    def __init__(self, out: Path, suffix: str) -> None:
        self.out = out
        self.suffix = suffix
        out.mkdir(parents=True, exist_ok=True)
        self.taken: list[Path] = []

    def window(self, widget: QWidget, name: str) -> Path:
        """The window with its frame, from the root window (what is really on screen)."""
        widget.raise_()
        widget.activateWindow()
        pump(0.6)
        scale = widget.devicePixelRatioF()
        geo = widget.frameGeometry()
        x, y = round(geo.x() * scale), round(geo.y() * scale)
        w, h = round(geo.width() * scale), round(geo.height() * scale)
        return self._import(f"{w}x{h}+{x}+{y}", name)

    def area(self, x: int, y: int, w: int, h: int, name: str) -> Path:
        return self._import(f"{w}x{h}+{x}+{y}", name)

    def _import(self, crop: str, name: str) -> Path:
        path = self.out / f"{name}-{self.suffix}.png"
        subprocess.run(["import", "-window", "root", "-crop", crop, "+repage", str(path)],
                       check=True)
        self.taken.append(path)
        print(path, flush=True)
        return path


def shown(controller: AppController, kind: str):  # type: ignore[no-untyped-def]
    box: list[object] = []
    driver = controller.driver()

    def record(k: str, dialog: object) -> None:
        if k == kind:
            box.append(dialog)

    driver.shown.connect(record)
    return box


def main() -> int:
    out, suffix = Path(sys.argv[1]), sys.argv[2]
    app = QApplication(["glass-updater"])
    app.setApplicationName("Glass Updater")
    app.setQuitOnLastWindowClosed(False)
    shoot = Shooter(out, suffix)
    state = Path(tempfile.mkdtemp())
    sim = FeedSimulator()
    switch = Switchable(sim)
    transport = MockTransport(switch.handler)
    cfg = make_config(sim, install_command=("/bin/true", "{file}"))

    def make_updater() -> Updater:
        return Updater(cfg, paths=Paths.under(state), transport=transport, clock=lambda: NOW)

    controller = AppController(cfg, make_updater=make_updater)
    controller.build_front()  # the tray (trayer) when there is one
    pump(1.0)
    screen = app.primaryScreen().geometry()
    scale = app.primaryScreen().devicePixelRatio()

    def check(kind: str):  # type: ignore[no-untyped-def]
        box = shown(controller, kind)
        controller.check_now()
        wait_for(lambda: bool(box))
        dialog = box[0]
        wait_for(dialog.isVisible)
        pump(0.3)
        return dialog

    def finish() -> None:
        flow = controller._flow
        wait_for(lambda: flow is None or flow.finished.is_set())

    # The tray and its menu.
    if controller.tray is not None:
        menu = controller.menu
        menu.popup(QPoint(screen.width() - 260, 30))
        pump(0.8)
        geo = menu.geometry()
        shoot.area(round((geo.x() - 40) * scale), 0, round((geo.width() + 60) * scale),
                   round((geo.bottom() + 10) * scale), "tray-menu")
        menu.hide()
        pump(0.2)

    # The fallback window (desktops without a tray).
    from glass_updater.qt.app import FallbackWindow

    front = FallbackWindow(controller)
    front.show()
    wait_for(front.isVisible)
    shoot.window(front, "fallback-window")
    front.hide()

    # Up to date.
    sim.add_release("1.0.0")
    dialog = check("up-to-date")
    shoot.window(dialog, "up-to-date")
    finish()

    # Update found, with notes and the download's size and host.
    sim.add_release("1.4.0", critical=True, notes=NOTES)
    sim.bump()
    dialog = check("update-found")
    shoot.window(dialog, "update-available")
    # What Was Sent… opens beside it; the dialog stays in view.
    dialog.what_was_sent.click()
    wait_for(lambda: controller.panel is not None and controller.panel.isVisible())
    pump(0.8)
    shoot.area(0, 0, round(screen.width() * scale), round(screen.height() * scale),
               "what-was-sent-beside-update")
    panel = controller.panel
    # The panel previews the download before any byte of it.
    panel.tabs.setCurrentIndex(0)
    index = panel.preview_tab.which.findData("download")
    if index >= 0:
        panel.preview_tab.which.setCurrentIndex(index)
    shoot.window(panel, "panel-download-preview")
    panel.preview_tab.which.setCurrentIndex(0)
    shoot.window(panel, "panel-next-check")
    panel.hide()
    dialog.skip.click()
    finish()

    # The skipped version, shown to a check the user asked for, marked, with Stop Skipping.
    dialog = check("update-found")
    shoot.window(dialog, "update-skipped")
    dialog.stop_skipping.click()
    pump(0.5)
    box = shown(controller, "ready")
    dialog.install.click()  # Download Update
    wait_for(lambda: bool(box))
    ready = box[0]
    shoot.window(ready, "ready-to-install")
    ready.later.click()
    finish()

    # Download progress and installing, as they look mid-way.
    from glass_updater.model import Progress
    from glass_updater.qt.progress_dialogs import DownloadDialog
    from glass_updater.qt.windows import bring_to_front
    from glass_updater.wire_types import CancelToken

    token = CancelToken()
    download = DownloadDialog(token)
    download.set_progress(Progress(7_340_032, 20_971_520, 1_258_291.0, 11.0), token)
    bring_to_front(download)
    shoot.window(download, "downloading")
    download.hide()

    # Errors: one plain sentence, Details, Try Again.
    for name, error in (
        ("error-refused", TransportError(
            "could not connect to the update server updates.example.com:443 (Connection "
            "refused); check your internet connection", cause=Cause.REFUSED,
            host="updates.example.com")),
        ("error-proxy", TransportError(
            "could not connect to your proxy http://proxy.local:3128 (Connection refused); "
            "check your internet connection and proxy setting", cause=Cause.PROXY,
            host="proxy.local")),
        ("error-certificate", TransportError(
            "the certificate of updates.example.com is not valid (self-signed certificate); "
            "the connection was closed before anything was sent, and there is no fallback "
            "to http", cause=Cause.CERTIFICATE, host="updates.example.com")),
    ):
        switch.fail = error
        dialog = check("error")
        if name == "error-refused":
            dialog.details_toggle.click()
            pump(0.3)
        shoot.window(dialog, name)
        finish()

    # Stale information.
    sim.expires = NOW - timedelta(days=2)
    sim.bump()
    dialog = check("stale")
    shoot.window(dialog, "stale")
    finish()
    sim.expires = NOW + timedelta(days=30)
    sim.bump()

    # Ask before every check: the exact bytes, nothing sent until Send.
    updater = controller.updater()
    updater.settings.save(UserSettings(ask_before_check=True))
    dialog = check("confirm-send")
    shoot.window(dialog, "send-confirmation")
    dialog.reject()
    finish()
    updater.settings.save(UserSettings())

    # History, with a cancelled and a failed exchange among the others.
    panel = controller.show_payload("latest")
    wait_for(lambda: len(panel.history_tab.entries) >= 5)
    panel.history_tab.history.selectRow(1)
    pump(0.3)
    shoot.window(panel, "panel-history")
    panel.history_tab.history.selectRow(0)
    compare = panel.history_tab.show_compare()
    if compare is not None:
        bring_to_front(compare)
        shoot.window(compare, "compare")
        compare.close()
    panel.hide()

    # Settings and About.
    controller.show_settings()
    wait_for(lambda: "settings" in controller.windows
             and controller.windows["settings"].isVisible())
    shoot.window(controller.windows["settings"], "settings")
    controller.windows["settings"].close()
    controller.show_about()
    wait_for(lambda: "about" in controller.windows and controller.windows["about"].isVisible())
    shoot.window(controller.windows["about"], "about")
    controller.windows["about"].close()

    controller.shutdown()
    print(f"screenshots: {len(shoot.taken)} taken", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
