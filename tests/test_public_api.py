"""The public API is pinned: adding or removing a name is a decision, made here on purpose.

docs/packagers.md documents these names; everything else is internal and may change.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import glass_updater
import glass_updater.qt
import pytest
from glass_updater.cli import main as cli_main
from glass_updater.config import config_from_dict, parse_config
from glass_updater.errors import ConfigError

ROOT = Path(__file__).resolve().parents[1]

CORE_API = [
    "Asset", "BusyError", "Cancelled", "CheckResult", "CheckStatus", "ConfigError",
    "EXIT_CODES", "FeedError", "HostApp", "InstallError", "InternalError", "Outcome",
    "PackagerConfig", "Paths", "Progress", "Reason", "Release", "RequestRefused", "StaleFeedError",
    "StorageError", "TransportError", "UpdateChoice", "UpdateFlow", "Updater", "UpdaterError",
    "UserDriver", "VerificationError", "VerifiedFile", "Why", "__version__", "config_from_dict",
    "default_relaunch_argv", "load_config", "parse_config",
]
QT_API = ["QtHostApp", "UpdateController", "main"]


def test_core_all_is_pinned_and_every_name_resolves() -> None:
    assert sorted(glass_updater.__all__) == sorted(CORE_API)
    for name in CORE_API:
        assert getattr(glass_updater, name) is not None, name
    with pytest.raises(AttributeError):
        glass_updater.NotAName  # type: ignore[attr-defined]  # noqa: B018


def test_qt_all_is_pinned_and_every_name_resolves() -> None:
    assert sorted(glass_updater.qt.__all__) == sorted(QT_API)
    for name in QT_API:
        assert getattr(glass_updater.qt, name) is not None, name


HEAVY = ("requests", "urllib3", "cryptography", "PySide6", "glass_updater.transport",
         "glass_updater.updater", "glass_updater.feed")


def test_importing_the_packages_is_cheap() -> None:
    """``import glass_updater`` / ``glass_updater.qt`` load neither Qt nor the network."""
    code = (
        "import sys, json, glass_updater, glass_updater.qt\n"
        "print(json.dumps(sorted(sys.modules)))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, timeout=60).stdout
    loaded = json.loads(out)
    leaked = [m for m in loaded if m.startswith(HEAVY)]
    assert leaked == []


def test_version_comes_from_the_package_metadata(capsys: pytest.CaptureFixture[str]) -> None:
    from importlib.metadata import version

    assert glass_updater.__version__ == version("glass-updater")
    with pytest.raises(SystemExit) as info:
        cli_main(["--version"])
    assert info.value.code == 0
    assert capsys.readouterr().out == f"updater {version('glass-updater')}\n"
    pyproject = (ROOT / "pyproject.toml").read_text()
    assert f'version = "{glass_updater.__version__}"' in pyproject  # the one source


KEY = "ed25519:" + "A" * 43 + "="


def test_config_from_python_values_equals_the_same_toml() -> None:
    values = {
        "product": {"id": "my-app", "name": "My App", "version": "1.2.0"},
        "feed": {"url": "https://updates.example.com/my-app/feed.json",
                 "trusted_keys": (KEY,)},
        "privacy": {"remove_fields": ["version"]},
    }
    toml = (
        '[product]\nid = "my-app"\nname = "My App"\nversion = "1.2.0"\n'
        f'[feed]\nurl = "https://updates.example.com/my-app/feed.json"\n'
        f'trusted_keys = ["{KEY}"]\n[privacy]\nremove_fields = ["version"]\n'
    )
    assert config_from_dict(values) == parse_config(toml)
    with pytest.raises(ConfigError, match=r"unknown key\(s\) in \[feed\]: urll"):
        config_from_dict({**values, "feed": {"urll": "x"}})


@pytest.mark.parametrize("bad", ["../etc", "a/b", "con", "x."])
def test_a_product_id_that_cannot_name_a_folder_is_a_config_error(bad: str) -> None:
    toml = f'[product]\nid = "{bad}"\nversion = "1.0"\n[feed]\nurl = "https://x/f"\n' \
           f'trusted_keys = ["{KEY}"]\n'
    with pytest.raises(ConfigError, match=r"\[product\] id"):
        parse_config(toml)


def test_no_user_facing_text_points_at_the_design_file() -> None:
    """Messages (and everything shipped) name docs/ pages, never a file users lack."""
    shipped = [p for d in ("updater", "ui", "resources") for p in (ROOT / d).rglob("*")
               if p.is_file() and p.suffix in (".py", ".toml", ".md")]
    assert shipped
    hits = [str(p.relative_to(ROOT)) for p in shipped
            if re.search(r"DESIGN(\.md)?|THREATS\.md", p.read_text("utf-8"))]
    assert hits == []


def test_unknown_section_message_says_what_the_sections_are(tmp_path: Path) -> None:
    bad = tmp_path / "c.toml"
    bad.write_text("[produkt]\nid = 'x'\n")
    proc = subprocess.run(
        [sys.executable, "-m", "glass_updater", "check", "--config", str(bad)],
        capture_output=True, text=True, timeout=60, check=False,
        env={**os.environ},
    )
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1
    assert "[produkt]" in proc.stderr and "[product]" in proc.stderr
