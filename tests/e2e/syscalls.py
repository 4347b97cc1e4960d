"""A syscall-level witness: strace lists every socket() and connect() a process tree makes.

Independent of Python: it sees sockets opened by C libraries (Qt, OpenSSL) too.
AF_UNIX sockets (the single-instance channel, D-Bus) are local, not network.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

STRACE = shutil.which("strace")
_NET = re.compile(r"\b(socket|connect)\((AF_INET6?|PF_INET6?|\d+, \{sa_family=AF_INET6?)")


def network_syscalls(trace: Path) -> list[str]:
    lines = trace.read_text(errors="replace").splitlines() if trace.exists() else []
    return [line for line in lines if _NET.search(line)]


def strace_cmd(trace: Path) -> list[str]:
    assert isinstance(STRACE, str), "strace is not installed"
    return [STRACE, "-f", "-qq", "-e", "trace=socket,connect", "-o", str(trace)]


def traced_run(argv: list[str], trace: Path, **kwargs: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # type: ignore[call-overload, no-any-return]
        [*strace_cmd(trace), *argv], capture_output=True, text=True, check=False, **kwargs
    )
