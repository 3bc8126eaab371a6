"""Hypothesis drives the client's decoder and dispatcher with generated frames: protocol-shaped
JSON with wrong types, random JSON, random text and bytes, truncated lines, several lines per
frame. The whole client runs (connect, subscribe, reconnect loop); only the socket is a stub fed
from the generated frames (`StubSocket`, in place of `websockets.connect`). The same frames go
over a real WebSocket are in test_hostile_server.py (named cases).

Properties: nothing escapes (no exception from the client's API, nothing reaches the event
loop's exception handler, no internal-error stop), every connection the client drops on its own
is explained by an ErrorEvent, and once the frames are used up the client is connected again
(or stopped by a terminal code the frames themselves carried)."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Iterator
from typing import Any

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from reliability_helpers import Events, figures
from websockets.exceptions import ConnectionClosedError

import cfgo_tui.client.client as client_module
from cfgo_tui.client import CentrifugoError, Client, ConnectFailed, SubscriptionFailed

BAD_PROTOCOL = 5
TRANSPORT_CLOSED = 3

KEYS = [
    "id", "push", "connect", "subscribe", "publish", "error", "pub", "channel", "offset", "data",
    "join", "leave", "unsubscribe", "disconnect", "message", "code", "reason", "epoch",
    "recovered", "was_recovering", "recoverable", "positioned", "publications", "info", "user",
    "client", "ping", "pong", "ttl", "expires", "subs", "delta", "reconnect", "tags", "refresh",
    "temporary", "version", "presence", "history", "teleport",
]  # fmt: skip

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.sampled_from([0, 1, 2, 3, 25, 109, 2500, 3011, 3500, 4242]),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=12),
    st.sampled_from(["chat:fuzz", "chat:other", "", "e", "fossil"]),
)
protocolish = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.dictionaries(st.sampled_from(KEYS), inner, max_size=5),
        st.dictionaries(st.text(max_size=6), inner, max_size=2),
    ),
    max_leaves=12,
)
line = st.one_of(
    protocolish.map(json.dumps),
    st.dictionaries(st.sampled_from(KEYS), protocolish, max_size=4).map(json.dumps),
    st.text(max_size=40),
    st.just("{}"),
)
text_frame = st.tuples(st.lists(line, min_size=1, max_size=4), st.integers(0, 400)).map(
    lambda parts: "\n".join(parts[0])[: parts[1]] if parts[1] % 3 == 0 else "\n".join(parts[0])
)
frame = st.one_of(text_frame, st.binary(max_size=40))
frames = st.lists(frame, min_size=5, max_size=25)

CONNECTED = orjson.dumps(
    {"id": 1, "connect": {"client": "stub", "version": "stub", "ping": 25, "pong": True}}
)


class Feed:
    """The generated frames, each handed out once, across however many connections it takes."""

    def __init__(self, items: list[str | bytes]) -> None:
        self.items = list(items)
        self.used = 0
        self.drained = asyncio.Event()
        self.connections = 0

    def next(self) -> str | bytes | None:
        if self.used < len(self.items):
            self.used += 1
            return self.items[self.used - 1]
        self.drained.set()
        return None


class StubSocket:
    """What the client uses of websockets' ClientConnection: recv/send/close/ping, transport
    (abort), close_code/close_reason. Replies to connect and subscribe come first, then the
    feed's frames, then silence until closed."""

    _CLOSED = object()

    def __init__(self, feed: Feed) -> None:
        self.feed = feed
        self.replies: asyncio.Queue[Any] = asyncio.Queue()
        self.close_code: int | None = None
        self.close_reason = ""
        self.transport = self
        self._closed = False
        self._wake = asyncio.Event()

    def abort(self) -> None:
        self._close(1006)

    def _close(self, code: int) -> None:
        if not self._closed:
            self._closed = True
            self.close_code = code
            self._wake.set()

    async def recv(self, decode: bool = False) -> bytes:
        while True:
            if self._closed:
                raise ConnectionClosedError(None, None)
            if not self.replies.empty():
                return self.replies.get_nowait()  # type: ignore[no-any-return]
            item = self.feed.next()
            if item is not None:
                return item if isinstance(item, bytes) else item.encode()
            self._wake.clear()
            await self._wake.wait()

    async def send(self, message: bytes | str, text: bool = True) -> None:
        if self._closed:
            raise ConnectionClosedError(None, None)
        for raw in bytes(message if isinstance(message, bytes) else message.encode()).split(b"\n"):
            command = orjson.loads(raw)
            if "connect" in command:
                self.replies.put_nowait(CONNECTED.replace(b'"id":1', b'"id":%d' % command["id"]))
            elif "subscribe" in command:
                self.replies.put_nowait(
                    orjson.dumps(
                        {
                            "id": command["id"],
                            "subscribe": {"recoverable": True, "positioned": True, "epoch": "e"},
                        }
                    )
                )
            self._wake.set()

    async def close(self, code: int = 1000, reason: str = "") -> None:
        self._close(code)

    async def ping(self) -> Any:
        future = asyncio.get_running_loop().create_future()
        future.set_result(0.0)
        return future


class Totals:
    frames = 0
    examples = 0
    reconnects = 0
    errors = 0


async def run_frames(items: list[str | bytes], monkeypatch: pytest.MonkeyPatch) -> None:
    loop = asyncio.get_running_loop()
    unhandled: list[dict[str, Any]] = []
    loop.set_exception_handler(lambda _loop, context: unhandled.append(context))
    feed = Feed(items)

    async def stub_connect(url: str, **kwargs: Any) -> StubSocket:
        feed.connections += 1
        return StubSocket(feed)

    monkeypatch.setattr(client_module, "ws_connect", stub_connect)
    client = Client("ws://stub/connection/websocket", min_reconnect_delay=0, max_reconnect_delay=0)
    events = Events(client)
    stopped = asyncio.Event()
    client.on("disconnected", lambda e: stopped.set())
    try:
        await client.connect(timeout=5)
        await client.subscribe("chat:fuzz", timeout=5)
    except CentrifugoError as error:
        # The frames may carry a terminal code (a disconnect push, an unsubscribe push): a clean,
        # typed refusal, never anything else.
        assert isinstance(error, ConnectFailed | SubscriptionFailed), repr(error)
    async with asyncio.timeout(10):
        done = asyncio.ensure_future(feed.drained.wait())
        stop = asyncio.ensure_future(stopped.wait())
        await asyncio.wait([done, stop], return_when=asyncio.FIRST_COMPLETED)
        done.cancel()
        stop.cancel()
    if not stopped.is_set():
        await client.ready(5)  # the frames are used up: connected again
    await client.disconnect()
    loop.set_exception_handler(None)

    assert unhandled == []
    errors = events.of("error")
    assert not [e for e in errors if e.where in ("internal", "handler")], errors
    gone = events.of("disconnected")
    assert not [e for e in gone if e.reason.startswith("internal error")], gone
    dropped = [e for e in events.of("connecting") if e.code in (BAD_PROTOCOL, TRANSPORT_CLOSED)]
    explained = [e for e in errors if e.where in ("decode", "dispatch", "transport", "connect")]
    assert len(dropped) <= len(explained), (dropped, errors)
    Totals.frames += feed.used
    Totals.examples += 1
    Totals.reconnects += feed.connections - 1
    Totals.errors += len(errors)


@pytest.fixture
def quiet_log(caplog: pytest.LogCaptureFixture) -> None:
    """The client logs each malformed reply with its traceback (for --debug): thousands of them
    here, which only slow the run down."""
    caplog.set_level(logging.CRITICAL, logger="cfgo_tui.client")


@pytest.fixture
def totals() -> Iterator[type[Totals]]:
    Totals.frames = Totals.examples = Totals.reconnects = Totals.errors = 0
    yield Totals


def fuzz(examples: int, monkeypatch: pytest.MonkeyPatch, *, derandomize: bool = True) -> None:
    """`derandomize`: the same examples on every run (the default suite must be deterministic);
    the soak run explores new ones each time."""
    runner = asyncio.Runner()

    @settings(
        max_examples=examples,
        derandomize=derandomize,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(frames)
    def property_holds(items: list[str | bytes]) -> None:
        runner.run(run_frames(items, monkeypatch))

    try:
        property_holds()
    finally:
        runner.close()


def test_generated_frames_never_break_the_client(monkeypatch, totals, quiet_log):
    fuzz(600, monkeypatch)
    assert totals.frames > 600
    figures(
        "fuzzed frames (stub socket)",
        frames_fuzzed=totals.frames,
        examples=totals.examples,
        reconnects_survived=totals.reconnects,
        errors_reported=totals.errors,
    )


@pytest.mark.soak
@pytest.mark.timeout(900)
def test_soak_100k_generated_frames(monkeypatch, totals, quiet_log):
    while totals.frames < 100_000:
        fuzz(2000, monkeypatch, derandomize=False)
    figures(
        "fuzzed frames (stub socket, soak)",
        frames_fuzzed=totals.frames,
        examples=totals.examples,
        reconnects_survived=totals.reconnects,
        errors_reported=totals.errors,
    )
