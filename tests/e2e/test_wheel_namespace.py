"""The installed wheel adds ONE import package, ``glass_updater``, with its data inside.

A host app keeps its own ``ui/`` and ``resources/`` (the commonest folder names in Qt
apps) and still imports them, while the updater finds its allowlist and demo config.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import pytest

pytestmark = [pytest.mark.e2e]


def test_the_wheel_has_one_top_level_package_with_its_data_inside(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    dist_info = next(n.split("/")[0] for n in names if n.split("/")[0].endswith(".dist-info"))
    assert {n.split("/")[0] for n in names} == {"glass_updater", dist_info}
    top = zipfile.ZipFile(wheel).read(f"{dist_info}/top_level.txt").decode().split()
    assert top == ["glass_updater"]
    for data in ("allowlist.toml", "demo-config.toml", "app-icon.svg", "tray-light.svg",
                 "tray-dark.svg"):
        assert f"glass_updater/resources/{data}" in names
    assert "glass_updater/qt/controller.py" in names
    for hook in ("hook-glass_updater.py", "hook-glass_updater.qt.py", "rthooks.dat",
                 "rthooks/pyi_rth_glass_updater.py"):
        assert f"glass_updater/_pyinstaller/{hook}" in names  # PyInstaller support
    assert not [n for n in names if n.startswith(("ui/", "resources/", "updater/"))]


HOST_MAIN = """
import sys
from pathlib import Path

import ui.driver                      # the host app's own ui package
from resources import BRAND           # the host app's own resources package

import glass_updater
from glass_updater import load_config
from glass_updater.allowlist import load_allowlist
from glass_updater.qt import UpdateController

installed = Path(glass_updater.__file__).resolve()
assert installed.is_relative_to(Path(sys.argv[1]).resolve()), installed  # the wheel's copy
assert ui.driver.WHO == "host" and BRAND == "host"
assert Path(ui.__file__).resolve().parent.parent == Path.cwd().resolve()
config = load_config(None)            # the demo config, read from glass_updater/resources
allowlist = load_allowlist()          # the allowlist, read from glass_updater/resources
print("ok", config.product_id, len(allowlist.fields), UpdateController.__name__)
"""


def test_a_host_app_with_its_own_ui_and_resources_imports_fine(
    wheel: Path, tmp_path: Path
) -> None:
    site = tmp_path / "site-packages"
    zipfile.ZipFile(wheel).extractall(site)  # what pip install puts in site-packages
    host = tmp_path / "host"
    (host / "ui").mkdir(parents=True)
    (host / "ui" / "__init__.py").write_text("")
    (host / "ui" / "driver.py").write_text("WHO = 'host'\n")
    (host / "resources").mkdir()
    (host / "resources" / "__init__.py").write_text("BRAND = 'host'\n")
    (host / "main.py").write_text(textwrap.dedent(HOST_MAIN))
    proc = subprocess.run(
        [sys.executable, "main.py", str(site)],
        cwd=host, capture_output=True, text=True, timeout=60, check=False,
        # The wheel's copy first: the worktree's editable install must not be what passes.
        env={**os.environ, "PYTHONPATH": str(site), "QT_QPA_PLATFORM": "offscreen"},
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("ok demo-app "), proc.stdout
