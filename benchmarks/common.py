"""Shared helpers for benchmarks: ratios against a baseline measured in the same run.

Benchmarks print numbers; they never fail a test suite on timing (machines are shared).
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable


def median_seconds(fn: Callable[[], object], runs: int, warmup: int = 2) -> float:
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def report(name: str, ours: float, baseline: float, budget: float, unit: str = "s") -> bool:
    ratio = ours / baseline if baseline else float("inf")
    ok = ratio <= budget
    print(
        f"{name}: ours {ours:.4f}{unit}, baseline {baseline:.4f}{unit}, "
        f"ratio {ratio:.2f}x (budget {budget:.2f}x) {'OK' if ok else 'OVER BUDGET'}"
    )
    return ok
