"""tar.gz installs: a hostile archive is refused whole; the folder swap keeps the old folder
until the new version has started; what is unpacked is exactly what was hashed."""

from __future__ import annotations

import hashlib
import io
import os
import stat
import subprocess
import sys
import tarfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from glass_updater.errors import InstallError
from glass_updater.handoff import HandoffSpec
from glass_updater.helper import Helper
from glass_updater.install import read_report
from glass_updater.tarsafe import extract_verified, recover, swap_in

from tests.updater.install.exited import Exited


@dataclass
class FakeRunner:
    """Implements the helper's ProcessRunner; ``start`` sees the folder at relaunch time."""

    start_code: int | None = None
    seen_at_start: list[list[str]] = field(default_factory=list)
    app_dir: Path | None = None

    def run(self, argv: Sequence[str]) -> int:
        raise AssertionError("a tar.gz install runs no installer")

    def start(self, argv: Sequence[str]) -> Exited:
        assert self.app_dir is not None
        self.seen_at_start.append(sorted(p.name for p in self.app_dir.parent.iterdir()))
        return Exited(self.start_code)


Member = tuple[str, bytes | None, bytes, str]  # name, data, type, linkname


def archive(members: Sequence[Member]) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        for name, data, kind, link in members:
            info = tarfile.TarInfo(name)
            info.type = kind
            info.linkname = link
            info.mode = 0o755 if kind == tarfile.DIRTYPE else 0o644
            if kind == tarfile.REGTYPE:
                info.size = len(data or b"")
            tar.addfile(info, io.BytesIO(data or b"") if kind == tarfile.REGTYPE else None)
    return buf.getvalue()


def f(name: str, data: bytes = b"x") -> Member:
    return (name, data, tarfile.REGTYPE, "")


def installed_app(tmp_path: Path) -> Path:
    app_dir = tmp_path / "apps" / "demo"
    (app_dir / "bin").mkdir(parents=True)
    (app_dir / "bin" / "demo").write_bytes(b"old")
    app_dir.chmod(0o755)
    return app_dir


def spec(tmp_path: Path, data: bytes, app_dir: Path, **extra: object) -> HandoffSpec:
    staged = tmp_path / "staging" / hashlib.sha256(data).hexdigest() / "demo.tar.gz"
    staged.parent.mkdir(parents=True, exist_ok=True)
    staged.write_bytes(data)
    base: dict[str, object] = dict(
        pid=0, pid_token="", kind="tar.gz", staged=str(staged), size=len(data),
        sha256=hashlib.sha256(data).hexdigest(), version="2.0", app_dir=str(app_dir),
        report=str(tmp_path / "report.json"),
    )
    base.update(extra)
    return HandoffSpec(**base)  # type: ignore[arg-type]


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


EVIL: dict[str, tuple[list[Member], str]] = {
    "absolute path": ([f("/tmp/evil")], "absolute path"),
    "dot-dot": ([f("../evil")], "leaving its folder"),
    "nested dot-dot": ([f("demo/bin/../../../evil")], "leaving its folder"),
    "absolute symlink": ([("lib", None, tarfile.SYMTYPE, "/etc")], "link leaving"),
    "escaping symlink": ([("lib/x", None, tarfile.SYMTYPE, "../../outside")], "link leaving"),
    "hard link outside": ([("pw", None, tarfile.LNKTYPE, "/etc/passwd")], "hard link"),
    "hard link dot-dot": ([("pw", None, tarfile.LNKTYPE, "../outside")], "hard link"),
    "character device": ([("null", None, tarfile.CHRTYPE, "")], "special file"),
    "block device": ([("sda", None, tarfile.BLKTYPE, "")], "special file"),
    "fifo": ([("pipe", None, tarfile.FIFOTYPE, "")], "special file"),
    "late evil member": ([f("bin/demo", b"new"), f("ok.txt"), f("/etc/evil")], "absolute"),
    # Each link is inside when made; together ``b -> e/..`` with ``e -> .`` is the parent.
    "link through a later link": ([("demo/b", None, tarfile.SYMTYPE, "e/.."),
                                   ("demo/e", None, tarfile.SYMTYPE, ".")], "link leaving"),
    # Inside the archive, but the app folder is demo/: after the swap it points beside it.
    "link out of the single top folder": (
        [f("demo/bin/demo", b"new"), ("demo/lib", None, tarfile.SYMTYPE, "../evil")],
        "link leaving"),
    "member through a link": ([("d", None, tarfile.SYMTYPE, "."),
                               ("d/c", None, tarfile.SYMTYPE, "../outside")], "through a link"),
}


@pytest.mark.parametrize("case", list(EVIL))
def test_hostile_archive_is_refused_and_nothing_changes(tmp_path: Path, case: str) -> None:
    members, message = EVIL[case]
    app_dir = installed_app(tmp_path)
    before = snapshot(app_dir)
    data = archive(members)
    runner = FakeRunner(app_dir=app_dir)
    assert Helper(spec(tmp_path, data, app_dir, relaunch=("demo",)), runner).run() == 5
    report = read_report(tmp_path / "report.json")
    assert report is not None and report["status"] == "failed"
    assert message in str(report["message"]) and "not installed" in str(report["message"])
    assert snapshot(app_dir) == before
    assert sorted(p.name for p in app_dir.parent.iterdir()) == ["demo"]  # no temp folders
    assert not (tmp_path / "outside").exists() and not (tmp_path / "evil").exists()


def test_swap_keeps_the_old_folder_until_the_new_version_started(tmp_path: Path) -> None:
    app_dir = installed_app(tmp_path)
    data = archive([f("demo-2.0/bin/demo", b"new"), f("demo-2.0/share/readme", b"hi"),
                    ("demo-2.0/bin/run", None, tarfile.SYMTYPE, "demo")])
    runner = FakeRunner(app_dir=app_dir)
    s = spec(tmp_path, data, app_dir, relaunch=(str(app_dir / "bin" / "demo"),))
    assert Helper(s, runner).run() == 0
    assert runner.seen_at_start == [[".demo.old", "demo"]]  # old kept while it starts
    assert sorted(p.name for p in app_dir.parent.iterdir()) == ["demo"]  # then removed
    assert snapshot(app_dir) == {"bin/demo": b"new", "bin/run": b"new", "share/readme": b"hi"}
    assert stat.S_IMODE(app_dir.stat().st_mode) == 0o755  # the folder keeps its mode
    assert not Path(s.staged).exists() and not Path(s.staged).parent.exists()


def test_flat_archive_becomes_the_app_folder(tmp_path: Path) -> None:
    app_dir = installed_app(tmp_path)
    data = archive([f("bin/demo", b"new"), f("README", b"r")])
    assert Helper(spec(tmp_path, data, app_dir), FakeRunner(app_dir=app_dir)).run() == 0
    assert snapshot(app_dir) == {"bin/demo": b"new", "README": b"r"}


def test_new_version_failing_to_start_gets_the_old_folder_back(tmp_path: Path) -> None:
    app_dir = installed_app(tmp_path)
    data = archive([f("bin/demo", b"new")])
    runner = FakeRunner(start_code=1, app_dir=app_dir)
    assert Helper(spec(tmp_path, data, app_dir, relaunch=("demo",)), runner).run() == 5
    assert snapshot(app_dir) == {"bin/demo": b"old"}
    assert sorted(p.name for p in app_dir.parent.iterdir()) == ["demo"]


def test_archive_changed_after_verification_is_not_unpacked(tmp_path: Path) -> None:
    app_dir = installed_app(tmp_path)
    good = archive([f("bin/demo", b"new")])
    s = spec(tmp_path, good, app_dir)
    Path(s.staged).write_bytes(archive([f("bin/demo", b"evl")]))
    assert Helper(s, FakeRunner(app_dir=app_dir)).run() == 5
    assert "changed on disk after it was verified" in str(
        read_report(tmp_path / "report.json")["message"]  # type: ignore[index]
    )
    assert snapshot(app_dir) == {"bin/demo": b"old"}
    assert sorted(p.name for p in app_dir.parent.iterdir()) == ["demo"]


def test_extraction_hashes_exactly_the_bytes_it_unpacks(tmp_path: Path) -> None:
    """Trailing bytes after the archive are part of the file, so part of the hash."""
    data = archive([f("a", b"1")])
    path = tmp_path / "a.tar.gz"
    path.write_bytes(data + b"\0" * 4096)
    dest = tmp_path / "out"
    dest.mkdir()
    with pytest.raises(InstallError, match="changed on disk"):
        extract_verified(path, len(data), hashlib.sha256(data).hexdigest(), dest)


def test_a_helper_killed_between_the_renames_is_recovered(tmp_path: Path) -> None:
    app_dir = installed_app(tmp_path)
    os.rename(app_dir, tmp_path / "apps" / ".demo.old")  # the first of two renames
    (tmp_path / "apps" / ".demo.new-abc").mkdir()
    recover(app_dir)
    assert snapshot(app_dir) == {"bin/demo": b"old"}
    assert sorted(p.name for p in app_dir.parent.iterdir()) == ["demo"]


def test_swap_without_exchange_support_still_swaps(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("glass_updater.tarsafe._exchange", lambda a, b: False)
    app_dir = installed_app(tmp_path)
    new = tmp_path / "apps" / ".demo.new-x"
    new.mkdir()
    (new / "v2").write_bytes(b"2")
    old = swap_in(app_dir, new)
    assert snapshot(app_dir) == {"v2": b"2"} and snapshot(old) == {"bin/demo": b"old"}


def test_swap_refuses_when_the_old_backup_cannot_be_removed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A stuck ``.demo.old`` would make the rename after the exchange fail, and the
    cleanup of the new folder would then delete the old app: refuse before swapping."""
    app_dir = installed_app(tmp_path)
    stuck = tmp_path / "apps" / ".demo.old"
    (stuck / "sub").mkdir(parents=True)
    monkeypatch.setattr("glass_updater.tarsafe.shutil.rmtree", lambda *a, **k: None)
    new = tmp_path / "apps" / ".demo.new-x"
    new.mkdir()
    (new / "v2").write_bytes(b"2")
    with pytest.raises(InstallError, match="previous backup"):
        swap_in(app_dir, new)
    assert snapshot(app_dir) == {"bin/demo": b"old"} and snapshot(new) == {"v2": b"2"}


def test_an_unexpected_error_in_the_helper_is_reported_and_the_old_app_relaunched(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The app has already quit: a crash would leave no app running and no report."""
    def broken(app_dir: Path) -> None:
        raise PermissionError(13, "Permission denied", str(app_dir))

    monkeypatch.setattr("glass_updater.tarsafe.recover", broken)
    app_dir = installed_app(tmp_path)
    runner = FakeRunner(app_dir=app_dir)
    s = spec(tmp_path, archive([f("bin/demo", b"new")]), app_dir, relaunch=("demo",))
    assert Helper(s, runner).run() == 5
    report = read_report(tmp_path / "report.json")
    assert report is not None and report["status"] == "failed"
    assert "PermissionError" in str(report["message"])
    assert len(runner.seen_at_start) == 1  # the old version was started again
    assert snapshot(app_dir) == {"bin/demo": b"old"}


def test_python_without_the_tar_filter_is_refused_cleanly(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delattr(tarfile, "data_filter")
    data = archive([f("a", b"1")])
    path = tmp_path / "a.tar.gz"
    path.write_bytes(data)
    dest = tmp_path / "out"
    dest.mkdir()
    with pytest.raises(InstallError, match=r"3\.11\.4"):
        extract_verified(path, len(data), hashlib.sha256(data).hexdigest(), dest)
    assert list(dest.iterdir()) == []


ROOT = Path(__file__).resolve().parents[3]


@pytest.mark.parametrize("point", ["tar-extracted", "tar-exchanged", "tar-swapped"])
def test_helper_killed_during_the_swap_leaves_a_whole_app_and_the_next_install_completes(
    tmp_path: Path, point: str
) -> None:
    app_dir = installed_app(tmp_path)
    data = archive([f("demo-2/bin/demo", b"new")])
    s = spec(tmp_path, data, app_dir)
    child = subprocess.run(
        [sys.executable, "-m", "tests.updater.install.crash_helper_child", s.to_json(), point],
        cwd=ROOT, capture_output=True, timeout=60, check=False,
    )
    assert child.returncode == -9, child.stderr.decode()[-2000:]
    assert snapshot(app_dir) in ({"bin/demo": b"old"}, {"bin/demo": b"new"})  # never torn
    # The next install repairs what the kill left and completes; nothing stays beside it.
    assert Helper(s, FakeRunner(app_dir=app_dir)).run() == 0
    assert snapshot(app_dir) == {"bin/demo": b"new"}
    assert sorted(p.name for p in app_dir.parent.iterdir()) == ["demo"]
