"""A check on loopback vs a bare ``requests.get`` of the same feed (budget: 1.5x).

The check includes what the bare fetch does not: building and gating the request,
recording it, verifying the Ed25519 signature, parsing the feed, deciding, writing the
ledger. Both run against the same local FeedServer, fresh connection each time.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.common import median_seconds, report  # noqa: E402


def main() -> int:
    import requests

    from glass_updater.config import load_config
    from glass_updater.paths import Paths
    from glass_updater.publish.demo import build_site, write_config
    from glass_updater.publish.keys import write_keypair
    from glass_updater.publish.serve import FeedServer
    from glass_updater.updater import Updater

    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 40
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        key = write_keypair(root / "keys")
        with FeedServer(root / "site") as server:
            from datetime import UTC, datetime

            build_site(root / "site", server.url, root / "keys" / "private.key",
                       datetime.now(UTC))
            cfg_path = root / "config.toml"
            feed_url = f"{server.url}/demo-app/feed.json"
            write_config(cfg_path, feed_url, key, None)
            updater = Updater(load_config(cfg_path), paths=Paths.under(root / "state"))
            updater.check()  # first check imports requests/cryptography: not measured

            def bare() -> None:
                with requests.Session() as s:
                    r = s.get(feed_url + "?product=demo-app&version=1.0.0", timeout=10)
                    r.raise_for_status()

            baseline = median_seconds(bare, runs)
            ours = median_seconds(updater.check, runs)
    ok = report("check on loopback vs requests.get", ours, baseline, 1.5)
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
