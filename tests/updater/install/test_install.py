"""Two-phase handoff to the helper; the helper's handlers with an injected runner.

The host side: busy host, re-hash before the helper starts, order ask -> helper -> quit.
The helper side: every system installer's command line, the packager command's
placeholders, exact verified bytes for every Linux handler, a real AppImage swap.
"""

from __future__ import annotations

import hashlib
import os
import select
import stat
import subprocess
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pytest
from glass_updater.errors import InstallError
from glass_updater.handlers import (
    platform_family,
    replace_appimage,
    running_appimage,
    system_command,
)
from glass_updater.handoff import HandoffSpec, process_token, wait_for_exit
from glass_updater.helper import Helper
from glass_updater.install import BUSY_MESSAGE, SubprocessLauncher, hand_off, read_report
from glass_updater.model import Asset, Release, VerifiedFile
from glass_updater.preflight import InstallPlan

from tests.updater.install.exited import Exited

OLD_APP = b"#!/bin/sh\necho old-version\n"
NEW_APP = b"#!/bin/sh\necho new-version\n"


class RecordingLauncher:
    """Implements Launcher: records argv instead of starting anything."""

    def __init__(self, events: list[str]) -> None:
        self.events = events
        self.calls: list[tuple[list[str], bool]] = []

    def launch(self, argv: Sequence[str], *, detached: bool) -> None:
        self.calls.append((list(argv), detached))
        self.events.append("launch")


class FakeHost:
    def __init__(self, events: list[str], can: bool = True,
                 relaunch: Sequence[str] | None = None) -> None:
        self.events = events
        self.can = can
        self.relaunch = relaunch

    def can_shut_down(self) -> bool:
        self.events.append("asked")
        return self.can

    def request_shutdown(self) -> None:
        self.events.append("shutdown")

    def relaunch_argv(self) -> Sequence[str] | None:
        return self.relaunch


@dataclass
class FakeRunner:
    """Implements the helper's ProcessRunner: records argv and what the file held then."""

    code: int = 0
    start_code: int | None = None
    ran: list[list[str]] = field(default_factory=list)
    seen: list[tuple[bytes, int, int]] = field(default_factory=list)  # bytes, file, dir mode
    started: list[list[str]] = field(default_factory=list)
    on_run: Callable[[list[str]], None] | None = None

    def run(self, argv: Sequence[str]) -> int:
        self.ran.append(list(argv))
        path = next((Path(a) for a in argv if Path(a).is_file()), None)
        if path is not None:
            self.seen.append((path.read_bytes(), stat.S_IMODE(path.stat().st_mode),
                              stat.S_IMODE(path.parent.stat().st_mode)))
        if self.on_run is not None:
            self.on_run(list(argv))
        return self.code

    def start(self, argv: Sequence[str]) -> Exited:
        self.started.append(list(argv))
        return Exited(self.start_code)


def staged(tmp_path: Path, content: bytes, name: str, kind: str) -> VerifiedFile:
    folder = tmp_path / "staging" / hashlib.sha256(content).hexdigest()
    folder.mkdir(parents=True)
    path = folder / name
    path.write_bytes(content)
    asset = Asset(
        platform="linux-x86_64",
        kind=kind,
        url=f"https://dl.example/{name}",
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
    )
    release = Release("1.4.0", "stable", datetime(2026, 11, 20, tzinfo=UTC), False, (), "", ())
    return VerifiedFile(path=path, asset=asset, release=release)


def spec_for(verified: VerifiedFile, tmp_path: Path, kind: str = "command",
             command: Sequence[str] = ("/usr/bin/installer", "{file}"),
             **extra: object) -> HandoffSpec:
    base: dict[str, object] = dict(
        pid=0, pid_token="", kind=kind, staged=str(verified.path),
        size=verified.asset.size, sha256=verified.asset.sha256,
        version=verified.release.version, command=tuple(command),
        report=str(tmp_path / "report.json"), workdir=str(tmp_path / "handoff"),
    )
    base.update(extra)
    return HandoffSpec(**base)  # type: ignore[arg-type]


# ---------------------------------------------------------------- host side


def test_helper_does_not_import_a_glass_updater_planted_in_the_current_folder(
    tmp_path: Path,
) -> None:
    """``python -m`` puts the current folder first on sys.path; the app may have been
    started from a folder another user can write (/tmp): the helper must not run code
    planted there."""
    from glass_updater.handoff import helper_command

    planted = tmp_path / "cwd" / "glass_updater"
    planted.mkdir(parents=True)
    marker = tmp_path / "planted-ran"
    (planted / "__init__.py").write_text(f"open({str(marker)!r}, 'w').close()\n")
    (planted / "helper.py").write_text("raise SystemExit(0)\n")
    spec = HandoffSpec(pid=0, pid_token="", kind="deb", staged="", size=0, sha256="",
                       version="1")
    argv = helper_command(spec)[:-2]  # without --spec: the real helper exits with usage
    done = subprocess.run(argv, cwd=tmp_path / "cwd", capture_output=True, check=False)
    assert not marker.exists()
    assert done.returncode == 2 and b"usage" in done.stderr


def test_handoff_asks_then_starts_the_helper_then_quits(tmp_path: Path) -> None:
    verified = staged(tmp_path, NEW_APP, "demo.deb", "deb")
    events: list[str] = []
    launcher = RecordingLauncher(events)
    plan = InstallPlan("command", app_dir="/opt/demo", command=("dpkg", "-i", "{file}"))
    host = FakeHost(events, relaunch=["/opt/demo/bin/demo", "--updated"])
    (tmp_path / "report.json").write_text('{"status": "installed", "version": "0.9"}')
    spec = hand_off(verified, host, plan, launcher=launcher, report=tmp_path / "report.json",
                    workdir=tmp_path / "handoff")
    assert events == ["asked", "launch", "shutdown"]  # the two-phase order
    ((argv, detached),) = launcher.calls
    assert detached and argv[:4] == [sys.executable, "-P", "-m", "glass_updater.helper"]
    assert HandoffSpec.from_json(argv[5]) == spec
    assert spec.pid == os.getpid() and spec.staged == str(verified.path)
    assert spec.relaunch == ("/opt/demo/bin/demo", "--updated")
    assert spec.command == ("dpkg", "-i", "{file}") and spec.app_dir == "/opt/demo"
    if sys.platform.startswith("linux"):
        assert spec.pid_token == process_token(os.getpid()) != ""
    assert not (tmp_path / "report.json").exists()  # an old outcome is not this one's


def test_appimage_relaunches_itself_by_default(tmp_path: Path) -> None:
    verified = staged(tmp_path, NEW_APP, "demo.AppImage", "appimage")
    launcher = RecordingLauncher([])
    plan = InstallPlan("appimage", target="/home/u/Demo.AppImage")
    spec = hand_off(verified, FakeHost([]), plan, launcher=launcher,
                    report=tmp_path / "r.json", workdir=tmp_path / "h")
    assert spec.relaunch == ("/home/u/Demo.AppImage",)


def test_busy_host_refuses_before_anything_runs(tmp_path: Path) -> None:
    verified = staged(tmp_path, NEW_APP, "demo.deb", "deb")
    events: list[str] = []
    launcher = RecordingLauncher(events)
    with pytest.raises(InstallError) as info:
        hand_off(verified, FakeHost(events, can=False), InstallPlan("command"),
                 launcher=launcher, report=tmp_path / "r.json", workdir=tmp_path / "h")
    assert str(info.value) == BUSY_MESSAGE
    assert events == ["asked"] and verified.path.exists()


def test_swapped_file_before_handoff_is_refused_and_the_app_keeps_running(
    tmp_path: Path,
) -> None:
    verified = staged(tmp_path, NEW_APP, "demo.deb", "deb")
    verified.path.write_bytes(NEW_APP.replace(b"new", b"evl"))  # same size, other bytes
    events: list[str] = []
    launcher = RecordingLauncher(events)
    with pytest.raises(InstallError, match="changed on disk after it was verified"):
        hand_off(verified, FakeHost(events), InstallPlan("command"), launcher=launcher,
                 report=tmp_path / "r.json", workdir=tmp_path / "h")
    assert launcher.calls == [] and "shutdown" not in events
    assert not verified.path.exists()  # the swapped file is deleted, never run


def test_read_report_ignores_what_is_not_a_regular_file(tmp_path: Path) -> None:
    real = tmp_path / "real.json"
    real.write_text('{"status": "installed"}')
    assert read_report(real) == {"status": "installed"}
    link = tmp_path / "link.json"
    link.symlink_to(real)
    assert read_report(link) is None
    fifo = tmp_path / "fifo.json"
    os.mkfifo(fifo)
    assert read_report(fifo) is None  # never blocks on a FIFO
    assert read_report(tmp_path / "missing.json") is None


# ---------------------------------------------------------------- system installers


def which_of(*present: str) -> Callable[[str], str | None]:
    return lambda name: f"/usr/bin/{name}" if name in present else None


@pytest.mark.parametrize(
    ("kind", "platform", "tools", "euid", "argv"),
    [
        ("deb", "linux-x86_64", ("pkexec", "apt-get", "dpkg"), 1000,
         ["pkexec", "apt-get", "install", "-y", "--reinstall", "{file}"]),
        ("deb", "linux-x86_64", ("pkexec", "dpkg"), 1000, ["pkexec", "dpkg", "-i", "{file}"]),
        ("deb", "linux-x86_64", ("apt-get",), 0, ["apt-get", "install", "-y", "--reinstall",
                                                  "{file}"]),
        ("rpm", "linux-aarch64", ("pkexec", "dnf", "rpm"), 1000,
         ["pkexec", "dnf", "install", "-y", "{file}"]),
        ("rpm", "linux-x86_64", ("pkexec", "zypper", "rpm"), 1000,
         ["pkexec", "zypper", "--non-interactive", "install", "{file}"]),
        ("rpm", "linux-x86_64", ("pkexec", "rpm"), 1000,
         ["pkexec", "rpm", "-U", "--replacepkgs", "{file}"]),
        ("exe", "windows-x86_64", (), 0, ["{file}"]),
        ("msi", "windows-x86_64", (), 0, ["msiexec", "/i", "{file}"]),
        ("pkg", "macos-arm64", (), 501, ["open", "-W", "{file}"]),
        ("dmg", "macos-x86_64", (), 501, ["open", "-W", "{file}"]),
    ],
)
def test_system_installer_command_lines(
    kind: str, platform: str, tools: tuple[str, ...], euid: int, argv: list[str]
) -> None:
    assert list(system_command(kind, platform, which=which_of(*tools), euid=euid)) == argv


@pytest.mark.parametrize(
    ("kind", "platform", "tools", "message"),
    [
        ("deb", "linux", ("apt-get",), "needs pkexec"),
        ("deb", "linux", ("pkexec",), "neither apt-get nor dpkg"),
        ("rpm", "linux", ("pkexec",), "none of dnf, zypper or rpm"),
        ("sh", "linux", ("pkexec",), 'set [install] kind to appimage, tar.gz, deb or rpm'),
        ("deb", "windows", (), "set [install] kind to exe or msi"),
        ("exe", "macos", (), "set [install] kind to dmg or pkg"),
    ],
)
def test_missing_system_installer_says_what_to_change(
    kind: str, platform: str, tools: tuple[str, ...], message: str
) -> None:
    with pytest.raises(InstallError) as info:
        system_command(kind, platform, which=which_of(*tools), euid=1000)
    assert message in str(info.value) and "\n" not in str(info.value)


# ---------------------------------------------------------------- helper: installers by path


@pytest.mark.parametrize(
    "command",
    [("pkexec", "apt-get", "install", "-y", "--reinstall", "{file}"),
     ("pkexec", "dnf", "install", "-y", "{file}"), ("msiexec", "/i", "{file}"), ("{file}",),
     ("open", "-W", "{file}")],
)
def test_installer_gets_a_private_copy_and_both_files_are_removed_after(
    tmp_path: Path, command: tuple[str, ...]
) -> None:
    verified = staged(tmp_path, NEW_APP, "demo-1.4.0.deb", "deb")
    runner = FakeRunner()
    assert Helper(spec_for(verified, tmp_path, command=command), runner).run() == 0
    ((argv,),) = [runner.ran]
    copy = Path(argv[command.index("{file}")])
    assert argv == [str(copy) if a == "{file}" else a for a in command]
    assert copy != verified.path and copy.name == "demo-1.4.0.deb"  # the name tools expect
    assert copy.parent.parent == tmp_path / "handoff"
    assert runner.seen == [(NEW_APP, 0o500, 0o700)]  # read-only copy in a private folder
    assert not copy.exists() and list((tmp_path / "handoff").iterdir()) == []
    assert not verified.path.exists() and not verified.path.parent.exists()
    assert read_report(tmp_path / "report.json")["status"] == "installed"  # type: ignore[index]


def test_private_copies_a_killed_helper_left_are_swept(tmp_path: Path) -> None:
    verified = staged(tmp_path, NEW_APP, "demo.deb", "deb")
    stale = tmp_path / "handoff" / "handoff-old"
    fresh = tmp_path / "handoff" / "handoff-recent"  # maybe another install's, right now
    for folder in (stale, fresh):
        folder.mkdir(parents=True)
        (folder / "demo.deb").write_bytes(b"left")
    os.utime(stale, (1, 1))
    Helper(spec_for(verified, tmp_path), FakeRunner()).run()
    assert sorted(p.name for p in (tmp_path / "handoff").iterdir()) == ["handoff-recent"]


def test_installer_runs_the_verified_bytes_even_if_the_staged_file_changes(
    tmp_path: Path,
) -> None:
    """Issue 10 item 7: the file handed over is a copy hashed while copying, so rewriting
    the staged file after the check and before the installer reads it changes nothing."""
    verified = staged(tmp_path, NEW_APP, "demo.deb", "deb")
    evil = NEW_APP.replace(b"new", b"evl")

    def swap(point: str) -> None:
        if point == "installer-ready":
            verified.path.write_bytes(evil)

    runner = FakeRunner()
    Helper(spec_for(verified, tmp_path), runner, swap).run()
    assert [seen[0] for seen in runner.seen] == [NEW_APP]


def test_staged_file_swapped_before_the_helper_copies_is_never_run(tmp_path: Path) -> None:
    verified = staged(tmp_path, NEW_APP, "demo.deb", "deb")
    verified.path.write_bytes(NEW_APP.replace(b"new", b"evl"))
    runner = FakeRunner()
    assert Helper(spec_for(verified, tmp_path, relaunch=("/opt/demo/run",)), runner).run() == 5
    assert runner.ran == []
    report = read_report(tmp_path / "report.json")
    assert report is not None and report["status"] == "failed"
    assert "changed on disk after it was verified" in str(report["message"])
    assert not verified.path.exists()
    assert list((tmp_path / "handoff").iterdir()) == []  # the refused copy is gone too
    assert runner.started == [["/opt/demo/run"]]  # the old version comes back


def test_packager_command_placeholders_are_substituted_inside_each_argument(
    tmp_path: Path,
) -> None:
    verified = staged(tmp_path, NEW_APP, "my app; $(id).bin", "bin")
    command = ("/opt/vendor/installer", "--pid={pid}", "--to", "{app_dir}", "v{version}",
               "; rm -rf / {file}", "{unknown}")
    runner = FakeRunner()
    Helper(spec_for(verified, tmp_path, command=command, pid=0, app_dir="/opt/my app"),
           runner).run()
    ((argv,),) = [runner.ran]
    copy = Path(argv[5][len("; rm -rf / "):])
    assert argv == ["/opt/vendor/installer", "--pid=0", "--to", "/opt/my app", "v1.4.0",
                    f"; rm -rf / {copy}", "{unknown}"]  # one element each; no shell
    assert copy.name == "my_app____id_.bin"  # shell-special characters replaced


def test_installer_failure_is_reported_and_the_old_version_relaunched(tmp_path: Path) -> None:
    verified = staged(tmp_path, NEW_APP, "demo.rpm", "rpm")
    runner = FakeRunner(code=126)  # pkexec: the user dismissed the password prompt
    spec = spec_for(verified, tmp_path, command=("pkexec", "rpm", "-U", "{file}"),
                    relaunch=("/usr/bin/demo",))
    assert Helper(spec, runner).run() == 5
    report = read_report(tmp_path / "report.json")
    assert report is not None and report["status"] == "failed"
    assert report["message"] == (
        "the installer (pkexec) exited with code 126; the update was not installed"
    )
    assert runner.started == [["/usr/bin/demo"]]
    assert not verified.path.exists()  # handed off: the staged file is gone either way


# ---------------------------------------------------------------- helper: AppImage


def test_appimage_is_replaced_atomically_and_relaunched(tmp_path: Path) -> None:
    verified = staged(tmp_path, NEW_APP, "demo-1.4.0.AppImage", "appimage")
    apps = tmp_path / "apps"
    apps.mkdir()
    app = apps / "Demo.AppImage"
    app.write_bytes(OLD_APP)
    app.chmod(0o755)
    old_inode = app.stat().st_ino
    seen: dict[str, object] = {}

    class Runner(FakeRunner):
        def start(self, argv: Sequence[str]) -> Exited:
            seen["argv"] = list(argv)
            seen["mode"] = stat.S_IMODE(app.stat().st_mode)
            old = apps / "Demo.AppImage.old"
            seen["old"] = old.read_bytes() if old.exists() else None  # kept until started
            seen["ran"] = subprocess.run(list(argv), capture_output=True, check=True,
                                         timeout=10).stdout
            return Exited(None)  # still running after the grace period: started

    spec = spec_for(verified, tmp_path, kind="appimage", target=str(app),
                    relaunch=(str(app),))
    assert Helper(spec, Runner()).run() == 0
    assert seen == {"argv": [str(app)], "mode": 0o755, "old": OLD_APP, "ran": b"new-version\n"}
    assert app.read_bytes() == NEW_APP
    assert app.stat().st_ino != old_inode  # renamed into place, not rewritten in place
    assert sorted(p.name for p in apps.iterdir()) == ["Demo.AppImage"]  # no temps, no .old
    assert not verified.path.exists()


def test_appimage_through_a_symlink_replaces_the_real_file(tmp_path: Path) -> None:
    verified = staged(tmp_path, NEW_APP, "demo.AppImage", "appimage")
    real = tmp_path / "opt" / "Demo.AppImage"
    real.parent.mkdir()
    real.write_bytes(OLD_APP)
    link = tmp_path / "Demo"
    link.symlink_to(real)
    replaced = replace_appimage(verified.path, len(NEW_APP), verified.asset.sha256, link)
    assert replaced == real and real.read_bytes() == NEW_APP and link.is_symlink()


def test_appimage_that_fails_to_start_puts_the_old_version_back(tmp_path: Path) -> None:
    verified = staged(tmp_path, NEW_APP, "demo.AppImage", "appimage")
    app = tmp_path / "Demo.AppImage"
    app.write_bytes(OLD_APP)
    runner = FakeRunner(start_code=127)
    spec = spec_for(verified, tmp_path, kind="appimage", target=str(app), relaunch=(str(app),))
    assert Helper(spec, runner).run() == 5
    assert app.read_bytes() == OLD_APP
    assert runner.started == [[str(app)], [str(app)]]  # the new one, then the old one again
    report = read_report(tmp_path / "report.json")
    assert report is not None and "previous version was put back" in str(report["message"])


def test_appimage_swapped_before_the_copy_leaves_the_old_one(tmp_path: Path) -> None:
    verified = staged(tmp_path, NEW_APP, "demo.AppImage", "appimage")
    verified.path.write_bytes(NEW_APP.replace(b"new", b"evl"))
    app = tmp_path / "apps" / "Demo.AppImage"
    app.parent.mkdir()
    app.write_bytes(OLD_APP)
    spec = spec_for(verified, tmp_path, kind="appimage", target=str(app))
    assert Helper(spec, FakeRunner()).run() == 5
    assert app.read_bytes() == OLD_APP
    assert sorted(p.name for p in app.parent.iterdir()) == ["Demo.AppImage"]


def test_running_appimage_comes_from_the_appimage_runtime() -> None:
    assert running_appimage({"APPIMAGE": "/home/u/Demo.AppImage"}) == Path(
        "/home/u/Demo.AppImage"
    )
    assert running_appimage({}) is None


@pytest.mark.parametrize(
    ("platform", "family"),
    [("win32", "windows"), ("windows-x86_64", "windows"), ("darwin", "macos"),
     ("macos-arm64", "macos"), ("linux", "linux"), ("linux-aarch64", "linux")],
)
def test_platform_family(platform: str, family: str) -> None:
    assert platform_family(platform) == family


ROOT = Path(__file__).resolve().parents[3]


@pytest.mark.parametrize(
    "point", ["appimage-copied", "appimage-old-kept", "appimage-replaced"]
)
def test_kill_during_appimage_replace_leaves_old_or_new_never_torn(
    tmp_path: Path, point: str
) -> None:
    verified = staged(tmp_path, NEW_APP, "demo.AppImage", "appimage")
    apps = tmp_path / "apps"
    apps.mkdir()
    app = apps / "Demo.AppImage"
    app.write_bytes(OLD_APP)
    app.chmod(0o755)
    child = subprocess.run(
        [sys.executable, "-m", "tests.updater.install.crash_child", str(verified.path),
         str(app), point],
        cwd=ROOT, capture_output=True, timeout=60, check=False,
    )
    assert child.returncode == -9, child.stderr.decode()[-2000:]
    assert app.read_bytes() in (OLD_APP, NEW_APP)  # whole, and still runnable
    assert subprocess.run([str(app)], capture_output=True, timeout=10).stdout in (
        b"old-version\n", b"new-version\n"
    )
    # The next install completes and leaves neither temps nor the .old copy behind.
    spec = spec_for(verified, tmp_path, kind="appimage", target=str(app))
    assert Helper(spec, FakeRunner()).run() == 0
    assert app.read_bytes() == NEW_APP
    assert sorted(p.name for p in apps.iterdir()) == ["Demo.AppImage"]


# ---------------------------------------------------------------- waiting for the app


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX processes")
def test_wait_for_exit_is_bounded_and_sees_the_exit(tmp_path: Path) -> None:
    child = subprocess.Popen([sys.executable, "-c", "import sys; sys.stdin.read()"],
                             stdin=subprocess.PIPE)
    try:
        token = process_token(child.pid)
        assert wait_for_exit(child.pid, token, 0.2) is False  # still running: gives up
        assert wait_for_exit(child.pid, "not-its-start-time", 30) is True  # a reused PID
    finally:
        assert child.stdin is not None
        child.stdin.close()
    # Exited but not yet reaped (a zombie) counts as gone.
    assert wait_for_exit(child.pid, token, 30) is True
    assert child.wait(timeout=30) == 0
    assert wait_for_exit(child.pid, token, 30) is True  # reaped: no such process


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX processes")
def test_without_proc_a_running_app_is_not_taken_for_gone(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """macOS has no /proc and no pidfd: the helper polls, and must not see "gone" early."""
    monkeypatch.setattr("glass_updater.handoff.sys.platform", "darwin")
    monkeypatch.setattr("glass_updater.handoff.PROC", "/nonexistent-proc")
    monkeypatch.delattr("glass_updater.handoff.os.pidfd_open", raising=False)
    child = subprocess.Popen([sys.executable, "-c", "import sys; sys.stdin.read()"],
                             stdin=subprocess.PIPE)
    try:
        assert wait_for_exit(child.pid, "", 0.2) is False
    finally:
        assert child.stdin is not None
        child.stdin.close()
        child.wait(timeout=30)
    assert wait_for_exit(child.pid, "", 30) is True


@pytest.mark.skipif(sys.platform == "win32", reason="uses a POSIX FIFO")
def test_subprocess_launcher_starts_detached_without_a_shell(tmp_path: Path) -> None:
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    reader = os.open(fifo, os.O_RDWR | os.O_NONBLOCK)
    try:
        code = "import os,sys; open(sys.argv[1], 'w').write(f'{os.getsid(0)} {sys.argv[2]}')"
        SubprocessLauncher().launch(
            [sys.executable, "-c", code, str(fifo), "$HOME;echo"], detached=True
        )
        data = b""
        while not data.endswith(b"echo"):
            ready, _, _ = select.select([reader], [], [], 10)
            assert ready, "the launched program never reported back"
            data += os.read(reader, 100)
    finally:
        os.close(reader)
    sid, arg = data.decode().split(" ", 1)
    assert int(sid) != os.getsid(0)  # its own session: it outlives us
    assert arg == "$HOME;echo"  # passed verbatim, no shell expansion


def test_subprocess_launcher_reports_a_missing_program(tmp_path: Path) -> None:
    with pytest.raises(InstallError, match="could not start"):
        SubprocessLauncher().launch([str(tmp_path / "no-such-installer")], detached=True)
