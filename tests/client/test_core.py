"""Connect, subscribe, publish, receive, presence, history, join/leave against real Centrifugo."""

from __future__ import annotations

import asyncio

import pytest
from client_helpers import Events, mint

from cfgo_tui.client import (
    ClientState,
    ConnectFailed,
    PublicationEvent,
    ReplyError,
    StreamPosition,
    SubscriptionFailed,
    SubscriptionState,
)


async def test_connect_subscribe_publish_receive(make_client, unique):
    client = make_client("alice")
    events = Events(client)
    await client.connect()
    assert client.state is ClientState.CONNECTED
    assert client.client_id
    assert client.server_version
    channel = f"chat:core-{unique}"
    sub = await client.subscribe(channel)
    assert sub.state is SubscriptionState.SUBSCRIBED
    await client.publish(channel, {"text": "hello"})
    pub = await events.wait_for("publication")
    assert isinstance(pub, PublicationEvent)
    assert pub.channel == channel
    assert pub.data == {"text": "hello"}
    assert pub.info is not None and pub.info.user == "alice"
    assert pub.info.client == client.client_id
    assert pub.offset == 1
    assert sub.position is not None and sub.position.offset == 1
    connected = events.of("connected")[0]
    assert connected.url == client.url and connected.ping == 5  # the test config pings every 5 s
    names = [e.name for e in events.items if e.name != "frame"]
    assert names[:2] == ["connecting", "connected"]
    assert "subscribing" in names and "subscribed" in names


async def test_commands_in_one_turn_share_a_frame(make_client, unique):
    client = make_client("alice")
    frames: list = []
    client.on("frame", frames.append)
    await client.connect()
    channel = f"chat:batch-{unique}"
    await asyncio.gather(*(client.publish(channel, {"n": i}) for i in range(3)))
    out = [f for f in frames if f.direction == "out" and '"publish"' in f.text]
    assert len(out) == 1
    assert out[0].text.count("\n") == 2
    assert next(f for f in frames if f.direction == "out").text.startswith('{"id":1,"connect"')


async def test_frames_are_redacted(make_client, centrifugo):
    client = make_client("alice")
    token = mint(centrifugo, "alice")
    frames: list = []
    client.on("frame", frames.append)
    await client.connect()
    connect = next(f for f in frames if f.direction == "out")
    assert '"token":"***"' in connect.text
    assert token not in connect.text
    assert all(f.time > 0 for f in frames)


async def test_presence_with_two_clients(make_client, unique):
    channel = f"chat:presence-{unique}"
    alice = make_client("alice")
    bob = make_client("bob")
    await alice.connect()
    await bob.connect()
    await alice.subscribe(channel)
    await bob.subscribe(channel)
    presence = await alice.presence(channel)
    assert {info.user for info in presence.values()} == {"alice", "bob"}
    assert set(presence) == {alice.client_id, bob.client_id}
    assert presence[bob.client_id].client == bob.client_id
    stats = await bob.presence_stats(channel)
    assert (stats.num_clients, stats.num_users) == (2, 2)


async def test_join_and_leave_seen_by_another_client(make_client, unique):
    channel = f"chat:joinleave-{unique}"
    alice = make_client("alice")
    events = Events(alice)
    bob = make_client("bob")
    await alice.connect()
    await bob.connect()
    await alice.subscribe(channel)
    bob_sub = await bob.subscribe(channel)
    join = await events.wait_for("join", lambda e: e.info.user == "bob")
    assert join.channel == channel and join.info.client == bob.client_id
    await bob_sub.unsubscribe()
    leave = await events.wait_for("leave", lambda e: e.info.user == "bob")
    assert leave.channel == channel and leave.info.client == bob.client_id


async def test_history_limit_since_reverse(make_client, unique):
    channel = f"chat:history-{unique}"
    client = make_client("alice")
    await client.connect()
    for i in range(1, 6):
        await client.publish(channel, {"n": i})
    top = await client.history(channel, limit=0)
    assert top.publications == [] and top.offset == 5 and top.epoch
    last_two = await client.history(channel, limit=2, reverse=True)
    assert [p.data["n"] for p in last_two.publications] == [5, 4]
    first_two = await client.history(channel, limit=2)
    assert [p.offset for p in first_two.publications] == [1, 2]
    assert first_two.publications[0].info is not None
    assert first_two.publications[0].info.user == "alice"
    since = await client.history(channel, limit=10, since=StreamPosition(3, top.epoch))
    assert [p.data["n"] for p in since.publications] == [4, 5]
    assert since.position == StreamPosition(5, top.epoch)


async def test_secret_channel_needs_a_token(make_client, centrifugo, unique):
    channel = f"$secret:room-{unique}"
    client = make_client("alice")
    events = Events(client)
    await client.connect()
    with pytest.raises(SubscriptionFailed) as failure:
        await client.subscribe(channel)
    assert failure.value.code == 103
    assert "permission denied" in str(failure.value)
    unsub = await events.wait_for("unsubscribed")
    assert unsub.code == 103
    await client.remove_subscription(client.subscriptions()[channel])

    calls: list[str] = []

    async def get_token(ch: str) -> str:
        calls.append(ch)
        return mint(centrifugo, "alice", channel=ch)

    sub = await client.subscribe(channel, get_token=get_token)
    assert sub.state is SubscriptionState.SUBSCRIBED
    assert calls == [channel]
    await sub.publish({"secret": True})
    pub = await events.wait_for("publication", lambda e: e.channel == channel)
    assert pub.data == {"secret": True}


async def test_presence_not_available_has_hint(make_client, unique):
    client = make_client("alice")
    await client.connect()
    with pytest.raises(ReplyError) as failure:
        await client.presence(f"plain:room-{unique}")
    assert failure.value.code == 108
    assert "presence: true" in str(failure.value)


async def test_wrong_secret_is_terminal(centrifugo, unique):
    import jwt

    from cfgo_tui.client import Client

    bad = jwt.encode(
        {"sub": "alice"}, "not-the-right-secret-but-long-enough-for-hs256", algorithm="HS256"
    )
    client = Client(centrifugo.ws_url, token=bad, min_reconnect_delay=0.05, max_reconnect_delay=0.1)
    events = Events(client)
    with pytest.raises(ConnectFailed) as failure:
        await client.connect()
    assert failure.value.code == 3500
    assert client.state is ClientState.DISCONNECTED
    assert [e.code for e in events.of("connecting")] == [0]  # no reconnect attempt
    assert [e.code for e in events.of("disconnected")] == [3500]
    assert not events.of("connected")


async def test_publications_carry_conn_info_chan_info_and_tags(make_client, centrifugo, unique):
    """conn_info comes from the connection token's `info`, chan_info from the subscription
    token's, tags from an API publish; server-API publications have no publisher info."""
    from client_helpers import api_async

    channel = f"$secret:fields-{unique}"
    publisher = make_client(
        "alice", token=mint(centrifugo, "alice", info={"name": "Alice", "team": "ops"})
    )
    reader = make_client("bob")
    events = Events(reader)
    await publisher.connect()
    await reader.connect()

    def token_for(info: dict):
        async def get_token(ch: str) -> str:
            return mint(centrifugo, "alice" if "role" in info else "bob", channel=ch, info=info)

        return get_token

    await reader.subscribe(channel, get_token=token_for({"seat": 2}))
    await publisher.subscribe(channel, get_token=token_for({"role": "admin"}))
    await publisher.publish(channel, {"from": "client"})
    pub = await events.wait_for("publication", lambda e: e.data == {"from": "client"})
    assert pub.info is not None
    assert (pub.info.user, pub.info.client) == ("alice", publisher.client_id)
    assert pub.info.conn_info == {"name": "Alice", "team": "ops"}
    assert pub.info.chan_info == {"role": "admin"}
    assert pub.tags is None

    await api_async(
        centrifugo, "publish", {"channel": channel, "data": {"from": "api"}, "tags": {"k": "v"}}
    )
    pub = await events.wait_for("publication", lambda e: e.data == {"from": "api"})
    assert pub.info is None and pub.tags == {"k": "v"}
    assert pub.offset == 2


async def test_a_command_without_reply_times_out(fresh_centrifugo, unique):
    """A paused server answers nothing: the command raises CommandTimeout after the client's
    timeout, and the client works again once the server is back."""
    from cfgo_tui.client import Client, CommandTimeout

    client = Client(
        fresh_centrifugo.ws_url,
        token=mint(fresh_centrifugo, "alice"),
        timeout=0.5,
        max_server_ping_delay=30,  # the ping check must not end the connection first
    )
    channel = f"chat:timeout-{unique}"
    try:
        await client.connect()
        await client.subscribe(channel)
        fresh_centrifugo.pause()
        try:
            with pytest.raises(CommandTimeout, match="publish"):
                await client.publish(channel, {"n": 1})
        finally:
            fresh_centrifugo.resume()
        await client.ready(10)
        await client.publish(channel, {"n": 2})
        page = await client.history(channel, limit=10)
        assert [p.data for p in page.publications][-1] == {"n": 2}
    finally:
        await client.disconnect()
