"""An event recorder for tests that drive a real client: every event in order, and `wait_for`
awaiting one that matches (woken by each new event, never polling on a timer)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any, ClassVar

from cfgo_tui.client import Client, Event


class Events:
    """Records every event of a client; `wait_for` awaits one matching a predicate."""

    default_timeout: ClassVar[float] = 10.0

    def __init__(self, client: Client) -> None:
        self.items: list[Event] = []
        self._changed = asyncio.Event()
        client.on("*", self._record)

    def _record(self, event: Event) -> None:
        self.items.append(event)
        self._changed.set()

    def of(self, name: str) -> list[Any]:
        return [e for e in self.items if e.name == name]

    async def wait_for(
        self,
        name: str,
        pred: Callable[[Any], bool] = lambda e: True,
        timeout: float | None = None,  # noqa: ASYNC109
        start: int = 0,
    ) -> Any:
        async with asyncio.timeout(self.default_timeout if timeout is None else timeout):
            seen = start
            while True:
                for event in self.items[seen:]:
                    if event.name == name and pred(event):
                        return event
                seen = len(self.items)
                self._changed.clear()
                await self._changed.wait()

    async def wait_count(
        self,
        name: str,
        count: int,
        timeout: float | None = None,  # noqa: ASYNC109
    ) -> list[Any]:
        async with asyncio.timeout(self.default_timeout if timeout is None else timeout):
            while len(self.of(name)) < count:
                self._changed.clear()
                await self._changed.wait()
        return self.of(name)

    async def until(
        self,
        condition: Callable[[], bool],
        timeout: float | None = None,  # noqa: ASYNC109
    ) -> None:
        """Wait until `condition()` holds, re-checking after every event."""
        async with asyncio.timeout(self.default_timeout if timeout is None else timeout):
            while not condition():
                self._changed.clear()
                await self._changed.wait()
