"""The terminal driver: a progress bar on a TTY, quiet progress lines otherwise."""

from __future__ import annotations

import io

from glass_updater.cli_terminal import TerminalDriver
from glass_updater.model import Progress
from glass_updater.wire_types import CancelToken


class FakeTTY(io.StringIO):
    def isatty(self) -> bool:
        return True


def _feed(driver: TerminalDriver) -> None:
    for done in (0, 256, 512, 768, 1024):
        driver.show_download_progress(Progress(done, 1024, 2e6, 1.5), CancelToken())


def test_tty_gets_one_redrawn_bar_with_rate_and_eta() -> None:
    out = FakeTTY()
    _feed(TerminalDriver(out, install=False))
    text = out.getvalue()
    assert text.count("\r") == 5 and text.endswith("\n")
    last = text.rsplit("\r", 1)[1]
    assert "[#########################] 100.0%" in last
    assert "2.0 MB/s" in last and "ETA 2s" in last


def test_pipe_gets_plain_lines_not_a_bar() -> None:
    out = io.StringIO()
    _feed(TerminalDriver(out, install=False))
    lines = out.getvalue().splitlines()
    assert "\r" not in out.getvalue()
    assert lines[0].startswith("downloaded 0/1024 bytes")
    assert lines[-1] == "downloaded 1024/1024 bytes (100%, 2.0 MB/s)"
    assert len(lines) == 2  # at most one line a second, plus the final one
