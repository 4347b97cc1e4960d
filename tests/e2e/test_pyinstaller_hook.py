"""The library's PyInstaller hook: a host app's plain ``pyinstaller myapp.py`` just works.

The wheel is installed (not editable) into a fresh virtualenv; its third-party
dependencies (PySide6, requests, cryptography, PyInstaller) come from this venv through a
``.pth`` path entry, which does NOT activate this worktree's editable install. PyInstaller
then finds the hook only through the wheel's ``pyinstaller40`` entry point, and the frozen
app checks against a signed feed on loopback: resources, metadata and the modules the
updater imports lazily at the first check all had to be bundled by the hook.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from glass_updater.meta import package_version
from glass_updater.publish.demo import build_site, write_config
from glass_updater.publish.keys import write_keypair
from glass_updater.publish.serve import FeedServer

from tests.e2e.conftest import clean_env

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.loopback]

HOST = Path(__file__).parent / "frozen_host" / "myapp.py"
HAVE_PYINSTALLER = shutil.which("pyinstaller", path=str(Path(sys.executable).parent)) is not None


@pytest.mark.skipif(not HAVE_PYINSTALLER, reason="pyinstaller is not installed in this venv")
def test_plain_pyinstaller_build_of_a_host_app_checks_for_updates(
    wheel_python: Path, tmp_path: Path
) -> None:
    python = wheel_python
    app = tmp_path / "app"
    app.mkdir()
    shutil.copy(HOST, app / "myapp.py")
    build = subprocess.run(
        [str(python), "-m", "PyInstaller", "--noconfirm", "--log-level", "WARN",
         "--windowed", "myapp.py"],
        cwd=app, capture_output=True, text=True, timeout=900, check=False, env=clean_env(),
    )
    assert build.returncode == 0, build.stderr[-3000:]
    frozen = app / "dist" / "myapp" / "myapp"
    internal = app / "dist" / "myapp" / "_internal"
    assert (internal / "glass_updater" / "resources" / "allowlist.toml").is_file()

    key = write_keypair(tmp_path / "keys")
    with FeedServer(tmp_path / "site") as server:
        build_site(tmp_path / "site", server.url, tmp_path / "keys" / "private.key",
                   datetime.now(UTC))
        config = tmp_path / "config.toml"
        write_config(config, f"{server.url}/demo-app/feed.json", key, None)
        run = subprocess.run(
            [str(frozen), str(config)], capture_output=True, text=True, timeout=120,
            check=False, cwd=tmp_path,
            env={**clean_env(), "QT_QPA_PLATFORM": "offscreen"},
        )
        requests = server.request_log
    assert run.returncode == 0, run.stdout + run.stderr[-3000:]
    assert f"glass_updater {package_version()}" in run.stdout  # package metadata was bundled
    assert "Demo App 1.4.0 is available" in run.stdout
    assert len(requests) == 1
    assert requests[0].startswith(b"GET /demo-app/feed.json?product=demo-app&version=1.0.0 ")
    # The install helper of a frozen app is the app itself, started with the helper flag:
    # the hook's runtime hook runs it before myapp.py's code (which would read argv[1] as
    # a config path), with no line in the app for it.
    helper = subprocess.run(
        [str(frozen), "--glass-updater-helper"], capture_output=True, text=True,
        timeout=60, check=False, env={**clean_env(), "QT_QPA_PLATFORM": "offscreen"},
    )
    assert helper.returncode == 2, helper.stdout + helper.stderr
    assert helper.stderr.startswith("glass-updater helper: usage"), helper.stderr
