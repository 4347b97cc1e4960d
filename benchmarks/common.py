"""Shared helpers for benchmarks: ratios against a baseline measured in the same run.

Benchmarks print numbers; they never fail a test suite on timing (machines are shared).
Ours and the baseline are sampled in alternation, so a burst of load from another process
lands on both; the median of several samples is reported with its min and max.
"""

from __future__ import annotations

import resource
import statistics
import subprocess
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Stats:
    """Several samples of one quantity."""

    samples: tuple[float, ...]

    @property
    def median(self) -> float:
        return statistics.median(self.samples)

    @property
    def min(self) -> float:
        return min(self.samples)

    @property
    def max(self) -> float:
        return max(self.samples)

    def show(self, unit: str, scale: float = 1.0, digits: int = 1) -> str:
        f = f"{{:.{digits}f}}"
        return (f"{f.format(self.median * scale)} {unit} "
                f"({f.format(self.min * scale)}–{f.format(self.max * scale)})")


@dataclass(frozen=True)
class Row:
    """One line of the budget table: ours and its baseline from the same run.

    ``kind`` is ``ratio`` (ours/baseline ≤ budget) or ``extra`` (ours − baseline ≤ budget)
    or ``absolute`` (ours ≤ budget, no baseline) or ``info`` (a ratio shown for reference,
    no budget).
    """

    name: str
    budget: float
    kind: str
    ours: Stats
    baseline: Stats | None
    unit: str
    scale: float = 1.0
    digits: int = 1
    note: str = ""
    extra: dict[str, float] = field(default_factory=dict)

    @property
    def value(self) -> float:
        """The quantity the budget applies to (a ratio, a difference, or ours)."""
        if self.kind == "absolute" or self.baseline is None:
            return self.ours.median
        if self.kind == "extra":
            return self.ours.median - self.baseline.median
        return self.ours.median / self.baseline.median if self.baseline.median else float("inf")

    @property
    def within(self) -> bool:
        return self.kind == "info" or self.value <= self.budget

    def verdict(self) -> str:
        if self.kind == "info":
            return "for reference"
        if self.within:
            return "within"
        if self.kind == "ratio":
            return f"**over by {self.value / self.budget - 1:.0%}**"
        over = (self.value - self.budget) * self.scale
        return f"**over by {over:.{self.digits}f} {self.unit}**"

    def measured(self) -> str:
        if self.kind in ("ratio", "info"):
            return f"{self.value:.2f}×"
        if self.kind == "extra":
            return f"+{self.value * self.scale:.{self.digits}f} {self.unit}"
        return f"{self.value * self.scale:.{self.digits}f} {self.unit}"

    def budget_text(self) -> str:
        if self.kind == "info":
            return "—"
        if self.kind == "ratio":
            return f"≤ {self.budget:.2f}×"
        sign = "+" if self.kind == "extra" else ""
        return f"≤ {sign}{self.budget * self.scale:.{self.digits}f} {self.unit}"

    def line(self) -> str:
        base = self.baseline.show(self.unit, self.scale, self.digits) if self.baseline else "—"
        return (f"{self.name}: ours {self.ours.show(self.unit, self.scale, self.digits)}, "
                f"baseline {base} -> {self.measured()} (budget {self.budget_text()}) "
                f"{'OK' if self.within else 'OVER BUDGET'}")


def alternate(samplers: Mapping[str, Callable[[], float]], runs: int,
              warmup: int = 1) -> dict[str, Stats]:
    """Sample each in turn, ``runs`` rounds (after ``warmup`` unrecorded rounds)."""
    got: dict[str, list[float]] = {name: [] for name in samplers}
    for i in range(warmup + runs):
        for name, sample in samplers.items():
            value = sample()
            if i >= warmup:
                got[name].append(value)
    return {name: Stats(tuple(values)) for name, values in got.items()}


def run_timed(cmd: Sequence[str], **kwargs: object) -> tuple[float, float]:
    """Wall seconds and CPU seconds (user + system) of one child process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(cmd, check=True, capture_output=True, **kwargs)  # type: ignore[call-overload]
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


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
