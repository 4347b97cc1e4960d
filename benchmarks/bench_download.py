"""Download N MiB on loopback, verified, vs ``curl -o`` then ``sha256sum`` (budget: 1.0x).

Ours runs in a subprocess so its peak RSS (ru_maxrss) is its own; memory must stay flat
(peak RSS independent of the file size). Usage: bench_download.py [MiB, default 1024].
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.common import report  # noqa: E402

CHILD = r"""
import hashlib, json, resource, sys, time
from datetime import UTC, datetime
from pathlib import Path
sys.path.insert(0, sys.argv[1])
from glass_updater.allowlist import load_allowlist
from glass_updater.download import Downloader
from glass_updater.limits import Limits
from glass_updater.model import Asset, Release
from glass_updater.transport.http import HttpTransport
url, size, sha, staging = sys.argv[2], int(sys.argv[3]), sys.argv[4], Path(sys.argv[5])
limits = Limits(download_deadline=3600.0)
asset = Asset("linux-x86_64", "bin", url, size, sha)
release = Release("9.9.9", "stable", datetime.now(UTC), False, (), "", (asset,))
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
d = Downloader(HttpTransport(limits), load_allowlist(), staging=staging, limits=limits,
               proxy=None, allowed_hosts=frozenset(), on_exchange=lambda e: None)
t = time.perf_counter()
v = d.download(release, asset, on_progress=lambda p: None)
elapsed = time.perf_counter() - t
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"seconds": elapsed, "peak_kib": peak, "before_kib": base,
                  "path": str(v.path)}))
"""


def make_file(path: Path, mib: int) -> str:
    digest = hashlib.sha256()
    block = os.urandom(1 << 20)
    with path.open("wb") as fh:
        for i in range(mib):
            chunk = i.to_bytes(8, "little") + block[8:]
            fh.write(chunk)
            digest.update(chunk)
    return digest.hexdigest()


def ours(url: str, size: int, sha: str, staging: Path) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, "-c", CHILD, str(ROOT), url, str(size), sha, str(staging)],
        capture_output=True, text=True, check=True,
    )
    result: dict[str, float] = json.loads(out.stdout)
    shutil.rmtree(staging, ignore_errors=True)
    return result


def curl_then_sha256sum(url: str, dest: Path) -> float:
    start = time.perf_counter()
    subprocess.run(["curl", "-s", "-f", "-o", str(dest), url], check=True)
    subprocess.run(["sha256sum", str(dest)], check=True, capture_output=True)
    elapsed = time.perf_counter() - start
    dest.unlink()
    return elapsed


def main() -> int:
    from glass_updater.publish.serve import FeedServer

    mib = int(sys.argv[1]) if len(sys.argv) > 1 else 1024
    if shutil.which("curl") is None:
        print("curl not installed: apt-get install curl")
        return 2
    with tempfile.TemporaryDirectory(dir=os.environ.get("BENCH_TMP")) as tmp:
        root = Path(tmp)
        (root / "site").mkdir()
        sha = make_file(root / "site" / "big.bin", mib)
        size = mib << 20
        small = make_file(root / "site" / "small.bin", 16)
        with FeedServer(root / "site") as server:
            url = f"{server.url}/big.bin"
            baseline = min(curl_then_sha256sum(url, root / "curl.out") for _ in range(2))
            runs = [ours(url, size, sha, root / "staging") for _ in range(2)]
            best = min(runs, key=lambda r: r["seconds"])
            tiny = ours(f"{server.url}/small.bin", 16 << 20, small, root / "staging")
    report(f"download {mib} MiB verified vs curl+sha256sum", best["seconds"], baseline, 1.0)
    print(f"peak RSS: {best['peak_kib'] / 1024:.1f} MiB for {mib} MiB "
          f"(vs {tiny['peak_kib'] / 1024:.1f} MiB for a 16 MiB file: flat memory means equal)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
