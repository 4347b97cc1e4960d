"""The detached install helper: wait for the app to quit, install, relaunch, report.

Started by ``Updater.install`` as ``python -m glass_updater.helper --spec JSON`` (or, in a
frozen app, ``app --glass-updater-helper --spec JSON``; see ``run_if_requested``). It runs
in its own session, so it outlives the app. The order is the point: the app's process is
gone before anything is replaced, and the new version starts only after the install.
Its outcome goes to the report file the app named (JSON), which the next run can show.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from glass_updater.atomic import atomic_write_bytes
from glass_updater.errors import InstallError
from glass_updater.handoff import (
    HELPER_FLAG,
    HandoffSpec,
    popen_quiet,
    private_copy,
    remove_private,
    remove_staged,
    substitute,
    sweep_private,
    wait_for_exit,
)


class Started(Protocol):
    pid: int

    def wait(self, timeout: float) -> int | None:
        """The exit code, or None if it still runs after ``timeout`` seconds."""
        ...


class ProcessRunner(Protocol):
    """Runs programs for the helper; injected so tests record argv instead of installing."""

    def run(self, argv: Sequence[str]) -> int:
        """Run to completion (an installer) and return its exit code."""
        ...

    def start(self, argv: Sequence[str]) -> Started:
        """Start the relaunched app, detached."""
        ...


class _Popen:
    def __init__(self, proc: subprocess.Popen[bytes]) -> None:
        self._proc = proc
        self.pid = proc.pid

    def wait(self, timeout: float) -> int | None:
        try:
            return self._proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            return None


class SubprocessRunner:
    """The real runner: argv lists, no shell, stdin closed."""

    def run(self, argv: Sequence[str]) -> int:
        try:
            return subprocess.run(list(argv), stdin=subprocess.DEVNULL, check=False).returncode
        except OSError as exc:
            raise InstallError(f"could not start {argv[0]} ({exc.strerror or exc})") from exc

    def start(self, argv: Sequence[str]) -> Started:
        try:
            proc = popen_quiet(argv, detached=True)
        except OSError as exc:
            raise InstallError(f"could not start {argv[0]} ({exc.strerror or exc})") from exc
        return _Popen(proc)


@dataclass
class Helper:
    """One install, in order: wait, install, clean up, relaunch, report."""

    spec: HandoffSpec
    runner: ProcessRunner = field(default_factory=SubprocessRunner)
    checkpoint: Callable[[str], None] = lambda point: None
    relaunched_pid: int | None = None  # reported, so a caller can find the new version

    def run(self) -> int:
        spec = self.spec
        self._report("waiting", f"waiting for process {spec.pid} to quit")
        if not wait_for_exit(spec.pid, spec.pid_token, spec.wait_seconds):
            # The app still runs: installing now would break it, relaunching would double it.
            return self._report(
                "failed",
                f"the application (process {spec.pid}) did not quit within "
                f"{spec.wait_seconds:g} s, so nothing was installed; close it and install "
                "the update again",
            )
        self.checkpoint("host-gone")
        try:
            rollback = self._install()
        except InstallError as exc:
            self._relaunch_quietly()  # the old version is intact: bring it back
            return self._report("failed", str(exc))
        except Exception as exc:  # the app is gone: never die silently, say why
            self._relaunch_quietly()
            return self._report(
                "failed",
                f"the update could not be installed ({type(exc).__name__}: {exc}); "
                "install it again, or report this to the publisher",
            )
        return self._after_install(rollback)

    # -------------------------------------------------------------- per kind

    def _install(self) -> Callable[[], None] | None:
        """Install; return how to undo it if the new version fails to start."""
        spec = self.spec
        staged = Path(spec.staged)
        if spec.kind == "appimage":
            from glass_updater.handlers import replace_appimage, restore_appimage

            target = replace_appimage(staged, spec.size, spec.sha256, Path(spec.target),
                                      self.checkpoint)
            remove_staged(staged)
            return lambda: restore_appimage(target)
        if spec.kind == "tar.gz":
            return self._install_tar(staged)
        self._run_installer(staged)
        return None  # an installer cannot be undone by us

    def _install_tar(self, staged: Path) -> Callable[[], None]:
        from glass_updater.tarsafe import (
            extract_verified,
            new_folder_beside,
            old_folder,
            recover,
            root_of,
            swap_back,
            swap_in,
        )

        spec = self.spec
        app_dir = Path(spec.app_dir)
        recover(app_dir)
        unpacked = new_folder_beside(app_dir)
        try:
            extract_verified(staged, spec.size, spec.sha256, unpacked)
            self.checkpoint("tar-extracted")
            swap_in(app_dir, root_of(unpacked), self.checkpoint)
        finally:
            shutil.rmtree(unpacked, ignore_errors=True)  # the wrapper folder, or a failure
        self.checkpoint("tar-swapped")
        remove_staged(staged)
        return lambda: swap_back(app_dir, old_folder(app_dir))

    def _run_installer(self, staged: Path) -> None:
        spec = self.spec
        sweep_private(Path(spec.workdir))
        copy = private_copy(staged, spec.size, spec.sha256, Path(spec.workdir))
        try:
            argv = substitute(spec.command, {
                "file": str(copy), "pid": str(spec.pid), "app_dir": spec.app_dir,
                "version": spec.version,
            })
            self.checkpoint("installer-ready")
            code = self.runner.run(argv)
        finally:
            remove_private(copy)
            remove_staged(staged)  # handed off: the installer has finished with it
        if code != 0:
            raise InstallError(
                f"the installer ({Path(argv[0]).name}) exited with code {code}; the update "
                "was not installed"
            )

    # -------------------------------------------------------------- afterwards

    def _after_install(self, rollback: Callable[[], None] | None) -> int:
        spec = self.spec
        if not spec.relaunch:
            self._finish()
            return self._report("installed", f"{spec.version} was installed")
        try:
            started = self.runner.start(spec.relaunch)
            self.relaunched_pid = started.pid
            code = started.wait(spec.start_grace)
        except InstallError as exc:
            code, failure = -1, str(exc)
        else:
            failure = f"the new version exited with code {code} right after starting"
        if code is None or code == 0:  # still running, or ran and finished cleanly
            self._finish()
            return self._report("installed", f"{spec.version} was installed and started")
        if rollback is None:
            return self._report("failed", f"{spec.version} was installed but {failure}")
        try:
            rollback()
        except OSError as exc:
            return self._report("failed", f"{failure}; putting the old version back failed "
                                          f"({exc.strerror or exc})")
        self._relaunch_quietly()
        return self._report("failed", f"{failure}; the previous version was put back")

    def _finish(self) -> None:
        """The new version started: the old copy kept for a rollback can go."""
        spec = self.spec
        if spec.kind == "appimage":
            from glass_updater.handlers import finish_appimage

            finish_appimage(Path(os.path.realpath(spec.target)))
        elif spec.kind == "tar.gz":
            from glass_updater.tarsafe import old_folder

            shutil.rmtree(old_folder(Path(spec.app_dir)), ignore_errors=True)

    def _relaunch_quietly(self) -> None:
        if self.spec.relaunch:
            with contextlib.suppress(InstallError):
                self.runner.start(self.spec.relaunch)

    def _report(self, status: str, message: str) -> int:
        spec = self.spec
        if spec.report:
            doc = {"status": status, "message": message, "version": spec.version,
                   "kind": spec.kind, "pid": spec.pid, "helper_pid": os.getpid(),
                   "relaunched_pid": self.relaunched_pid, "time": time.time()}
            with contextlib.suppress(OSError):
                atomic_write_bytes(Path(spec.report), json.dumps(doc).encode("utf-8"))
        if status == "failed":
            sys.stderr.write(f"glass-updater helper: {message}\n")
            return 5
        return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args[:1] == [HELPER_FLAG]:
        args = args[1:]
    if len(args) != 2 or args[0] != "--spec":
        sys.stderr.write("glass-updater helper: usage: --spec JSON (started by the updater)\n")
        return 2
    try:
        spec = HandoffSpec.from_json(args[1])
    except InstallError as exc:
        sys.stderr.write(f"glass-updater helper: {exc}\n")
        return 2
    return Helper(spec).run()


def run_if_requested(argv: Sequence[str] | None = None) -> None:
    """For frozen host apps: call first thing in ``main()``; runs the helper and exits
    if this process was started as one, else returns at once."""
    args = list(sys.argv[1:] if argv is None else argv)
    if args[:1] == [HELPER_FLAG]:
        raise SystemExit(main(args))


if __name__ == "__main__":
    raise SystemExit(main())
