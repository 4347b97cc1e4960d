"""The real tray app as a process: clean start and quit, single instance, lean start-up."""

from __future__ import annotations

import os
import select
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from glass_updater.ledger import Ledger
from glass_updater.publish.serve import FeedServer

from tests.lazy import run_and_report
from tests.sim import FEED_PATH, FeedSimulator

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.e2e


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["QT_QPA_PLATFORM"] = "offscreen"
    env["PYTHONPATH"] = str(ROOT)
    for var in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "all_proxy"):
        env.pop(var, None)
    return env


def _ui(*args: str, timeout: float = 30) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "glass_updater.qt", *args],
        env=_env(),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def _read_line(proc: subprocess.Popen[str], timeout: float = 30) -> str:
    assert proc.stdout is not None
    ready, _, _ = select.select([proc.stdout], [], [], timeout)
    assert ready, "the app printed nothing in time"
    return proc.stdout.readline()


@pytest.fixture
def feed(tmp_path: Path) -> Iterator[tuple[FeedServer, Path, threading.Event]]:
    sim = FeedSimulator()
    sim.add_release("1.0.0")
    root = tmp_path / "www"
    (root / "demo-app").mkdir(parents=True)
    (root / "demo-app" / "feed.json").write_bytes(sim.feed_bytes())
    got = threading.Event()
    with FeedServer(root) as server:
        server.on_request = lambda _head: got.set()
        config = tmp_path / "app.toml"
        config.write_text(
            f'[product]\nid = "demo-app"\nname = "Demo App"\nversion = "1.0.0"\n'
            f'[feed]\nurl = "{server.url}{FEED_PATH}"\ntrusted_keys = ["{sim.public_key}"]\n'
            f'[network]\nproxy = "none"\n'
        )
        yield server, config, got


def test_app_starts_and_quits_cleanly(feed, tmp_path: Path) -> None:
    server, config, _ = feed
    done = _ui("--config", str(config), "--state-dir", str(tmp_path / "s"),
               "--selftest-quit-after-ms", "200")
    assert done.returncode == 0, done.stderr
    assert "glass-updater: ready" in done.stdout
    assert "Traceback" not in done.stderr
    assert server.request_log == ()  # P1: nothing is sent at launch


def test_bad_config_exits_2(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("[product]\nid = 3\n")
    done = _ui("--config", str(bad), "--selftest-quit-after-ms", "0")
    assert done.returncode == 2
    assert done.stderr.startswith("glass-updater: ") and done.stderr.count("\n") == 1


def test_second_launch_forwards_check_then_quit(feed, tmp_path: Path) -> None:
    server, config, got = feed
    state = tmp_path / "s"
    proc = subprocess.Popen(
        [sys.executable, "-m", "glass_updater.qt", "--config", str(config),
         "--state-dir", str(state)],
        env=_env(), cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        assert _read_line(proc).startswith("glass-updater: ready")
        assert server.request_log == ()
        second = _ui("--config", str(config), "--state-dir", str(state), "--check-now")
        assert second.returncode == 0, second.stderr
        assert "glass-updater: ready" not in second.stdout  # it forwarded; started no tray
        assert "already running" in second.stdout  # and said so (it used to end silently)
        assert "asked it to check for updates" in second.stdout
        assert got.wait(20), "the running app did not check"
        assert len(server.request_log) == 1
        stop = _ui("--config", str(config), "--quit")
        assert stop.returncode == 0, stop.stderr
        assert proc.wait(20) == 0
        assert proc.stderr is not None
        errors = proc.stderr.read()
        assert "Traceback" not in errors and "Error" not in errors, errors
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(10)
        proc.stdout and proc.stdout.close()
        proc.stderr and proc.stderr.close()
    assert len(list(Ledger(state / "log").entries())) == 1  # one request, one record


def test_quit_without_running_instance_says_so(feed) -> None:
    _, config, _ = feed
    done = _ui("--config", str(config), "--quit")
    assert done.returncode == 1
    assert "no running instance" in done.stderr


def _idle_app(config: Path, state: Path) -> str:
    """A script that starts the tray app and lets it reach its event loop, then quit."""
    return (
        "import glass_updater.qt.app as a\n"
        f"rc = a.main(['--config', {str(config)!r}, '--state-dir', {str(state)!r},"
        " '--selftest-quit-after-ms', '50'])\n"
        "assert rc == 0, rc\n"
    )


def test_startup_keeps_heavy_modules_out(feed, tmp_path: Path) -> None:
    """The lazy-import rule: no core, network stack, TLS or SVG renderer at idle."""
    _, config, _ = feed
    report = run_and_report(_idle_app(config, tmp_path), env=_env(), cwd=ROOT)
    assert report.heavy() == []
    assert "glass_updater.qt.single_instance_qt" not in report.modules  # QtNetwork: Windows
    assert not report.qt_namespace  # the ``Qt`` enums cost ~12 ms; the tray needs none


def test_lazy_report_sees_a_heavy_import(feed, tmp_path: Path) -> None:
    """The check above can fail: an app that loads the network stack at start is caught."""
    _, config, _ = feed
    script = "import requests\nfrom PySide6.QtCore import Qt\n" + _idle_app(config, tmp_path)
    report = run_and_report(script, env=_env(), cwd=ROOT)
    heavy = report.heavy()
    assert "requests" in heavy and "socket" in heavy and "ssl" in heavy
    assert any(lib.startswith("libssl") for lib in heavy)
    assert report.qt_namespace


def test_stale_socket_from_a_crash_is_replaced(feed, tmp_path: Path) -> None:
    import socket as pysocket

    from glass_updater.qt.single_instance import server_name

    _, config, _ = feed
    path = server_name("demo-app")
    stale = pysocket.socket(pysocket.AF_UNIX, pysocket.SOCK_STREAM)
    stale.bind(path)  # bound, never listening, then closed: what a killed app leaves
    stale.close()
    assert Path(path).exists()
    done = _ui("--config", str(config), "--state-dir", str(tmp_path / "s"),
               "--selftest-quit-after-ms", "100")
    assert done.returncode == 0, done.stderr
    assert "glass-updater: ready" in done.stdout


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="X11/Wayland are Linux's")
def test_no_display_is_one_line_not_a_qt_abort(tmp_path: Path) -> None:
    env = _env()
    for var in ("QT_QPA_PLATFORM", "DISPLAY", "WAYLAND_DISPLAY"):
        env.pop(var, None)
    proc = subprocess.run(
        [sys.executable, "-m", "glass_updater.qt", "--state-dir", str(tmp_path / "s")],
        env=env, cwd=ROOT, capture_output=True, text=True, timeout=60,
    )
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1, proc.stderr
    assert "no graphical display" in proc.stderr and "`updater check`" in proc.stderr
    assert not (tmp_path / "s").exists()  # refused before anything was written


def test_stress_every_window_hundreds_of_times_then_quit_exits_0(feed, tmp_path: Path) -> None:
    """Issue 9: What Is Sent…, Settings…, About opened and closed 200 times each, a check
    every 10th round, then Quit: exit 0 (PySide6 6.12.0 on Python 3.11 aborted here with
    "none_dealloc" after a few dozen)."""
    server, config, _ = feed
    proc = subprocess.run(
        [sys.executable, str(Path(__file__).with_name("stress_app.py")), "200", "10", "--",
         "--config", str(config), "--state-dir", str(tmp_path / "s"), "--window"],
        env=_env(), cwd=ROOT, capture_output=True, text=True, timeout=600, check=False,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "stress: done 600 windows, 20 checks" in proc.stdout, proc.stdout[-2000:]
    assert "Fatal" not in proc.stderr and "Traceback" not in proc.stderr
    assert len(server.request_log) == 20  # one request per check, nothing else


def test_an_unusable_socket_folder_is_one_clear_line(feed, tmp_path: Path) -> None:
    """A runtime folder whose path is too long for a Unix socket: say so, exit 1."""
    _, config, _ = feed
    deep = tmp_path / ("x" * 60) / ("y" * 60)
    deep.mkdir(parents=True, mode=0o700)
    env = {**_env(), "XDG_RUNTIME_DIR": str(deep)}
    done = subprocess.run(
        [sys.executable, "-m", "glass_updater.qt", "--config", str(config),
         "--state-dir", str(tmp_path / "s"), "--selftest-quit-after-ms", "0"],
        env=env, cwd=ROOT, capture_output=True, text=True, timeout=30,
    )
    assert done.returncode == 1
    assert done.stderr.startswith("glass-updater: cannot open the single-instance socket")
    assert done.stderr.count("\n") == 1 and "XDG_RUNTIME_DIR" in done.stderr
