"""Frame encoding and decoding for the JSON flavour of the Centrifugo protocol v2.

A frame holds one or more JSON objects separated by newlines, in both directions. Commands are
serialized compactly (a pretty-printed command would contain newlines and break the server's line
decoder).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import orjson

__all__ = ["DecodeError", "decode_frame", "encode_command", "join_lines"]


class DecodeError(ValueError):
    """A frame that is not newline-delimited JSON objects."""


def encode_command(command: dict[str, Any]) -> bytes:
    """One command as one compact JSON line (no trailing newline)."""
    return orjson.dumps(command)


def join_lines(lines: Iterable[bytes]) -> bytes:
    """Several encoded commands as one frame."""
    return b"\n".join(lines)


def decode_frame(frame: bytes | str) -> list[Any]:
    """All JSON objects in one frame, in order.

    JSON strings cannot contain a raw newline, so a multi-line frame becomes one JSON array by
    replacing the separators with commas: one parser call per frame instead of one per line.
    """
    frame = frame.strip()
    if not frame:
        return []
    sep: bytes | str = b"\n" if isinstance(frame, bytes) else "\n"
    try:
        if sep not in frame:  # type: ignore[operator]
            return [orjson.loads(frame)]
        if isinstance(frame, bytes):
            return orjson.loads(b"[" + frame.replace(b"\n", b",") + b"]")  # type: ignore[no-any-return]
        return orjson.loads("[" + frame.replace("\n", ",") + "]")  # type: ignore[no-any-return]
    except orjson.JSONDecodeError:
        pass
    # Blank lines between objects (never sent by Centrifugo, tolerated anyway).
    try:
        return [orjson.loads(line) for line in frame.split(sep) if line.strip()]  # type: ignore[arg-type]
    except orjson.JSONDecodeError as exc:
        raise DecodeError(f"frame is not newline-delimited JSON: {exc}") from None
