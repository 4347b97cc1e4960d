from __future__ import annotations

import pytest

from tests.sim import FeedSimulator


@pytest.fixture
def sim() -> FeedSimulator:
    s = FeedSimulator()
    s.add_release("1.2.0")
    s.add_release("1.4.0", notes="**Faster** start-up")
    return s
