"""Tray app start-up and idle memory vs a bare PySide6 tray app (budgets 1.15x, +8 MB).

Both processes build their UI, enter the event loop, and quit from a zero-delay timer,
so the wall time is "start-up to event loop". Idle RSS is sampled from /proc while each
process idles for a moment in its event loop.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.common import report  # noqa: E402

BARE = r"""
import sys
from PySide6.QtCore import QTimer
from PySide6.QtGui import QIcon, QPixmap
from PySide6.QtWidgets import (QApplication, QMenu, QPushButton, QSystemTrayIcon,
                               QVBoxLayout, QWidget)
app = QApplication(sys.argv)
pm = QPixmap(32, 32); pm.fill()
tray = QSystemTrayIcon(QIcon(pm))
menu = QMenu()
for name in ("Check for Updates…", "What Is Sent…", "Settings…", "About & Privacy", "Quit"):
    menu.addAction(name)
tray.setContextMenu(menu)
tray.show()
w = QWidget(); lay = QVBoxLayout(w)
for name in ("Check for Updates…", "What Is Sent…", "Settings…", "About & Privacy", "Quit"):
    lay.addWidget(QPushButton(name))
w.show()
QTimer.singleShot(int(sys.argv[1]), app.quit)
sys.exit(app.exec())
"""


def env() -> dict[str, str]:
    return {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(ROOT)}


def app_cmd(ms: int, state: Path) -> list[str]:
    return [sys.executable, "-m", "glass_updater.qt", "--state-dir", str(state),
            "--selftest-quit-after-ms", str(ms)]


def bare_cmd(ms: int) -> list[str]:
    return [sys.executable, "-c", BARE, str(ms)]


def wall(cmd: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, env=env(), check=True, capture_output=True, cwd=ROOT)
    return time.perf_counter() - start


def idle_rss_kib(cmd: list[str]) -> int:
    proc = subprocess.Popen(cmd, env=env(), cwd=ROOT, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    last = 0
    deadline = time.monotonic() + 30
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
    return last


def main() -> int:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 7
    with tempfile.TemporaryDirectory() as tmp:
        state = Path(tmp)
        wall(bare_cmd(0)), wall(app_cmd(0, state))  # warm the page cache
        bare = statistics.median(wall(bare_cmd(0)) for _ in range(runs))
        ours = statistics.median(wall(app_cmd(0, state)) for _ in range(runs))
        bare_rss = idle_rss_kib(bare_cmd(1500))
        our_rss = idle_rss_kib(app_cmd(1500, state))
    ok = report("start-up to event loop vs bare PySide6 tray app", ours, bare, 1.15)
    extra_mb = (our_rss - bare_rss) / 1024
    print(f"idle RSS: ours {our_rss / 1024:.1f} MiB, bare {bare_rss / 1024:.1f} MiB, "
          f"+{extra_mb:.1f} MiB (budget +8 MB) {'OK' if extra_mb <= 8 else 'OVER BUDGET'}")
    return 0 if ok and extra_mb <= 8 else 1


if __name__ == "__main__":
    raise SystemExit(main())
