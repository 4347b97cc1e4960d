"""The lazy-import rule: what a process holds before anyone asks it to check (DESIGN.md §10).

A tray app, or a host app that only created the updater's controller and its menu action,
must not have loaded the network stack, the core or the cryptography by the time it idles;
those cost start-up time and memory the user pays all day. ``run_and_report`` runs a
script in a fresh interpreter and reports what it had loaded when the script ended;
``heavy`` lists what breaks the rule. Reusable for any entry point:

    report = run_and_report(SCRIPT, env=env, cwd=ROOT)
    assert report.heavy() == [], report.heavy()
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

# Python modules that only a check, a download or an install needs.
HEAVY_MODULES = (
    "requests",
    "urllib3",
    "cryptography",
    "ssl",
    "socket",  # every network client imports it (the single-instance channel uses _socket)
    "http.client",
    "hashlib",  # loads OpenSSL's libcrypto
    "glass_updater.updater",
    "glass_updater.flow",
    "glass_updater.feed",
    "glass_updater.signing",
    "glass_updater.download",
    "glass_updater.check",  # the operations and their client, split out of the façade
    "glass_updater.decision",
    "glass_updater.recording",
    "glass_updater.transfer",
    "glass_updater.client",
    "glass_updater.transport.http",
)
# Shared libraries that nothing at idle needs: the network, TLS, and the SVG renderer.
HEAVY_LIBRARIES = ("libQt6Network", "libQt6Svg", "libssl", "libcrypto")

TRAILER = r"""
import json as _json, sys as _sys
try:
    import PySide6.QtCore as _qc
    _qt_ns = "Qt" in vars(_qc)
except ImportError:
    _qt_ns = False
with open("/proc/self/maps") as _maps:
    _libs = sorted({_l.rsplit("/", 1)[-1].strip() for _l in _maps if ".so" in _l})
print("LAZY-REPORT " + _json.dumps({"modules": sorted(_sys.modules), "qt_namespace": _qt_ns,
                                    "libraries": _libs}), flush=True)
"""


@dataclass(frozen=True)
class Report:
    """What one process had loaded when its script ended."""

    modules: frozenset[str]
    libraries: tuple[str, ...]
    qt_namespace: bool  # the ``Qt`` namespace's ~90 enums were created (~12 ms)
    stdout: str
    stderr: str

    def heavy(self, *, allow: tuple[str, ...] = ()) -> list[str]:
        """Each module or library that breaks the rule (empty when the process is lean)."""
        found = [m for m in HEAVY_MODULES if m in self.modules and m not in allow]
        found += [
            lib
            for lib in self.libraries
            if lib.startswith(HEAVY_LIBRARIES) and not lib.startswith(allow)
        ]
        return found


def run_and_report(
    script: str, *, env: Mapping[str, str], cwd: Path, timeout: float = 60
) -> Report:
    """Run ``script`` in a fresh interpreter, then report what it had loaded."""
    done = subprocess.run(
        [sys.executable, "-c", script + "\n" + TRAILER],
        env=dict(env), cwd=cwd, capture_output=True, text=True, timeout=timeout, check=False,
    )
    lines = [ln for ln in done.stdout.splitlines() if ln.startswith("LAZY-REPORT ")]
    assert done.returncode == 0 and lines, f"script failed ({done.returncode}): {done.stderr}"
    data = json.loads(lines[-1].removeprefix("LAZY-REPORT "))
    return Report(
        modules=frozenset(data["modules"]),
        libraries=tuple(data["libraries"]),
        qt_namespace=bool(data["qt_namespace"]),
        stdout=done.stdout,
        stderr=done.stderr,
    )
