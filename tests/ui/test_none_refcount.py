"""PySide6-Essentials 6.12.0 on Python < 3.12 leaks a reference to ``None`` per void Qt call.

A tray app lives all day; each ``show()``/``setWindowTitle()`` took one reference away from
``None`` until the interpreter aborted ("none_dealloc: deallocating None", exit 134). The
requirement in pyproject.toml excludes that release where ``None`` is mortal; this test
fails if an installed PySide6 leaks again. It runs in a child process, so a leaking build
cannot crash the test run itself.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

CALLS = 100_000

CHILD = f"""
import sys
from PySide6.QtWidgets import QApplication, QPushButton, QWidget
app = QApplication([])
widget = QWidget()
button = QPushButton("x", widget)
before = sys.getrefcount(None)
for i in range({CALLS} // 4):
    widget.setWindowTitle("t")   # void
    button.setText("y")          # void
    widget.setEnabled(True)      # void
    button.setToolTip("z")       # void
after = sys.getrefcount(None)
widget.close()
print(after - before)
"""


@pytest.mark.skipif(sys.version_info >= (3, 12), reason="None is immortal from Python 3.12 on")
def test_void_qt_calls_do_not_leak_references_to_none(tmp_path: Path) -> None:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "HOME": str(tmp_path)}
    result = subprocess.run(
        [sys.executable, "-c", CHILD], capture_output=True, text=True, timeout=120, env=env,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    drift = int(result.stdout.split()[-1])
    # A leaking build drifts by about -CALLS; a sound one by a handful at most.
    assert abs(drift) < 100, f"{CALLS} void Qt calls moved sys.getrefcount(None) by {drift}"
