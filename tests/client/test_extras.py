"""Less common calls against real Centrifugo: since, ping, rpc, send, oversized frames, per-
subscription handlers and helpers."""

from __future__ import annotations

import asyncio

import pytest
from client_helpers import Events, mint

from cfgo_tui.client import (
    Client,
    ClientState,
    ConnectFailed,
    ReplyError,
    StreamPosition,
    SubscriptionState,
)


async def test_subscribe_since_recovers_from_a_position(make_client, unique):
    channel = f"chat:since-{unique}"
    writer = make_client("alice")
    await writer.connect()
    for n in range(1, 6):
        await writer.publish(channel, {"n": n})
    top = await writer.history(channel, limit=0)

    reader = make_client("bob")
    events = Events(reader)
    await reader.connect()
    await reader.subscribe(channel, since=StreamPosition(2, top.epoch))
    subscribed = next(e for e in events.of("subscribed") if e.channel == channel)
    assert subscribed.was_recovering and subscribed.recovered
    assert subscribed.recovered_count == 3
    pubs = [e for e in events.of("publication") if e.channel == channel]
    assert [(p.data["n"], p.recovered) for p in pubs] == [(3, True), (4, True), (5, True)]
    await writer.publish(channel, {"n": 6})
    live = await events.wait_for("publication", lambda e: e.data == {"n": 6})
    assert not live.recovered and live.offset == 6


async def test_subscription_handlers_and_helpers(make_client, unique):
    channel = f"chat:subhelpers-{unique}"
    client = make_client("alice")
    await client.connect()
    sub = client.new_subscription(channel)
    seen: list[str] = []
    everything: list[str] = []
    assert sub.on("publication", lambda e: seen.append(e.data["t"])) is sub
    sub.on("*", lambda e: everything.append(e.name))
    await sub.subscribe()
    await sub.ready()
    await sub.publish({"t": "one"})
    history = await sub.history(limit=10)
    assert [p.data for p in history.publications] == [{"t": "one"}]
    presence = await sub.presence()
    assert [info.user for info in presence.values()] == ["alice"]
    stats = await sub.presence_stats()
    assert stats.num_clients == 1
    events = Events(client)
    await client.publish(channel, {"t": "two"})
    await events.wait_for("publication", lambda e: e.data == {"t": "two"})
    assert seen == ["one", "two"]
    assert everything.count("subscribed") == 1 and everything.count("publication") == 2
    await sub.unsubscribe()
    assert sub.state is SubscriptionState.UNSUBSCRIBED
    assert everything[-1] == "unsubscribed"


async def test_ping_measures_round_trip(make_client):
    client = make_client("alice")
    await client.connect()
    rtt = await client.ping()
    assert rtt >= 0.0


async def test_rpc_without_proxy_is_not_available(make_client):
    # The protocol notes say 104; Centrifugo v6.9.1 answers 108 for rpc without a proxy.
    client = make_client("alice")
    await client.connect()
    with pytest.raises(ReplyError) as failure:
        await client.rpc("getCurrentYear", {})
    assert failure.value.code == 108
    assert "RPC proxy" in str(failure.value)
    assert "presence" not in str(failure.value)


async def test_history_not_available_hint(make_client, unique):
    client = make_client("alice")
    await client.connect()
    with pytest.raises(ReplyError) as failure:
        await client.history(f"plain:h-{unique}", limit=5)
    assert failure.value.code == 108
    assert "history_size" in str(failure.value)


async def test_send_without_proxy_is_terminal_3508(centrifugo):
    client = Client(centrifugo.ws_url, token=mint(centrifugo, "alice"))
    events = Events(client)
    await client.connect()
    await client.send({"hello": 1})
    gone = await events.wait_for("disconnected")
    assert gone.code == 3508
    assert client.state is ClientState.DISCONNECTED


async def test_oversized_frame_is_terminal_1009(centrifugo, unique):
    client = Client(centrifugo.ws_url, token=mint(centrifugo, "alice"))
    events = Events(client)
    await client.connect()
    with pytest.raises(Exception):  # noqa: B017 - NotConnected or ConnectFailed, the close wins
        await client.publish(f"chat:big-{unique}", {"blob": "x" * 70_000})
    gone = await events.wait_for("disconnected")
    assert gone.code == 1009
    with pytest.raises(ConnectFailed, match="message_size_limit"):
        await client.ready()


async def test_failing_and_async_publication_handlers(make_client, unique):
    channel = f"chat:handlers-{unique}"
    client = make_client("alice")
    events = Events(client)
    async_seen: list[int] = []
    both = asyncio.Event()

    def broken(event):
        raise RuntimeError("handler bug")

    async def slow(event):
        await asyncio.sleep(0)
        async_seen.append(event.offset)
        if len(async_seen) == 2:
            both.set()

    client.on("publication", broken).on("publication", slow)
    await client.connect()
    await client.subscribe(channel)
    await client.publish(channel, {"n": 1})
    await client.publish(channel, {"n": 2})
    await events.wait_count("publication", 2)
    errors = await events.wait_count("error", 2)
    assert all(e.where == "handler" and "handler bug" in e.message for e in errors)
    assert errors[0].channel == channel
    assert client.state is ClientState.CONNECTED
    async with asyncio.timeout(5):
        await both.wait()
    assert async_seen == [1, 2]


async def test_rpc_ping_when_enabled(unique):
    from cfgo_tui.localserver import CentrifugoServer

    with CentrifugoServer("test", env={"CENTRIFUGO_RPC_PING_ENABLED": "true"}) as server:
        client = Client(server.ws_url, token=mint(server, "alice"))
        await client.connect()
        assert await client.rpc("ping") is None  # `{}` result: no data
        with pytest.raises(ReplyError) as failure:
            await client.rpc("unknown-method", {"x": 1})
        assert failure.value.code == 104  # with an RPC handler present, unknown methods are 104
        await client.disconnect()


async def test_unserializable_data_is_refused_cleanly(make_client, unique):
    client = make_client("alice")
    await client.connect()
    with pytest.raises(TypeError, match="JSON serializable"):
        await client.publish(f"chat:bad-{unique}", {"set": {1, 2}})
    await client.publish(f"chat:bad-{unique}", {"ok": True})  # the connection is unaffected
    assert client.state is ClientState.CONNECTED
