"""What Centrifugo v6.9.1 really does where our protocol notes (shared/docs/centrifugo-v6.md) said
otherwise or nothing; the client and commands are built on these, so they are pinned here with a
bare websockets client and plain HTTP."""

from __future__ import annotations

import asyncio
import json
import time

import httpx
import jwt
import pytest
import websockets
from websockets.exceptions import ConnectionClosedError

from cfgo_tui.localserver import CentrifugoServer


def token(server: CentrifugoServer) -> str:
    return jwt.encode(
        {"sub": "facts", "exp": int(time.time()) + 600}, server.hmac_secret, algorithm="HS256"
    )


async def reply(ws: websockets.ClientConnection, command_id: int) -> dict:
    async with asyncio.timeout(10):
        while True:
            for line in str(await ws.recv()).strip().split("\n"):
                message = json.loads(line)
                if message.get("id") == command_id:
                    return message


async def connected(server: CentrifugoServer) -> websockets.ClientConnection:
    ws = await websockets.connect(server.ws_url)
    await ws.send(json.dumps({"id": 1, "connect": {"token": token(server)}}))
    assert "connect" in await reply(ws, 1)
    return ws


async def test_the_ping_command_closes_the_connection_with_3501(centrifugo: CentrifugoServer):
    """The notes said `ping` answers 108; v6.9.1 closes with 3501 (bad request), a terminal code:
    this is why Client.ping() measures with a WebSocket ping frame."""
    ws = await connected(centrifugo)
    await ws.send(json.dumps({"id": 2, "ping": {}}))
    with pytest.raises(ConnectionClosedError) as closed:
        await reply(ws, 2)
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 3501


async def test_rpc_without_a_proxy_is_108_not_104(centrifugo: CentrifugoServer):
    ws = await connected(centrifugo)
    await ws.send(json.dumps({"id": 2, "rpc": {"method": "anything", "data": {}}}))
    assert (await reply(ws, 2))["error"]["code"] == 108
    await ws.close()


async def test_history_reverse_since_offset_0_is_an_error_not_an_empty_page(
    centrifugo: CentrifugoServer, unique: str
):
    """107 to a client, 100 over the API: `cfgo-tui history --reverse --since 0:EPOCH` refuses
    the call itself rather than pass that on."""
    channel = f"chat:facts-{unique}"
    headers = {"X-API-Key": centrifugo.api_key}
    async with httpx.AsyncClient(base_url=centrifugo.api_url, headers=headers) as http:
        await http.post("/publish", json={"channel": channel, "data": {"n": 1}})
        top = (await http.post("/history", json={"channel": channel, "limit": 0})).json()
        since = {"offset": 0, "epoch": top["result"]["epoch"]}
        body = {"channel": channel, "limit": 10, "reverse": True, "since": since}
        api = (await http.post("/history", json=body)).json()
    assert api["error"]["code"] == 100
    ws = await connected(centrifugo)
    await ws.send(json.dumps({"id": 2, "history": body}))
    assert (await reply(ws, 2))["error"]["code"] == 107
    await ws.close()
