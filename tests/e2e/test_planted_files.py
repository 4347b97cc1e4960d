"""Threats 41, 42: links, hard links, FIFOs and foreign folders planted where the CLI
reads or writes. Never followed, never waited on, never chmodded through; exit 1 with
one line naming the file. The tests run as root, so "another user" is a chown."""

from __future__ import annotations

import hashlib
import io
import os
import stat
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from glass_updater.cli import main
from glass_updater.publish.demo import ASSET_SCRIPT

from tests.e2e.conftest import Site
from tests.e2e.netwatch import ROOT

SHA = hashlib.sha256(ASSET_SCRIPT).hexdigest()
VICTIM_BYTES = b"the user's own file; the updater must never touch it\n"

# Every file the CLI reads or writes under --state-dir (Paths.under), by role.
FILES = {
    "state": "state.json",
    "settings": "settings.json",
    "check-lock": "check.lock",
    "ledger": "log/transmissions.jsonl",
    "partial": f"cache/downloads/{SHA}.part",
    "resume-record": f"cache/downloads/{SHA}.part.json",
    "download-lock": f"cache/downloads/.locks/{SHA}.lock",
    "verified-file": f"cache/downloads/{SHA}/demo-app-1.4.0.sh",
    "rotated-ledger": "log/transmissions.jsonl.1",
}
FOLDERS = {
    "state": ".",
    "log": "log",
    "cache": "cache",
    "staging": "cache/downloads",
    "lock-folder": "cache/downloads/.locks",
    "verified-folder": f"cache/downloads/{SHA}",
}
OTHER_UID = 4242


def run(site: Site, *argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    args = [*argv, "--state-dir", str(site.state)]
    if argv[0] != "log":
        args += ["--config", str(site.config)]
    code = main(args, out, err)
    return code, out.getvalue(), err.getvalue()


def prepare(site: Site, relative: str) -> Path:
    """The folders above ``relative`` as the updater makes them (0700, ours)."""
    path = site.state / relative
    for folder in [site.state, *reversed(path.relative_to(site.state).parents)]:
        (site.state / folder).mkdir(mode=0o700, exist_ok=True)
    return path


def victim(tmp_path: Path) -> Path:
    target = tmp_path / "victim.txt"
    target.write_bytes(VICTIM_BYTES)
    target.chmod(0o640)
    return target


def assert_untouched(target: Path) -> None:
    assert target.read_bytes() == VICTIM_BYTES
    assert stat.S_IMODE(target.stat().st_mode) == 0o640


def run_reader(site: Site, role: str) -> tuple[int, str, str]:
    """The command that reads the file of ``role``: ``download`` reads or writes every
    file but the rotated log, which only ``log`` reads (a download's own records come
    from the façade, not from the file). A download then never opens the planted one."""
    if role != "rotated-ledger":
        return run(site, "download")
    code, _, err = run(site, "download")
    assert code == 0, err
    return run(site, "log")


def assert_one_line_refusal(code: int, err: str, path: Path) -> None:
    assert code == 1, err
    assert err.count("\n") == 1 and err.startswith("updater: refused to use "), err
    assert str(path) in err


@pytest.mark.parametrize("role", sorted(FILES))
def test_planted_symlink_is_never_followed(site: Site, tmp_path: Path, role: str) -> None:
    target = victim(tmp_path)
    path = prepare(site, FILES[role])
    path.symlink_to(target)
    code, _, err = run_reader(site, role)
    assert_one_line_refusal(code, err, path)
    assert "symbolic link" in err
    assert_untouched(target)
    assert path.is_symlink()


@pytest.mark.parametrize("role", sorted(FILES))
def test_planted_hard_link_is_refused(site: Site, tmp_path: Path, role: str) -> None:
    target = victim(tmp_path)
    path = prepare(site, FILES[role])
    os.link(target, path)
    code, _, err = run_reader(site, role)
    assert_one_line_refusal(code, err, path)
    assert "hard links" in err
    assert_untouched(target)


def test_planted_ledger_link_is_refused_by_log(site: Site, tmp_path: Path) -> None:
    target = victim(tmp_path)
    path = prepare(site, FILES["ledger"])
    path.symlink_to(target)
    code, out, err = run(site, "log")
    assert_one_line_refusal(code, err, path)
    assert VICTIM_BYTES.decode().strip() not in out
    assert_untouched(target)


@pytest.mark.parametrize("role", sorted(FILES))
def test_planted_fifo_never_blocks(site: Site, role: str) -> None:
    """In a child with a bound: a FIFO opened without O_NONBLOCK would hang forever."""
    path = prepare(site, FILES[role])
    os.mkfifo(path, 0o600)
    command = "log" if "ledger" in role else "download"
    config = [] if command == "log" else ["--config", str(site.config)]
    child = subprocess.run(
        [sys.executable, "-m", "glass_updater", command, *config, "--state-dir", str(site.state)],
        capture_output=True, text=True, timeout=60, cwd=ROOT, check=False,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert_one_line_refusal(child.returncode, child.stderr, path)
    assert "named pipe" in child.stderr
    assert stat.S_ISFIFO(os.lstat(path).st_mode)


def _link_to_outside(tmp_path: Path) -> Callable[[Path], Path]:
    def plant(path: Path) -> Path:
        outside = tmp_path / "outside"
        outside.mkdir(mode=0o755)
        path.symlink_to(outside, target_is_directory=True)
        return outside

    return plant


def _foreign(path: Path) -> Path:
    path.mkdir(mode=0o700)
    os.chown(path, OTHER_UID, OTHER_UID)
    return path


def _world_writable(path: Path) -> Path:
    path.mkdir()
    path.chmod(0o777)
    return path


@pytest.mark.parametrize("role", sorted(FOLDERS))
@pytest.mark.parametrize("plant", ["symlink", "other-user", "world-writable"])
def test_planted_folder_is_refused_and_nothing_is_written_there(
    site: Site, tmp_path: Path, role: str, plant: str
) -> None:
    relative = FOLDERS[role]
    path = site.state if relative == "." else prepare(site, relative)
    site.state.parent.mkdir(parents=True, exist_ok=True)
    if relative != ".":
        path.parent.mkdir(parents=True, exist_ok=True)
    makers: dict[str, Callable[[Path], Path]] = {
        "symlink": _link_to_outside(tmp_path),
        "other-user": _foreign,
        "world-writable": _world_writable,
    }
    where = makers[plant](path)
    mode_before = stat.S_IMODE(where.stat().st_mode)
    code, _, err = run(site, "download")
    assert_one_line_refusal(code, err, path)
    assert list(where.iterdir()) == []  # nothing written there
    assert stat.S_IMODE(where.stat().st_mode) == mode_before  # never chmodded
    if plant == "other-user":
        assert "belongs to another user" in err


def test_clean_state_dir_still_downloads(site: Site) -> None:
    """The checks above refuse only what was planted: a clean run works."""
    code, out, err = run(site, "download")
    assert code == 0, err
    final = Path(out.strip().splitlines()[-1])
    assert final.read_bytes() == ASSET_SCRIPT
    for relative in FOLDERS.values():
        mode = stat.S_IMODE((site.state / relative).stat().st_mode)
        assert mode == 0o700, (relative, oct(mode))


def test_hostile_ledger_lines_do_not_stop_check_download_or_log(site: Site) -> None:
    """Threat 46: a float too large, NaN, a wrong type, escape sequences and bidi
    overrides in the log: check and download still work, log skips and shows safely."""
    log = prepare(site, FILES["ledger"])
    log.write_bytes(
        b'{"id": "1", "time": 1e999, "kind": "check"}\n'
        b'{"id": "2", "time": NaN, "sent": []}\n'
        b'{"id": "3", "time": 12, "kind": "check", "method": "GET", "url": "x", "sent": 5}\n'
        b'\x1b[2J{"torn\n'
    )
    code, _, err = run(site, "download")
    assert code == 0, err
    code, out, err = run(site, "log")
    assert code == 0, err
    assert "\x1b" not in out
    assert "4 unreadable lines were skipped" in out
    assert "verified" in out
