"""Command-line edges an outsider hits first: a closed pipe, an empty path argument."""

from __future__ import annotations

import io
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from glass_updater.cli import main
from glass_updater.cli_terminal import INTERRUPT
from glass_updater.flow import UpdateFlow

from tests.loopback import LoopbackServer, Reply
from tests.sim import FeedSimulator


class ClosedPipe(io.StringIO):
    """stdout whose reader went away (``updater log | head -1``)."""

    def write(self, text: str) -> int:
        raise BrokenPipeError(32, "Broken pipe")


def test_closed_pipe_stops_quietly_not_as_a_disk_error(tmp_path: Path) -> None:
    err = io.StringIO()
    code = main(["audit"], out=ClosedPipe(), err=err)
    assert code == 141
    assert err.getvalue() == ""  # not "could not write a local file ... disk has free space"


def test_closed_pipe_in_a_real_pipeline_prints_nothing(tmp_path: Path) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "glass_updater", "audit", "--format", "markdown"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()  # the reader is gone before the first line
    err = proc.stderr.read()
    proc.stderr.close()
    assert proc.wait(timeout=60) == 141
    assert err == b""


@pytest.mark.parametrize("option", ["--state-dir", "--config"])
def test_an_empty_path_is_a_usage_error_not_the_current_folder(
    option: str, tmp_path: Path, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit) as info:
        main(["check", option, ""])
    assert info.value.code == 2
    assert "an empty path" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []  # nothing written in the current folder


@pytest.mark.loopback
def test_a_signal_just_before_the_run_starts_still_cancels_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The signal handler is handed ``flow.cancel`` before ``start``; a SIGTERM in that gap
    must cancel the run that starts (a fresh token there let the check run on: exit 0)."""
    sim = FeedSimulator()
    sim.add_release("1.4.0")
    with LoopbackServer(Reply(200, "OK", (("Content-Type", "application/json"),),
                              sim.feed_bytes())) as server:
        config = tmp_path / "config.toml"
        config.write_text(
            '[product]\nid = "demo-app"\nversion = "1.0.0"\n'
            f'[feed]\nurl = "{server.url(sim.feed_path)}"\n'
            f'trusted_keys = ["{sim.public_key}"]\n'
        )
        begin = UpdateFlow._begin

        def signal_then_begin(flow: UpdateFlow) -> bool:
            INTERRUPT._on_signal(signal.SIGTERM, None)  # as if it arrived right here
            return begin(flow)

        monkeypatch.setattr(UpdateFlow, "_begin", signal_then_begin)
        err = io.StringIO()
        code = main(["check", "--config", str(config), "--state-dir", str(tmp_path / "s")],
                    io.StringIO(), err, policy_path=tmp_path / "no-policy" / "policy.toml")
        assert code == 143, err.getvalue()
        assert server.heads == []  # the check was cancelled before a byte was sent
