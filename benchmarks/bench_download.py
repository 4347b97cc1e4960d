"""A verified download on loopback vs hashing the same bytes alone (budget: 2x; DESIGN §10).

SHA-256 is the floor of a verified download on loopback: every byte must be hashed, and
nothing else a download does (receive, write) needs to wait for it. The baseline hashes
the same bytes in 1 MiB pieces, in the same run. ``curl -o`` then ``sha256sum`` is shown
too (DESIGN.md's other yardstick), and so is a "floor": a minimal pure-Python pipeline
with no updater code (``FLOOR``), i.e. how fast Python on this machine can receive,
write and hash these bytes at all. Ours runs in a fresh process (the CLI's Downloader
with the real HttpTransport) so its RSS is its own; memory growth is its peak RSS minus
its RSS just before the download started (budget 32 MiB for 1 GiB).

The files are served by a small sendfile() server (``StaticServer``), so the server's
copying does not compete with the client for this machine's two cores.

    python benchmarks/bench_download.py [MiB, default 1024] [runs, default 3]
"""

from __future__ import annotations

import hashlib
import http.server
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.common import Row, Stats, alternate  # noqa: E402

MIB = 1 << 20
GROWTH_MIB = (1, 4, 16, 64, 256, 1024)

CHILD = r"""
import json, os, resource, sys, time
from datetime import UTC, datetime
from pathlib import Path
from glass_updater.allowlist import load_allowlist
from glass_updater.client import Client
from glass_updater.download import Downloader
from glass_updater.limits import Limits
from glass_updater.model import Asset, Release
from glass_updater.transport.http import HttpTransport
url, size, sha, staging = sys.argv[1], int(sys.argv[2]), sys.argv[3], Path(sys.argv[4])
limits = Limits(download_deadline=3600.0)
asset = Asset("linux-x86_64", "bin", url, size, sha)
release = Release("9.9.9", "stable", datetime.now(UTC), False, (), "", (asset,))
transport = HttpTransport(limits)
client = Client(load_allowlist(), transport=lambda: transport, proxy="none")
d = Downloader(client, staging=staging, limits=limits)
def rss_kib():
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
before = rss_kib()
profile = os.environ.get("BENCH_PROFILE")
if profile:
    import cProfile
    prof = cProfile.Profile(); prof.enable()
t = time.perf_counter()
c = time.process_time()
v = d.download(release, asset, on_progress=lambda p: None)
elapsed = time.perf_counter() - t
cpu = time.process_time() - c
if profile:
    prof.disable(); prof.dump_stats(profile)
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"seconds": elapsed, "cpu": cpu, "peak_kib": peak, "before_kib": before,
                  "path": str(v.path)}))
"""

# The floor: what Python on this machine can do at all, with no updater code. One socket,
# recv_into a few preallocated 1 MiB buffers, os.write each to the file, SHA-256 of each
# on a second thread (buffers go back to the pool once hashed), one fsync at the end as
# ours does. No size caps, cancel, watchdog, resume record or ledger. With "writer" as its
# fifth argument the writes go to a third thread (receive, write and hash each on its own).
FLOOR = r"""
import hashlib, json, os, queue, socket, sys, threading, time
from urllib.parse import urlsplit
url, size, sha, dest = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
threaded = sys.argv[5:] == ["writer"]
CHUNK, POOL = 1 << 20, 5
parts = urlsplit(url)
t = time.perf_counter()
c = time.process_time()
sock = socket.create_connection((parts.hostname, parts.port))
sock.sendall(f"GET {parts.path} HTTP/1.1\r\nHost: {parts.netloc}\r\n"
             "Connection: close\r\n\r\n".encode())
head = b""
while b"\r\n\r\n" not in head:
    head += sock.recv(65536)
head, first = head.split(b"\r\n\r\n", 1)
assert head.split(b"\r\n")[0].split()[1] == b"200", head
digest = hashlib.sha256()
free, full = queue.Queue(), queue.Queue()
for _ in range(POOL):
    free.put(bytearray(CHUNK))
def hasher():
    while (item := full.get()) is not None:
        buf, n = item
        digest.update(memoryview(buf)[:n])
        free.put(buf)
def write(item):
    view = memoryview(item[0])[:item[1]]
    while view:
        view = view[os.write(fd, view):]
    full.put(item)
writes = queue.Queue()
def writer():
    while (item := writes.get()) is not None:
        write(item)
worker = threading.Thread(target=hasher)
worker.start()
fd = os.open(dest, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
os.write(fd, first)
digest.update(first)
got = len(first)
if threaded:
    writing = threading.Thread(target=writer)
    writing.start()
while got < size:
    buf = free.get()
    n = sock.recv_into(buf, min(CHUNK, size - got))
    if not n:
        raise SystemExit("short body")
    (writes.put if threaded else write)((buf, n))
    got += n
if threaded:
    writes.put(None)
    writing.join()
full.put(None)
worker.join()
os.fsync(fd)
os.close(fd)
sock.close()
elapsed = time.perf_counter() - t
cpu = time.process_time() - c
assert digest.hexdigest() == sha, "floor: wrong hash"
os.unlink(dest)
print(json.dumps({"seconds": elapsed, "cpu": cpu}))
"""


class _Handler(http.server.BaseHTTPRequestHandler):
    """GET of a file under the server's root, body sent with sendfile()."""

    def do_GET(self) -> None:
        root = Path(self.server.root)  # type: ignore[attr-defined]
        path = root / self.path.lstrip("/").split("?")[0]
        if not path.is_file():
            self.send_error(404)
            return
        size = path.stat().st_size
        self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(size))
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True
        self.wfile.flush()
        with path.open("rb") as fh:
            self.connection.sendfile(fh, 0, size)

    def log_message(self, *_args: object) -> None:
        pass


@contextmanager
def static_server(root: Path) -> Iterator[str]:
    """A loopback server for ``root``; yields its base URL."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.root = str(root)  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def make_file(path: Path, mib: int) -> str:
    digest = hashlib.sha256()
    block = os.urandom(MIB)
    with path.open("wb") as fh:
        for i in range(mib):
            chunk = i.to_bytes(8, "little") + block[8:]
            fh.write(chunk)
            digest.update(chunk)
    return digest.hexdigest()


def ours(url: str, size: int, sha: str, staging: Path,
         profile: str | None = None) -> dict[str, float]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    if profile:
        env["BENCH_PROFILE"] = profile
    out = subprocess.run([sys.executable, "-c", CHILD, url, str(size), sha, str(staging)],
                         capture_output=True, text=True, check=True, env=env)
    result: dict[str, float] = json.loads(out.stdout)
    shutil.rmtree(staging, ignore_errors=True)
    return result


def floor(url: str, size: int, sha: str, dest: Path, writer: bool = False) -> dict[str, float]:
    """The minimal pure-Python pipeline (``FLOOR``) in a fresh process: seconds and CPU."""
    extra = ["writer"] if writer else []
    out = subprocess.run([sys.executable, "-c", FLOOR, url, str(size), sha, str(dest), *extra],
                         capture_output=True, text=True, check=True)
    result: dict[str, float] = json.loads(out.stdout)
    return result


def hash_only(mib: int, cpu: list[float] | None = None) -> float:
    """Seconds to SHA-256 ``mib`` MiB held in memory, in 1 MiB pieces (CPU time to ``cpu``)."""
    block = os.urandom(MIB)
    digest = hashlib.sha256()
    start, used = time.perf_counter(), time.process_time()
    for _ in range(mib):
        digest.update(block)
    if cpu is not None:
        cpu.append(time.process_time() - used)
    return time.perf_counter() - start


def curl_then_sha256sum(url: str, dest: Path) -> float:
    start = time.perf_counter()
    subprocess.run(["curl", "-s", "-f", "-o", str(dest), url], check=True)
    subprocess.run(["sha256sum", str(dest)], check=True, capture_output=True)
    elapsed = time.perf_counter() - start
    dest.unlink()
    return elapsed


def run(mib: int = 1024, runs: int = 3) -> list[Row]:
    with tempfile.TemporaryDirectory(dir=os.environ.get("BENCH_TMP")) as tmp:
        root = Path(tmp)
        (root / "site").mkdir()
        sha = make_file(root / "site" / "big.bin", mib)
        memory: list[float] = []
        cpu: dict[str, list[float]] = {"ours": [], "hash": [], "floor": []}
        with static_server(root / "site") as base:
            url = f"{base}/big.bin"

            def sample_ours() -> float:
                result = ours(url, mib * MIB, sha, root / "staging")
                memory.append((result["peak_kib"] - result["before_kib"]) * 1024)
                cpu["ours"].append(result["cpu"])
                return result["seconds"]

            def sample_floor() -> float:
                result = floor(url, mib * MIB, sha, root / "floor.out")
                cpu["floor"].append(result["cpu"])
                return result["seconds"]

            samplers = {"ours": sample_ours, "hash": lambda: hash_only(mib, cpu["hash"]),
                        "floor": sample_floor,
                        "floor3": lambda: floor(url, mib * MIB, sha, root / "floor3.out",
                                                writer=True)["seconds"]}
            if shutil.which("curl"):
                samplers["curl"] = lambda: curl_then_sha256sum(url, root / "curl.out")
            got = alternate(samplers, runs)
    rows = [
        Row(f"verified {mib} MiB download vs SHA-256 alone", 2.0, "ratio", got["ours"],
            got["hash"], "s", 1, 2),
        Row(f"verified {mib} MiB download vs SHA-256 alone, CPU time", 2.0, "ratio",
            Stats(tuple(cpu["ours"][1:])), Stats(tuple(cpu["hash"][1:])), "s", 1, 2),
        Row(f"memory growth during a {mib} MiB download", 32 * MIB, "absolute",
            Stats(tuple(memory[1:] or memory)), None, "MiB", 1 / MIB, 1),
    ]
    rows += [
        Row(f"Python floor, {mib} MiB (recv_into → os.write → SHA-256 thread) "
            "vs SHA-256 alone", 0.0, "info", got["floor"], got["hash"], "s", 1, 2),
        Row(f"verified {mib} MiB download vs the Python floor", 0.0, "info", got["ours"],
            got["floor"], "s", 1, 2),
        Row(f"verified {mib} MiB download vs the Python floor, CPU time", 0.0, "info",
            Stats(tuple(cpu["ours"][1:])), Stats(tuple(cpu["floor"][1:])), "s", 1, 2),
        Row(f"Python floor, {mib} MiB, writes on a third thread vs the two-thread floor",
            0.0, "info", got["floor3"], got["floor"], "s", 1, 2),
    ]
    if "curl" in got:
        rows.append(Row(f"verified {mib} MiB download vs curl -o + sha256sum", 1.0, "ratio",
                        got["ours"], got["curl"], "s", 1, 2))
    return rows


def growth(sizes: tuple[int, ...] = GROWTH_MIB, runs: int = 3) -> list[dict[str, float]]:
    """Download time (and hash-only time) for each size in MiB."""
    points = []
    with tempfile.TemporaryDirectory(dir=os.environ.get("BENCH_TMP")) as tmp:
        root = Path(tmp)
        (root / "site").mkdir()
        with static_server(root / "site") as base:
            for mib in sizes:
                path = root / "site" / f"f{mib}.bin"
                sha = make_file(path, mib)
                got = alternate({
                    "ours": lambda m=mib, s=sha: ours(f"{base}/f{m}.bin", m * MIB, s,
                                                      root / "staging")["seconds"],
                    "hash": lambda m=mib: hash_only(m),
                }, runs)
                path.unlink()
                points.append({"mib": mib, "ours_s": got["ours"].median,
                               "hash_s": got["hash"].median, "ours_min_s": got["ours"].min,
                               "ours_max_s": got["ours"].max})
    return points


def profile(mib: int = 256) -> None:
    """Where a download's time goes (cProfile of the child), printed."""
    import pstats

    with tempfile.TemporaryDirectory(dir=os.environ.get("BENCH_TMP")) as tmp:
        root = Path(tmp)
        (root / "site").mkdir()
        sha = make_file(root / "site" / "p.bin", mib)
        with static_server(root / "site") as base:
            ours(f"{base}/p.bin", mib * MIB, sha, root / "staging", str(root / "prof"))
        pstats.Stats(str(root / "prof")).sort_stats("tottime").print_stats(15)


def main() -> int:
    if Path("/dev/shm").is_dir():  # as python -m benchmarks: measure us, not the disk
        os.environ.setdefault("BENCH_TMP", "/dev/shm")
    if len(sys.argv) > 1 and sys.argv[1] == "profile":
        profile()
        return 0
    mib = int(sys.argv[1]) if len(sys.argv) > 1 else 1024
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    rows = run(mib, runs)
    for row in rows:
        print(row.line())
    return 0 if all(r.within for r in rows) else 1


if __name__ == "__main__":
    raise SystemExit(main())
