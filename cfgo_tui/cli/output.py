"""Output of the headless commands: one JSON object per line (NDJSON) or a pretty line for people.

Every line is flushed as it is written so `cfgo-tui tail ... | jq` shows messages live. A reader
that goes away (`| head`) ends the command quietly instead of with a traceback.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Mapping
from typing import Any, Literal, TextIO

from cfgo_tui.client.events import (
    ClientInfo,
    ConnectedEvent,
    ConnectingEvent,
    DisconnectedEvent,
    ErrorEvent,
    Event,
    JoinEvent,
    LeaveEvent,
    PublicationEvent,
    StreamPosition,
    SubscribedEvent,
    SubscribingEvent,
    UnsubscribedEvent,
)
from cfgo_tui.client.redact import redact

Format = Literal["ndjson", "pretty"]
FORMATS: tuple[Format, ...] = ("ndjson", "pretty")


class OutputClosed(Exception):
    """stdout was closed by its reader (e.g. `| head`): stop producing, exit quietly."""


def info_dict(info: ClientInfo | None) -> dict[str, Any] | None:
    if info is None:
        return None
    out: dict[str, Any] = {"user": info.user, "client": info.client}
    if info.conn_info is not None:
        out["conn_info"] = info.conn_info
    if info.chan_info is not None:
        out["chan_info"] = info.chan_info
    return out


def publication_record(pub: PublicationEvent, *, source: str | None = None) -> dict[str, Any]:
    """The NDJSON object of one publication: the same keys whatever the channel or the source."""
    record: dict[str, Any] = {
        "channel": pub.channel,
        "offset": pub.offset,
        "data": pub.data,
        "info": info_dict(pub.info),
        "tags": pub.tags or {},
        "time": pub.time,
        "recovered": pub.recovered,
    }
    if source is not None:
        record["source"] = source
    return record


def position_record(position: StreamPosition | None) -> dict[str, Any] | None:
    if position is None:
        return None
    return {"offset": position.offset, "epoch": position.epoch}


def event_record(event: Event) -> dict[str, Any] | None:
    """The NDJSON object of a state, join/leave or error event (`tail --events`); None to skip."""
    match event:
        case ConnectingEvent(code=code, reason=reason, attempt=attempt, delay=delay):
            return {
                "event": "connecting",
                "code": code,
                "reason": reason,
                "attempt": attempt,
                "delay": round(delay, 3),
            }
        case ConnectedEvent(client_id=client_id, version=version):
            return {"event": "connected", "client": client_id, "version": version}
        case DisconnectedEvent(code=code, reason=reason):
            return {"event": "disconnected", "code": code, "reason": reason}
        case SubscribingEvent(channel=channel, code=code, reason=reason):
            return {"event": "subscribing", "channel": channel, "code": code, "reason": reason}
        case SubscribedEvent():
            return {
                "event": "subscribed",
                "channel": event.channel,
                "position": position_record(event.position),
                "was_recovering": event.was_recovering,
                "recovered": event.recovered,
                "recovered_count": event.recovered_count,
            }
        case UnsubscribedEvent(channel=channel, code=code, reason=reason):
            return {"event": "unsubscribed", "channel": channel, "code": code, "reason": reason}
        case JoinEvent(channel=channel, info=info):
            return {"event": "join", "channel": channel, "info": info_dict(info)}
        case LeaveEvent(channel=channel, info=info):
            return {"event": "leave", "channel": channel, "info": info_dict(info)}
        case ErrorEvent(where=where, message=message, code=code, channel=channel):
            return {
                "event": "error",
                "where": where,
                "code": code,
                "channel": channel,
                "message": message,
            }
    return None


def to_json(value: Any) -> str:
    """Compact JSON on one line; anything JSON cannot hold is shown as its string form."""
    return redact(json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str))


def _clock(ms: int) -> str:
    stamp = ms / 1000 if ms else time.time()
    return time.strftime("%H:%M:%S", time.localtime(stamp))


def pretty_line(record: Mapping[str, Any]) -> str:
    """`12:00:01 chat:room #42 alice {"text":"hi"}`: one readable line per record."""
    if "event" in record and record["event"] != "publication":
        rest = {k: v for k, v in record.items() if k not in ("event", "channel") and v is not None}
        where = f" {record['channel']}" if record.get("channel") else ""
        return f"{_clock(0)} -- {record['event']}{where} {to_json(rest)}"
    if "channel" in record and "data" in record:
        info = record.get("info") or {}
        who = info.get("user") or ("api" if not info else "anonymous")
        marks = " (recovered)" if record.get("recovered") else ""
        if record.get("source") == "history":
            marks += " (history)"
        offset = f" #{record['offset']}" if record.get("offset") else ""
        tags = f" tags={to_json(record['tags'])}" if record.get("tags") else ""
        return (
            f"{_clock(int(record.get('time') or 0))} {record['channel']}{offset} {who}"
            f"{marks} {to_json(record['data'])}{tags}"
        )
    return "  ".join(f"{k}={to_json(v)}" for k, v in record.items())


class Printer:
    """Writes records to stdout, one per line, flushed per line."""

    def __init__(self, fmt: Format = "ndjson", stream: TextIO | None = None) -> None:
        self.fmt = fmt
        self._stream = stream

    @property
    def stream(self) -> TextIO:
        # Looked up late so pytest's capsys (which swaps sys.stdout) sees the output.
        return self._stream if self._stream is not None else sys.stdout

    def emit(self, record: Mapping[str, Any]) -> None:
        line = to_json(record) if self.fmt == "ndjson" else pretty_line(record)
        try:
            self.stream.write(line + "\n")
            self.stream.flush()
        except BrokenPipeError as error:
            raise OutputClosed from error

    def text(self, line: str) -> None:
        try:
            self.stream.write(redact(line) + "\n")
            self.stream.flush()
        except BrokenPipeError as error:
            raise OutputClosed from error


def note(message: str) -> None:
    """A status line for people on stderr (reconnects, progress), never mixed into the data."""
    try:
        sys.stderr.write(f"cfgo-tui: {redact(message)}\n")
        sys.stderr.flush()
    except BrokenPipeError:
        pass
