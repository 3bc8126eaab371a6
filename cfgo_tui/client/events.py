"""Typed events the client emits. `client.on(Event.name, handler)`; `"*"` receives all of them.

These dataclasses are the whole contract between the client and everything above it (the TUI
store, the headless commands, benchmarks): nothing above the client reads wire dicts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal


@dataclass(frozen=True, slots=True)
class ClientInfo:
    """Who is behind a publication, a join, a leave or a presence entry."""

    user: str
    client: str
    conn_info: Any = None
    chan_info: Any = None


@dataclass(frozen=True, slots=True)
class StreamPosition:
    offset: int
    epoch: str


@dataclass(frozen=True, slots=True)
class Event:
    name: ClassVar[str] = "event"


@dataclass(frozen=True, slots=True)
class ConnectingEvent(Event):
    """Connecting for the first time or again; `code`/`reason` say why (0 = first connect)."""

    name: ClassVar[str] = "connecting"
    code: int
    reason: str
    attempt: int = 0
    delay: float = 0.0  # seconds until the next attempt when reconnecting


@dataclass(frozen=True, slots=True)
class ConnectedEvent(Event):
    name: ClassVar[str] = "connected"
    client_id: str
    version: str
    expires: bool = False
    ttl: int = 0
    data: Any = None
    url: str = ""  # which server answered (a list of URLs fails over between them)
    ping: int = 0  # server ping interval in seconds (0: the server sends no pings)


@dataclass(frozen=True, slots=True)
class DisconnectedEvent(Event):
    """Terminal: the client stopped (by `disconnect()` or a code that forbids reconnecting)."""

    name: ClassVar[str] = "disconnected"
    code: int
    reason: str


@dataclass(frozen=True, slots=True)
class ErrorEvent(Event):
    """Something went wrong that the user should see; the client carries on where it can.

    `where` names the step: "connect", "transport", "decode", "subscribe", "refresh",
    "sub_refresh", "token", "handler", ...
    """

    name: ClassVar[str] = "error"
    where: str
    message: str
    code: int | None = None
    channel: str | None = None
    error: BaseException | None = field(default=None, compare=False)


@dataclass(frozen=True, slots=True)
class SubscribingEvent(Event):
    name: ClassVar[str] = "subscribing"
    channel: str
    code: int = 0
    reason: str = ""
    server_side: bool = False


@dataclass(frozen=True, slots=True)
class SubscribedEvent(Event):
    """Subscribed (or resubscribed). `was_recovering and not recovered` means state was lost."""

    name: ClassVar[str] = "subscribed"
    channel: str
    recoverable: bool = False
    positioned: bool = False
    position: StreamPosition | None = None
    was_recovering: bool = False
    recovered: bool = False
    recovered_count: int = 0
    server_side: bool = False
    delta: bool = False
    expires: bool = False
    ttl: int = 0
    data: Any = None

    @property
    def state_lost(self) -> bool:
        return self.was_recovering and not self.recovered


@dataclass(frozen=True, slots=True)
class UnsubscribedEvent(Event):
    name: ClassVar[str] = "unsubscribed"
    channel: str
    code: int
    reason: str
    server_side: bool = False


@dataclass(frozen=True, slots=True)
class PublicationEvent(Event):
    name: ClassVar[str] = "publication"
    channel: str
    data: Any
    info: ClientInfo | None = None
    offset: int = 0
    tags: dict[str, str] | None = None
    time: int = 0  # server time in ms when the server set it
    recovered: bool = False  # delivered from the subscribe reply's recovered publications
    received_at: float = 0.0  # time.time() when the frame arrived


@dataclass(frozen=True, slots=True)
class JoinEvent(Event):
    name: ClassVar[str] = "join"
    channel: str
    info: ClientInfo


@dataclass(frozen=True, slots=True)
class LeaveEvent(Event):
    name: ClassVar[str] = "leave"
    channel: str
    info: ClientInfo


@dataclass(frozen=True, slots=True)
class MessageEvent(Event):
    """An async `message` push (server-to-client message; centrifuge-python drops these)."""

    name: ClassVar[str] = "message"
    data: Any


@dataclass(frozen=True, slots=True)
class RefreshEvent(Event):
    """A token was refreshed: the connection token (`channel` None) or a subscription token."""

    name: ClassVar[str] = "refresh"
    channel: str | None
    expires: bool
    ttl: int


@dataclass(frozen=True, slots=True)
class FrameEvent(Event):
    """A raw frame in or out, tokens and secrets already redacted (the old client's debug_ws)."""

    name: ClassVar[str] = "frame"
    direction: Literal["in", "out"]
    text: str
    time: float


@dataclass(frozen=True, slots=True)
class PresenceStats:
    """`presence_stats(channel)`: how many connections and distinct users are in the channel."""

    num_clients: int
    num_users: int


@dataclass(frozen=True, slots=True)
class HistoryResult:
    """A page of a channel's history and the position of the stream's top (newest offset)."""

    channel: str
    publications: list[PublicationEvent]
    offset: int
    epoch: str

    @property
    def position(self) -> StreamPosition:
        return StreamPosition(self.offset, self.epoch)


EVENT_TYPES: tuple[type[Event], ...] = (
    ConnectingEvent,
    ConnectedEvent,
    DisconnectedEvent,
    ErrorEvent,
    SubscribingEvent,
    SubscribedEvent,
    UnsubscribedEvent,
    PublicationEvent,
    JoinEvent,
    LeaveEvent,
    MessageEvent,
    RefreshEvent,
    FrameEvent,
)
EVENT_NAMES: frozenset[str] = frozenset(event.name for event in EVENT_TYPES)
