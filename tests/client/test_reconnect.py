"""Reconnects, recovery, state loss and stalled-server detection against real Centrifugo."""

from __future__ import annotations

import asyncio
import contextlib

from client_helpers import Events, api_async, mint

from cfgo_tui.client import Client, ClientState


async def _publisher(server, channel: str, stop: asyncio.Event, sent: list[int]) -> None:
    n = 0
    while not stop.is_set():
        n += 1
        await api_async(server, "publish", {"channel": channel, "data": {"n": n}})
        sent.append(n)
        await asyncio.sleep(0)  # let the client's reader run between publications


async def test_force_reconnect_recovers_gapless(centrifugo, unique):
    channel = f"chat:recover-{unique}"
    client = Client(
        centrifugo.ws_url, token=mint(centrifugo, f"rec-{unique}"), min_reconnect_delay=0.1
    )
    events = Events(client)
    offsets: list[int] = []
    client.on("publication", lambda e: offsets.append(e.offset))
    await client.connect()
    await client.subscribe(channel)
    stop = asyncio.Event()
    sent: list[int] = []
    publisher = asyncio.ensure_future(_publisher(centrifugo, channel, stop, sent))
    try:
        await events.wait_count("publication", 20)
        await api_async(
            centrifugo,
            "disconnect",
            {"user": f"rec-{unique}", "disconnect": {"code": 3011, "reason": "test reconnect"}},
        )
        connecting = await events.wait_for("connecting", lambda e: e.code == 3011)
        assert connecting.reason == "test reconnect" and connecting.attempt == 1
        subscribing = await events.wait_for("subscribing", lambda e: e.code == 3011)
        assert subscribing.channel == channel and subscribing.reason == "test reconnect"
        assert events.items.index(connecting) < events.items.index(subscribing)
        resubscribed = await events.wait_for("subscribed", lambda e: e.was_recovering)
        assert resubscribed.recovered
        count = len(offsets)
        await events.wait_count("publication", count + 20)
    finally:
        stop.set()
        await publisher
    top = (await client.history(channel, limit=0)).offset
    await events.wait_for("publication", lambda e: e.offset == top)
    await client.disconnect()
    assert offsets == list(range(1, top + 1))  # gapless, in order, no duplicates
    assert any(e.recovered for e in events.of("publication"))


async def test_memory_restart_reports_state_lost(fresh_centrifugo, unique):
    server = fresh_centrifugo
    channel = f"chat:lost-{unique}"
    client = Client(server.ws_url, token=mint(server, "alice"), min_reconnect_delay=0.1)
    events = Events(client)
    await client.connect()
    await client.subscribe(channel)
    await client.publish(channel, {"n": 1})
    await events.wait_for("publication")
    old_epoch = client.subscriptions()[channel].position.epoch
    await asyncio.to_thread(server.restart)
    resubscribed = await events.wait_for("subscribed", lambda e: e.was_recovering, timeout=30)
    assert resubscribed.state_lost and not resubscribed.recovered
    assert resubscribed.position.epoch != old_epoch
    assert any(e.where == "recover" for e in events.of("error"))
    await client.publish(channel, {"n": 2})  # and carries on
    pub = await events.wait_for("publication", lambda e: e.data == {"n": 2})
    assert pub.offset == 1
    await client.disconnect()


async def test_paused_server_is_detected(fresh_centrifugo, unique):
    server = fresh_centrifugo
    client = Client(
        server.ws_url,
        token=mint(server, "alice"),
        max_server_ping_delay=0.5,
        min_reconnect_delay=0.1,
        max_reconnect_delay=0.5,
        timeout=1.0,
    )
    events = Events(client)
    await client.connect()
    server.pause()
    try:
        lost = await events.wait_for("connecting", lambda e: e.code == 2, timeout=20)
        assert lost.reason == "no ping"
        assert client.state is ClientState.CONNECTING
    finally:
        server.resume()
    await events.wait_count("connected", 2, timeout=30)
    assert client.state is ClientState.CONNECTED
    await client.disconnect()


async def test_terminal_code_from_server_api_stops(centrifugo, unique):
    user = f"stop-{unique}"
    client = Client(centrifugo.ws_url, token=mint(centrifugo, user), min_reconnect_delay=0.05)
    events = Events(client)
    await client.connect()
    await api_async(centrifugo, "disconnect", {"user": user})
    gone = await events.wait_for("disconnected")
    assert gone.code == 3503
    assert client.state is ClientState.DISCONNECTED
    assert [e.code for e in events.of("connecting")] == [0]


async def test_failover_to_second_url(centrifugo, unique):
    dead = "ws://127.0.0.1:9/connection/websocket"
    client = Client(
        [dead, centrifugo.ws_url],
        token=mint(centrifugo, "alice"),
        min_reconnect_delay=0.05,
        max_reconnect_delay=0.1,
    )
    events = Events(client)
    async with asyncio.timeout(10):
        await client.connect()
    assert client.url == centrifugo.ws_url
    assert any(e.where == "transport" for e in events.of("error"))
    with contextlib.suppress(Exception):
        await client.disconnect()


async def test_state_invalidated_3014_drops_token_and_positions(centrifugo, unique):
    user = f"inv-{unique}"
    channel = f"chat:invalid-{unique}"
    tokens = 0

    async def get_token() -> str:
        nonlocal tokens
        tokens += 1
        return mint(centrifugo, user)

    client = Client(centrifugo.ws_url, get_token=get_token, min_reconnect_delay=0.05)
    events = Events(client)
    await client.connect()
    await client.subscribe(channel)
    await client.publish(channel, {"n": 1})
    await events.wait_for("publication")
    await api_async(
        centrifugo, "disconnect", {"user": user, "disconnect": {"code": 3014, "reason": "reset"}}
    )
    await events.wait_for("connecting", lambda e: e.code == 3014)
    await events.wait_count("connected", 2)
    again = await events.wait_for(
        "subscribed",
        lambda e: e.channel == channel,
        start=events.items.index(events.of("connected")[1]),
    )
    assert not again.was_recovering  # position dropped: a fresh subscribe, not a recovery
    personal = [e for e in events.of("subscribed") if e.channel == f"personal:#{user}"]
    assert len(personal) == 2 and not personal[1].was_recovering
    assert tokens == 2
    await client.disconnect()


async def test_lost_connection_fails_over_to_the_next_url(fresh_centrifugo, unique):
    from cfgo_tui.localserver import CentrifugoServer

    first = fresh_centrifugo
    with CentrifugoServer("test") as second:
        client = Client(
            [first.ws_url, second.ws_url],
            token=mint(first, "alice"),  # both servers share the test config's secret
            min_reconnect_delay=0.05,
            max_reconnect_delay=0.2,
        )
        events = Events(client)
        await client.connect()
        assert client.url == first.ws_url
        await asyncio.to_thread(first.stop)
        await events.wait_count("connected", 2, timeout=20)
        assert client.url == second.ws_url
        assert events.of("connecting")[1].code == 3001  # graceful shutdown of the first node
        await client.disconnect()


async def test_many_subscriptions_resubscribe_in_one_frame(centrifugo, unique):
    user = f"many-{unique}"
    client = Client(centrifugo.ws_url, token=mint(centrifugo, user), min_reconnect_delay=0.05)
    events = Events(client)
    frames: list = []
    client.on("frame", frames.append)
    await client.connect()
    channels = [f"chat:many-{unique}-{i}" for i in range(50)]
    await asyncio.gather(*(client.subscribe(channel) for channel in channels))
    await api_async(
        centrifugo, "disconnect", {"user": user, "disconnect": {"code": 3011, "reason": "again"}}
    )
    await events.wait_count("connected", 2)
    await events.until(lambda: sum(e.channel in channels for e in events.of("subscribed")) == 100)
    replies = [i for i, f in enumerate(frames) if f.text.startswith('{"id":1,"connect"')]
    second_connect = [i for i in replies if frames[i].direction == "in"][1]
    after = frames[second_connect:]
    subscribe_frames = [f for f in after if f.direction == "out" and '"subscribe"' in f.text]
    assert len(subscribe_frames) == 1
    assert subscribe_frames[0].text.count('"subscribe"') == 50
    assert all(client.subscriptions()[c].state == "subscribed" for c in channels)
    await client.disconnect()
