"""What the store keeps: one small record per thing the panes show.

Records are created once per message on the hot path, so they are slotted and carry the raw data;
the compact JSON text is computed lazily (only records that are drawn or filtered pay for it).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

import orjson

RecordKind = Literal["publication", "state_lost", "join", "leave", "subscribed", "unsubscribed"]


def compact_json(data: Any) -> str:
    """One-line JSON for display, filtering and export; non-JSON values fall back to repr."""
    try:
        return orjson.dumps(data, option=orjson.OPT_NON_STR_KEYS).decode()
    except TypeError:
        return repr(data)


@dataclass(slots=True)
class Record:
    """A line of the live pane: a publication or a marker (state lost, join, leave, ...)."""

    seq: int
    kind: RecordKind
    channel: str
    received_at: float
    data: Any = None
    offset: int = 0
    user: str = ""
    client: str = ""
    recovered: bool = False
    tags: dict[str, str] | None = None
    note: str = ""
    _json: str | None = field(default=None, repr=False, compare=False)

    @property
    def json_text(self) -> str:
        if self._json is None:
            self._json = compact_json(self.data)
        return self._json

    @property
    def is_publication(self) -> bool:
        return self.kind == "publication"

    def as_dict(self) -> dict[str, Any]:
        """The record as filters and exports see it (the names a user types in a field path)."""
        return {
            "kind": self.kind,
            "channel": self.channel,
            "offset": self.offset,
            "data": self.data,
            "info": {"user": self.user, "client": self.client},
            "user": self.user,
            "client": self.client,
            "tags": self.tags or {},
            "recovered": self.recovered,
            "received_at": self.received_at,
            "note": self.note,
        }


@dataclass(slots=True)
class FrameRecord:
    """A raw frame in or out, already redacted by the client."""

    seq: int
    direction: Literal["in", "out"]
    text: str
    time: float


LogLevel = Literal["info", "warning", "error"]


@dataclass(slots=True)
class LogRecord:
    """A state change or an error for the events log, with the code's name and hint when known."""

    seq: int
    time: float
    level: LogLevel
    text: str
    code: int | None = None
    hint: str = ""
    channel: str | None = None
