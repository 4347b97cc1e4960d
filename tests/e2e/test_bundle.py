"""build_installer.spec builds a one-folder bundle whose tray app and CLI both run."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from glass_updater.meta import package_version

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
    size = bundle_bytes(bundle)
    print(f"bundle size: {size / 1e6:.1f} MB")
    names = {p.name for p in bundle.rglob("*")}
    # The GTK stack and QtNetwork stay out whatever the build machine has installed.
    assert not [n for n in names if n.startswith(("libgtk", "libgdk", "libQt6Network",
                                                  "libqgtk3", "libkrb5"))]
    assert not [p for p in bundle.rglob("*") if p.is_symlink() and not p.exists()]
    if os.environ.get("GLASS_KEEP_ICU") != "1" and shutil.which("cc"):
        (icu,) = (bundle / "_internal" / "PySide6" / "Qt" / "lib").glob("libicudata.so.*")
        assert icu.stat().st_size < 100_000  # ICU's empty stub, not 32 MB of data
        assert size <= 125_000_000, f"bundle is {size / 1e6:.1f} MB (budget 125 MB)"
    assert "Could not create collator" not in app.stderr  # nothing at start-up needs ICU
    version = subprocess.run([str(bundle / "updater"), "--version"], capture_output=True,
                             text=True, env=env, timeout=60, check=False)
    assert version.stdout.strip() == f"updater {package_version()}", version.stderr
    # The spec lists no module by hand: every module of the source tree is in the bundle
    # (the lazily imported ones included), so adding a module needs no spec edit.
    for exe, folders in (("updater", ("updater", "resources")),
                         ("glass-updater", ("updater", "resources", "ui"))):
        bundled = frozen_modules(bundle / exe)
        missing = [m for f in folders for m in source_modules(f) if m not in bundled]
        assert missing == [], f"{exe} lacks {missing}"


def source_modules(folder: str) -> list[str]:
    """The dotted names of ``folder``'s modules as installed (updater/ -> glass_updater,
    ui/ -> glass_updater.qt, ...), without what the spec leaves out on purpose."""
    package = {"updater": "glass_updater", "ui": "glass_updater.qt",
               "resources": "glass_updater.resources"}[folder]
    skip = ("glass_updater.publish", "glass_updater._pyinstaller",
            "glass_updater.qt.single_instance_qt")  # the last: Windows only
    names = []
    for path in sorted((ROOT / folder).rglob("*.py")):
        parts = path.relative_to(ROOT / folder).with_suffix("").parts
        name = ".".join((package, *(parts[:-1] if parts[-1] == "__init__" else parts)))
        if not name.startswith(skip):
            names.append(name)
    return names


def frozen_modules(exe: Path) -> set[str]:
    """Module names in the executable's PYZ archive (pyi-archive_viewer's listing)."""
    viewer = Path(sys.executable).parent / "pyi-archive_viewer"
    listing = subprocess.run([str(viewer), "--recursive", "--brief", str(exe)],
                             capture_output=True, text=True, timeout=120, check=True)
    return {line.strip() for line in listing.stdout.splitlines()}


def bundle_bytes(root: Path) -> int:
    """Bytes on disk like ``du -sb``: each file once (hard links once), links as links."""
    seen: set[tuple[int, int]] = set()
    total = 0
    for path in [root, *root.rglob("*")]:
        info = path.lstat()
        if (info.st_dev, info.st_ino) not in seen:
            seen.add((info.st_dev, info.st_ino))
            total += info.st_size
    return total
