"""Bounded waits on processes and FIFOs that are not our children (Linux pidfd, select).

Shared by the end-to-end tests that hand off to the detached install helper: they wait on
events, never on sleeps.
"""

from __future__ import annotations

import os
import select


def wait_for_process(pid: int, timeout: float = 60.0) -> None:
    """Wait for a process that is not our child to exit (a Linux pidfd; bounded)."""
    try:
        fd = os.pidfd_open(pid)
    except ProcessLookupError:
        return
    try:
        ready, _, _ = select.select([fd], [], [], timeout)
        assert ready, f"process {pid} did not finish"
    finally:
        os.close(fd)


def read_fifo_line(fd: int, silent: str, timeout: float = 60.0) -> bytes:
    """Read one whole line from a non-blocking FIFO; ``silent`` says what never arrived."""
    data = b""
    while not data.endswith(b"\n"):
        ready, _, _ = select.select([fd], [], [], timeout)
        assert ready, silent
        chunk = os.read(fd, 65536)
        assert chunk, "the FIFO's writer closed without a whole line"
        data += chunk
    return data
