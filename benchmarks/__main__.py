"""``python -m benchmarks``: every benchmark in one run, then docs/performance.md rewritten.

Runs start-up and idle RSS, the loopback check, the verified download, the embedding
cost (benchmarks/bench_embed.py), how check and download time grow with feed and file
size (plotted to docs/perf/*.png with the fitted slope), and the frozen bundle (size,
frozen start-up and RSS against a frozen bare PySide6 app). Each number is a median of
several samples taken alternately with its baseline in this same run; min and max are
shown. The generated part of docs/performance.md sits between two markers; the rest of
the file is prose and is left alone. Raw numbers go to docs/perf/results.json.

    .venv/bin/python -m benchmarks [--quick] [--no-bundle] [--fresh-venv]

Needs matplotlib for the plots (a benchmark-only dependency: ``pip install matplotlib``);
without it the tables are still written.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks import bench_check, bench_download, bench_startup  # noqa: E402
from benchmarks.common import Row  # noqa: E402

DOC = ROOT / "docs" / "performance.md"
OUT = ROOT / "docs" / "perf"
BEGIN, END = "<!-- benchmarks:begin -->", "<!-- benchmarks:end -->"


def fit(xs: list[float], ys: list[float]) -> tuple[float, float]:
    """Least-squares line y = a + b·x: (a, b)."""
    n = len(xs)
    mx, my = sum(xs) / n, sum(ys) / n
    sxx = sum((x - mx) ** 2 for x in xs)
    b = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / sxx if sxx else 0.0
    return my - b * mx, b


def plot(path: Path, title: str, xlabel: str, xs: list[float],
         series: dict[str, list[float]], slope_label: str) -> bool:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print(f"matplotlib missing: no {path.name} (pip install matplotlib)")
        return False
    fig, ax = plt.subplots(figsize=(6.4, 4.0), dpi=100)
    for name, ys in series.items():
        ax.plot(xs, ys, marker="o", label=name)
    a, b = fit(xs, series[next(iter(series))])
    ax.plot(xs, [a + b * x for x in xs], linestyle="--", color="gray", label=slope_label)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel(xlabel)
    ax.set_ylabel("seconds (median)")
    ax.set_title(title)
    ax.grid(True, which="both", alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return True


def budget_table(rows: list[Row]) -> str:
    lines = [
        "| budget | ours: median (min–max) | baseline, same run: median (min–max) "
        "| measured | budget | verdict |",
        "|---|---|---|---:|---:|---|",
    ]
    for r in rows:
        base = r.baseline.show(r.unit, r.scale, r.digits) if r.baseline else "—"
        note = f"<br>{r.note}" if r.note else ""
        lines.append(f"| {r.name}{note} | {r.ours.show(r.unit, r.scale, r.digits)} | {base} "
                     f"| {r.measured()} | {r.budget_text()} | {r.verdict()} |")
    return "\n".join(lines)


def embed_section(quick: bool) -> str:
    """benchmarks/bench_embed.py (the embedding engineer's), run as it is, output quoted."""
    script = ROOT / "benchmarks" / "bench_embed.py"
    if not script.exists():
        return "_bench_embed.py not present_"
    done = subprocess.run([sys.executable, str(script), "7" if quick else "15"],
                          capture_output=True, text=True, cwd=ROOT, check=False)
    text = (done.stdout or done.stderr).strip()
    return "```\n" + text + "\n```"


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks")
    parser.add_argument("--quick", action="store_true", help="fewer runs, smaller sizes")
    parser.add_argument("--no-bundle", action="store_true", help="skip the frozen bundle")
    parser.add_argument("--fresh-venv", action="store_true",
                        help="build the bundle in a new virtualenv (needs the package index)")
    args = parser.parse_args()
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    if Path("/dev/shm").is_dir():
        os.environ.setdefault("BENCH_TMP", "/dev/shm")
    OUT.mkdir(parents=True, exist_ok=True)
    started = time.time()
    quick = args.quick
    rows: list[Row] = []
    results: dict[str, object] = {}

    print("start-up and idle RSS ...", flush=True)
    rows += bench_startup.run(7 if quick else 21)
    print("check on loopback ...", flush=True)
    rows += bench_check.run(15 if quick else 60)
    print("verified download ...", flush=True)
    mib = 256 if quick else 1024
    rows += bench_download.run(mib, 3 if quick else 5)
    print("embedding ...", flush=True)
    embed = embed_section(quick)
    parts: dict[str, int] = {}
    if not args.no_bundle:
        from benchmarks import bench_bundle

        print("frozen bundle ...", flush=True)
        bundle_rows, extra = bench_bundle.run(7 if quick else 15, args.fresh_venv)
        rows += bundle_rows
        parts = extra["breakdown"]  # type: ignore[assignment]
        results["bundle"] = extra
    print("growth ...", flush=True)
    check_points = bench_check.growth(runs=3 if quick else 5)
    dl_sizes = (1, 4, 16, 64, 256) if quick else bench_download.GROWTH_MIB
    dl_points = bench_download.growth(dl_sizes, runs=2 if quick else 3)
    results["check_growth"], results["download_growth"] = check_points, dl_points

    releases = [float(p["releases"]) for p in check_points]
    a_c, b_c = fit(releases, [p["ours_s"] for p in check_points])
    plot(OUT / "check_growth.png", "Check time vs feed size (loopback)", "releases in the feed",
         releases, {"check": [p["ours_s"] for p in check_points],
                    "bare requests.get of the same feed": [p["bare_s"] for p in check_points]},
         f"fit: {b_c * 1e6:.0f} µs per release")
    sizes = [float(p["mib"]) for p in dl_points]
    a_d, b_d = fit(sizes, [p["ours_s"] for p in dl_points])
    plot(OUT / "download_growth.png", "Verified download time vs size (loopback)", "MiB",
         sizes, {"verified download": [p["ours_s"] for p in dl_points],
                 "SHA-256 alone": [p["hash_s"] for p in dl_points]},
         f"fit: {b_d * 1024:.2f} s per GiB")

    results["rows"] = [
        {"name": r.name, "ours": r.ours.samples, "baseline": r.baseline.samples if r.baseline
         else None, "value": r.value, "budget": r.budget, "kind": r.kind, "within": r.within}
        for r in rows
    ]
    (OUT / "results.json").write_text(json.dumps(results, indent=1, default=str))

    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    check_rows = "\n".join(
        f"| {p['releases']:,} | {p['feed_bytes'] / 1e6:.2f} | {p['ours_s'] * 1000:.1f} "
        f"({p['ours_min_s'] * 1000:.1f}–{p['ours_max_s'] * 1000:.1f}) | {p['bare_s'] * 1000:.1f} |"
        for p in check_points)
    dl_rows = "\n".join(
        f"| {p['mib']:,} | {p['ours_s']:.3f} ({p['ours_min_s']:.3f}–{p['ours_max_s']:.3f}) "
        f"| {p['hash_s']:.3f} | {p['ours_s'] / p['hash_s']:.2f}× |" for p in dl_points)
    generated = f"""{BEGIN}
_Generated by `python -m benchmarks{' --quick' if quick else ''}` on {when}, {os.cpu_count()}
CPUs, load average {load:.1f} at the end, Python {platform.python_version()}; took
{(time.time() - started) / 60:.0f} min. Medians of samples taken alternately with the
baseline; (min–max) beside them. This machine is shared: wall times are noisy, CPU times
less so._

### Budget table

{budget_table(rows)}

### Embedding cost (benchmarks/bench_embed.py)

{embed}

### Check time vs feed size

![check growth](perf/check_growth.png)

Fitted: {a_c * 1000:.1f} ms + {b_c * 1e6:.0f} µs per release. (The shipped limits refuse
feeds over 1,000 releases or 1 MiB; the benchmark raises them to see the slope.)

| releases | feed MB | check ms: median (min–max) | bare `requests.get` ms |
|---:|---:|---:|---:|
{check_rows}

### Download time vs size

![download growth](perf/download_growth.png)

Fitted: {a_d:.3f} s + {b_d * 1024:.2f} s per GiB.

| MiB | verified download s: median (min–max) | SHA-256 alone s | ratio |
|---:|---:|---:|---:|
{dl_rows}
"""
    if parts:
        from benchmarks import bench_bundle

        generated += f"""
### What each MB of the bundle is

{bench_bundle.table(parts)}
"""
    generated += END
    text = DOC.read_text() if DOC.exists() else f"# Performance\n\n{BEGIN}\n{END}\n"
    if BEGIN not in text:
        text += f"\n{BEGIN}\n{END}\n"
    text = re.sub(re.escape(BEGIN) + ".*?" + re.escape(END), lambda _m: generated, text,
                  flags=re.S)
    DOC.write_text(text)
    for r in rows:
        print(r.line())
    print(f"wrote {DOC.relative_to(ROOT)} and {OUT.relative_to(ROOT)}/")
    return 0 if all(r.within for r in rows) else 1


if __name__ == "__main__":
    raise SystemExit(main())
