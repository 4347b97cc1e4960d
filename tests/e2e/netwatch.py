"""Run a Python entry point in a subprocess with an audit hook that logs network events.

PEP 578 audit events are raised by CPython itself for every socket created, connected
or resolved, so this witness does not depend on which library opens the socket. Unix
sockets (AF_UNIX: the tray app's single-instance channel) are local and not recorded.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

NETWORK_EVENTS = (
    "socket.__new__",
    "socket.connect",
    "socket.getaddrinfo",
    "socket.gethostbyname",
    "socket.gethostbyaddr",
    "http.client.connect",
    "http.client.send",
)

_BOOT = r"""
import json, os, sys
_events = []
_watched = set(json.loads(os.environ["NETWATCH_EVENTS"]))
def _local(event, args):
    # AF_UNIX (the single-instance channel) is local, not network, as in syscalls.py.
    if event == "socket.__new__":
        return len(args) > 1 and args[1] == 1
    if event == "socket.connect":
        return len(args) > 1 and isinstance(args[1], (str, bytes))
    return False
def _hook(event, args):
    if event in _watched and not _local(event, args):
        _events.append([event, repr(args)[:200]])
        with open(os.environ["NETWATCH_OUT"], "a") as fh:
            fh.write(json.dumps([event, repr(args)[:200]]) + "\n")
sys.addaudithook(_hook)
import runpy
sys.argv = [sys.argv[1]] + sys.argv[2:]
runpy.run_module(sys.argv[0], run_name="__main__", alter_sys=True)
"""


@dataclass(frozen=True)
class Watched:
    returncode: int
    stdout: str
    stderr: str
    events: tuple[tuple[str, str], ...]

    def of(self, *names: str) -> list[tuple[str, str]]:
        return [e for e in self.events if e[0] in names]


def watched_env(out_file: Path, env: dict[str, str] | None = None) -> dict[str, str]:
    full_env = dict(os.environ)
    full_env.update(env or {})
    full_env["NETWATCH_EVENTS"] = json.dumps(NETWORK_EVENTS)
    full_env["NETWATCH_OUT"] = str(out_file)
    full_env["PYTHONPATH"] = str(ROOT) + os.pathsep + full_env.get("PYTHONPATH", "")
    return full_env


def watched_argv(module: str, *args: str) -> list[str]:
    """argv that runs ``python -m module args`` with the audit hook installed first."""
    return [sys.executable, "-c", _BOOT, module, *args]


def read_events(out_file: Path) -> tuple[tuple[str, str], ...]:
    if not out_file.exists():
        return ()
    pairs = (json.loads(line) for line in out_file.read_text().splitlines() if line)
    return tuple((name, detail) for name, detail in pairs)


def run_watched(
    module: str, *args: str, env: dict[str, str] | None = None, timeout: float = 60,
    out_file: Path,
) -> Watched:
    proc = subprocess.run(
        watched_argv(module, *args),
        capture_output=True, text=True, env=watched_env(out_file, env), timeout=timeout,
        cwd=ROOT, check=False,
    )
    return Watched(proc.returncode, proc.stdout, proc.stderr, read_events(out_file))
