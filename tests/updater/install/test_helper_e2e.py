"""The real install helper, end to end, with a tiny Python "app" (fake_app.py).

Version 1 runs, hands off to the real detached helper and quits slowly; the helper waits
for its PID, installs (tar.gz folder swap or AppImage replace), relaunches; version 2
records whether version 1 still existed when it started. Waits are on processes and
FIFOs (pidfd, select), never on sleeps.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.archives import tar_gz
from tests.processes import read_fifo_line, wait_for_process

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux") or not hasattr(os, "pidfd_open"),
    reason="waits on the helper with a Linux pidfd",
)

FAKE_APP = (Path(__file__).parent / "fake_app.py").read_text()
ROOT = Path(__file__).resolve().parents[3]


def app_source(version: str, params: Path) -> str:
    body = FAKE_APP.replace("@VERSION@", version).replace("@PARAMS@", str(params))
    return f"#!{sys.executable}\n{body}"


def stage(tmp_path: Path, name: str, data: bytes) -> Path:
    sha = hashlib.sha256(data).hexdigest()
    path = tmp_path / "cache" / "downloads" / sha / name
    path.parent.mkdir(parents=True)
    path.write_bytes(data)
    return path


@dataclass
class Run:
    marker: dict[str, object]
    report: dict[str, object]
    old_exit_ns: int
    old_code: int


def run_update(tmp_path: Path, params: dict[str, object], app_argv: list[str],
               env: dict[str, str] | None = None) -> Run:
    fifo = tmp_path / "marker.fifo"
    os.mkfifo(fifo)
    reader = os.open(fifo, os.O_RDWR | os.O_NONBLOCK)  # RDWR: select waits for data
    params.update(dir=str(tmp_path), marker=str(fifo), report=str(tmp_path / "report.json"))
    params.setdefault("linger", 2.0)
    (tmp_path / "params.json").write_text(json.dumps(params))
    try:
        old = subprocess.Popen(app_argv, stdout=subprocess.PIPE, cwd=ROOT,
                               env={**os.environ, **(env or {})})
        assert old.stdout is not None
        line = old.stdout.readline().decode()
        assert line.startswith("helper "), line
        helper_pid = int(line.split()[1])
        old_code = old.wait(timeout=60)
        old.stdout.close()
        marker = json.loads(read_fifo_line(reader, "nothing arrived on the FIFO"))
    finally:
        os.close(reader)
    wait_for_process(helper_pid)
    return Run(
        marker=marker,
        report=json.loads((tmp_path / "report.json").read_text()),
        old_exit_ns=int((tmp_path / "old-exit-ns").read_text()),
        old_code=old_code,
    )


def test_tar_gz_app_is_swapped_after_the_old_process_is_gone(tmp_path: Path) -> None:
    params_path = tmp_path / "params.json"
    app_dir = tmp_path / "apps" / "demo"
    app_dir.mkdir(parents=True)
    (app_dir / "app.py").write_text(app_source("1", params_path))
    (app_dir / "data.txt").write_text("old data")
    new = tar_gz({"demo-2/app.py": app_source("2", params_path).encode(),
                  "demo-2/lib/extra.txt": b"new data"}, mode=0o755)
    staged = stage(tmp_path, "demo-2.tar.gz", new)
    relaunch = [sys.executable, str(app_dir / "app.py"), "--relaunched"]
    run = run_update(
        tmp_path,
        {"kind": "tar.gz", "staged": str(staged), "size": len(new),
         "sha256": hashlib.sha256(new).hexdigest(), "app_dir": str(app_dir),
         "relaunch": relaunch},
        [sys.executable, str(app_dir / "app.py")],
    )
    assert run.old_code == 0
    assert run.marker["version"] == "2"
    assert run.marker["old_alive"] is False  # version 1 was gone when version 2 started
    assert run.marker["got_lock"] is True  # so a single-instance lock does not stop it
    assert isinstance(run.marker["start_ns"], int) and run.marker["start_ns"] > run.old_exit_ns
    assert run.marker["argv"] == relaunch[1:]
    assert run.report["status"] == "installed", run.report
    assert run.report["relaunched_pid"] == run.marker["pid"]
    assert sorted(p.name for p in app_dir.iterdir()) == ["app.py", "lib"]
    assert (app_dir / "lib" / "extra.txt").read_bytes() == b"new data"
    # The old folder was kept until version 2 started, then removed; no temps remain.
    assert sorted(p.name for p in app_dir.parent.iterdir()) == ["demo"]
    assert not staged.exists() and not staged.parent.exists()  # staged file removed


def test_appimage_is_replaced_after_the_old_process_is_gone(tmp_path: Path) -> None:
    params_path = tmp_path / "params.json"
    apps = tmp_path / "apps"
    apps.mkdir()
    appimage = apps / "Demo.AppImage"
    appimage.write_text(app_source("1", params_path))
    appimage.chmod(0o755)
    new = app_source("2", params_path).encode()
    staged = stage(tmp_path, "Demo-2.AppImage", new)
    run = run_update(
        tmp_path,
        {"kind": "appimage", "staged": str(staged), "size": len(new),
         "sha256": hashlib.sha256(new).hexdigest(), "target": str(appimage)},
        [str(appimage)],
        env={"APPIMAGE": str(appimage)},
    )
    assert run.marker["version"] == "2" and run.marker["old_alive"] is False
    assert run.marker["got_lock"] is True
    assert isinstance(run.marker["start_ns"], int) and run.marker["start_ns"] > run.old_exit_ns
    assert run.report["status"] == "installed", run.report
    assert appimage.read_bytes() == new
    assert sorted(p.name for p in apps.iterdir()) == ["Demo.AppImage"]  # .old removed
    assert not staged.exists()


def test_new_version_that_fails_to_start_gets_the_old_folder_back(tmp_path: Path) -> None:
    params_path = tmp_path / "params.json"
    app_dir = tmp_path / "apps" / "demo"
    app_dir.mkdir(parents=True)
    old_source = app_source("1", params_path)
    (app_dir / "app.py").write_text(old_source)
    new = tar_gz({"app.py": app_source("2", params_path).encode()}, mode=0o755)
    staged = stage(tmp_path, "demo-2.tar.gz", new)
    run = run_update(
        tmp_path,
        {"kind": "tar.gz", "staged": str(staged), "size": len(new),
         "sha256": hashlib.sha256(new).hexdigest(), "app_dir": str(app_dir),
         "relaunch": [sys.executable, str(app_dir / "app.py")], "new_exit_code": 3},
        [sys.executable, str(app_dir / "app.py")],
    )
    assert run.marker["version"] == "2" and run.marker["old_alive"] is False
    assert run.report["status"] == "failed"
    assert "previous version was put back" in str(run.report["message"])
    assert (app_dir / "app.py").read_text() == old_source
    assert sorted(p.name for p in app_dir.parent.iterdir()) == ["demo"]


def test_helper_gives_up_when_the_app_never_quits(tmp_path: Path) -> None:
    """A bounded wait: an app that never exits is reported, and nothing is installed."""
    from glass_updater.handoff import HandoffSpec, process_token

    app_dir = tmp_path / "demo"
    app_dir.mkdir()
    (app_dir / "app.py").write_text("old")
    new = tar_gz({"app.py": b"new"}, mode=0o755)
    staged = stage(tmp_path, "demo.tar.gz", new)
    stuck = subprocess.Popen([sys.executable, "-c", "import sys; sys.stdin.read()"],
                             stdin=subprocess.PIPE)
    try:
        spec = HandoffSpec(
            pid=stuck.pid, pid_token=process_token(stuck.pid), kind="tar.gz",
            staged=str(staged), size=len(new), sha256=hashlib.sha256(new).hexdigest(),
            version="2", app_dir=str(app_dir), report=str(tmp_path / "report.json"),
            relaunch=(sys.executable, "-c", "raise SystemExit(9)"), wait_seconds=0.3,
        )
        helper = subprocess.run(
            [sys.executable, "-m", "glass_updater.helper", "--spec", spec.to_json()],
            capture_output=True, text=True, timeout=60, check=False, cwd=ROOT,
        )
        assert stuck.poll() is None  # still running: the helper did not touch it
    finally:
        assert stuck.stdin is not None
        stuck.stdin.close()
        stuck.wait(timeout=30)
    assert helper.returncode == 5
    assert helper.stderr.count("\n") == 1 and "did not quit within 0.3 s" in helper.stderr
    report = json.loads((tmp_path / "report.json").read_text())
    assert report["status"] == "failed" and "nothing was installed" in report["message"]
    assert (app_dir / "app.py").read_text() == "old"
    assert staged.exists()  # kept: installing again needs no new download
