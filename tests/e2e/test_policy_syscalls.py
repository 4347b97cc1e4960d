"""Threat 49 at the syscall level: a disabled or broken policy means no network socket.

The command line has no way to move the policy file, so the traced process composes the
real Updater with ``policy_path`` (the API tests use) and runs a real check against the
loopback feed server. The control run, without a policy, must show the TCP connect the
witness would otherwise miss.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from tests.e2e.conftest import Site
from tests.e2e.netwatch import ROOT
from tests.e2e.syscalls import STRACE, network_syscalls, traced_run

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(STRACE is None, reason="strace not installed (scripts/venv.sh installs it)"),
]

SCRIPT = """
import sys
from pathlib import Path
from glass_updater.config import load_config
from glass_updater.errors import UpdaterError
from glass_updater.paths import Paths
from glass_updater.updater import Updater

config, state, policy = (Path(a) for a in sys.argv[1:4])
updater = Updater(load_config(config), paths=Paths.under(state), policy_path=policy)
try:
    print(updater.check().status.value)
except UpdaterError as exc:
    print(exc.message)
    sys.exit(exc.exit_code)
"""


def _run(site: Site, policy: Path, trace: Path) -> tuple[int, str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = traced_run(
        [sys.executable, "-c", SCRIPT, str(site.config), str(site.state), str(policy)],
        trace, env=env, cwd=ROOT, timeout=120,
    )
    return proc.returncode, proc.stdout + proc.stderr


@pytest.mark.parametrize("text", ["disabled = true\n", "disabled = yes-please\n",
                                  '[product."demo-app"]\ndisabled = true\n'])
def test_disabled_or_broken_policy_opens_no_socket(site: Site, tmp_path: Path, text: str) -> None:
    policy = tmp_path / "policy.toml"
    policy.write_text(text)
    trace = tmp_path / "trace.txt"
    code, output = _run(site, policy, trace)
    assert code == 2, output
    assert "administrator" in output
    assert trace.exists()
    assert network_syscalls(trace) == []
    assert site.server.request_log == ()


def test_control_without_policy_connects(site: Site, tmp_path: Path) -> None:
    trace = tmp_path / "trace.txt"
    code, output = _run(site, tmp_path / "absent.toml", trace)
    assert code == 0, output
    assert any("connect(" in line for line in network_syscalls(trace))
