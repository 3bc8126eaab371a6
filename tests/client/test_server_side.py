"""Server-side subscriptions (personal channel, API subscribe) and fossil delta payloads."""

from __future__ import annotations

from client_helpers import Events, api_async, mint

from cfgo_tui.client import Client


async def test_personal_channel_publications_and_recovery(centrifugo, unique):
    user = f"u{unique}"
    personal = f"personal:#{user}"
    client = Client(centrifugo.ws_url, token=mint(centrifugo, user), min_reconnect_delay=0.1)
    events = Events(client)
    await client.connect()
    subscribed = await events.wait_for("subscribed", lambda e: e.channel == personal)
    assert subscribed.server_side and subscribed.recoverable
    assert client.subscriptions()[personal].server_side
    await api_async(centrifugo, "publish", {"channel": personal, "data": {"n": 1}})
    pub = await events.wait_for("publication", lambda e: e.channel == personal)
    assert pub.data == {"n": 1} and pub.offset == 1

    await api_async(
        centrifugo, "disconnect", {"user": user, "disconnect": {"code": 3011, "reason": "again"}}
    )
    await events.wait_for("connecting", lambda e: e.code == 3011)
    await api_async(centrifugo, "publish", {"channel": personal, "data": {"n": 2}})
    again = await events.wait_for(
        "subscribed", lambda e: e.channel == personal and e.was_recovering
    )
    assert again.server_side and again.recovered
    missed = await events.wait_for("publication", lambda e: e.data == {"n": 2})
    assert missed.offset == 2
    assert [e.offset for e in events.of("publication")] == [1, 2]
    await client.disconnect()


async def test_api_subscribe_push(centrifugo, unique):
    user = f"api{unique}"
    channel = f"chat:server-{unique}"
    client = Client(centrifugo.ws_url, token=mint(centrifugo, user))
    events = Events(client)
    await client.connect()
    await api_async(centrifugo, "subscribe", {"channel": channel, "user": user})
    subscribed = await events.wait_for("subscribed", lambda e: e.channel == channel)
    assert subscribed.server_side
    await api_async(
        centrifugo, "publish", {"channel": channel, "data": {"hi": 1}, "tags": {"k": "v"}}
    )
    pub = await events.wait_for("publication", lambda e: e.channel == channel)
    assert pub.data == {"hi": 1} and pub.tags == {"k": "v"} and pub.info is None
    await api_async(centrifugo, "unsubscribe", {"channel": channel, "user": user})
    gone = await events.wait_for("unsubscribed", lambda e: e.channel == channel)
    assert gone.server_side and gone.code == 2000
    assert channel not in client.subscriptions()
    await client.disconnect()


async def test_unsubscribe_push_for_client_side_subscription(make_client, centrifugo, unique):
    user = f"un{unique}"
    channel = f"chat:unsub-{unique}"
    client = make_client(user)
    events = Events(client)
    await client.connect()
    sub = await client.subscribe(channel)
    await api_async(centrifugo, "unsubscribe", {"channel": channel, "user": user})
    gone = await events.wait_for("unsubscribed", lambda e: e.channel == channel)
    assert gone.code == 2000 and not gone.server_side
    assert sub.state == "unsubscribed"


async def test_fossil_delta_payloads_equal_published(make_client, centrifugo, unique):
    channel = f"delta:prices-{unique}"
    client = make_client("alice")
    events = Events(client)
    frames: list = []
    client.on("frame", frames.append)
    await client.connect()
    sub = await client.subscribe(channel, delta="fossil")
    subscribed = next(e for e in events.of("subscribed") if e.channel == channel)
    assert subscribed.delta
    payloads = [
        {"symbol": "ABC", "price": 100 + i, "book": ["x" * 50, "y" * 50, i]} for i in range(10)
    ]
    for payload in payloads:
        await api_async(centrifugo, "publish", {"channel": channel, "data": payload})
    await events.wait_count("publication", 10)
    assert [e.data for e in events.of("publication")] == payloads
    assert any('"delta":true' in f.text for f in frames if f.direction == "in")
    assert sub.position is not None and sub.position.offset == 10


async def test_fossil_delta_survives_a_reconnect_with_recovery(centrifugo, unique):
    user = f"d{unique}"
    channel = f"delta:recover-{unique}"
    client = Client(centrifugo.ws_url, token=mint(centrifugo, user), min_reconnect_delay=0.05)
    events = Events(client)
    await client.connect()
    await client.subscribe(channel, delta="fossil")

    def payload(i: int) -> dict:
        return {"symbol": "ABC", "price": 100 + i, "book": ["x" * 60, "y" * 60, i]}

    for i in range(5):
        await api_async(centrifugo, "publish", {"channel": channel, "data": payload(i)})
    await events.wait_count("publication", 5)
    await api_async(
        centrifugo, "disconnect", {"user": user, "disconnect": {"code": 3011, "reason": "again"}}
    )
    await events.wait_for("connecting", lambda e: e.code == 3011)
    for i in range(5, 10):  # published while the client is away: recovered, first one in full
        await api_async(centrifugo, "publish", {"channel": channel, "data": payload(i)})
    again = await events.wait_for("subscribed", lambda e: e.channel == channel and e.was_recovering)
    assert again.recovered and again.delta
    for i in range(10, 15):
        await api_async(centrifugo, "publish", {"channel": channel, "data": payload(i)})
    await events.wait_count("publication", 15)
    pubs = events.of("publication")
    assert [p.data for p in pubs] == [payload(i) for i in range(15)]
    assert [p.offset for p in pubs] == list(range(1, 16))
    await client.disconnect()


async def test_fossil_delta_after_a_reconnect_with_nothing_missed(centrifugo, unique):
    user = f"d0{unique}"
    channel = f"delta:quiet-{unique}"
    client = Client(centrifugo.ws_url, token=mint(centrifugo, user), min_reconnect_delay=0.05)
    events = Events(client)
    await client.connect()
    await client.subscribe(channel, delta="fossil")

    def payload(i: int) -> dict:
        return {"symbol": "ABC", "price": 100 + i, "book": ["x" * 60, "y" * 60, i]}

    for i in range(3):
        await api_async(centrifugo, "publish", {"channel": channel, "data": payload(i)})
    await events.wait_count("publication", 3)
    await api_async(
        centrifugo, "disconnect", {"user": user, "disconnect": {"code": 3011, "reason": "again"}}
    )
    again = await events.wait_for("subscribed", lambda e: e.channel == channel and e.was_recovering)
    assert again.recovered and again.recovered_count == 0
    for i in range(3, 6):
        await api_async(centrifugo, "publish", {"channel": channel, "data": payload(i)})
    await events.wait_count("publication", 6)
    assert [p.data for p in events.of("publication")] == [payload(i) for i in range(6)]
    assert not [e for e in events.of("error") if e.where in ("dispatch", "decode")]
    await client.disconnect()
