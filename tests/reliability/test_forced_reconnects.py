"""Forced reconnects during a ~1,000 msg/s stream on a recoverable channel (`chat:` has
force_recovery and a 20,000-message history): the server API disconnects the client with 3011
(force reconnect) again and again while publications keep coming. What the client delivers, and
what `cfgo-tui tail` prints, must be every offset from 1 to the top exactly once, in order.

The default suite runs 20 reconnects for the client and 20 for `tail`; the soak variants
(`scripts/test -m soak`) run 500 and 200."""

from __future__ import annotations

import pytest
from reliability_helpers import (
    Events,
    Stream,
    Tail,
    figures,
    mint,
    profile_for,
    write_profile,
)

from cfgo_tui.api import ApiClient
from cfgo_tui.client import Client

RATE = 1000  # messages per second
BETWEEN = 150  # messages received between two forced reconnects


async def force_reconnect(api: ApiClient, user: str, n: int) -> None:
    await api.call(
        "disconnect",
        {"user": user, "disconnect": {"code": 3011, "reason": f"forced reconnect {n}"}},
    )


async def client_survives(server, unique: str, reconnects: int) -> None:
    user = f"forced-{unique}"
    channel = f"chat:forced-{unique}"
    client = Client(
        server.ws_url,
        token=mint(server, user),
        min_reconnect_delay=0.02,
        max_reconnect_delay=0.2,
    )
    events = Events(client)
    offsets: list[int] = []
    client.on("publication", lambda e: offsets.append(e.offset))
    api = ApiClient(server.api_url, server.api_key)
    await client.connect()
    await client.subscribe(channel)
    stream = Stream(server, channel, rate=RATE).start()
    try:
        for n in range(1, reconnects + 1):
            mark = len(offsets)
            await events.until(lambda mark=mark: len(offsets) >= mark + BETWEEN)
            await force_reconnect(api, user, n)
            connecting = await events.wait_for(
                "connecting", lambda e, n=n: e.reason == f"forced reconnect {n}"
            )
            assert connecting.code == 3011
            # The resubscription after this reconnect recovered what was published meanwhile.
            start = events.items.index(connecting)
            resubscribed = await events.wait_for(
                "subscribed", lambda e: e.was_recovering, start=start
            )
            assert resubscribed.recovered, "a recoverable stream must not lose state here"
    finally:
        await stream.stop()
    top = (await client.history(channel, limit=0)).offset
    assert top == stream.published == stream.offsets[-1]
    await events.until(lambda: bool(offsets) and offsets[-1] >= top)
    await client.disconnect()
    await api.aclose()

    assert offsets == list(range(1, top + 1)), "gapless, in order, no duplicates"
    recovered = sum(1 for e in events.of("publication") if e.recovered)
    survived = len([e for e in events.of("connecting") if e.code == 3011])
    assert survived == reconnects
    # every drop came after a successful connection: the backoff starts over each time
    assert {e.attempt for e in events.of("connecting") if e.code == 3011} == {1}
    assert client.state == "disconnected"
    assert not [e for e in events.of("error") if e.where not in ("transport",)]
    figures(
        "client forced reconnects",
        reconnects_survived=survived,
        messages_checked=len(offsets),
        recovered=recovered,
        rate=f"{stream.achieved_rate:.0f}/s",
    )


def recoveries(tail: Tail, channel: str) -> list[dict]:
    return [r for r in tail.events("subscribed") if r["channel"] == channel and r["was_recovering"]]


async def tail_survives(server, unique: str, reconnects: int, tmp_path) -> None:
    user = f"tail-{unique}"
    channel = f"chat:tail-forced-{unique}"
    config = write_profile(tmp_path / "tail.yaml", profile_for(server, user))
    tail = await Tail(config, channel, "--events").start()
    api = ApiClient(server.api_url, server.api_key)
    stream: Stream | None = None
    try:
        await tail.until(lambda: bool(tail.events("subscribed")))
        stream = Stream(server, channel, rate=RATE).start()
        for n in range(1, reconnects + 1):
            mark = len(tail.publications())
            await tail.until(lambda mark=mark: len(tail.publications()) >= mark + BETWEEN)
            await force_reconnect(api, user, n)
            await tail.until(
                lambda n=n: any(
                    r.get("reason") == f"forced reconnect {n}" for r in tail.events("connecting")
                )
            )
            # ... and resubscribed with recovery before the next one
            await tail.until(lambda n=n: len(recoveries(tail, channel)) == n)
        await stream.stop()
        top = (await api.history(channel, limit=0)).offset
        assert top == stream.published
        await tail.until(lambda: tail.publications()[-1]["offset"] >= top)
        status = await tail.stop()
    finally:
        if stream is not None:
            await stream.stop()
        await tail.kill()
        await api.aclose()
    assert status in (0, 130), tail.stderr
    assert "Traceback" not in tail.stderr
    printed = [r["offset"] for r in tail.publications()]
    assert printed == list(range(1, top + 1)), "tail: gapless, in order, no duplicates"
    assert [r["data"]["n"] for r in tail.publications()] == printed
    survived = [r for r in tail.events("connecting") if r.get("code") == 3011]
    assert len(survived) == reconnects
    # Without --events it says so on stderr; with it the recoveries are event lines.
    recovered = recoveries(tail, channel)
    assert len(recovered) == reconnects
    assert all(r["recovered"] for r in recovered)
    figures(
        "tail forced reconnects",
        reconnects_survived=len(survived),
        messages_checked=len(printed),
        rate=f"{stream.achieved_rate:.0f}/s",
    )


async def test_client_gapless_across_20_forced_reconnects_at_1k_per_second(centrifugo, unique):
    await client_survives(centrifugo, unique, 20)


async def test_tail_output_gapless_across_20_forced_reconnects_at_1k_per_second(
    centrifugo, unique, tmp_path
):
    await tail_survives(centrifugo, unique, 20, tmp_path)


@pytest.mark.soak
@pytest.mark.timeout(600)
async def test_soak_client_500_forced_reconnects(centrifugo, unique):
    await client_survives(centrifugo, unique, 500)


@pytest.mark.soak
@pytest.mark.timeout(600)
async def test_soak_tail_200_forced_reconnects(centrifugo, unique, tmp_path):
    await tail_survives(centrifugo, unique, 200, tmp_path)


async def test_disconnect_between_batches_keeps_order(centrifugo, unique):
    """The same check with the reconnect landing while a recovered batch is being replayed:
    two disconnects back to back (the second one hits the resubscription of the first)."""
    user = f"double-{unique}"
    channel = f"chat:double-{unique}"
    client = Client(
        centrifugo.ws_url,
        token=mint(centrifugo, user),
        min_reconnect_delay=0.02,
        max_reconnect_delay=0.1,
    )
    events = Events(client)
    offsets: list[int] = []
    client.on("publication", lambda e: offsets.append(e.offset))
    api = ApiClient(centrifugo.api_url, centrifugo.api_key)
    await client.connect()
    await client.subscribe(channel)
    stream = Stream(centrifugo, channel, rate=RATE).start()
    try:
        for n in range(1, 6):
            mark = len(offsets)
            await events.until(lambda mark=mark: len(offsets) >= mark + 50)
            connected = len(events.of("connected"))
            await force_reconnect(api, user, 2 * n)
            await events.until(lambda c=connected: len(events.of("connected")) > c)
            # at once, while the recovery of the first one may still be in flight
            await force_reconnect(api, user, 2 * n + 1)
            await events.wait_for(
                "connecting", lambda e, n=n: e.reason == f"forced reconnect {2 * n + 1}"
            )
    finally:
        await stream.stop()
    top = (await client.history(channel, limit=0)).offset
    await events.until(lambda: bool(offsets) and offsets[-1] >= top)
    await client.disconnect()
    await api.aclose()
    assert offsets == list(range(1, top + 1))
    survived = len([e for e in events.of("connecting") if e.code == 3011])
    assert survived == 10
    figures(
        "client back-to-back reconnects",
        reconnects_survived=survived,
        messages_checked=len(offsets),
    )
