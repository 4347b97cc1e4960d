"""Shared end-to-end fixtures: a signed demo feed served on loopback, and a CLI runner."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from glass_updater.publish.demo import build_site, write_config
from glass_updater.publish.keys import write_keypair
from glass_updater.publish.serve import FeedServer

from tests.e2e.netwatch import ROOT


@dataclass
class Site:
    root: Path
    server: FeedServer
    config: Path
    state: Path
    public_key: str

    def run(self, *argv: str, config: Path | None = None) -> subprocess.CompletedProcess[str]:
        config_args = [] if argv[0] == "log" else ["--config", str(config or self.config)]
        return subprocess.run(
            [sys.executable, "-m", "glass_updater", *argv, *config_args,
             "--state-dir", str(self.state)],
            capture_output=True, text=True, timeout=60, cwd=ROOT, check=False,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )

    def state_snapshot(self) -> dict[str, bytes]:
        if not self.state.exists():
            return {}
        return {
            str(p.relative_to(self.state)): p.read_bytes()
            for p in sorted(self.state.rglob("*"))
            if p.is_file() and "log" not in p.relative_to(self.state).parts
            and p.suffix != ".lock"
        }


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Site]:
    key = write_keypair(tmp_path / "keys")
    with FeedServer(tmp_path / "site") as server:
        build_site(tmp_path / "site", server.url, tmp_path / "keys" / "private.key",
                   datetime.now(UTC))
        config = tmp_path / "config.toml"
        write_config(config, f"{server.url}/demo-app/feed.json", key, None)
        yield Site(tmp_path, server, config, tmp_path / "state", key)


@pytest.fixture(scope="session")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel a packager gets from this source tree (``pip wheel .``), built once."""
    out = tmp_path_factory.mktemp("wheel")
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", str(ROOT), "--no-deps", "-q", "-w", str(out)],
        capture_output=True, text=True, timeout=300, check=False,
    )
    assert proc.returncode == 0, proc.stderr
    (built,) = out.glob("glass_updater-*.whl")
    return built


def clean_env() -> dict[str, str]:
    """The environment without PYTHONPATH: only the fresh venv decides what is imported."""
    return {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}


@pytest.fixture(scope="session")
def wheel_python(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh virtualenv with the wheel installed (not editable), as a packager has it.

    Its third-party dependencies (PySide6, requests, cryptography, PyInstaller) come from
    this venv through a plain path entry in a ``.pth`` file, which does NOT process this
    venv's own ``.pth`` files, so the worktree's editable install stays out.
    """
    import sysconfig

    root = tmp_path_factory.mktemp("wheel-venv") / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(root)], check=True,
                   timeout=120)
    python = root / "bin" / "python"
    site = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True, text=True, check=True, timeout=60, env=clean_env(),
    ).stdout.strip()
    (Path(site) / "deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps",
         "--no-index", "-q", str(wheel)],
        check=True, timeout=300,
    )
    where = subprocess.run(
        [str(python), "-c", "import glass_updater; print(glass_updater.__file__)"],
        capture_output=True, text=True, check=True, timeout=60, env=clean_env(),
    ).stdout
    assert where.startswith(str(root)), where  # the wheel's copy, not the worktree's
    return python
