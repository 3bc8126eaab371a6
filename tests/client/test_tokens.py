"""Token flows: connection and subscription refresh, 109 on connect, Unauthorized from a source."""

from __future__ import annotations

import pytest
from client_helpers import Events, mint

from cfgo_tui.client import Client, SubscriptionFailed, SubscriptionState, Unauthorized


async def test_connection_token_refreshed_without_disconnect(centrifugo):
    calls = 0

    async def get_token() -> str:
        nonlocal calls
        calls += 1
        return mint(centrifugo, "alice", ttl=10)

    client = Client(centrifugo.ws_url, get_token=get_token)
    events = Events(client)
    await client.connect()
    connected = events.of("connected")[0]
    assert connected.expires and 0 < connected.ttl <= 10
    refresh = await events.wait_for("refresh", timeout=15)
    assert refresh.channel is None and refresh.expires and refresh.ttl > 0
    assert calls == 2
    assert [e.name for e in events.items].count("connected") == 1
    assert not events.of("connecting")[1:]
    await client.disconnect()


async def test_expired_token_at_connect_gets_a_new_one(centrifugo):
    async def get_token() -> str:
        return mint(centrifugo, "alice", ttl=60)

    client = Client(centrifugo.ws_url, token=mint(centrifugo, "alice", ttl=-5), get_token=get_token)
    events = Events(client)
    await client.connect()
    assert [e.code for e in events.of("error")] == [109]
    assert [e.code for e in events.of("connecting")] == [0, 109]
    await client.disconnect()


async def test_connection_unauthorized_is_terminal(centrifugo):
    from cfgo_tui.client import ConnectFailed

    async def get_token() -> str:
        raise Unauthorized("not allowed by your token endpoint (403)")

    client = Client(centrifugo.ws_url, get_token=get_token)
    with pytest.raises(ConnectFailed) as failure:
        await client.connect()
    assert "not allowed by your token endpoint (403)" in str(failure.value)


async def test_subscription_token_refreshed_without_unsubscribe(centrifugo, unique):
    channel = f"$secret:refresh-{unique}"
    calls: list[str] = []

    async def get_token(ch: str) -> str:
        calls.append(ch)
        return mint(centrifugo, "alice", ttl=4, channel=ch)

    client = Client(centrifugo.ws_url, token=mint(centrifugo, "alice"))
    events = Events(client)
    await client.connect()
    sub = await client.subscribe(channel, get_token=get_token)
    subscribed = next(e for e in events.of("subscribed") if e.channel == channel)
    assert subscribed.expires and 0 < subscribed.ttl <= 4
    refresh = await events.wait_for("refresh", timeout=10)
    assert refresh.channel == channel and refresh.expires
    assert calls == [channel, channel]
    assert sub.state is SubscriptionState.SUBSCRIBED
    assert not events.of("unsubscribed")
    assert len([e for e in events.of("subscribing") if e.channel == channel]) == 1
    await client.disconnect()


async def test_subscription_unauthorized_reason_reaches_the_event(make_client, unique):
    async def get_token(ch: str) -> str:
        raise Unauthorized("not allowed by your token endpoint (403)")

    client = make_client("alice")
    events = Events(client)
    await client.connect()
    with pytest.raises(SubscriptionFailed) as failure:
        await client.subscribe(f"$secret:no-{unique}", get_token=get_token)
    assert "not allowed by your token endpoint (403)" in str(failure.value)
    unsub = events.of("unsubscribed")[0]
    assert unsub.reason == "not allowed by your token endpoint (403)"


async def test_anonymous_where_allowed(unique):
    from cfgo_tui.localserver import CentrifugoServer

    env = {"CENTRIFUGO_CLIENT_ALLOW_ANONYMOUS_CONNECT_WITHOUT_TOKEN": "true"}
    with CentrifugoServer("test", env=env) as server:

        async def no_token() -> None:
            return None

        client = Client(server.ws_url, get_token=no_token)
        events = Events(client)
        await client.connect()
        channel = f"public:anon-{unique}"
        await client.subscribe(channel)
        await client.publish(channel, {"anon": True})
        pub = await events.wait_for("publication")
        assert pub.info is not None and pub.info.user == ""
        await client.disconnect()


async def test_subscription_token_of_another_user_fails_fast_with_3500(centrifugo, unique):
    channel = f"$secret:other-{unique}"
    client = Client(centrifugo.ws_url, token=mint(centrifugo, "alice"))
    events = Events(client)
    await client.connect()
    stolen = mint(centrifugo, "bob", channel=channel)
    with pytest.raises(SubscriptionFailed) as failure:
        await client.subscribe(channel, token=stolen, timeout=30)
    assert failure.value.code == 3500
    assert "subscription token for another user or channel" in str(failure.value)
    assert [e.code for e in events.of("disconnected")] == [3500]


async def test_expired_subscription_token_is_replaced_from_get_token(
    make_client, centrifugo, unique
):
    channel = f"$secret:expired-{unique}"
    calls = 0

    async def get_token(ch: str) -> str:
        nonlocal calls
        calls += 1
        return mint(centrifugo, "alice", ttl=60, channel=ch)

    client = make_client("alice")
    events = Events(client)
    await client.connect()
    expired = mint(centrifugo, "alice", ttl=-5, channel=channel)
    sub = await client.subscribe(channel, token=expired, get_token=get_token)
    assert sub.state == "subscribed"
    assert calls == 1
    assert [e.code for e in events.of("error")] == [109]


async def test_unrefreshed_subscription_expires_2501_and_resubscribes(unique):
    from cfgo_tui.localserver import CentrifugoServer

    # The server checks subscription expiry on its presence tick: make both short.
    env = {
        "CENTRIFUGO_CLIENT_EXPIRED_SUB_CLOSE_DELAY": "1s",
        "CENTRIFUGO_CLIENT_PRESENCE_UPDATE_INTERVAL": "1s",
    }
    channel = f"$secret:expire-{unique}"
    with CentrifugoServer("test", env=env) as server:
        expired_seen = False
        calls = 0

        async def get_token(ch: str) -> str:
            nonlocal calls
            calls += 1
            if calls == 1:
                return mint(server, "alice", ttl=2, channel=ch)
            if not expired_seen:
                raise RuntimeError("token service down")  # refreshes fail until the server acts
            return mint(server, "alice", ttl=60, channel=ch)

        client = Client(server.ws_url, token=mint(server, "alice"))
        events = Events(client)

        def on_subscribing(event) -> None:
            nonlocal expired_seen
            if event.code == 2501:
                expired_seen = True

        client.on("subscribing", on_subscribing)
        await client.connect()
        sub = await client.subscribe(channel, get_token=get_token)
        expired = await events.wait_for("subscribing", lambda e: e.code == 2501, timeout=20)
        assert expired.channel == channel and expired.reason == "subscription expired"
        again = await events.wait_for("subscribed", lambda e: e.channel == channel and e.ttl > 2)
        assert again.expires and sub.state == "subscribed"
        assert any(e.where == "sub_refresh" for e in events.of("error"))
        assert not events.of("unsubscribed")
        await client.disconnect()


async def test_expired_connection_3005_reconnects_with_a_fresh_token():
    from cfgo_tui.localserver import CentrifugoServer

    with CentrifugoServer("test", env={"CENTRIFUGO_CLIENT_EXPIRED_CLOSE_DELAY": "1s"}) as server:
        calls = 0
        closed = False

        async def get_token() -> str:
            nonlocal calls
            calls += 1
            if calls == 1:
                return mint(server, "alice", ttl=2)
            if not closed:
                raise RuntimeError("token service down")  # every refresh fails
            return mint(server, "alice", ttl=60)

        def on_connecting(event) -> None:
            nonlocal closed
            closed = closed or event.code == 3005

        client = Client(server.ws_url, get_token=get_token, min_reconnect_delay=0.05)
        client.on("connecting", on_connecting)
        events = Events(client)
        await client.connect()
        expired = await events.wait_for("connecting", lambda e: e.code == 3005, timeout=20)
        assert expired.reason == "connection expired"
        await events.wait_count("connected", 2)
        assert not [e for e in events.of("error") if e.code == 109]  # no round trip with the old
        await client.disconnect()
