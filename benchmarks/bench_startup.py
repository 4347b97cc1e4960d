"""Tray app start-up and idle memory vs a bare PySide6 tray app (budgets 1.15x, +8 MB).

Both processes build their UI, enter the event loop, and quit from a zero-delay timer,
so the wall time is "start-up to event loop" (plus the same interpreter exit for both).
Idle RSS is read from /proc while each process idles in its event loop. Samples of ours
and of the bare app alternate, so load from other processes falls on both.
``python benchmarks/bench_startup.py [runs]``; ``run()`` is used by ``python -m benchmarks``.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.common import Row, Stats, alternate, run_timed  # noqa: E402

# The same tray, menu and window as the app (labels, icon, buttons), with nothing behind
# them: what any PySide6 tray app pays. The icon is the app's own PNG.
BARE = r"""
import sys
from PySide6.QtCore import QTimer
from PySide6.QtGui import QIcon, QPixmap
from PySide6.QtWidgets import (QApplication, QLabel, QMenu, QPushButton, QSystemTrayIcon,
                               QVBoxLayout, QWidget)
app = QApplication(sys.argv)
icon = QIcon(sys.argv[2])
app.setWindowIcon(icon)
names = ("Check for Updates…", "What Is Sent…", "Settings…", "About & Privacy", "Quit")
menu = QMenu()
for name in names:
    menu.addAction(name)
if QSystemTrayIcon.isSystemTrayAvailable():
    tray = QSystemTrayIcon(icon)
    tray.setToolTip("Demo App updates — nothing is sent until you check")
    tray.setContextMenu(menu)
    tray.show()
else:
    w = QWidget(); w.setWindowTitle("Demo App — Updates"); lay = QVBoxLayout(w)
    head = QLabel(); head.setPixmap(icon.pixmap(48, 48)); lay.addWidget(head)
    title = QLabel("Demo App 1.0.0"); font = title.font(); font.setBold(True)
    font.setPointSizeF(font.pointSizeF() * 1.2); title.setFont(font); lay.addWidget(title)
    note = QLabel("Nothing is sent until you click “Check for Updates”.")
    note.setWordWrap(True); lay.addWidget(note)
    for name in names:
        lay.addWidget(QPushButton(name))
    w.setMinimumWidth(320)
    w.show()
QTimer.singleShot(int(sys.argv[1]), app.quit)
sys.exit(app.exec())
"""
Cmd = Callable[[int], Sequence[str]]


def env() -> dict[str, str]:
    return {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(ROOT)}


def app_cmd(state: Path) -> Cmd:
    return lambda ms: [sys.executable, "-m", "glass_updater.qt", "--state-dir", str(state),
                       "--selftest-quit-after-ms", str(ms)]


ICON = ROOT / "resources" / "icons" / "app-icon-48.png"


def bare_cmd(ms: int) -> list[str]:
    return [sys.executable, "-c", BARE, str(ms), str(ICON)]


def idle_rss_kib(cmd: Sequence[str], idle_ms: int = 1200) -> float:
    """The last VmRSS seen while the process idles (its steady state)."""
    proc = subprocess.Popen(cmd, env=env(), cwd=ROOT, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    last = 0
    deadline = time.monotonic() + 30 + idle_ms / 1000
    status = Path(f"/proc/{proc.pid}/status")
    while proc.poll() is None and time.monotonic() < deadline:
        try:
            for line in status.read_text().splitlines():
                if line.startswith("VmRSS:"):
                    last = int(line.split()[1])
        except OSError:
            break
        time.sleep(0.05)
    proc.wait(10)
    return float(last)


def measure(ours: Cmd, bare: Cmd, runs: int, label: str = "") -> list[Row]:
    """Start-up (wall and CPU) and idle RSS of ``ours`` against ``bare``, alternating."""
    cpu: dict[str, list[float]] = {"ours": [], "bare": []}

    def timed(name: str, cmd: Cmd) -> Callable[[], float]:
        def sample() -> float:
            wall, used = run_timed(cmd(0), env=env(), cwd=ROOT)
            cpu[name].append(used)
            return wall

        return sample

    walls = alternate({"ours": timed("ours", ours), "bare": timed("bare", bare)}, runs)
    rss = alternate({"ours": lambda: idle_rss_kib(ours(1200)),
                     "bare": lambda: idle_rss_kib(bare(1200))}, max(3, runs // 3), warmup=0)
    skip = len(cpu["ours"]) - runs  # the warm-up round
    return [
        Row(f"start-up to event loop{label}, wall", 1.15, "ratio", walls["ours"],
            walls["bare"], "ms", 1000, 0),
        Row(f"start-up to event loop{label}, CPU time", 1.15, "ratio",
            Stats(tuple(cpu["ours"][skip:])), Stats(tuple(cpu["bare"][skip:])), "ms", 1000, 0),
        Row(f"idle RSS{label}", 8 * 1024, "extra", rss["ours"], rss["bare"], "MiB", 1 / 1024),
    ]


def run(runs: int = 15) -> list[Row]:
    with tempfile.TemporaryDirectory() as tmp:
        return measure(app_cmd(Path(tmp)), bare_cmd, runs)


def main() -> int:
    rows = run(int(sys.argv[1]) if len(sys.argv) > 1 else 15)
    for row in rows:
        print(row.line())
    return 0 if all(r.within for r in rows) else 1


if __name__ == "__main__":
    raise SystemExit(main())
