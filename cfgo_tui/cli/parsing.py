"""Parsing of command arguments that argparse cannot check alone: JSON payloads and positions."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from cfgo_tui.cli.errors import UsageError
from cfgo_tui.client.events import StreamPosition


def parse_json_payload(text: str, *, source: str = "DATA") -> Any:
    """`text` as JSON, or a UsageError naming the line and column of the mistake."""
    if not text.strip():
        raise UsageError(f'{source} is empty: expected a JSON value such as \'{{"text": "hi"}}\'')
    try:
        return json.loads(text, parse_constant=_no_constant)
    except json.JSONDecodeError as error:
        raise UsageError(
            f"{source} is not valid JSON: {error.msg} at line {error.lineno} column {error.colno}"
        ) from None
    except ValueError as error:
        raise UsageError(f"{source} is not valid JSON: {error}") from None


def _no_constant(name: str) -> Any:
    """Python's json accepts NaN and Infinity; JSON (and the server) does not."""
    raise ValueError(f"{name} is not a JSON value (use null or a number)")


def read_payload(data: str | None, *, stdin_name: str = "stdin") -> Any:
    """DATA from the argument, or from stdin when it is `-` or absent."""
    if data is None or data == "-":
        if data is None and sys.stdin.isatty():
            raise UsageError("no DATA given: pass a JSON value, or `-` to read it from stdin")
        return parse_json_payload(sys.stdin.read(), source=stdin_name)
    return parse_json_payload(data)


def parse_position(text: str) -> StreamPosition:
    """`OFFSET:EPOCH` (the form `tail`/`history` print) as a stream position."""
    offset_text, sep, epoch = text.partition(":")
    if not sep or not epoch:
        raise UsageError(
            f"--since {text!r}: expected OFFSET:EPOCH, e.g. 42:gSyZ (offset and epoch of the "
            "stream, as printed by `cfgo-tui history`)"
        )
    try:
        offset = int(offset_text)
    except ValueError:
        offset = -1
    if offset < 0:
        raise UsageError(f"--since {text!r}: the offset {offset_text!r} is not a whole number >= 0")
    return StreamPosition(offset, epoch)


def position_arg(text: str) -> StreamPosition:
    """argparse `type=` for OFFSET:EPOCH (argparse reports the error as a usage error)."""
    try:
        return parse_position(text)
    except UsageError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number >= 1")
    return value


def non_negative_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if value < 0:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds >= 0")
    return value
