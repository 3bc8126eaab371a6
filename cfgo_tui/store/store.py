"""The store: everything the app shows, kept outside the widgets.

The client's events land here (`Store.apply`, a plain sync handler for `client.on("*", ...)`):
per-channel ring buffers, counters, rates, presence, the frames and events logs. The UI reads it
on a timer and never holds the only copy of anything. No Textual, no Rich: tests drive it
directly.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from cfgo_tui.client.codes import describe
from cfgo_tui.client.events import (
    ClientInfo,
    ConnectedEvent,
    ConnectingEvent,
    DisconnectedEvent,
    ErrorEvent,
    Event,
    FrameEvent,
    JoinEvent,
    LeaveEvent,
    MessageEvent,
    PublicationEvent,
    RefreshEvent,
    StreamPosition,
    SubscribedEvent,
    SubscribingEvent,
    UnsubscribedEvent,
)
from cfgo_tui.client.redact import redact
from cfgo_tui.store.rates import RateMeter
from cfgo_tui.store.records import FrameRecord, LogLevel, LogRecord, Record, compact_json

DEFAULT_RETENTION = 10_000
# The frames log is for debugging: the last couple of thousand frames, and at most about 2 MB of
# text whatever their size. Under a flood each frame batches many publications (about 3 KB per
# frame at 200 B each), so a 16 MB cap took some 75k messages to fill and the app's memory kept
# growing long after the message buffers were full; with 2 MB it is full within the first few
# thousand messages and stays flat from there.
FRAMES_RETENTION = 2_000
FRAMES_MAX_CHARS = 2_000_000
LOG_RETENTION = 2_000
PRESENCE_LOG = 200


@dataclass(slots=True)
class SubscribeOptions:
    """What the user asked for when adding a channel."""

    recover: bool = True
    join_leave: bool = False
    delta: bool = False
    positioned: bool = False


def extra_detail(code: int, message: str) -> str:
    """`message` when it says more than the code's name and hint already do, else ""."""
    info = describe(code)
    text = message.strip()
    if not text or text == info.name or info.label() in text or (info.hint and info.hint in text):
        return ""
    return text


@dataclass(slots=True)
class ChannelError:
    """Why a channel is not subscribed: the code's name and hint travel with it."""

    code: int
    message: str
    where: str = "subscribe"

    @property
    def label(self) -> str:
        return describe(self.code).label()

    @property
    def hint(self) -> str:
        return describe(self.code).hint

    @property
    def detail(self) -> str:
        """What the server or client said beyond the code's name and hint."""
        return extra_detail(self.code, self.message)


@dataclass(slots=True)
class PresenceEntry:
    time: float
    kind: str  # "join" or "leave"
    info: ClientInfo


@dataclass(slots=True)
class ChannelState:
    name: str
    retention: int
    options: SubscribeOptions = field(default_factory=SubscribeOptions)
    state: str = "unsubscribed"  # subscribing / subscribed / unsubscribed
    code: int = 0
    reason: str = ""
    server_side: bool = False
    recoverable: bool = False
    epoch: str = ""
    last_offset: int = 0
    total: int = 0
    unread: int = 0
    error: ChannelError | None = None
    presence: dict[str, ClientInfo] = field(default_factory=dict)
    presence_known: bool = False
    presence_log: deque[PresenceEntry] = field(default_factory=lambda: deque(maxlen=PRESENCE_LOG))
    messages: deque[Record] = field(init=False)
    rate: RateMeter = field(default_factory=RateMeter)
    used_token: str | None = field(default=None, repr=False)  # for explaining failures

    def __post_init__(self) -> None:
        self.messages = deque(maxlen=self.retention)

    @property
    def private(self) -> bool:
        """`$` prefix: subscribable only with a subscription token (Centrifugo v6 too)."""
        return self.name.startswith("$")

    @property
    def position(self) -> StreamPosition | None:
        return StreamPosition(self.last_offset, self.epoch) if self.epoch else None


@dataclass(slots=True)
class ConnectionState:
    state: str = "disconnected"  # connecting / connected / disconnected
    code: int = 0
    reason: str = ""
    attempt: int = 0
    retry_at: float = 0.0
    client_id: str = ""
    version: str = ""
    rtt: float | None = None
    last_code: int | None = None  # the last non-zero code seen (shown by name)

    def retry_in(self, now: float) -> float:
        return max(0.0, self.retry_at - now)


class Store:
    """In-memory state of one session; `apply(event)` is the only writer for client events."""

    def __init__(
        self,
        retention: int = DEFAULT_RETENTION,
        *,
        clock: Callable[[], float] = time.time,
        frames_retention: int = FRAMES_RETENTION,
    ) -> None:
        if retention < 1:
            raise ValueError(f"retention must be at least 1 message per channel, got {retention}")
        self.retention = retention
        self.clock = clock
        self.channels: dict[str, ChannelState] = {}
        self.all_records: deque[Record] = deque(maxlen=retention)
        self.frames: deque[FrameRecord] = deque()
        self.frames_retention = frames_retention
        self.frames_bytes = 0  # a flood of batched frames is bounded by size, not just count
        self.log: deque[LogRecord] = deque(maxlen=LOG_RETENTION)
        self.connection = ConnectionState()
        self.rate = RateMeter()
        self.total = 0
        self.seq = 0  # last Record seq
        self.frame_seq = 0
        self.log_seq = 0
        self.channels_version = 0  # bumped when a channel's state (not its counters) changes
        self.presence_version = 0
        self.connection_version = 0
        self.selected: str | None = None  # None: all channels
        self.following = True
        self._handlers: dict[type[Event], Callable[[Any], None]] = {
            PublicationEvent: self._on_publication,
            FrameEvent: self._on_frame,
            ConnectingEvent: self._on_connecting,
            ConnectedEvent: self._on_connected,
            DisconnectedEvent: self._on_disconnected,
            ErrorEvent: self._on_error,
            SubscribingEvent: self._on_subscribing,
            SubscribedEvent: self._on_subscribed,
            UnsubscribedEvent: self._on_unsubscribed,
            JoinEvent: self._on_join,
            LeaveEvent: self._on_leave,
            MessageEvent: self._on_message,
            RefreshEvent: self._on_refresh,
        }

    # writers
    def apply(self, event: Event) -> None:
        if type(event) is PublicationEvent:  # the hot path skips the dispatch table
            self._on_publication(event)
            return
        handler = self._handlers.get(type(event))
        if handler is not None:
            handler(event)

    def channel(self, name: str, options: SubscribeOptions | None = None) -> ChannelState:
        """The state of `name`, created on first use."""
        state = self.channels.get(name)
        if state is None:
            state = ChannelState(name, self.retention, options or SubscribeOptions())
            self.channels[name] = state
            self.channels_version += 1
        elif options is not None:
            state.options = options
        return state

    def remove_channel(self, name: str) -> None:
        if self.channels.pop(name, None) is not None:
            self.channels_version += 1
            if self.selected == name:
                self.selected = None

    def select(self, name: str | None) -> None:
        self.selected = name
        self.mark_read()
        self.channels_version += 1

    def set_following(self, following: bool) -> None:
        self.following = following
        if following:
            self.mark_read()

    def mark_read(self) -> None:
        for state in self.viewed_channels():
            state.unread = 0

    def viewed_channels(self) -> list[ChannelState]:
        if self.selected is None:
            return list(self.channels.values())
        state = self.channels.get(self.selected)
        return [state] if state else []

    def note(
        self, level: LogLevel, text: str, *, code: int | None = None, channel: str = ""
    ) -> None:
        """Add a line to the events log (also used by the UI for user actions and their answers)."""
        self.log_seq += 1
        hint = describe(code).hint if code else ""
        self.log.append(
            LogRecord(self.log_seq, self.clock(), level, redact(text), code, hint, channel or None)
        )

    def set_rtt(self, rtt: float | None) -> None:
        self.connection.rtt = rtt
        self.connection_version += 1

    def set_presence(self, channel: str, presence: dict[str, ClientInfo]) -> None:
        state = self.channel(channel)
        state.presence = dict(presence)
        state.presence_known = True
        self.presence_version += 1

    # readers
    def records(self, channel: str | None) -> deque[Record]:
        """The ring buffer behind the live pane for `channel` (None: all channels)."""
        if channel is None:
            return self.all_records
        state = self.channels.get(channel)
        return state.messages if state else deque()

    def total_rate(self) -> float:
        return self.rate.rate(self.clock())

    # event handlers (hot path first)
    def _on_publication(self, event: PublicationEvent) -> None:
        channel = event.channel
        state = self.channels.get(channel)
        if state is None:
            state = self.channel(channel)
        now = event.received_at or self.clock()
        self.seq = seq = self.seq + 1
        info = event.info
        if info is None:
            record = Record(seq, "publication", channel, now, event.data, event.offset)
        else:
            record = Record(
                seq, "publication", channel, now, event.data, event.offset, info.user, info.client
            )
        if event.recovered:
            record.recovered = True
        if event.tags is not None:
            record.tags = event.tags
        state.messages.append(record)
        self.all_records.append(record)
        state.total += 1
        self.total += 1
        state.rate.add(now)
        self.rate.add(now)
        if event.offset:
            state.last_offset = event.offset
        if not (self.following and (self.selected is None or self.selected == channel)):
            state.unread += 1

    def _on_frame(self, event: FrameEvent) -> None:
        self.frame_seq += 1
        frames = self.frames
        frames.append(FrameRecord(self.frame_seq, event.direction, event.text, event.time))
        self.frames_bytes += len(event.text)
        while len(frames) > 1 and (
            len(frames) > self.frames_retention or self.frames_bytes > FRAMES_MAX_CHARS
        ):
            self.frames_bytes -= len(frames.popleft().text)

    def _marker(self, state: ChannelState, kind: Any, note: str) -> None:
        self.seq += 1
        record = Record(self.seq, kind, state.name, self.clock(), note=note)
        state.messages.append(record)
        self.all_records.append(record)

    def _on_connecting(self, event: ConnectingEvent) -> None:
        conn = self.connection
        conn.state = "connecting"
        conn.code, conn.reason, conn.attempt = event.code, event.reason, event.attempt
        conn.retry_at = self.clock() + event.delay if event.delay else 0.0
        if event.code:
            conn.last_code = event.code
            self.note(
                "warning",
                f"reconnecting: {describe(event.code).label()} ({event.reason})",
                code=event.code,
            )
        else:
            self.note("info", "connecting")
        self.connection_version += 1

    def _on_connected(self, event: ConnectedEvent) -> None:
        conn = self.connection
        conn.state = "connected"
        conn.client_id, conn.version = event.client_id, event.version
        conn.retry_at = 0.0
        conn.attempt = 0
        self.note("info", f"connected: client {event.client_id}, server {event.version or '?'}")
        self.connection_version += 1

    def _on_disconnected(self, event: DisconnectedEvent) -> None:
        conn = self.connection
        conn.state = "disconnected"
        conn.code, conn.reason = event.code, event.reason
        conn.retry_at = 0.0
        if event.code:
            conn.last_code = event.code
        level: LogLevel = "info" if event.code in (0, 1) else "error"
        self.note(
            level, f"disconnected: {describe(event.code).label()} ({event.reason})", code=event.code
        )
        for state in self.channels.values():
            if state.state == "subscribing" and state.used_token and event.code >= 3000:
                # the server answers a bad subscription token by closing the connection (3500):
                # keep the reason on the channel so its token can be explained there
                state.error = ChannelError(event.code, event.reason, "disconnect")
            if state.state != "unsubscribed" and event.code not in (0, 1):
                state.state = "unsubscribed"
        self.channels_version += 1
        self.connection_version += 1

    def _on_error(self, event: ErrorEvent) -> None:
        where = f"{event.channel}: " if event.channel else ""
        if event.code is None:
            text = f"{event.where} error: {where}{event.message}"
        else:
            label = describe(event.code).label()
            extra = extra_detail(event.code, event.message)
            text = f"{event.where} error: {where}{label}" + (f" ({extra})" if extra else "")
        self.note(
            "error",
            text,
            code=event.code,
            channel=event.channel or "",
        )
        if event.channel and event.code is not None:
            state = self.channel(event.channel)
            state.error = ChannelError(event.code, event.message, event.where)
            self.channels_version += 1
        if event.channel is None and event.code is not None:
            self.connection.last_code = event.code
            self.connection_version += 1

    def _on_subscribing(self, event: SubscribingEvent) -> None:
        state = self.channel(event.channel)
        state.state = "subscribing"
        state.code, state.reason = event.code, event.reason
        self.channels_version += 1

    def _on_subscribed(self, event: SubscribedEvent) -> None:
        state = self.channel(event.channel)
        state.state = "subscribed"
        state.code, state.reason = 0, ""
        state.error = None
        state.server_side = event.server_side
        state.recoverable = event.recoverable
        if event.position is not None:
            state.epoch = event.position.epoch
            state.last_offset = max(state.last_offset, event.position.offset)
        text = f"subscribed to {event.channel}"
        if event.was_recovering:
            text += f" (recovered {event.recovered_count})" if event.recovered else " (state lost)"
        if event.state_lost:
            self._marker(state, "state_lost", "state lost: publications may be missing here")
            self.note(
                "warning", f"{event.channel}: recovery failed, state lost", channel=event.channel
            )
        else:
            self.note("info", text, channel=event.channel)
        self.channels_version += 1

    def _on_unsubscribed(self, event: UnsubscribedEvent) -> None:
        state = self.channels.get(event.channel)
        if state is None:
            return  # removed by the user: its last event must not bring it back
        state.state = "unsubscribed"
        state.code, state.reason = event.code, event.reason
        state.presence_known = False
        if event.code not in (0, 1) and state.error is None:
            # includes a terminal disconnect (e.g. 3500 for a bad subscription token) that the
            # client reports on the subscription before the connection's own event
            state.error = ChannelError(event.code, event.reason, "unsubscribe")
        level: LogLevel = "info" if event.code in (0, 1) else "warning"
        self.note(
            level,
            f"unsubscribed from {event.channel}: {describe(event.code).label()} ({event.reason})",
            code=event.code or None,
            channel=event.channel,
        )
        self.channels_version += 1

    def _on_join(self, event: JoinEvent) -> None:
        state = self.channel(event.channel)
        state.presence[event.info.client] = event.info
        state.presence_log.append(PresenceEntry(self.clock(), "join", event.info))
        self.presence_version += 1

    def _on_leave(self, event: LeaveEvent) -> None:
        state = self.channel(event.channel)
        state.presence.pop(event.info.client, None)
        state.presence_log.append(PresenceEntry(self.clock(), "leave", event.info))
        self.presence_version += 1

    def _on_message(self, event: MessageEvent) -> None:
        self.note("info", f"message push: {compact_json(event.data)}")

    def _on_refresh(self, event: RefreshEvent) -> None:
        what = f"subscription token for {event.channel}" if event.channel else "connection token"
        self.note("info", f"{what} refreshed (ttl {event.ttl} s)", channel=event.channel or "")
