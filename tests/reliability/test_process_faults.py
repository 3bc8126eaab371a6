"""Process faults of a real Centrifugo (memory engine): kill -9 and restart, SIGSTOP for longer
than the ping interval plus the client's allowance, and a server that refuses connections for a
while. Each test has a private server (`fresh_centrifugo`)."""

from __future__ import annotations

import asyncio

from reliability_helpers import Events, Tail, figures, mint, profile_for, write_profile

from cfgo_tui.api import ApiClient
from cfgo_tui.client import Client
from cfgo_tui.client.backoff import Backoff

TRANSPORT_CLOSED = 3  # client-side code: the socket could not be opened / was lost
NO_PING = 2


async def test_kill9_then_restart_reports_state_lost_never_silently(
    fresh_centrifugo, unique, tmp_path
):
    server = fresh_centrifugo
    channel = f"chat:kill-{unique}"
    client = Client(
        server.ws_url,
        token=mint(server, "alice"),
        min_reconnect_delay=0.05,
        max_reconnect_delay=0.3,
    )
    events = Events(client)
    offsets: list[int] = []
    client.on("publication", lambda e: offsets.append(e.offset))
    await client.connect()
    sub = await client.subscribe(channel)
    config = write_profile(tmp_path / "tail.yaml", profile_for(server, f"tail-{unique}"))
    tail = await Tail(config, channel, "--events").start()
    api = ApiClient(server.api_url, server.api_key)
    try:
        await tail.until(lambda: any(r["channel"] == channel for r in tail.events("subscribed")))
        for n in range(1, 6):
            await api.publish(channel, {"n": n})
        await events.until(lambda: len(offsets) == 5)
        await tail.until(lambda: len(tail.publications()) == 5)
        old = sub.position
        assert old is not None and old.offset == 5

        await asyncio.to_thread(server.restart, graceful=False)  # kill -9, same port

        resubscribed = await events.wait_for(
            "subscribed", lambda e: e.channel == channel and e.was_recovering, timeout=30
        )
        assert resubscribed.state_lost and not resubscribed.recovered
        assert resubscribed.position.epoch != old.epoch
        lost = await events.wait_for(
            "error", lambda e: e.where == "recover" and e.channel == channel
        )
        assert "state lost" in lost.message
        await tail.until(
            lambda: any(
                r["channel"] == channel and r["was_recovering"] and not r["recovered"]
                for r in tail.events("subscribed")
            )
        )
        # The new stream starts again at offset 1 and is delivered, not taken for duplicates.
        await api.publish(channel, {"n": "after"})
        after = await events.wait_for("publication", lambda e: e.data == {"n": "after"})
        assert after.offset == 1
        await tail.until(lambda: tail.publications()[-1]["data"] == {"n": "after"})
        status = await tail.stop()
    finally:
        await tail.kill()
        await api.aclose()
        await client.disconnect()
    assert status in (0, 130)
    # tail says it on stderr too (not only with --events)
    assert "could not recover" in tail.stderr, tail.stderr
    assert "Traceback" not in tail.stderr
    assert [r["offset"] for r in tail.publications()] == [1, 2, 3, 4, 5, 1]
    abnormal = [e for e in events.of("connecting") if e.code == 1006]
    assert abnormal, "kill -9 leaves no close frame: 1006 abnormal closure"
    figures("kill -9", reconnects_survived=1, state_lost_reported=2)


async def test_sigstop_longer_than_ping_is_detected_and_reconnects_after_sigcont(
    fresh_centrifugo, unique
):
    server = fresh_centrifugo
    channel = f"chat:stop-{unique}"
    client = Client(
        server.ws_url,
        token=mint(server, "alice"),
        max_server_ping_delay=0.5,  # the server pings every 5 s: silence > 5.5 s is a hang
        min_reconnect_delay=0.05,
        max_reconnect_delay=0.5,
        timeout=1.0,
    )
    events = Events(client)
    offsets: list[int] = []
    client.on("publication", lambda e: offsets.append(e.offset))
    await client.connect()
    await client.subscribe(channel)
    api = ApiClient(server.api_url, server.api_key)
    try:
        for n in range(1, 11):
            await api.publish(channel, {"n": n})
        await events.until(lambda: len(offsets) == 10)
        server.pause()
        try:
            lost = await events.wait_for("connecting", lambda e: e.code == NO_PING, timeout=30)
            assert lost.reason == "no ping"
            report = await events.wait_for("error", lambda e: e.code == NO_PING)
            assert "no ping from the server" in report.message
            # While it is stopped the kernel still accepts TCP, but no handshake completes.
            start = events.items.index(lost)
            await events.wait_for(
                "connecting", lambda e: e.code == TRANSPORT_CLOSED, start=start, timeout=30
            )
            assert client.state == "connecting"
        finally:
            server.resume()
        for n in range(11, 21):  # published after SIGCONT, maybe before the client is back
            await api.publish(channel, {"n": n})
        resubscribed = await events.wait_for(
            "subscribed", lambda e: e.channel == channel and e.was_recovering, timeout=30
        )
        assert resubscribed.recovered, "the server's memory survived SIGSTOP: nothing is lost"
        await events.until(lambda: len(offsets) == 20)
    finally:
        await api.aclose()
    await client.disconnect()
    assert offsets == list(range(1, 21))
    figures("SIGSTOP", reconnects_survived=1, messages_checked=len(offsets))


async def test_refused_connections_back_off_within_bounds_then_reconnect(
    fresh_centrifugo, unique, tmp_path
):
    server = fresh_centrifugo
    channel = f"chat:refused-{unique}"
    # `tail` too, with the profile's reconnect bounds (50 ms .. 500 ms)
    config = write_profile(tmp_path / "tail.yaml", profile_for(server, f"tail-{unique}"))
    tail = await Tail(config, channel, "--events").start()
    await tail.until(lambda: any(r["channel"] == channel for r in tail.events("subscribed")))
    low, high = 0.05, 0.8
    # `exact` takes the top of every jitter range, so its delays are the ceilings themselves;
    # `jittered` keeps the real random jitter and must stay inside the same bounds.
    exact = Client(
        server.ws_url,
        token=mint(server, "alice"),
        min_reconnect_delay=low,
        max_reconnect_delay=high,
    )
    exact._backoff = Backoff(low, high, rand=lambda: 1.0)
    jittered = Client(
        server.ws_url,
        token=mint(server, "bob"),
        min_reconnect_delay=low,
        max_reconnect_delay=high,
    )
    clients = {"exact": exact, "jittered": jittered}
    events = {name: Events(client) for name, client in clients.items()}
    for client in clients.values():
        await client.connect()
    refusals = 8
    await asyncio.to_thread(server.stop)  # port closed: connection refused
    try:
        for name in clients:
            await events[name].until(
                lambda name=name: (
                    len([e for e in events[name].of("connecting") if e.code == TRANSPORT_CLOSED])
                    >= refusals
                ),
                timeout=30,
            )
        await tail.until(
            lambda: len([r for r in tail.events("connecting") if r["code"] == 3]) >= refusals
        )
    finally:
        await asyncio.to_thread(server.start)  # same port again
    for name, client in clients.items():
        await events[name].until(lambda name=name: len(events[name].of("connected")) == 2)
        assert client.state == "connected"
    try:
        await tail.until(lambda: len(tail.events("connected")) == 2)
        async with ApiClient(server.api_url, server.api_key) as api:
            await tail.until(
                lambda: any(
                    r["channel"] == channel and r["was_recovering"]
                    for r in tail.events("subscribed")
                )
            )
            await api.publish(channel, {"after": "restart"})
        await tail.until(lambda: bool(tail.publications()))
        status = await tail.stop()
    finally:
        await tail.kill()
    assert status in (0, 130) and "Traceback" not in tail.stderr
    assert [r["data"] for r in tail.publications()] == [{"after": "restart"}]
    tail_outage = [r for r in tail.events("connecting") if r["code"] != 0]
    assert [r["attempt"] for r in tail_outage] == list(range(1, len(tail_outage) + 1))
    assert all(0.05 <= r["delay"] <= 0.5 for r in tail_outage), tail_outage
    assert "could not recover" in tail.stderr  # the memory engine lost the stream: said so
    ceiling = Backoff(low, high).ceiling
    checked = 0
    for name in clients:
        outage = [e for e in events[name].of("connecting") if e.code != 0]
        assert outage[0].code == 3001, "graceful stop: 3001 shutdown first"
        refused = [e for e in outage if e.code == TRANSPORT_CLOSED]
        assert all("cannot connect" in e.reason for e in refused)
        assert [e.attempt for e in outage] == list(range(1, len(outage) + 1))
        for event in outage:
            assert low <= event.delay <= ceiling(event.attempt - 1) <= high
            checked += 1
        if name == "exact":
            delays = [e.delay for e in outage]
            assert delays == [ceiling(e.attempt - 1) for e in outage]
            assert delays[:5] == [0.05, 0.1, 0.2, 0.4, 0.8]  # doubles ...
            assert set(delays[5:]) == {high}  # ... up to the maximum, and stays there
    for client in clients.values():
        await client.disconnect()
    checked += len(tail_outage)
    figures("refused connections", delays_checked=checked, reconnects_survived=3)
