"""Fixtures for transport tests: the allowlist, small limits, a test CA, the witness."""

from __future__ import annotations

from pathlib import Path

import pytest
from glass_updater.allowlist import Allowlist, load_allowlist
from glass_updater.limits import Limits
from glass_updater.transport.witness import Witness

from tests.loopback import TestCA

# Small enough that every timeout test finishes in about a second.
FAST = Limits(
    connect_timeout=1.0,
    read_timeout=0.6,
    deadline=3.0,
    min_throughput=0,
    throughput_grace=0.3,
    cancel_latency=0.05,
)


@pytest.fixture
def allowlist() -> Allowlist:
    return load_allowlist()


@pytest.fixture
def ca(tmp_path: Path) -> TestCA:
    return TestCA(tmp_path)


@pytest.fixture
def witness() -> Witness:
    return Witness.install()
