"""The packager docs follow the code: every config key, CLI command, option, error kind
and public name is documented, and every relative link points at a file that exists."""

from __future__ import annotations

import importlib
import pkgutil
import re
from pathlib import Path

import glass_updater
import glass_updater.qt
import pytest
from glass_updater.cli_parser import build_parser
from glass_updater.config import _SECTIONS
from glass_updater.errors import UpdaterError

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"


def read(name: str) -> str:
    return (DOCS / name).read_text("utf-8")


def test_config_md_documents_every_key_in_its_section() -> None:
    text = read("config.md")
    for section, keys in _SECTIONS.items():
        match = re.search(rf"^## `\[{section}\]`\n(.*?)(?=^## |\Z)", text, re.M | re.S)
        assert match, f"docs/config.md has no section for [{section}]"
        for key in keys:
            assert f"| `{key}` |" in match.group(1), f"[{section}] {key} is undocumented"


def test_cli_md_documents_every_command_and_option() -> None:
    text = read("cli.md")
    parser = build_parser()
    assert "updater --version" in text
    sub = next(a for a in parser._actions if a.dest == "command")
    for name, command in sub.choices.items():  # type: ignore[union-attr]
        assert f"updater {name}" in text, name
        for action in command._actions:
            for option in action.option_strings:
                if option not in ("-h", "--help"):
                    assert option in text, f"updater {name} {option} is undocumented"


def _all_error_classes() -> set[type[UpdaterError]]:
    for info in pkgutil.walk_packages(glass_updater.__path__, "glass_updater."):
        # The client's modules: updater-publish's own errors never reach `updater --json`.
        if not info.name.startswith(("glass_updater.qt", "glass_updater._pyinstaller",
                                     "glass_updater.publish")) \
                and not info.name.endswith(".__main__"):
            importlib.import_module(info.name)
    found: set[type[UpdaterError]] = set()
    todo = [UpdaterError]
    while todo:
        cls = todo.pop()
        if not cls.__module__.startswith("glass_updater.publish"):
            found.add(cls)
        todo.extend(cls.__subclasses__())
    return found


def test_cli_md_documents_every_error_kind_and_exit_code() -> None:
    text = read("cli.md")
    table = text.split("### Error kinds", 1)[1].split("\n### ", 1)[0]
    for cls in _all_error_classes():
        assert f"`{cls.kind}`" in table, f"error kind {cls.kind!r} ({cls.__name__})"
        row = next(line for line in table.splitlines() if f"`{cls.kind}`" in line)
        assert f"| {cls.exit_code} |" in row, f"{cls.kind}: exit code {cls.exit_code}"
    codes = text.split("### Exit codes", 1)[1].split("\n## ", 1)[0]
    for code in {cls.exit_code for cls in _all_error_classes()} | {0}:
        assert f"\n| {code} |" in codes, code


def test_packagers_md_names_every_public_name() -> None:
    text = read("packagers.md")
    for name in [*glass_updater.__all__, *glass_updater.qt.__all__]:
        assert f"`{name}" in text, f"{name} is public but not in docs/packagers.md"


@pytest.mark.parametrize("name", ["packagers.md", "config.md", "cli.md"])
def test_relative_links_resolve(name: str) -> None:
    text = read(name)
    for target in re.findall(r"\]\(([^)#]+)(?:#[^)]*)?\)", text):
        if "://" in target:
            continue
        assert (DOCS / target).resolve().exists(), f"{name} links to missing {target}"


def test_architecture_map_names_only_what_exists() -> None:
    """docs/architecture.md cannot rot: every path it cites exists, every
    ``module.name`` it cites resolves, and every core module is on the map."""
    text = read("architecture.md")
    for path in re.findall(r"`((?:updater|ui|tests|resources|docs)/[\w./-]+)`", text):
        assert (ROOT / path).exists(), f"docs/architecture.md cites {path}, which is gone"
    for module, name in re.findall(r"`(\w+)\.(\w+)(?:\(\))?`", text):
        if (ROOT / "updater" / f"{module}.py").exists():
            target = importlib.import_module(f"glass_updater.{module}")
            assert hasattr(target, name), f"docs/architecture.md cites {module}.{name}"
    # On the map means named in the layer diagram or in backticks, not in a sentence.
    code = " ".join(re.findall(r"```(.*?)```", text, re.S) + re.findall(r"`([^`\n]+)`", text))
    named = set(re.findall(r"\w+", code))
    for folder in ("updater", "ui"):
        for found in pkgutil.iter_modules([str(ROOT / folder)]):
            if not found.name.startswith("_"):
                assert found.name in named, f"docs/architecture.md leaves out {folder}/{found.name}"
