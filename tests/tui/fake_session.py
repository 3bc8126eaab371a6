"""A scripted FAKE client session for deterministic app tests and snapshots (no network).

It has the shape of `cfgo_tui.client.Client` as far as the app uses it and emits the same event
dataclasses; what it emits is fixed by the test. End-to-end tests use the real client and server.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

from cfgo_tui.client.errors import ReplyError
from cfgo_tui.client.events import (
    ClientInfo,
    ConnectedEvent,
    ConnectingEvent,
    ErrorEvent,
    Event,
    HistoryResult,
    PresenceStats,
    PublicationEvent,
    StreamPosition,
    SubscribedEvent,
    SubscribingEvent,
    UnsubscribedEvent,
)


class FakeSubscription:
    def __init__(self, session: FakeSession, channel: str, options: dict[str, Any]) -> None:
        self.session = session
        self.channel = channel
        self.options = options

    async def subscribe(self) -> None:
        session = self.session
        session.emit(SubscribingEvent(self.channel))
        failure = session.failures.get(self.channel)
        get_token = self.options.get("get_token")
        if get_token is not None:
            await get_token(self.channel)
        if failure is not None:
            code, reason = failure
            session.emit(ErrorEvent("subscribe", reason, code=code, channel=self.channel))
            session.emit(UnsubscribedEvent(self.channel, code, reason))
            return
        session.emit(
            SubscribedEvent(
                self.channel,
                recoverable=bool(self.options.get("recoverable")),
                position=StreamPosition(session.offsets.get(self.channel, 0), "fake-epoch"),
            )
        )

    async def unsubscribe(self) -> None:
        self.session.emit(UnsubscribedEvent(self.channel, 0, "unsubscribe called"))


class FakeSession:
    """Emits `script` after connecting; subscriptions succeed unless listed in `failures`."""

    def __init__(
        self,
        script: list[Event] | None = None,
        *,
        clock: Callable[[], float] | None = None,
        failures: dict[str, tuple[int, str]] | None = None,
        presence: dict[str, dict[str, ClientInfo]] | None = None,
        history: dict[str, list[PublicationEvent]] | None = None,
        rtt: float = 0.0012,
    ) -> None:
        self.script = list(script or [])
        self.clock = clock or (lambda: 1_700_000_000.0)
        self.failures = dict(failures or {})
        self.presence_map = dict(presence or {})
        self.history_map = dict(history or {})
        self.offsets: dict[str, int] = {}
        self.rtt = rtt
        self.handlers: list[Callable[[Any], Any]] = []
        self.published: list[tuple[str, Any]] = []
        self.subscription_calls: list[tuple[str, dict[str, Any]]] = []  # new_subscription args
        self.connected = False

    def on(self, name: str, handler: Callable[[Any], Any]) -> FakeSession:
        assert name == "*", "the app registers one handler for every event"
        self.handlers.append(handler)
        return self

    def emit(self, event: Event) -> None:
        for handler in self.handlers:
            result = handler(event)
            assert not inspect.isawaitable(result)

    async def connect(self) -> None:
        self.emit(ConnectingEvent(0, "connect called"))
        self.emit(ConnectedEvent(client_id="5f2c9a4e-fake", version="6.9.1"))
        self.connected = True
        for event in self.script:
            self.emit(event)

    async def disconnect(self) -> None:
        self.connected = False

    def new_subscription(self, channel: str, **options: Any) -> FakeSubscription:
        self.subscription_calls.append((channel, dict(options)))
        return FakeSubscription(self, channel, options)

    async def publish(self, channel: str, data: Any) -> None:
        if channel in self.failures:
            code, reason = self.failures[channel]
            raise ReplyError(code, reason)
        self.published.append((channel, data))
        offset = self.offsets.get(channel, 0) + 1
        self.offsets[channel] = offset
        self.emit(
            PublicationEvent(
                channel,
                data,
                ClientInfo("alice", "5f2c9a4e-fake"),
                offset,
                received_at=self.clock(),
            )
        )

    async def presence(self, channel: str) -> dict[str, ClientInfo]:
        if channel.startswith("plain:"):
            raise ReplyError(108, "not available", method="presence")
        return dict(self.presence_map.get(channel, {}))

    async def presence_stats(self, channel: str) -> PresenceStats:
        entries = self.presence_map.get(channel, {})
        return PresenceStats(len(entries), len({info.user for info in entries.values()}))

    async def history(
        self, channel: str, *, limit: int = 0, since: Any = None, reverse: bool = False
    ) -> HistoryResult:
        pubs = sorted(self.history_map.get(channel, []), key=lambda p: p.offset)
        top = pubs[-1].offset if pubs else 0
        if since is not None:
            pubs = [
                p for p in pubs if (p.offset < since.offset if reverse else p.offset > since.offset)
            ]
        if reverse:
            pubs = list(reversed(pubs))
        return HistoryResult(channel, pubs[:limit] if limit > 0 else [], top, "fake-epoch")

    async def ping(self) -> float:
        return self.rtt


def sample_traffic(base: float = 1_700_000_000.0) -> list[Event]:
    """A fixed little scene: three channels, users, a recovered message and a lost state."""
    alice = ClientInfo("alice", "a1b2c3d4-0001", {"name": "Alice"})
    bob = ClientInfo("bob", "b5e6f7a8-0002")
    events: list[Event] = [
        SubscribedEvent("chat:lobby", recoverable=True, position=StreamPosition(40, "ep1")),
        SubscribedEvent("news", recoverable=True, position=StreamPosition(7, "ep2")),
        SubscribedEvent("$secret:vault", position=None),
    ]
    texts = ["hello", "how are you?", "fine, thanks", "see the dashboard", "deploy done"]
    for i in range(12):
        who = alice if i % 2 == 0 else bob
        events.append(
            PublicationEvent(
                "chat:lobby",
                {"user": who.user, "text": texts[i % len(texts)], "n": i},
                who,
                41 + i,
                received_at=base + i * 0.25,
                recovered=i < 2,
            )
        )
        if i % 4 == 0:
            events.append(
                PublicationEvent(
                    "news",
                    {"headline": f"Item {i}", "body": "x" * 120, "tags": ["a", "b"]},
                    None,
                    8 + i // 4,
                    received_at=base + i * 0.25 + 0.1,
                )
            )
    events.append(SubscribedEvent("news", recoverable=True, was_recovering=True, recovered=False))
    events.append(
        PublicationEvent("$secret:vault", {"balance": 1200}, alice, 0, received_at=base + 4.0)
    )
    return events
