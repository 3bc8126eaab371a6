"""`cfgo-tui tail CHANNEL...`: publications as NDJSON on stdout, live, across reconnects.

Gapless by construction: the client resubscribes with recovery after every reconnect and
delivers recovered publications before live ones, each once. `--history N` subscribes first
(holding live publications back), reads the N publications up to the subscription's position,
prints them, then what arrived meanwhile: no gap, no duplicate, and it works in namespaces that
allow history to subscribers only.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import os
import sys
from dataclasses import dataclass, field
from typing import Any

from cfgo_tui.cli.common import (
    Subparsers,
    add_command,
    channel_spec,
    connect_limit,
    connect_within,
    load_profile,
    make_client_for,
    reported,
    setup_debug_log,
)
from cfgo_tui.cli.errors import CliError, UsageError
from cfgo_tui.cli.output import (
    FORMATS,
    OutputClosed,
    Printer,
    event_record,
    note,
    publication_record,
)
from cfgo_tui.cli.parsing import non_negative_float, position_arg, positive_int
from cfgo_tui.client.codes import describe
from cfgo_tui.client.events import (
    ConnectedEvent,
    ConnectingEvent,
    DisconnectedEvent,
    ErrorEvent,
    Event,
    FrameEvent,
    PublicationEvent,
    StreamPosition,
    SubscribedEvent,
    UnsubscribedEvent,
)
from cfgo_tui.config.factory import expand_channel, subscribe_options
from cfgo_tui.config.models import ChannelSpec, Profile


def register(subparsers: Subparsers) -> None:
    parser = add_command(
        subparsers,
        "tail",
        "print publications of channels as they arrive (NDJSON)",
        "Subscribe to CHANNEL... and print one JSON object per publication on stdout (channel, "
        "offset, data, info, tags, time, recovered), flushed per line so `| jq` works live. "
        "Reconnects and recovers by itself, saying so on stderr.",
    )
    parser.add_argument("channels", nargs="+", metavar="CHANNEL")
    parser.add_argument("--count", type=positive_int, metavar="N", help="stop after N publications")
    parser.add_argument(
        "--timeout",
        type=non_negative_float,
        metavar="S",
        help="stop after S seconds (with --count: fail if fewer than N arrived)",
    )
    parser.add_argument(
        "--history",
        type=positive_int,
        metavar="N",
        help="first print the last N publications of each channel, then continue live",
    )
    parser.add_argument(
        "--since",
        type=position_arg,
        metavar="OFFSET:EPOCH",
        help="start after this stream position (recovers what came after it)",
    )
    parser.add_argument("--format", choices=FORMATS, default="ndjson", help="output format")
    parser.add_argument(
        "--events",
        action="store_true",
        help="also print state changes, join/leave and errors as lines with an `event` key "
        "(channels the profile does not list ask the server for join/leave)",
    )
    parser.set_defaults(handler=run)


@dataclass
class _Tail:
    """What the handlers share: the printer, the count, and how the run ends."""

    printer: Printer
    events: bool
    count: int | None
    channels: set[str]
    printed: int = 0
    done: asyncio.Event = field(default_factory=asyncio.Event)
    failure: str | None = None
    lost_connection: bool = False
    connected_once: bool = False  # failures before the first connect are reported once, at the end
    subscribed_once: set[str] = field(default_factory=set)
    held: dict[str, list[PublicationEvent]] = field(default_factory=dict)

    def publication(self, event: PublicationEvent, *, source: str | None = None) -> None:
        held = self.held.get(event.channel)
        if held is not None and source is None:
            held.append(event)
            return
        if self.done.is_set():
            return
        record = publication_record(event, source=source)
        if self.events:
            record = {"event": "publication", **record}
        self._emit(record)
        self.printed += 1
        if self.count is not None and self.printed >= self.count:
            self.done.set()

    def hold(self, channel: str) -> None:
        """Keep live publications of `channel` back until its history page is printed."""
        self.held[channel] = []

    def release(self, channel: str, history: list[PublicationEvent]) -> None:
        """Print the history page (oldest first), then what arrived live meanwhile, each offset
        once: live publications the page already holds are dropped."""
        live = self.held.pop(channel, [])
        last = 0
        for pub in history:
            self.publication(pub, source="history")
            last = max(last, pub.offset)
        for pub in live:
            if not pub.offset or pub.offset > last:
                self.publication(pub)

    def _emit(self, record: dict[str, Any]) -> None:
        try:
            self.printer.emit(record)
        except OutputClosed:
            self.done.set()

    def on_event(self, event: Event) -> None:
        if isinstance(event, PublicationEvent):
            self.publication(event)
            return
        if isinstance(event, FrameEvent):
            return
        self._status(event)
        if self.events and not self.done.is_set():
            record = event_record(event)
            if record is not None:
                self._emit(record)

    def _status(self, event: Event) -> None:
        """Reconnects and losses are worth a line on stderr even without --events."""
        if isinstance(event, ConnectingEvent) and event.code != 0 and self.connected_once:
            self.lost_connection = True
            note(
                f"connection lost ({describe(event.code).label()}: {event.reason}); "
                f"reconnecting in {event.delay:.1f}s"
            )
        elif isinstance(event, ConnectedEvent):
            self.connected_once = True
            if self.lost_connection:
                self.lost_connection = False
                note("reconnected")
        elif isinstance(event, SubscribedEvent) and event.channel in self.channels:
            again = event.channel in self.subscribed_once
            self.subscribed_once.add(event.channel)
            if event.state_lost:
                when = "while disconnected" if again else "since the requested position"
                note(
                    f"{event.channel}: could not recover what was published {when} (history "
                    "too short or stream reset): publications may be missing here"
                )
            elif again and event.was_recovering:
                note(f"{event.channel}: recovered {event.recovered_count} missed publications")
        elif isinstance(event, UnsubscribedEvent) and event.channel in self.channels:
            info = describe(event.code)
            if not info.retry:
                self.fail(f"{event.channel}: unsubscribed: {info.label()}: {event.reason}")
        elif isinstance(event, DisconnectedEvent) and not self.done.is_set():
            self.fail(f"disconnected: {describe(event.code).label()}: {event.reason}")
        elif isinstance(event, ErrorEvent) and event.where == "gap":
            note(f"{event.channel}: {event.message}")  # missing offsets: never silent

    def fail(self, message: str) -> None:
        if self.failure is None:
            self.failure = message
        self.done.set()


def _tail_spec(profile: Profile, name: str, *, events: bool) -> ChannelSpec:
    """The profile's spec for a channel it lists (its `join_leave` as configured), else
    defaults that ask for join/leave with --events: a namespace with `join_leave` but without
    `force_push_join_leave` pushes them only to subscriptions that ask (and may see presence);
    elsewhere the server ignores the request."""
    spec = channel_spec(profile, name)
    configured = any(listed.name == name for listed in profile.channels)
    if events and not configured:
        spec = dataclasses.replace(spec, join_leave=True)
    return spec


async def _subscribe_all(
    client: Any, profile: Profile, args: argparse.Namespace, tail: _Tail
) -> None:
    for name in args.channels:
        spec = _tail_spec(profile, name, events=args.events)
        channel = expand_channel(profile, spec, client) if spec.templated else name
        tail.channels.add(channel)
        options = subscribe_options(profile, spec, client)
        if args.since is not None:
            options["since"] = args.since
            options["recoverable"] = True
        if not args.history:
            await client.subscribe(channel, **options)
            continue
        # Subscribe first (history may be allowed to subscribers only), holding live
        # publications back; then read the page that ends at the subscription's position.
        tail.hold(channel)
        options["positioned"] = True
        sub = await client.subscribe(channel, **options)
        top: StreamPosition | None = sub.position
        since = StreamPosition(top.offset + 1, top.epoch) if top is not None else None
        page = await client.history(channel, limit=args.history, reverse=True, since=since)
        tail.release(channel, list(reversed(page.publications)))


async def run(args: argparse.Namespace) -> int:
    profile = load_profile(args)
    setup_debug_log(args)
    if args.since is not None and args.history:
        raise UsageError("--since and --history both choose where to start: use one of them")
    if args.since is not None and len(args.channels) > 1:
        raise UsageError("--since is a position in one channel's stream: give a single CHANNEL")
    tail = _Tail(Printer(args.format), args.events, args.count, set())
    with reported("tail"):
        client = make_client_for(profile)
    client.on("*", tail.on_event)
    try:
        with reported("tail"):
            await connect_within(client, connect_limit(profile))
            await _subscribe_all(client, profile, args, tail)
        try:
            async with asyncio.timeout(args.timeout):
                await tail.done.wait()
        except TimeoutError:
            if args.count is not None:
                raise CliError(
                    f"tail: {tail.printed} of {args.count} publications within {args.timeout:g}s"
                ) from None
    finally:
        tail.done.set()  # what follows is our own disconnect, not a failure to report
        await client.disconnect()
    if tail.failure:
        raise CliError(f"tail: {tail.failure}")
    _quiet_closed_stdout()
    return 0


def _quiet_closed_stdout() -> None:
    """After `| head` closed the pipe, the interpreter's final flush would print a traceback."""
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        with contextlib.suppress(OSError):
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
