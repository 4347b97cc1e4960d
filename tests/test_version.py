"""The version has one source, pyproject.toml: everything that shows it reads it from there.

The package metadata (``importlib.metadata``) is made from pyproject at install time;
``glass_updater.__version__``, ``updater --version``, the About dialog and the HAR
export's creator read the metadata. No module may spell the version itself, and the docs
that quote it must quote the current one.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import glass_updater
from glass_updater.export import to_har
from glass_updater.meta import package_version

ROOT = Path(__file__).resolve().parents[1]
# Where the docs quote the version: wheel file names and `updater --version`'s output.
DOC_QUOTES = (
    re.compile(r"glass_updater-(\d+\.\d+\.\d+)-py3"),
    re.compile(r"`updater (\d+\.\d+\.\d+)`"),
)


def pyproject_version() -> str:
    doc = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    version = doc["project"]["version"]
    assert isinstance(version, str) and "version" not in doc["project"].get("dynamic", [])
    return version


def test_installed_metadata_is_pyproject_version() -> None:
    version = pyproject_version()
    assert package_version() == version, "reinstall: scripts/venv.sh (pip install -e .)"
    assert glass_updater.__version__ == version
    assert to_har([])["log"]["creator"] == {"name": "glass-updater", "version": version}


def test_no_module_spells_the_version() -> None:
    version = pyproject_version()
    pattern = re.compile(r"""["'`]""" + re.escape(version) + r"""["'`]""")
    spelled = [
        str(path.relative_to(ROOT))
        for folder in ("updater", "ui", "packaging", "scripts")
        for path in sorted((ROOT / folder).rglob("*.py"))
        if pattern.search(path.read_text(encoding="utf-8"))
    ]
    assert spelled == [], f"read glass_updater.meta.package_version() instead: {spelled}"


def test_docs_quote_the_current_version() -> None:
    version = pyproject_version()
    quoted = {
        (str(path.relative_to(ROOT)), found)
        for path in [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
        for pattern in DOC_QUOTES
        for found in pattern.findall(path.read_text(encoding="utf-8"))
    }
    assert quoted, "the docs no longer quote the version: update DOC_QUOTES"
    assert {v for _path, v in quoted} == {version}, sorted(quoted)
