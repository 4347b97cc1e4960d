"""build_installer.spec builds a one-folder bundle whose tray app and CLI both run."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.e2e.netwatch import ROOT

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

PYINSTALLER = shutil.which("pyinstaller", path=str(Path(sys.executable).parent))


@pytest.mark.skipif(PYINSTALLER is None, reason="pyinstaller is not installed in this venv")
def test_spec_builds_a_bundle_that_runs(tmp_path: Path) -> None:
    assert isinstance(PYINSTALLER, str)
    build = subprocess.run(
        [PYINSTALLER, "--noconfirm", "--log-level", "ERROR", "--distpath", str(tmp_path / "dist"),
         "--workpath", str(tmp_path / "build"), str(ROOT / "build_installer.spec")],
        capture_output=True, text=True, cwd=ROOT, timeout=600, check=False,
    )
    assert build.returncode == 0, build.stderr[-2000:]
    bundle = tmp_path / "dist" / "glass-updater"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    audit = subprocess.run([str(bundle / "updater"), "audit", "--format", "json"],
                           capture_output=True, text=True, env=env, timeout=60, check=False)
    assert audit.returncode == 0, audit.stderr
    from glass_updater.allowlist import load_allowlist

    assert json.loads(audit.stdout)["allowlist_sha256"] == load_allowlist().sha256
    app = subprocess.run(
        [str(bundle / "glass-updater"), "--state-dir", str(tmp_path / "state"),
         "--selftest-quit-after-ms", "0"],
        capture_output=True, text=True, env=env, timeout=60, check=False,
    )
    assert app.returncode == 0 and "glass-updater: ready" in app.stdout, app.stderr
    size = sum(p.lstat().st_size for p in bundle.rglob("*") if p.is_file() and not p.is_symlink())
    print(f"bundle size: {size / 1e6:.0f} MB")
