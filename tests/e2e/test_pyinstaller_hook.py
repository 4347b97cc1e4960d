"""The library's PyInstaller hook: a host app's plain ``pyinstaller myapp.py`` just works.

The wheel is installed (not editable) into a fresh virtualenv; its third-party
dependencies (PySide6, requests, cryptography, PyInstaller) come from this venv through a
``.pth`` path entry, which does NOT activate this worktree's editable install. PyInstaller
then finds the hook only through the wheel's ``pyinstaller40`` entry point, and the frozen
app checks against a signed feed on loopback: resources, metadata and the modules the
updater imports lazily at the first check all had to be bundled by the hook.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
from datetime import UTC, datetime
from pathlib import Path

import pytest
from glass_updater.publish.demo import build_site, write_config
from glass_updater.publish.keys import write_keypair
from glass_updater.publish.serve import FeedServer

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.loopback]

HOST = Path(__file__).parent / "frozen_host" / "myapp.py"
HAVE_PYINSTALLER = shutil.which("pyinstaller", path=str(Path(sys.executable).parent)) is not None


def clean_env() -> dict[str, str]:
    """The environment without PYTHONPATH: only the fresh venv decides what is imported."""
    return {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}


def fresh_venv(root: Path, wheel: Path) -> Path:
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(root)], check=True,
                   timeout=120)
    python = root / "bin" / "python"
    site = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True, text=True, check=True, timeout=60, env=clean_env(),
    ).stdout.strip()
    # Third-party dependencies from this venv, as a plain path (its .pth files, among them
    # the editable install's finder, are not processed for such an entry).
    (Path(site) / "deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps",
         "--no-index", "-q", str(wheel)],
        check=True, timeout=300,
    )
    return python


@pytest.mark.skipif(not HAVE_PYINSTALLER, reason="pyinstaller is not installed in this venv")
def test_plain_pyinstaller_build_of_a_host_app_checks_for_updates(
    wheel: Path, tmp_path: Path
) -> None:
    python = fresh_venv(tmp_path / "venv", wheel)
    where = subprocess.run(
        [str(python), "-c", "import glass_updater; print(glass_updater.__file__)"],
        capture_output=True, text=True, check=True, timeout=60, env=clean_env(),
    ).stdout
    assert where.startswith(str(tmp_path / "venv")), where  # the wheel, not the worktree
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
    assert "glass_updater 0.1.0" in run.stdout  # package metadata was bundled
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
