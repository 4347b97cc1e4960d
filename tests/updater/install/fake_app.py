"""A tiny "app" for the install helper's end-to-end tests: version 1 updates itself.

The test copies this file with ``VERSION`` and ``PARAMS`` filled in. Version 1 hands the
verified download to the real helper (``glass_updater.install.hand_off``), prints the
helper's PID, then lingers as a slow-quitting app would (up to ``linger`` seconds, or until
a new version shows up, which would be the bug under test). Version 2 is the relaunched
app: it records whether version 1's process still existed when it started, and its marker.
"""

import fcntl
import json
import os
import subprocess
import sys
import time
from pathlib import Path

VERSION = "@VERSION@"
PARAMS = Path("@PARAMS@")


def alive(pid: int) -> bool:
    """True while the process runs (a zombie has exited: its parent just has not reaped it)."""
    try:
        data = Path(f"/proc/{pid}/stat").read_bytes()
    except OSError:
        return False
    return data[data.rfind(b")") + 2 :].split()[0] not in (b"Z", b"X")


class PidLauncher:
    """Starts the helper like SubprocessLauncher, and tells the test its PID."""

    def launch(self, argv, *, detached):
        proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL, start_new_session=detached)
        print(f"helper {proc.pid}", flush=True)


class Host:
    def __init__(self, params):
        self.params = params
        self.shutdown = False

    def can_shut_down(self):
        return True

    def request_shutdown(self):
        self.shutdown = True

    def relaunch_argv(self):
        return self.params.get("relaunch") or None


def single_instance_lock(params):
    """The app's single-instance lock: held for the whole life of the process."""
    fd = os.open(Path(params["dir"], "app.lock"), os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return None  # another instance runs: a real app would quit here
    return fd


def old_version(params):
    lock = single_instance_lock(params)
    if lock is None:  # the old version must be the one running instance
        raise SystemExit("fake app: another instance already holds the lock")
    from datetime import UTC, datetime

    from glass_updater.install import hand_off
    from glass_updater.limits import DEFAULT_LIMITS
    from glass_updater.model import Asset, Release, VerifiedFile
    from glass_updater.preflight import InstallPlan

    Path(params["dir"], "old.pid").write_text(str(os.getpid()))
    asset = Asset("linux-x86_64", params["kind"], "https://dl.example/app", params["size"],
                  params["sha256"])
    release = Release("2", "stable", datetime(2026, 11, 20, tzinfo=UTC), False, (), "", ())
    plan = InstallPlan(params["kind"], target=params.get("target", ""),
                       app_dir=params.get("app_dir", ""))
    host = Host(params)
    hand_off(VerifiedFile(Path(params["staged"]), asset, release), host, plan,
             launcher=PidLauncher(), report=Path(params["report"]),
             workdir=Path(params["dir"], "handoff"),
             wait_seconds=params.get("wait_seconds", DEFAULT_LIMITS.install_wait))
    assert host.shutdown
    # Shutting down slowly: a helper that did not wait would start version 2 right now.
    started = Path(params["dir"], "new-started")
    deadline = time.monotonic() + params["linger"]
    while time.monotonic() < deadline and not started.exists():
        time.sleep(0.02)
    Path(params["dir"], "old-exit-ns").write_text(str(time.time_ns()))
    return 0


def new_version(params):
    start_ns = time.time_ns()
    got_lock = single_instance_lock(params) is not None
    Path(params["dir"], "new-started").write_text(VERSION)
    old_pid = int(Path(params["dir"], "old.pid").read_text())
    marker = {"version": VERSION, "old_alive": alive(old_pid), "got_lock": got_lock,
              "start_ns": start_ns, "argv": sys.argv, "pid": os.getpid()}
    with open(params["marker"], "w") as fh:
        fh.write(json.dumps(marker) + "\n")
    return params.get("new_exit_code", 0)


if __name__ == "__main__":
    params = json.loads(PARAMS.read_text())
    if VERSION == "1" and "--relaunched" in sys.argv:
        sys.exit(0)  # the old version brought back after a failed update: nothing to do
    sys.exit(old_version(params) if VERSION == "1" else new_version(params))
