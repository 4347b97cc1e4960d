"""``updater-publish demo``: a throwaway signed feed on loopback, and a real check against it.

Everything is real: a fresh Ed25519 key, a DSSE-signed feed offering a newer version with
a small real asset, a local feed server, a config that trusts only that key. Where a
display exists the tray app opens against it; otherwise the check (and a verified
download) runs in the terminal, printing the exact bytes sent.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import subprocess
import sys
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

from glass_updater.config import current_platform

DEMO_VERSION = "1.4.0"
INSTALLED_VERSION = "1.0.0"

ASSET_SCRIPT = b"""#!/bin/sh
# The demo "installer": a real file, signed and verified before it is run.
echo "Demo App 1.4.0 installer ran (this is the Glass Updater demo; nothing was changed)."
"""

NOTES = """## Demo App 1.4.0

- **Faster start-up**: the window opens in half the time.
- Fixed a crash when the network drops during a save.
- The release notes are Markdown, rendered as inert text: <script>alert('no')</script>
  and remote images like ![x](https://example.com/x.png) are never loaded.
"""


def _has_display() -> bool:
    if sys.platform in ("win32", "darwin"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def _gui_installed() -> bool:
    return all(importlib.util.find_spec(m) is not None for m in ("PySide6", "glass_updater.qt"))


def build_site(site: Path, base_url: str, private_key_path: Path, now: datetime) -> bytes:
    """Write the asset and the signed feed under ``site``; returns the feed bytes."""
    import hashlib

    from glass_updater.publish.keys import load_private_key
    from glass_updater.signing import sign_envelope

    (site / "demo-app").mkdir(parents=True, exist_ok=True)
    asset_name = f"demo-app-{DEMO_VERSION}.sh"
    (site / "demo-app" / asset_name).write_bytes(ASSET_SCRIPT)
    payload = {
        "product": "demo-app",
        "serial": 1,
        "expires": (now + timedelta(days=30)).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "releases": [
            {
                "version": DEMO_VERSION,
                "channel": "stable",
                "published": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
                "critical": False,
                "min_os": {},
                "notes": NOTES,
                "assets": [
                    {
                        "platform": current_platform(),
                        "kind": "sh",
                        "url": f"{base_url}/demo-app/{asset_name}",
                        "size": len(ASSET_SCRIPT),
                        "sha256": hashlib.sha256(ASSET_SCRIPT).hexdigest(),
                    }
                ],
            }
        ],
    }
    feed = sign_envelope(
        json.dumps(payload, indent=2).encode(), [load_private_key(private_key_path)]
    )
    (site / "demo-app" / "feed.json").write_bytes(feed)
    return feed


def write_config(path: Path, feed_url: str, public_key: str, ca_file: Path | None) -> None:
    ca_line = f'ca_file = "{ca_file}"\n' if ca_file else ""
    path.write_text(
        f"""# Written by `updater-publish demo`: trusts only this demo's throwaway key.
[product]
id = "demo-app"
name = "Demo App"
version = "{INSTALLED_VERSION}"

[feed]
url = "{feed_url}"
trusted_keys = ["{public_key}"]
channel = "stable"
{ca_line}
[network]
proxy = "none"

[privacy]
remove_fields = []

[install]
command = ["/bin/sh", "{{file}}"]
""",
        encoding="utf-8",
    )


def run_demo(args: argparse.Namespace) -> int:
    from glass_updater.publish.keys import write_keypair
    from glass_updater.publish.serve import FeedServer

    workdir = Path(args.dir) if args.dir else Path(tempfile.mkdtemp(prefix="glass-demo-"))
    workdir.mkdir(parents=True, exist_ok=True)
    site = workdir / "site"
    public_key = write_keypair(workdir / "keys")
    with FeedServer(site, port=args.port, tls=args.tls, cert_dir=workdir / "tls") as server:
        build_site(site, server.url, workdir / "keys" / "private.key", datetime.now(UTC))
        config = workdir / "demo-config.toml"
        write_config(config, f"{server.url}/demo-app/feed.json", public_key, server.ca_file)
        state = workdir / "state"
        print(f"Demo feed signed with a fresh key and served at {server.url}/demo-app/feed.json")
        print(f"Config: {config}   (state, log and downloads: {state})")
        if _has_display() and not args.no_gui and _gui_installed():
            # The core never imports the UI: the tray app runs as its own process.
            print("Opening the tray app: click “Check for Updates…”. Quit it to end the demo.")
            return subprocess.call(
                [sys.executable, "-P", "-m", "glass_updater.qt", "--config", str(config),
                 "--state-dir", str(state)]
            )
        from glass_updater.cli import main as cli_main

        print("\n$ updater check")
        code = cli_main(["check", "--config", str(config), "--state-dir", str(state)])
        if code != 0:
            return code
        print("\n$ updater download")
        code = cli_main(["download", "--config", str(config), "--state-dir", str(state)])
        print("\n$ updater log   (every byte ever sent, kept only on this computer)")
        cli_main(["log", "--state-dir", str(state)])
        print(f"\nServer's raw log of what it received ({len(server.request_log)} requests):")
        for head in server.request_log:
            print("    " + head.decode("ascii", "backslashreplace").split("\r\n", 1)[0])
        return code
