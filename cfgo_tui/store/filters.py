"""Filters for the live pane, typed by the user as they go.

Three forms, picked from the text itself:

- `jp:EXPR` (or `?EXPR`): a JMESPath expression over the record (`data`, `channel`, `offset`,
  `info.user`, `info.client`, `tags`, `recovered`); a record matches when the result is truthy.
- `PATH OP VALUE`: a field path such as `data.user == "bob"` or `offset >= 10`; OP is one of
  `==`, `!=`, `>=`, `<=`, `>`, `<`, `~=` (substring); VALUE is JSON (`"bob"`, `3`, `true`) or bare
  text.
- anything else: a case-insensitive substring of the channel, the publisher or the JSON.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import jmespath
import orjson
from jmespath.exceptions import JMESPathError

from cfgo_tui.store.records import Record, compact_json

_FIELD_EXPR = re.compile(
    r"^\s*(?P<path>[A-Za-z_][\w]*(?:(?:\.[\w]+)|(?:\[-?\d+\]))*)\s*"
    r"(?P<op>==|!=|>=|<=|~=|>|<)\s*(?P<value>.+?)\s*$"
)
_PATH_PART = re.compile(r"\.?([A-Za-z_\w]+)|\[(-?\d+)\]")
_MISSING = object()


class FilterError(ValueError):
    """The filter text is not valid; the message says what is expected."""


@dataclass(frozen=True, slots=True)
class Filter:
    """A compiled filter: `matches(record)`; `text` and `kind` describe it for the UI."""

    text: str
    kind: str  # "substring", "field" or "jmespath"
    predicate: Callable[[Record], bool]

    def matches(self, record: Record) -> bool:
        try:
            return self.predicate(record)
        except Exception:  # a filter must never break the pane: a record it cannot judge is out
            return False


def compile_filter(text: str) -> Filter | None:
    """`None` for an empty filter; raises FilterError with a user-facing message."""
    stripped = text.strip()
    if not stripped:
        return None
    if stripped.startswith(("jp:", "?")):
        expression = stripped[3:] if stripped.startswith("jp:") else stripped[1:]
        return _jmespath_filter(text, expression.strip())
    match = _FIELD_EXPR.match(stripped)
    if match:
        return _field_filter(text, match["path"], match["op"], match["value"])
    return _substring_filter(text, stripped)


def _substring_filter(text: str, needle: str) -> Filter:
    lowered = needle.lower()

    def predicate(record: Record) -> bool:
        return (
            lowered in record.json_text.lower()
            or lowered in record.channel.lower()
            or lowered in record.user.lower()
            or lowered in record.note.lower()
        )

    return Filter(text, "substring", predicate)


def _parse_value(raw: str) -> Any:
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError:
        return raw


def _resolve(value: Any, parts: list[str | int]) -> Any:
    for part in parts:
        if isinstance(part, int):
            if not isinstance(value, list) or not -len(value) <= part < len(value):
                return _MISSING
            value = value[part]
        elif isinstance(value, dict) and part in value:
            value = value[part]
        else:
            return _MISSING
    return value


def _split_path(path: str) -> list[str | int]:
    parts: list[str | int] = []
    for name, index in _PATH_PART.findall(path):
        parts.append(int(index) if index else name)
    return parts


_ORDER_OPS: dict[str, Callable[[Any, Any], bool]] = {
    ">": operator.gt,
    "<": operator.lt,
    ">=": operator.ge,
    "<=": operator.le,
}


def _field_filter(text: str, path: str, op: str, raw_value: str) -> Filter:
    parts = _split_path(path)
    expected = _parse_value(raw_value)

    def compare(found: Any) -> bool:
        if found is _MISSING:
            return op == "!="
        if op == "==":
            return bool(found == expected)
        if op == "!=":
            return bool(found != expected)
        if op == "~=":
            needle = expected if isinstance(expected, str) else compact_json(expected)
            haystack = found if isinstance(found, str) else compact_json(found)
            return needle.lower() in haystack.lower()
        try:
            return _ORDER_OPS[op](found, expected)
        except TypeError:
            return False

    def predicate(record: Record) -> bool:
        return compare(_resolve(record.as_dict(), parts))

    return Filter(text, "field", predicate)


def _jmespath_filter(text: str, expression: str) -> Filter:
    if not expression:
        raise FilterError("JMESPath filter is empty: write an expression after `jp:`")
    try:
        compiled = jmespath.compile(expression)
    except JMESPathError as error:
        raise FilterError(f"JMESPath expression `{expression}` is not valid: {error}") from None

    def predicate(record: Record) -> bool:
        return bool(compiled.search(record.as_dict()))

    return Filter(text, "jmespath", predicate)
