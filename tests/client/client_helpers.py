"""Helpers for client tests against the real Centrifugo: tokens, server API calls, event waits."""

from __future__ import annotations

import time
from typing import Any

import httpx
import jwt
from event_recorder import Events

from cfgo_tui.localserver import CentrifugoServer

__all__ = ["Events", "api", "api_async", "mint"]


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
