"""Byte counts to throttled Progress reports, with a smoothed rate and an ETA."""

from __future__ import annotations

from collections.abc import Callable

from glass_updater.model import Progress


class ProgressMeter:
    """Reports at most once per ``interval`` (and always on ``force``)."""

    def __init__(
        self,
        total: int,
        interval: float,
        clock: Callable[[], float],
        report: Callable[[Progress], None],
    ) -> None:
        self.total = total
        self.interval = interval
        self.clock = clock
        self.report = report
        self.rate = 0.0
        self._last_t: float | None = None
        self._last_done = 0

    def start(self, done: int) -> None:
        self._last_t = self.clock()
        self._last_done = done
        self.report(Progress(done, self.total, 0.0, None))

    def update(self, done: int, *, force: bool = False) -> None:
        now = self.clock()
        if self._last_t is None:
            self.start(done)
            return
        elapsed = now - self._last_t
        if not force and elapsed < self.interval:
            return
        if elapsed > 0:
            instant = (done - self._last_done) / elapsed
            self.rate = instant if self.rate == 0.0 else 0.3 * instant + 0.7 * self.rate
        self._last_t, self._last_done = now, done
        left = self.total - done
        eta = left / self.rate if self.rate > 0 else (0.0 if left <= 0 else None)
        self.report(Progress(done, self.total, self.rate, eta))
