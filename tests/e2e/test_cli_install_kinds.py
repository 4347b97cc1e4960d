"""One feed, three kinds of installation: the real CLI against a real feed server.

The feed offers an AppImage, a .deb and a tar.gz for this platform. A tar.gz installation
(`[install] app_dir`) downloads only the tar.gz, and after `updater install` has exited the
detached helper swaps the app folder; a .deb installation without the system's installer
is refused before any asset byte.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from glass_updater.config import current_platform
from glass_updater.publish.keys import load_private_key, write_keypair
from glass_updater.publish.serve import FeedServer
from glass_updater.signing import sign_envelope

from tests.archives import tar_gz
from tests.e2e.netwatch import ROOT
from tests.processes import wait_for_process

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.loopback,
    pytest.mark.skipif(not hasattr(os, "pidfd_open"), reason="waits with a Linux pidfd"),
]


ASSETS = {
    "appimage": b"#!/bin/sh\necho appimage\n",
    "deb": b"!<arch>\nnot really a deb\n",
    "tar.gz": tar_gz({"demo-1.4.0/bin/demo": b"version 1.4.0\n"}),
}


def publish(site: Path, base_url: str, key: Path) -> None:
    now = datetime.now(UTC)
    (site / "demo").mkdir(parents=True)
    assets = []
    for kind, data in ASSETS.items():
        name = f"demo-1.4.0.{kind}"
        (site / "demo" / name).write_bytes(data)
        assets.append({"platform": current_platform(), "kind": kind,
                       "url": f"{base_url}/demo/{name}", "size": len(data),
                       "sha256": hashlib.sha256(data).hexdigest()})
    payload = {
        "product": "demo", "serial": 1,
        "expires": (now + timedelta(days=7)).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "releases": [{"version": "1.4.0", "channel": "stable", "critical": False,
                      "published": now.strftime("%Y-%m-%dT%H:%M:%SZ"), "min_os": {},
                      "notes": "", "assets": assets}],
    }
    (site / "demo" / "feed.json").write_bytes(
        sign_envelope(json.dumps(payload).encode(), [load_private_key(key)])
    )


def config(path: Path, feed_url: str, public_key: str, install: str) -> Path:
    path.write_text(
        f'[product]\nid = "demo"\nversion = "1.0.0"\n\n'
        f'[feed]\nurl = "{feed_url}"\ntrusted_keys = ["{public_key}"]\n\n'
        f'[network]\nproxy = "none"\n\n[install]\n{install}\n'
    )
    return path


def updater(*argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "glass_updater", *argv], capture_output=True, text=True,
        timeout=60, cwd=ROOT, check=False, env={**os.environ, "PYTHONPATH": str(ROOT)},
    )


def helper_pids(marker: str) -> list[int]:
    """Install helpers started for this test (their argv names its folder)."""
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            argv = (proc / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if b"glass_updater.helper" in argv and any(marker.encode() in a for a in argv):
            found.append(int(proc.name))
    return found


def test_one_feed_serves_tar_gz_and_deb_installations(tmp_path: Path) -> None:
    public_key = write_keypair(tmp_path / "keys")
    app_dir = tmp_path / "apps" / "demo"
    (app_dir / "bin").mkdir(parents=True)
    (app_dir / "bin" / "demo").write_bytes(b"version 1.0.0\n")
    with FeedServer(tmp_path / "site") as server:
        publish(tmp_path / "site", server.url, tmp_path / "keys" / "private.key")
        feed_url = f"{server.url}/demo/feed.json"
        tar_config = config(tmp_path / "tar.toml", feed_url, public_key,
                            f'app_dir = "{app_dir}"')
        state = tmp_path / "state"
        proc = updater("install", "--json", "--config", str(tar_config),
                       "--state-dir", str(state))
        assert proc.returncode == 0, proc.stderr
        doc = json.loads(proc.stdout)
        assert doc["latest"]["asset"]["kind"] == "tar.gz" and doc["handed_off"] is True
        # `updater install` has exited; the helper it started swaps the folder now.
        # It existed before the CLI exited (Popen returns after exec); not listed: finished.
        running = helper_pids(str(tmp_path))
        assert len(running) <= 1
        for helper in running:
            wait_for_process(helper)
        report = json.loads((state / "install-report.json").read_text())
        assert report["status"] == "installed", report
        assert (app_dir / "bin" / "demo").read_bytes() == b"version 1.4.0\n"
        assert sorted(p.name for p in app_dir.parent.iterdir()) == ["demo"]
        assert not Path(doc["path"]).exists()  # the staged download is gone

        # A .deb installation on a system without apt-get/dpkg and pkexec: refused first.
        deb_config = config(tmp_path / "deb.toml", feed_url, public_key, 'kind = "deb"')
        proc = subprocess.run(
            [sys.executable, "-m", "glass_updater", "download", "--config", str(deb_config),
             "--state-dir", str(tmp_path / "deb-state")],
            capture_output=True, text=True, timeout=60, cwd=ROOT, check=False,
            env={**os.environ, "PYTHONPATH": str(ROOT), "PATH": str(tmp_path / "empty")},
        )
        assert proc.returncode == 5, proc.stderr
        assert proc.stderr.count("\n") == 1 and "neither apt-get nor dpkg" in proc.stderr
        targets = [r.split(b" ")[1].decode() for r in server.request_log]
    downloads = [t for t in targets if not t.startswith("/demo/feed.json")]
    assert downloads == ["/demo/demo-1.4.0.tar.gz"]  # the tar.gz only; nothing for the .deb
