"""What a real Centrifugo OSS cannot produce, against a small named fake: `message` pushes,
`disconnect` pushes, and an exact check of the pong answering a server ping."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
from client_helpers import Events
from websockets.asyncio.server import ServerConnection, serve

from cfgo_tui.client import Client


class FakeCentrifugo:
    """Accepts `connect`, then sends the scripted frames and records what the client sends."""

    def __init__(self, script: list[str]) -> None:
        self.script = script
        self.received: list[str] = []
        self.got_pong = asyncio.Event()
        self.url = ""

    async def handler(self, ws: ServerConnection) -> None:
        first = json.loads(await ws.recv())
        assert "connect" in first and first["id"] == 1
        await ws.send(
            '{"id":1,"connect":{"client":"fake-1","version":"fake","ping":25,"pong":true}}'
        )
        for frame in self.script:
            await ws.send(frame)
        async for message in ws:
            self.received.append(str(message))
            if message == "{}":
                self.got_pong.set()


@pytest.fixture
async def fake() -> AsyncIterator[Any]:
    servers: list[Any] = []

    async def start(script: list[str]) -> FakeCentrifugo:
        fake = FakeCentrifugo(script)
        server = await serve(fake.handler, "127.0.0.1", 0)
        servers.append(server)
        port = next(iter(server.sockets)).getsockname()[1]
        fake.url = f"ws://127.0.0.1:{port}/connection/websocket"
        return fake

    yield start
    for server in servers:
        server.close()
        await server.wait_closed()


async def test_message_push_and_pong(fake):
    server = await fake(['{"push":{"message":{"data":{"hello":"world"}}}}\n{}'])
    client = Client(server.url)
    events = Events(client)
    await client.connect()
    message = await events.wait_for("message")
    assert message.data == {"hello": "world"}
    async with asyncio.timeout(5):
        await server.got_pong.wait()
    await client.disconnect()


async def test_disconnect_push_is_honoured(fake):
    server = await fake(['{"push":{"disconnect":{"code":3503,"reason":"go away"}}}'])
    client = Client(server.url)
    events = Events(client)
    await client.connect()
    gone = await events.wait_for("disconnected")
    assert (gone.code, gone.reason) == (3503, "go away")
