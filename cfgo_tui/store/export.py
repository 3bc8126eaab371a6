"""NDJSON export of a buffer: one JSON object a line, secrets redacted."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import orjson

from cfgo_tui.client.redact import redact
from cfgo_tui.store.records import Record


def record_line(record: Record) -> str:
    """The NDJSON line for one record (publications only carry data; markers carry a note)."""
    obj: dict[str, object] = {
        "channel": record.channel,
        "kind": record.kind,
        "received_at": round(record.received_at, 6),
    }
    if record.is_publication:
        obj["offset"] = record.offset
        obj["data"] = record.data
        if record.user or record.client:
            obj["info"] = {"user": record.user, "client": record.client}
        if record.tags:
            obj["tags"] = record.tags
        if record.recovered:
            obj["recovered"] = True
    if record.note:
        obj["note"] = record.note
    try:
        text = orjson.dumps(obj, option=orjson.OPT_NON_STR_KEYS).decode()
    except TypeError:
        obj["data"] = repr(record.data)
        text = orjson.dumps(obj, option=orjson.OPT_NON_STR_KEYS).decode()
    return redact(text)


def export_ndjson(records: Iterable[Record], path: Path) -> int:
    """Write `records` to `path` (created or replaced); returns how many lines were written."""
    count = 0
    with path.open("w", encoding="utf-8") as out:
        for record in records:
            out.write(record_line(record))
            out.write("\n")
            count += 1
    return count
