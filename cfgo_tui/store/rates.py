"""Messages-per-second meters: whole-second buckets over a short sliding window."""

from __future__ import annotations

from collections import deque


class RateMeter:
    """Counts events per whole second and reports the mean over the last `window` full seconds.

    `add` is on the hot path: one comparison and one increment in the common case.
    """

    __slots__ = ("_buckets", "_current", "_current_second", "window")

    def __init__(self, window: int = 3) -> None:
        self.window = window
        self._buckets: deque[tuple[int, int]] = deque(maxlen=window + 1)
        self._current_second = -1
        self._current = 0

    def add(self, now: float, count: int = 1) -> None:
        second = int(now)
        if second != self._current_second:
            self._roll(second)
        self._current += count

    def _roll(self, second: int) -> None:
        if self._current_second >= 0:
            self._buckets.append((self._current_second, self._current))
        self._current_second = second
        self._current = 0

    def rate(self, now: float) -> float:
        """Mean messages/s over the last `window` complete seconds before `now`."""
        second = int(now)
        if second != self._current_second and self._current_second >= 0:
            self._roll(second)
        oldest = second - self.window
        total = sum(count for sec, count in self._buckets if oldest <= sec < second)
        return total / self.window
