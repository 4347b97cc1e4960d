"""examples/host_app end to end: a real PySide6 app (offscreen) with its own ``ui/`` and
``resources/`` updates itself through Help ▸ Check for Updates… against a signed feed on
loopback, using only the documented API.

The app is driven by tests/e2e/host_autopilot.py, which clicks what a user would click;
the example carries no test hooks. The app writes a JSON line per event to
``$HOST_APP_EVENTS`` (its own diagnostic log).
"""

from __future__ import annotations

import hashlib
import json
import os
import select
import signal
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
from tests.e2e.conftest import clean_env
from tests.e2e.netwatch import ROOT
from tests.processes import read_fifo_line, wait_for_process

pytestmark = [pytest.mark.e2e, pytest.mark.loopback]

EXAMPLE = ROOT / "examples" / "host_app"
AUTOPILOT = Path(__file__).parent / "host_autopilot.py"
PRODUCT = "host-app"


def app_files(version: str, feed_url: str, key: str, install: str) -> dict[str, bytes]:
    """The example app's files, with a packager config for ``version``."""
    files = {
        str(p.relative_to(EXAMPLE)): p.read_bytes()
        for p in sorted(EXAMPLE.rglob("*"))
        if p.is_file() and "__pycache__" not in p.parts and p.name != "config.toml"
    }
    files["resources/version.txt"] = f"{version}\n".encode()
    files["config.toml"] = (
        f'[product]\nid = "{PRODUCT}"\nname = "Host App"\nversion = "{version}"\n\n'
        f'[feed]\nurl = "{feed_url}"\ntrusted_keys = ["{key}"]\n\n'
        f'[network]\nproxy = "none"\n\n{install}'
    ).encode()
    return files


def publish(site: Path, base_url: str, private_key: Path, asset: bytes) -> str:
    """Sign a feed offering 1.4.0 as a tar.gz; returns the asset's SHA-256."""
    now = datetime.now(UTC)
    (site / PRODUCT).mkdir(parents=True)
    name = f"{PRODUCT}-1.4.0-{current_platform()}.tar.gz"
    (site / PRODUCT / name).write_bytes(asset)
    sha = hashlib.sha256(asset).hexdigest()
    payload = {
        "product": PRODUCT,
        "serial": 1,
        "expires": (now + timedelta(days=30)).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "releases": [{
            "version": "1.4.0", "channel": "stable",
            "published": now.strftime("%Y-%m-%dT%H:%M:%SZ"), "critical": False,
            "min_os": {}, "notes": "## Host App 1.4.0\n- better",
            "assets": [{"platform": current_platform(), "kind": "tar.gz",
                        "url": f"{base_url}/{PRODUCT}/{name}", "size": len(asset),
                        "sha256": sha}],
        }],
    }
    feed = sign_envelope(json.dumps(payload).encode(), [load_private_key(private_key)])
    (site / PRODUCT / "feed.json").write_bytes(feed)
    return sha


def events(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


INSTALLER = """
import hashlib, json, os, sys
path = sys.argv[1]
line = {"event": "installer", "file": path,
        "sha256": hashlib.sha256(open(path, "rb").read()).hexdigest()}
with open(os.environ["HOST_APP_EVENTS"], "a") as fh:
    fh.write(json.dumps(line) + "\\n")
with open(sys.argv[2], "w") as fifo:
    fifo.write(f"done {os.getppid()}\\n")  # run by the install helper: its PID
"""


def stop_process(pid: int) -> None:
    """The relaunched app runs until told otherwise: stop it, and wait until it has."""
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    wait_for_process(pid)


def test_help_check_for_updates_downloads_verifies_and_hands_off(tmp_path: Path) -> None:
    """check -> download -> verify -> handoff to the packager's installer, then quit."""
    key = write_keypair(tmp_path / "keys")
    fifo = tmp_path / "installer.fifo"
    os.mkfifo(fifo)
    (tmp_path / "installer.py").write_text(INSTALLER)
    install = (f'[install]\ncommand = ["{sys.executable}", "{tmp_path / "installer.py"}", '
               f'"{{file}}", "{fifo}"]\n')
    log = tmp_path / "events.jsonl"
    with FeedServer(tmp_path / "site") as server:
        feed_url = f"{server.url}/{PRODUCT}/feed.json"
        new = tar_gz(app_files("1.4.0", feed_url, key, install))
        sha = publish(tmp_path / "site", server.url, tmp_path / "keys" / "private.key", new)
        app = tmp_path / "app"
        app.mkdir()
        for name, data in app_files("1.0.0", feed_url, key, install).items():
            (app / name).parent.mkdir(parents=True, exist_ok=True)
            (app / name).write_bytes(data)
        # Open the FIFO's read end before the installer can open its write end.
        fd = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
        try:
            proc = subprocess.run(
                [sys.executable, str(AUTOPILOT), str(app / "main.py")],
                cwd=tmp_path, capture_output=True, text=True, timeout=60, check=False,
                env={**os.environ, "QT_QPA_PLATFORM": "offscreen",
                     "HOST_APP_EVENTS": str(log)},
            )
            assert proc.returncode == 0, proc.stdout + proc.stderr[-3000:]
            done, helper_pid = read_fifo_line(fd, "the installer never reported").split()
            assert done == b"done"
        finally:
            os.close(fd)
        # The helper relaunches the app once the installer has finished; it is done once
        # the new process has lived through its start-up grace period.
        wait_for_process(int(helper_pid))
        requests = server.request_log
    seen = events(log)
    first = next(e for e in seen if e["event"] == "started")
    (previous,) = [e for e in seen if e["event"] == "previous"]
    stop_process(int(previous["pid"]))  # type: ignore[call-overload]
    assert previous["previous_pid"] == first["pid"]
    assert previous["previous_gone"] is True  # the old process was gone when it started
    assert "autopilot: Quit and Open Installer" in proc.stdout  # the packager's command
    assert [e["event"] for e in seen if e["event"] in ("started", "exiting")] == [
        "started", "exiting", "started"]  # the old app, then the relaunched one
    (installer,) = [e for e in seen if e["event"] == "installer"]
    assert installer["sha256"] == sha  # exactly the verified bytes were handed over
    assert [r.split(b" ")[1] for r in requests] == [
        f"/{PRODUCT}/feed.json?product={PRODUCT}&version=1.0.0".encode(),
        f"/{PRODUCT}/{PRODUCT}-1.4.0-{current_platform()}.tar.gz".encode(),
    ]


class EventPipe:
    """$HOST_APP_EVENTS as a FIFO: each app process appends JSON lines, the test waits on
    them with select (no polling, no sleeps). The test holds a write end too, so the FIFO
    never reads as closed between the old app's exit and the new one's start."""

    def __init__(self, path: Path) -> None:
        os.mkfifo(path)
        self.path = path
        self._read = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
        self._keep = os.open(path, os.O_WRONLY)
        self._buffer = b""
        self.seen: list[dict[str, object]] = []

    def wait_for(self, match: dict[str, object], timeout: float = 60.0) -> dict[str, object]:
        while True:
            for event in self.seen:
                if all(event.get(k) == v for k, v in match.items()):
                    return event
            ready, _, _ = select.select([self._read], [], [], timeout)
            assert ready, f"no event {match} within {timeout} s; saw {self.seen}"
            self._buffer += os.read(self._read, 65536)
            *lines, self._buffer = self._buffer.split(b"\n")
            self.seen.extend(json.loads(line) for line in lines if line)

    def close(self) -> None:
        os.close(self._read)
        os.close(self._keep)


def test_tar_gz_update_swaps_the_app_folder_and_relaunches_the_new_version(
    tmp_path: Path, wheel_python: Path,
) -> None:
    """check -> download -> install (tar.gz folder swap by the helper) -> relaunch.

    As a packager ships it: the wheel installed (not editable) in a fresh venv, the app a
    folder unpacked from a tar.gz with its config inside (app_dir = "."). The new version
    is started from the same path after the old process has exited.
    """
    from glass_updater.paths import Paths

    key = write_keypair(tmp_path / "keys")
    install = '[install]\nkind = "tar.gz"\napp_dir = "."\n'
    events = EventPipe(tmp_path / "events.fifo")
    app = tmp_path / "apps" / "host-app"
    try:
        with FeedServer(tmp_path / "site") as server:
            feed_url = f"{server.url}/{PRODUCT}/feed.json"
            new = tar_gz(app_files("1.4.0", feed_url, key, install))
            publish(tmp_path / "site", server.url, tmp_path / "keys" / "private.key", new)
            for name, data in app_files("1.0.0", feed_url, key, install).items():
                (app / name).parent.mkdir(parents=True, exist_ok=True)
                (app / name).write_bytes(data)
            proc = subprocess.run(
                [str(wheel_python), str(AUTOPILOT), str(app / "main.py")],
                cwd=tmp_path, capture_output=True, text=True, timeout=60, check=False,
                env={**clean_env(), "QT_QPA_PLATFORM": "offscreen",
                     "HOST_APP_EVENTS": str(events.path)},
            )
            assert proc.returncode == 0, proc.stdout + proc.stderr[-3000:]
            assert "autopilot: Install and Restart" in proc.stdout
            old = events.wait_for({"event": "started", "version": "1.0.0"})
            events.wait_for({"event": "exiting", "pid": old["pid"]})
            new_app = events.wait_for({"event": "started", "version": "1.4.0"})
            requests = server.request_log
        previous = events.wait_for({"event": "previous", "pid": new_app["pid"]})
        helper = int(new_app["ppid"])  # type: ignore[call-overload]
        wait_for_process(helper)  # it reports once the new version has started
        stop_process(int(new_app["pid"]))  # type: ignore[call-overload]
    finally:
        events.close()
    assert previous["previous_pid"] == old["pid"]
    assert previous["previous_gone"] is True  # the old process had exited first
    assert (app / "resources" / "version.txt").read_text() == "1.4.0\n"  # swapped in place
    assert 'version = "1.4.0"' in (app / "config.toml").read_text()
    assert sorted(p.name for p in app.parent.iterdir()) == ["host-app"]  # old copy removed
    paths = Paths.default(PRODUCT)
    report = json.loads((paths.state / "install-report.json").read_text())
    assert report["status"] == "installed", report
    assert not [p for p in paths.cache.rglob("*.tar.gz")]  # the staged download is gone
    assert [r.split(b" ")[1] for r in requests] == [
        f"/{PRODUCT}/feed.json?product={PRODUCT}&version=1.0.0".encode(),
        f"/{PRODUCT}/{PRODUCT}-1.4.0-{current_platform()}.tar.gz".encode(),
    ]
