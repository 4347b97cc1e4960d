"""A check on loopback vs a bare ``requests.get`` of the same feed (budget: 1.5x).

The check includes what the bare fetch does not: building and gating the request,
recording it, verifying the Ed25519 signature, parsing the feed, deciding, writing the
ledger. Both run against the same local FeedServer, fresh connection each time, in
alternation. ``growth()`` times checks of feeds with 10 to 10,000 releases (the shipped
limits refuse more than 1,000 releases or 1 MiB; the benchmark raises them to see the
slope). ``python benchmarks/bench_check.py [runs]``.
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.common import Row, alternate  # noqa: E402

GROWTH_SIZES = (10, 100, 1000, 10_000)


def _timer(fn: Callable[[], object]) -> Callable[[], float]:
    def sample() -> float:
        start = time.perf_counter()
        fn()
        return time.perf_counter() - start

    return sample


def _payload(releases: int, base_url: str, now: datetime) -> bytes:
    """A feed payload with ``releases`` old releases plus the newest one offered."""
    import hashlib

    from glass_updater.config import current_platform

    items = []
    for i in range(releases):
        version = f"0.{i // 1000}.{i % 1000}" if i < releases - 1 else "1.4.0"
        body = f"asset {version}".encode()
        items.append({
            "version": version, "channel": "stable",
            "published": (now - timedelta(days=releases - i)).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "critical": False, "min_os": {},
            "notes": f"## {version}\n\n- Fixed a bug.\n",
            "assets": [{
                "platform": current_platform(), "kind": "sh",
                "url": f"{base_url}/demo-app/demo-{version}.sh",
                "size": len(body), "sha256": hashlib.sha256(body).hexdigest(),
            }],
        })
    return json.dumps({
        "product": "demo-app", "serial": 1,
        "expires": (now + timedelta(days=30)).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "releases": items,
    }).encode()


@contextmanager
def _site(tmp: Path) -> Iterator[tuple[str, str, Path, object]]:
    """A served demo site and a config that trusts its key: (feed url, key, config, server)."""
    from glass_updater.publish.demo import build_site, write_config
    from glass_updater.publish.keys import write_keypair
    from glass_updater.publish.serve import FeedServer

    key = write_keypair(tmp / "keys")
    with FeedServer(tmp / "site") as server:
        build_site(tmp / "site", server.url, tmp / "keys" / "private.key", datetime.now(UTC))
        cfg_path = tmp / "config.toml"
        feed_url = f"{server.url}/demo-app/feed.json"
        write_config(cfg_path, feed_url, key, None)
        yield feed_url, key, cfg_path, server


def _bare(feed_url: str) -> Callable[[], None]:
    import requests

    def get() -> None:
        with requests.Session() as s:
            r = s.get(feed_url + "?product=demo-app&version=1.0.0", timeout=10)
            r.raise_for_status()

    return get


def run(runs: int = 40) -> list[Row]:
    from glass_updater.config import load_config
    from glass_updater.paths import Paths
    from glass_updater.updater import Updater

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        with _site(root) as (feed_url, _key, cfg_path, _server):
            updater = Updater(load_config(cfg_path), paths=Paths.under(root / "state"))
            updater.check()  # the first check imports requests/cryptography: not measured
            got = alternate({"ours": _timer(updater.check), "bare": _timer(_bare(feed_url))},
                            runs, warmup=2)
    return [Row("check on loopback vs bare requests.get", 1.5, "ratio", got["ours"],
                got["bare"], "ms", 1000)]


def growth(sizes: tuple[int, ...] = GROWTH_SIZES, runs: int = 7) -> list[dict[str, float]]:
    """Check time (and a bare fetch of the same bytes) for feeds of each size."""
    from glass_updater.config import load_config
    from glass_updater.limits import Limits
    from glass_updater.paths import Paths
    from glass_updater.publish.keys import load_private_key
    from glass_updater.signing import sign_envelope
    from glass_updater.updater import Updater

    limits = Limits(max_releases=max(sizes) + 1, max_feed_bytes=64 * 1024 * 1024)
    points = []
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        with _site(root) as (feed_url, _key, cfg_path, server):
            key = load_private_key(root / "keys" / "private.key")
            for n in sizes:
                feed = sign_envelope(
                    _payload(n, server.url, datetime.now(UTC)), [key]  # type: ignore[attr-defined]
                )
                (root / "site" / "demo-app" / "feed.json").write_bytes(feed)
                updater = Updater(load_config(cfg_path), paths=Paths.under(root / f"s{n}"),
                                  limits=limits)
                result = updater.check()
                assert getattr(result, "release", None) is not None or result, result
                got = alternate({"ours": _timer(updater.check),
                                 "bare": _timer(_bare(feed_url))}, runs)
                points.append({"releases": n, "feed_bytes": len(feed),
                               "ours_s": got["ours"].median, "bare_s": got["bare"].median,
                               "ours_min_s": got["ours"].min, "ours_max_s": got["ours"].max})
    return points


def main() -> int:
    rows = run(int(sys.argv[1]) if len(sys.argv) > 1 else 40)
    for row in rows:
        print(row.line())
    for p in growth(runs=3):
        print(f"{p['releases']:>6} releases ({p['feed_bytes'] / 1e6:.2f} MB): check "
              f"{p['ours_s'] * 1000:.1f} ms, bare fetch {p['bare_s'] * 1000:.1f} ms")
    return 0 if all(r.within for r in rows) else 1


if __name__ == "__main__":
    raise SystemExit(main())



