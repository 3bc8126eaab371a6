"""Helpers for client tests against the real Centrifugo: tokens, server API calls, event waits."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

import httpx
import jwt

from cfgo_tui.client import Client, Event
from cfgo_tui.localserver import CentrifugoServer


def mint(
    server: CentrifugoServer, sub: str = "alice", ttl: float | None = None, **claims: Any
) -> str:
    payload: dict[str, Any] = {"sub": sub, **claims}
    if ttl is not None:
        payload["exp"] = int(time.time() + ttl)
    return jwt.encode(payload, server.hmac_secret, algorithm="HS256")


def api(server: CentrifugoServer, method: str, body: dict[str, Any]) -> dict[str, Any]:
    response = httpx.post(
        f"{server.api_url}/{method}", json=body, headers={"X-API-Key": server.api_key}, timeout=5
    )
    response.raise_for_status()
    reply: dict[str, Any] = response.json()
    assert "error" not in reply, reply
    return reply.get("result", {})


async def api_async(server: CentrifugoServer, method: str, body: dict[str, Any]) -> dict[str, Any]:
    async with httpx.AsyncClient(timeout=5) as http:
        response = await http.post(
            f"{server.api_url}/{method}", json=body, headers={"X-API-Key": server.api_key}
        )
    response.raise_for_status()
    reply: dict[str, Any] = response.json()
    assert "error" not in reply, reply
    return reply.get("result", {})


class Events:
    """Records every event of a client; `wait_for` awaits one matching a predicate."""

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
        timeout: float = 10.0,  # noqa: ASYNC109
        start: int = 0,
    ) -> Any:
        async with asyncio.timeout(timeout):
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
        timeout: float = 10.0,  # noqa: ASYNC109
    ) -> list[Any]:
        async with asyncio.timeout(timeout):
            while len(self.of(name)) < count:
                self._changed.clear()
                await self._changed.wait()
        return self.of(name)

    async def until(self, condition: Callable[[], bool], limit: float = 10.0) -> None:
        """Wait until `condition()` holds, re-checking after every event."""
        async with asyncio.timeout(limit):
            while not condition():
                self._changed.clear()
                await self._changed.wait()
