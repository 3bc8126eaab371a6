"""Shared helpers for app tests: wait on a condition (never a fixed sleep)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from textual.pilot import Pilot


async def wait_for(pilot: Pilot, condition: Callable[[], object], limit: float = 10.0) -> None:
    """Let the app run until `condition()` is truthy; fail after `limit` seconds."""
    async with asyncio.timeout(limit):
        while not condition():
            await pilot.pause(0.02)


class FrozenClock:
    """A clock the test moves by hand, so rates, times and countdowns are fixed."""

    def __init__(self, now: float = 1_700_000_010.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now
