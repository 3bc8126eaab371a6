"""What a real Centrifugo OSS cannot produce, against a small named fake: `message` pushes,
`disconnect` pushes, unsubscribe pushes 2500/2502, recovered publications overlapping live ones
in one frame, and an exact check of the pong answering a server ping."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from client_helpers import Events
from websockets.asyncio.server import ServerConnection, serve

from cfgo_tui.client import Client

Responder = Callable[[dict[str, Any]], list[str]]


class FakeCentrifugo:
    """Accepts `connect`, sends the scripted frames, then answers each command the client sends
    with whatever `respond(command)` returns (frames), recording every command."""

    def __init__(
        self, script: list[str], respond: Responder | None = None, pong: bool = True
    ) -> None:
        self.script = script
        self.pong = pong
        self.respond: Responder = respond or (lambda command: [])
        self.commands: list[dict[str, Any]] = []
        self.changed = asyncio.Event()
        self.got_pong = asyncio.Event()
        self.ws: ServerConnection | None = None
        self.url = ""

    async def handler(self, ws: ServerConnection) -> None:
        self.ws = ws
        first = json.loads(await ws.recv())
        assert "connect" in first and first["id"] == 1
        result = {"client": "fake-1", "version": "fake", "ping": 25, "pong": self.pong}
        await ws.send(json.dumps({"id": 1, "connect": result}))
        for frame in self.script:
            await ws.send(frame)
        async for message in ws:
            for line in str(message).split("\n"):
                if line == "{}":
                    self.got_pong.set()
                    continue
                command = json.loads(line)
                self.commands.append(command)
                self.changed.set()
                for frame in self.respond(command):
                    await ws.send(frame)

    async def wait_commands(self, method: str, count: int) -> list[dict[str, Any]]:
        async with asyncio.timeout(5):
            while True:
                found = [c[method] for c in self.commands if method in c]
                if len(found) >= count:
                    return found
                self.changed.clear()
                await self.changed.wait()


@pytest.fixture
async def fake() -> AsyncIterator[Any]:
    servers: list[Any] = []

    async def start(
        script: list[str], respond: Responder | None = None, pong: bool = True
    ) -> FakeCentrifugo:
        fake = FakeCentrifugo(script, respond, pong)
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


def _sub_reply(cid: int, **result: Any) -> str:
    return json.dumps({"id": cid, "subscribe": result})


def _pub(offset: int) -> str:
    return json.dumps(
        {"push": {"channel": "chat:x", "pub": {"data": {"n": offset}, "offset": offset}}}
    )


async def test_recovered_then_live_in_order_without_duplicates(fake):
    def respond(command: dict[str, Any]) -> list[str]:
        if "subscribe" not in command:
            return []
        recovered = [{"data": {"n": 3}, "offset": 3}, {"data": {"n": 4}, "offset": 4}]
        reply = _sub_reply(
            command["id"],
            recoverable=True,
            positioned=True,
            epoch="e1",
            offset=2,
            was_recovering=True,
            recovered=True,
            publications=recovered,
        )
        # The live stream overlaps what was recovered: offset 4 must not be delivered twice.
        return ["\n".join([reply, _pub(4), _pub(5)])]

    server = await fake([], respond)
    client = Client(server.url)
    events = Events(client)
    await client.connect()
    from cfgo_tui.client import StreamPosition

    await client.subscribe("chat:x", since=StreamPosition(2, "e1"))
    (request,) = await server.wait_commands("subscribe", 1)
    assert (request["recover"], request["offset"], request["epoch"]) == (True, 2, "e1")
    await events.wait_count("publication", 3)
    pubs = [(e.offset, e.recovered) for e in events.of("publication")]
    assert pubs == [(3, True), (4, True), (5, False)]
    subscribed = events.of("subscribed")[0]
    assert subscribed.recovered and subscribed.recovered_count == 2
    await client.disconnect()


async def test_unsubscribe_pushes_2500_and_2502_resubscribe(fake):
    def respond(command: dict[str, Any]) -> list[str]:
        if "subscribe" not in command:
            return []
        recovering = bool(command["subscribe"].get("recover"))
        return [
            _sub_reply(
                command["id"],
                recoverable=True,
                positioned=True,
                epoch="e1",
                offset=command["subscribe"].get("offset", 7),
                was_recovering=recovering,
                recovered=recovering,
            )
        ]

    server = await fake([], respond)
    client = Client(server.url, min_reconnect_delay=0.05)
    events = Events(client)
    await client.connect()
    sub = await client.subscribe("chat:x")
    first = (await server.wait_commands("subscribe", 1))[0]
    assert "recover" not in first
    assert sub.position is not None and sub.position.offset == 7

    assert server.ws is not None
    await server.ws.send(_pub(8))
    await server.ws.send('{"push":{"channel":"chat:x","unsubscribe":{"code":2500,"reason":"gap"}}}')
    second = (await server.wait_commands("subscribe", 2))[1]
    assert (second["recover"], second["offset"], second["epoch"]) == (True, 8, "e1")
    subscribing = await events.wait_for("subscribing", lambda e: e.code == 2500)
    assert subscribing.reason == "gap"
    await events.wait_count("subscribed", 2)

    await server.ws.send(
        '{"push":{"channel":"chat:x","unsubscribe":{"code":2502,"reason":"invalidated"}}}'
    )
    third = (await server.wait_commands("subscribe", 3))[2]
    assert "recover" not in third and "offset" not in third
    await events.wait_count("subscribed", 3)

    await server.ws.send('{"push":{"channel":"chat:x","unsubscribe":{"code":2000,"reason":"bye"}}}')
    gone = await events.wait_for("unsubscribed")
    assert (gone.code, gone.reason) == (2000, "bye")
    assert len([c for c in server.commands if "subscribe" in c]) == 3
    await client.disconnect()


async def test_unpositioned_stream_reset_is_not_taken_for_duplicates(fake):
    def respond(command: dict[str, Any]) -> list[str]:
        if "subscribe" not in command:
            return []
        return [_sub_reply(command["id"])]  # history on, but no positioning asked or forced

    server = await fake([], respond)
    client = Client(server.url)
    events = Events(client)
    await client.connect()
    await client.subscribe("chat:x")
    assert server.ws is not None
    await server.ws.send("\n".join([_pub(1), _pub(2), _pub(2)]))
    await events.wait_count("publication", 2)
    await server.ws.send('{"push":{"channel":"chat:x","unsubscribe":{"code":2500,"reason":"x"}}}')
    await events.wait_count("subscribed", 2)
    await server.ws.send(_pub(1))  # the stream restarted
    await events.wait_count("publication", 3)
    assert [e.offset for e in events.of("publication")] == [1, 2, 1]
    await client.disconnect()


async def test_subscribe_timeout_reconnects_and_resubscribes(fake):
    seen = 0

    def respond(command: dict[str, Any]) -> list[str]:
        nonlocal seen
        if "subscribe" not in command:
            return []
        seen += 1
        return [] if seen == 1 else [_sub_reply(command["id"])]  # the first one is never answered

    server = await fake([], respond)
    client = Client(server.url, timeout=1.0, min_reconnect_delay=0.05)
    events = Events(client)
    await client.connect()
    sub = client.new_subscription("chat:x")
    await sub.subscribe()
    await sub.ready(timeout=10)
    reconnect = events.of("connecting")[1]
    assert (reconnect.code, reconnect.reason) == (7, "subscribe timeout")
    assert seen == 2 and len(events.of("connected")) == 2
    await client.disconnect()


async def test_no_pong_when_the_server_does_not_want_one(fake):
    # A ping, then a message push as a marker: the client handles frames in order, so once the
    # marker arrived a pong would already be on its way (and the publish below comes after it).
    server = await fake(["{}", '{"push":{"message":{"data":"marker"}}}'], pong=False)
    client = Client(server.url, timeout=1.0)
    events = Events(client)
    await client.connect()
    await events.wait_for("message")
    with contextlib.suppress(Exception):
        await client.publish("chat:x", {"after": "ping"})  # the fake never answers: times out
    await server.wait_commands("publish", 1)
    assert not server.got_pong.is_set()
    await client.disconnect()


async def test_a_broken_delta_is_recovered_not_skipped(fake):
    def full(offset: int) -> dict[str, Any]:
        return {"data": json.dumps({"n": offset}), "offset": offset}

    def respond(command: dict[str, Any]) -> list[str]:
        if "subscribe" not in command:
            return []
        request = command["subscribe"]
        if not request.get("recover"):
            reply = _sub_reply(
                command["id"], recoverable=True, positioned=True, epoch="e", delta=True
            )
            bad = {"data": "not a fossil delta", "delta": True, "offset": 2}
            pushes = [{"push": {"channel": "chat:x", "pub": p}} for p in (full(1), bad)]
            return ["\n".join([reply, *map(json.dumps, pushes)])]
        return [
            _sub_reply(
                command["id"],
                recoverable=True,
                positioned=True,
                epoch="e",
                offset=request["offset"],
                delta=True,
                was_recovering=True,
                recovered=True,
                publications=[full(2)],
            )
        ]

    server = await fake([], respond)
    client = Client(server.url, min_reconnect_delay=0.05)
    events = Events(client)
    await client.connect()
    await client.subscribe("chat:x", delta="fossil")
    await events.wait_count("publication", 2)
    assert [(e.offset, e.data) for e in events.of("publication")] == [(1, {"n": 1}), (2, {"n": 2})]
    second = (await server.wait_commands("subscribe", 2))[1]
    assert (second["recover"], second["offset"]) == (True, 1)
    assert any(e.where == "dispatch" and "delta" in e.message for e in events.of("error"))
    await client.disconnect()
