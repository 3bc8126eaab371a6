"""Hostile server input, over a real WebSocket from the named fake (`fake_server.HostileServer`):
truncated, oversized, non-JSON, wrong-typed, unknown-push and out-of-order frames. No crash, no
unhandled exception, each problem an ErrorEvent, and the client comes back on a new connection
and works (subscribe and publish round trip)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
from fake_server import Frame, HostileServer, connect_reply
from reliability_helpers import Events, Tail, figures, write_profile

from cfgo_tui.client import Client

BAD_PROTOCOL = 5
TRANSPORT_CLOSED = 3


def first_only(*frames: Frame, with_connect: bool = True):
    """Connection 0 gets `frames` (after a good connect reply if `with_connect`); the next
    connections get a good connect reply only."""

    def script(number: int, cid: int) -> list[Frame]:
        if number > 0:
            return [connect_reply(cid)]
        head = [connect_reply(cid)] if with_connect else []
        return [*head, *(f.replace("$ID", str(cid)) if isinstance(f, str) else f for f in frames)]

    return script


# name -> (script, `where` of the expected ErrorEvent, reconnects?)
CASES: dict[str, tuple[Any, str, bool]] = {
    "truncated connect reply": (
        first_only('{"id":$ID,"connect":{"client":"x","vers', with_connect=False),
        "decode",
        True,
    ),
    "truncated push": (
        first_only('{"push":{"channel":"chat:a","pub":{"data":{"n":1'),
        "decode",
        True,
    ),
    "truncated second line": (
        first_only('{}\n{"push":{"channel":"chat:a","pub":{"da'),
        "decode",
        True,
    ),
    "non-JSON text": (first_only("<html>502 Bad Gateway</html>"), "decode", True),
    "binary garbage": (first_only(b"\x00\xff\xfe\x9c binary"), "decode", True),
    "invalid UTF-8 in a text-looking frame": (first_only(b'{"push":"\xff\xfe"}'), "decode", True),
    "empty lines only": (first_only("\n\n\n"), "", False),
    "oversized (17 MiB)": (
        first_only('{"push":{"message":{"data":"' + "x" * (17 * 1024 * 1024) + '"}}}'),
        "transport",
        True,
    ),
    "connect reply of the wrong type": (
        first_only('{"id":$ID,"connect":"welcome"}', with_connect=False),
        "dispatch",
        True,
    ),
    "connect reply with a string ttl": (
        first_only(
            '{"id":$ID,"connect":{"client":"c","expires":true,"ttl":"soon"}}', with_connect=False
        ),
        "dispatch",
        True,
    ),
    "connect reply with a string ping": (
        first_only('{"id":$ID,"connect":{"client":"c","ping":"often"}}', with_connect=False),
        "dispatch",
        True,
    ),
    "connect reply with subs as a list": (
        first_only('{"id":$ID,"connect":{"client":"c","subs":["chat:a"]}}', with_connect=False),
        "dispatch",
        True,
    ),
    "connect error with a string code": (
        first_only('{"id":$ID,"error":{"code":"bad","message":1}}', with_connect=False),
        "dispatch",
        True,
    ),
    "oversized malformed reply (8 MiB)": (
        first_only('{"push":"' + "y" * (8 * 1024 * 1024) + '"}'),
        "dispatch",
        True,
    ),
    "top-level array": (first_only("[1,2,3]"), "dispatch", True),
    "top-level number": (first_only("42"), "dispatch", True),
    "top-level string": (first_only('"hello"'), "dispatch", True),
    "push of the wrong type": (first_only('{"push":"surprise"}'), "dispatch", True),
    "join with a string body": (
        first_only('{"push":{"channel":"x","join":"bob"}}'),
        "dispatch",
        True,
    ),
    "unsubscribe with a string code": (
        first_only('{"push":{"channel":"chat:a","unsubscribe":{"code":"x"}}}'),
        "dispatch",
        True,
    ),
    "disconnect push with a string code": (
        first_only('{"push":{"disconnect":{"code":"later"}}}'),
        "dispatch",
        True,
    ),
    "unknown push kind": (
        first_only('{"push":{"channel":"x","teleport":{"to":"mars"}}}'),
        "protocol",
        False,  # a newer server may add push kinds: reported, connection kept
    ),
    "reply to an id never sent": (first_only('{"id":4242,"publish":{}}'), "", False),
    "publication before the connect reply": (
        lambda number, cid: (
            ['{"push":{"channel":"chat:a","pub":{"data":1,"offset":9}}}', connect_reply(cid)]
            if number == 0
            else [connect_reply(cid)]
        ),
        "",
        False,
    ),
    "connect reply twice": (first_only(connect_reply(1)), "", False),
    "ping before the connect reply": (
        lambda number, cid: ["{}", connect_reply(cid)] if number == 0 else [connect_reply(cid)],
        "",
        False,
    ),
}


@pytest.fixture
async def loop_errors() -> AsyncIterator[list[dict[str, Any]]]:
    """Everything that reaches the event loop's exception handler (must stay empty)."""
    loop = asyncio.get_running_loop()
    seen: list[dict[str, Any]] = []
    previous = loop.get_exception_handler()
    loop.set_exception_handler(lambda _loop, context: seen.append(context))
    yield seen
    loop.set_exception_handler(previous)


async def round_trip(client: Client, server: HostileServer) -> None:
    """The client works: subscribe, publish, both answered on the current connection."""
    sub = await client.subscribe("chat:after")
    assert sub.state == "subscribed"
    await client.publish("chat:after", {"ok": True})
    await client.remove_subscription(sub)


@pytest.mark.parametrize("name", list(CASES))
async def test_hostile_frame_is_reported_and_survived(name, loop_errors):
    script, where, reconnects = CASES[name]
    async with HostileServer(script) as server:
        client = Client(server.url, min_reconnect_delay=0.01, max_reconnect_delay=0.05, timeout=2)
        events = Events(client)
        await client.connect(timeout=10)
        if reconnects:
            await server.wait_connections(2)
            await events.until(lambda: client.state == "connected" and server.connections == 2)
            lost = [e for e in events.of("connecting") if e.code != 0]
            assert lost and lost[0].code in (BAD_PROTOCOL, TRANSPORT_CLOSED)
        await round_trip(client, server)
        errors = events.of("error")
        if where:
            reported = [e for e in errors if e.where == where]
            assert reported, f"{name}: no `{where}` ErrorEvent in {errors}"
            assert all(e.message for e in reported)
            assert all(len(e.message) < 1000 for e in reported), "quoted, not dumped whole"
        else:
            assert errors == [], errors
        if not reconnects:
            assert server.connections == 1
        assert not events.of("disconnected")
        await client.disconnect()
    assert loop_errors == []
    assert "Traceback" not in " ".join(e.message for e in events.of("error"))


def scrambled(number: int, command: dict[str, Any]) -> list[Frame]:
    """A subscribe reply at offset 2 (with publication 3 before it in the same frame), then
    publications 4, 6, 5, 6, 2, 7, 1, 8, 8."""
    channel = command["subscribe"]["channel"]
    reply = json.dumps(
        {
            "id": command["id"],
            "subscribe": {"recoverable": True, "positioned": True, "epoch": "e", "offset": 2},
        }
    )

    def pub(offset: int) -> str:
        return json.dumps({"push": {"channel": channel, "pub": {"data": offset, "offset": offset}}})

    return ["\n".join([pub(3), reply]), *(pub(n) for n in (4, 6, 5, 6, 2, 7, 1, 8, 8))]


def polite(number: int, cid: int) -> list[Frame]:
    return [connect_reply(cid)]


async def test_out_of_order_publications_never_duplicate_or_go_backwards(loop_errors):
    """Publications in a scrambled order: what is delivered is strictly increasing (a late or
    repeated offset is dropped, never delivered twice), and every jump over a missing offset is
    an ErrorEvent (`gap`)."""
    async with HostileServer(polite, on_subscribe=scrambled) as server:
        client = Client(server.url)
        events = Events(client)
        await client.connect()
        await client.subscribe("chat:scrambled")
        await events.until(lambda: any(e.offset == 8 for e in events.of("publication")))
        delivered = [e.offset for e in events.of("publication")]
        assert delivered == sorted(set(delivered)), delivered
        assert delivered == [4, 6, 7, 8]
        # ... and what never arrived in order is reported, not lost silently
        gaps = [e.message for e in events.of("error") if e.where == "gap"]
        assert gaps == [
            "1 publication missing: offset jumped from 2 to 4 (lost or reordered between the "
            "server and this client)",
            "1 publication missing: offset jumped from 4 to 6 (lost or reordered between the "
            "server and this client)",
        ]
        assert all(e.channel == "chat:scrambled" for e in events.of("error"))
        assert client.state == "connected"
        await client.disconnect()
    assert loop_errors == []
    figures("out-of-order frames", frames_fuzzed=10, delivered=len(delivered))


async def test_tail_says_so_when_offsets_are_missing(tmp_path):
    async with HostileServer(polite, on_subscribe=scrambled) as server:
        config = write_profile(tmp_path / "fake.yaml", {"url": server.url, "timeout": "2s"})
        tail = await Tail(config, "chat:scrambled", "--count", "4").start()
        try:
            status = await tail.wait()  # --count 4 ends it
        finally:
            await tail.kill()
    assert status == 0, tail.stderr
    assert [r["offset"] for r in tail.publications()] == [4, 6, 7, 8]
    assert "chat:scrambled: 1 publication missing: offset jumped from 2 to 4" in tail.stderr
    assert "chat:scrambled: 1 publication missing: offset jumped from 4 to 6" in tail.stderr
    assert "Traceback" not in tail.stderr
