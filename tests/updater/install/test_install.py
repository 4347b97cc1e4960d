"""Two-phase handoff: busy host, re-hash before launch, every handler, a real AppImage swap."""

from __future__ import annotations

import hashlib
import os
import select
import stat
import subprocess
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

import pytest
from glass_updater.errors import InstallError
from glass_updater.install import (
    BUSY_MESSAGE,
    AppImageInstaller,
    SubprocessLauncher,
    installer_for,
    platform_family,
    running_appimage,
)
from glass_updater.model import Asset, Release, VerifiedFile

OLD_APP = b"#!/bin/sh\necho old-version\n"
NEW_APP = b"#!/bin/sh\necho new-version\n"


class RecordingLauncher:
    """Implements Launcher: records argv instead of starting anything."""

    def __init__(self, events: list[str], on_launch: object = None) -> None:
        self.events = events
        self.calls: list[tuple[list[str], bool]] = []
        self.on_launch = on_launch

    def launch(self, argv: Sequence[str], *, detached: bool) -> None:
        self.calls.append((list(argv), detached))
        self.events.append("launch")
        if callable(self.on_launch):
            self.on_launch(list(argv))


class FakeHost:
    def __init__(self, events: list[str], can: bool = True) -> None:
        self.events = events
        self.can = can

    def can_shut_down(self) -> bool:
        self.events.append("asked")
        return self.can

    def request_shutdown(self) -> None:
        self.events.append("shutdown")


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


@pytest.mark.parametrize(
    ("kind", "platform", "argv"),
    [
        ("exe", "windows-x86_64", ["{file}"]),
        ("msi", "windows-x86_64", ["msiexec", "/i", "{file}"]),
        ("msi", "win32", ["msiexec", "/i", "{file}"]),
        ("dmg", "macos-arm64", ["open", "{file}"]),
        ("pkg", "darwin", ["open", "{file}"]),
        ("deb", "linux-x86_64", ["xdg-open", "{file}"]),
        ("rpm", "linux-aarch64", ["xdg-open", "{file}"]),
        ("tar.gz", "linux", ["xdg-open", "{file}"]),
        ("zip", "windows-x86_64", ["explorer", "{file}"]),
        ("zip", "macos-x86_64", ["open", "{file}"]),
    ],
)
def test_each_platform_handler_launches_the_verified_file(
    tmp_path: Path, kind: str, platform: str, argv: list[str]
) -> None:
    verified = staged(tmp_path, b"installer bytes", f"demo-1.4.0.{kind}", kind)
    events: list[str] = []
    launcher = RecordingLauncher(events)
    installer_for(kind, platform, launcher=launcher).install(verified, FakeHost(events))
    expected = [str(verified.path) if a == "{file}" else a for a in argv]
    assert launcher.calls == [(expected, True)]
    assert events == ["asked", "launch", "shutdown"]  # the two-phase order


@pytest.mark.parametrize("platform", ["windows-x86_64", "macos-arm64", "linux-x86_64"])
def test_packager_command_is_used_on_every_platform(tmp_path: Path, platform: str) -> None:
    verified = staged(tmp_path, b"pkg", "demo.bin", "bin")
    events: list[str] = []
    launcher = RecordingLauncher(events)
    command = ["/opt/vendor/installer", "--quiet", "--file={file}", "; rm -rf / {file}"]
    installer_for("appimage", platform, command=command, launcher=launcher).install(
        verified, FakeHost(events)
    )
    path = str(verified.path)
    # One argv element per part: no shell ever sees the "; rm -rf /" text.
    assert launcher.calls == [
        (["/opt/vendor/installer", "--quiet", f"--file={path}", f"; rm -rf / {path}"], True)
    ]


def test_packager_command_without_placeholder_is_refused() -> None:
    with pytest.raises(InstallError, match=r"\{file\} placeholder"):
        installer_for("deb", "linux", command=["/bin/installer"], launcher=RecordingLauncher([]))


@pytest.mark.parametrize("kind", ["exe", "deb", "appimage"])
def test_busy_host_refuses_before_anything_runs(tmp_path: Path, kind: str) -> None:
    verified = staged(tmp_path, NEW_APP, "demo.AppImage", kind)
    events: list[str] = []
    launcher = RecordingLauncher(events)
    app = tmp_path / "apps" / "demo.AppImage"
    app.parent.mkdir()
    app.write_bytes(OLD_APP)
    installer = installer_for(kind, "linux", launcher=launcher, running_appimage=app)
    with pytest.raises(InstallError) as info:
        installer.install(verified, FakeHost(events, can=False))
    assert str(info.value) == BUSY_MESSAGE
    assert events == ["asked"]
    assert app.read_bytes() == OLD_APP


@pytest.mark.parametrize("kind", ["exe", "msi", "dmg", "deb", "appimage"])
def test_swapped_file_before_handoff_refused(tmp_path: Path, kind: str) -> None:
    verified = staged(tmp_path, NEW_APP, "demo.AppImage", kind)
    app = tmp_path / "apps" / "demo.AppImage"
    app.parent.mkdir()
    app.write_bytes(OLD_APP)
    swapped = NEW_APP.replace(b"new", b"evl")  # same size, different bytes
    assert len(swapped) == len(NEW_APP)
    verified.path.write_bytes(swapped)
    events: list[str] = []
    launcher = RecordingLauncher(events)
    platform = {"exe": "windows", "msi": "windows", "dmg": "macos"}.get(kind, "linux")
    installer = installer_for(kind, platform, launcher=launcher, running_appimage=app)
    with pytest.raises(InstallError, match="changed on disk after it was verified"):
        installer.install(verified, FakeHost(events))
    assert launcher.calls == []
    assert "shutdown" not in events
    assert not verified.path.exists()  # the swapped file is deleted, never run
    assert app.read_bytes() == OLD_APP
    assert sorted(p.name for p in app.parent.iterdir()) == ["demo.AppImage"]


def test_appimage_is_replaced_atomically_and_relaunched(tmp_path: Path) -> None:
    verified = staged(tmp_path, NEW_APP, "demo-1.4.0.AppImage", "appimage")
    apps = tmp_path / "apps"
    apps.mkdir()
    app = apps / "Demo.AppImage"
    app.write_bytes(OLD_APP)
    app.chmod(0o755)
    old_inode = app.stat().st_ino
    seen: dict[str, object] = {}

    def at_launch(argv: list[str]) -> None:
        seen["argv"] = argv
        seen["target"] = app.read_bytes()
        seen["mode"] = stat.S_IMODE(app.stat().st_mode)
        old = apps / "Demo.AppImage.old"
        seen["old"] = old.read_bytes() if old.exists() else None  # kept until new is in place
        seen["ran"] = subprocess.run(argv, capture_output=True, check=True, timeout=10).stdout

    events: list[str] = []
    launcher = RecordingLauncher(events, on_launch=at_launch)
    installer = installer_for(
        "appimage", "linux-x86_64", launcher=launcher, running_appimage=app
    )
    assert isinstance(installer, AppImageInstaller)
    installer.install(verified, FakeHost(events))
    assert seen == {
        "argv": [str(app)],
        "target": NEW_APP,
        "mode": 0o755,
        "old": OLD_APP,
        "ran": b"new-version\n",
    }
    assert app.stat().st_ino != old_inode  # renamed into place, not rewritten in place
    assert events == ["asked", "launch", "shutdown"]
    assert sorted(p.name for p in apps.iterdir()) == ["Demo.AppImage"]  # no temps, no .old


def test_appimage_through_a_symlink_replaces_the_real_file(tmp_path: Path) -> None:
    verified = staged(tmp_path, NEW_APP, "demo.AppImage", "appimage")
    real = tmp_path / "opt" / "Demo.AppImage"
    real.parent.mkdir()
    real.write_bytes(OLD_APP)
    link = tmp_path / "Demo"
    link.symlink_to(real)
    launcher = RecordingLauncher([])
    AppImageInstaller(link, launcher).install(verified, FakeHost([]))
    assert real.read_bytes() == NEW_APP and link.is_symlink()
    assert launcher.calls == [([str(real)], True)]


def test_appimage_launch_failure_puts_the_old_version_back(tmp_path: Path) -> None:
    verified = staged(tmp_path, NEW_APP, "demo.AppImage", "appimage")
    app = tmp_path / "Demo.AppImage"
    app.write_bytes(OLD_APP)

    def fail(argv: list[str]) -> None:
        raise InstallError("could not start it")

    events: list[str] = []
    with pytest.raises(InstallError, match="could not start"):
        AppImageInstaller(app, RecordingLauncher(events, on_launch=fail)).install(
            verified, FakeHost(events)
        )
    assert app.read_bytes() == OLD_APP
    assert "shutdown" not in events


def test_appimage_in_a_read_only_folder_says_what_to_do(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    verified = staged(tmp_path, NEW_APP, "demo.AppImage", "appimage")
    apps = tmp_path / "apps"
    apps.mkdir()
    app = apps / "Demo.AppImage"
    app.write_bytes(OLD_APP)
    apps.chmod(0o555)
    if os.geteuid() == 0:  # root may write anywhere; make the check see a read-only folder
        real_access = os.access
        monkeypatch.setattr(
            "glass_updater.install.os.access",
            lambda p, mode: False if Path(p) == apps else real_access(p, mode),
        )
    launcher = RecordingLauncher([])
    try:
        with pytest.raises(InstallError, match="not writable; move the AppImage") as info:
            AppImageInstaller(app, launcher).install(verified, FakeHost([]))
    finally:
        apps.chmod(0o755)
    assert str(verified.path) in str(info.value)
    assert launcher.calls == [] and app.read_bytes() == OLD_APP


def test_appimage_not_running_from_an_appimage_is_refused(tmp_path: Path) -> None:
    verified = staged(tmp_path, NEW_APP, "demo.AppImage", "appimage")
    launcher = RecordingLauncher([])
    with pytest.raises(InstallError, match="not running from an AppImage"):
        AppImageInstaller(None, launcher).install(verified, FakeHost([]))
    assert launcher.calls == []


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


@pytest.mark.skipif(sys.platform == "win32", reason="uses a POSIX FIFO")
def test_subprocess_launcher_starts_detached_without_a_shell(tmp_path: Path) -> None:
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    reader = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
    try:
        code = "import os,sys; open(sys.argv[1], 'w').write(f'{os.getsid(0)} {sys.argv[2]}')"
        SubprocessLauncher().launch(
            [sys.executable, "-c", code, str(fifo), "$HOME;echo"], detached=True
        )
        data = b""
        while not data.endswith(b"echo"):
            ready, _, _ = select.select([reader], [], [], 10)
            assert ready, "the launched program never reported back"
            chunk = os.read(reader, 100)
            assert chunk, "the launched program closed the pipe early"
            data += chunk
    finally:
        os.close(reader)
    sid, arg = data.decode().split(" ", 1)
    assert int(sid) != os.getsid(0)  # its own session: it outlives us
    assert arg == "$HOME;echo"  # passed verbatim, no shell expansion


def test_subprocess_launcher_reports_a_missing_program(tmp_path: Path) -> None:
    with pytest.raises(InstallError, match="could not start"):
        SubprocessLauncher().launch([str(tmp_path / "no-such-installer")], detached=True)


KINDS = ["exe", "msi", "dmg", "pkg", "appimage", "deb", "rpm", "tar.gz"]
PLATFORMS = ["windows-x86_64", "macos-arm64", "linux-x86_64"]


@pytest.mark.parametrize("platform", PLATFORMS)
@pytest.mark.parametrize("kind", KINDS)
def test_every_handler_passes_the_file_as_one_argument_after_the_handshake(
    tmp_path: Path, kind: str, platform: str
) -> None:
    verified = staged(tmp_path, NEW_APP, f"my app; $(id).{kind}", kind)
    app = tmp_path / "apps" / "Demo.AppImage"
    app.parent.mkdir()
    app.write_bytes(OLD_APP)
    events: list[str] = []
    launcher = RecordingLauncher(events)
    installer = installer_for(kind, platform, launcher=launcher, running_appimage=app)
    installer.install(verified, FakeHost(events))
    [(argv, detached)] = launcher.calls
    expected_file = str(app) if isinstance(installer, AppImageInstaller) else str(verified.path)
    assert argv[-1] == expected_file  # the whole path, one element, never split or quoted
    assert detached
    assert events == ["asked", "launch", "shutdown"]


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
    launcher = RecordingLauncher([])
    AppImageInstaller(app, launcher).install(verified, FakeHost([]))
    assert app.read_bytes() == NEW_APP
    assert sorted(p.name for p in apps.iterdir()) == ["Demo.AppImage"]
