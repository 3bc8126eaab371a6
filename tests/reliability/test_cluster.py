"""Two Centrifugo nodes on one Redis engine: publications and presence span the nodes, and a
client (or a `tail` profile) listing both URLs fails over when its node is killed, recovering
from the history Redis holds, with nothing lost."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest
from reliability_helpers import Events, Stream, Tail, figures, mint, profile_for, write_profile

from cfgo_tui.api import ApiClient
from cfgo_tui.client import Client
from cfgo_tui.localserver import CentrifugoServer, RedisServer


@pytest.fixture
def nodes(redis_server: RedisServer) -> Iterator[tuple[CentrifugoServer, CentrifugoServer]]:
    a = CentrifugoServer("test", redis_url=redis_server.url)
    b = CentrifugoServer("test", redis_url=redis_server.url)
    try:
        a.start()
        b.start()
        yield a, b
    finally:
        a.close()
        b.close()


async def test_publish_on_node_b_is_received_on_node_a(nodes, unique):
    a, b = nodes
    channel = f"chat:cluster-{unique}"
    on_a = Client(a.ws_url, token=mint(a, "alice"))
    on_b = Client(b.ws_url, token=mint(b, "bob"))
    events = Events(on_a)
    received: list = []
    on_a.on("publication", received.append)
    await on_a.connect()
    await on_b.connect()
    await on_a.subscribe(channel)
    await on_b.publish(channel, {"from": "client on b"})
    async with ApiClient(b.api_url, b.api_key) as api_b:
        await api_b.publish(channel, {"from": "api of b"})
    await events.until(lambda: len(received) == 2)
    assert [(p.data, p.offset) for p in received] == [
        ({"from": "client on b"}, 1),
        ({"from": "api of b"}, 2),
    ]
    assert received[0].info is not None and received[0].info.user == "bob"
    await on_a.disconnect()
    await on_b.disconnect()


async def test_presence_spans_both_nodes(nodes, unique):
    a, b = nodes
    channel = f"chat:presence-{unique}"
    on_a = Client(a.ws_url, token=mint(a, "alice"))
    on_b = Client(b.ws_url, token=mint(b, "bob"))
    events_a = Events(on_a)
    await on_a.connect()
    await on_b.connect()
    await on_a.subscribe(channel)
    await on_b.subscribe(channel)
    joined = await events_a.wait_for("join", lambda e: e.info.user == "bob")
    assert joined.info.client == on_b.client_id
    expected = {on_a.client_id: "alice", on_b.client_id: "bob"}
    for client in (on_a, on_b):
        presence = await client.presence(channel)
        assert {cid: info.user for cid, info in presence.items()} == expected
        stats = await client.presence_stats(channel)
        assert (stats.num_clients, stats.num_users) == (2, 2)
    for node in (a, b):
        async with ApiClient(node.api_url, node.api_key) as api:
            presence = await api.presence(channel)
            assert {cid: info.user for cid, info in presence.items()} == expected
            assert len(await api.info()) == 2  # both nodes see the cluster
    await on_b.disconnect()
    left = await events_a.wait_for("leave", lambda e: e.info.user == "bob")
    assert left.info.client == joined.info.client
    await on_a.disconnect()


async def test_failover_to_the_next_url_when_a_node_is_killed_loses_nothing(
    nodes, unique, tmp_path
):
    a, b = nodes
    channel = f"chat:failover-{unique}"
    client = Client(
        [a.ws_url, b.ws_url],
        token=mint(a, f"fo-{unique}"),
        min_reconnect_delay=0.05,
        max_reconnect_delay=0.5,
    )
    events = Events(client)
    offsets: list[int] = []
    client.on("publication", lambda e: offsets.append(e.offset))
    await client.connect()
    assert client.url == a.ws_url
    await client.subscribe(channel)
    # the same with `tail` on a profile listing both nodes
    profile = profile_for(a, f"tail-{unique}", url=[a.ws_url, b.ws_url])
    profile["api"] = {"url": b.api_url, "key": b.api_key}
    tail = await Tail(
        write_profile(tmp_path / "cluster.yaml", profile), channel, "--events"
    ).start()
    stream: Stream | None = None
    try:
        await tail.until(lambda: any(r["channel"] == channel for r in tail.events("subscribed")))
        stream = Stream(b, channel, rate=500).start()  # published through node b
        await events.until(lambda: len(offsets) >= 300)
        await tail.until(lambda: len(tail.publications()) >= 300)

        await asyncio.to_thread(a.kill)  # kill -9 node a

        resubscribed = await events.wait_for(
            "subscribed", lambda e: e.channel == channel and e.was_recovering, timeout=30
        )
        assert resubscribed.recovered, "history is in Redis: node b recovers it"
        assert client.url == b.ws_url
        await tail.until(
            lambda: any(
                r["channel"] == channel and r["was_recovering"] for r in tail.events("subscribed")
            )
        )
        mark = len(offsets)
        await events.until(lambda: len(offsets) >= mark + 300)
        await stream.stop()
        top = stream.published
        async with ApiClient(b.api_url, b.api_key) as api_b:
            assert (await api_b.history(channel, limit=0)).offset == top
        await events.until(lambda: offsets[-1] >= top)
        await tail.until(lambda: tail.publications()[-1]["offset"] >= top)
        status = await tail.stop()
    finally:
        if stream is not None:
            await stream.stop()
        await tail.kill()
        await client.disconnect()
    assert offsets == list(range(1, top + 1)), "client: zero loss, no duplicates"
    printed = [r["offset"] for r in tail.publications()]
    assert printed == list(range(1, top + 1)), "tail: zero loss, no duplicates"
    assert status in (0, 130) and "Traceback" not in tail.stderr
    recoveries = [
        r for r in tail.events("subscribed") if r["channel"] == channel and r["was_recovering"]
    ]
    assert recoveries and all(r["recovered"] for r in recoveries)
    assert [e.code for e in events.of("connecting")][:2] == [0, 1006]
    figures(
        "cluster failover",
        reconnects_survived=2,
        messages_checked=len(offsets) + len(printed),
    )


class SwitchableStream(Stream):
    """A Stream whose publishing node can be switched (to the one that stays up)."""

    def use(self, node: CentrifugoServer) -> None:
        self.api = ApiClient(node.api_url, node.api_key, timeout=10)


async def failover_cycles(nodes, unique: str, cycles: int) -> None:
    """Kill the node the client is on (kill -9), restart it, and again, alternating: the client
    always fails over to the other URL and recovers from Redis, nothing lost."""
    a, b = nodes
    channel = f"chat:cycles-{unique}"
    client = Client(
        [a.ws_url, b.ws_url],
        token=mint(a, f"cy-{unique}"),
        min_reconnect_delay=0.05,
        max_reconnect_delay=0.5,
    )
    events = Events(client)
    offsets: list[int] = []
    client.on("publication", lambda e: offsets.append(e.offset))
    await client.connect()
    await client.subscribe(channel)
    stream = SwitchableStream(b, channel, rate=500).start()
    old_apis: list[ApiClient] = []
    try:
        for cycle in range(cycles):
            victim, survivor = (a, b) if client.url == a.ws_url else (b, a)
            old_apis.append(stream.api)
            stream.use(survivor)
            mark = len(offsets)
            await events.until(lambda mark=mark: len(offsets) >= mark + 100)
            recoveries = len([e for e in events.of("subscribed") if e.was_recovering])
            await asyncio.to_thread(victim.kill)
            await events.until(
                lambda r=recoveries: (
                    len([e for e in events.of("subscribed") if e.was_recovering]) > r
                ),
                timeout=30,
            )
            last = [e for e in events.of("subscribed") if e.was_recovering][-1]
            assert last.recovered, f"cycle {cycle}: Redis holds the history"
            assert client.url == survivor.ws_url
            await asyncio.to_thread(victim.start)
        mark = len(offsets)
        await events.until(lambda: len(offsets) >= mark + 100)
    finally:
        await stream.stop()
        for api in old_apis:
            await api.aclose()
    async with ApiClient(a.api_url, a.api_key) as api:
        top = (await api.history(channel, limit=0)).offset
    await events.until(lambda: offsets[-1] >= top)
    await client.disconnect()
    assert offsets == list(range(1, top + 1)), "zero loss, no duplicates, across every failover"
    figures(
        "cluster failover cycles",
        reconnects_survived=cycles,
        messages_checked=len(offsets),
    )


async def test_failover_both_ways(nodes, unique):
    await failover_cycles(nodes, unique, 2)


@pytest.mark.soak
@pytest.mark.timeout(600)
async def test_soak_failover_100_cycles(nodes, unique):
    await failover_cycles(nodes, unique, 100)
