"""Full-jitter exponential backoff, bounded by a minimum and a maximum delay."""

from __future__ import annotations

import random
from collections.abc import Callable

__all__ = ["Backoff"]


class Backoff:
    """`delay(attempt)` lies in [min_delay, min(max_delay, min_delay * 2**attempt)].

    The random source is injectable so tests can read exact delays (`rand=lambda: 1.0` gives the
    upper bound of every step).
    """

    def __init__(
        self,
        min_delay: float,
        max_delay: float,
        *,
        rand: Callable[[], float] = random.random,
    ) -> None:
        if min_delay < 0 or max_delay < 0:
            raise ValueError(
                f"reconnect delays must be >= 0, got min={min_delay!r} max={max_delay!r}"
            )
        if max_delay < min_delay:
            raise ValueError(
                f"max reconnect delay ({max_delay}) must be >= min reconnect delay ({min_delay})"
            )
        self.min_delay = min_delay
        self.max_delay = max_delay
        self._rand = rand

    def ceiling(self, attempt: int) -> float:
        """The largest delay `attempt` (0-based) can get."""
        # Cap the exponent: 2**64 of anything is past every sane maximum already.
        return min(self.max_delay, self.min_delay * 2.0 ** min(max(attempt, 0), 64))

    def delay(self, attempt: int) -> float:
        ceiling = self.ceiling(attempt)
        jitter = min(max(self._rand(), 0.0), 1.0)
        return self.min_delay + jitter * (ceiling - self.min_delay)
