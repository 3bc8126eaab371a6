"""Records to Rich `Text`: one line for the panes, pretty JSON for the detail view."""

from __future__ import annotations

import json
import time
from typing import Any

from rich.highlighter import JSONHighlighter
from rich.text import Text

from cfgo_tui.store import FrameRecord, LogRecord, Record

_json_highlighter = JSONHighlighter()
FOLD_LINES = 40  # a detail view longer than this is folded until unfolded


def clock_text(timestamp: float) -> str:
    """`HH:MM:SS.mmm` in local time."""
    local = time.localtime(timestamp)
    return time.strftime("%H:%M:%S", local) + f".{int(timestamp * 1000) % 1000:03d}"


def highlight_json(text: str) -> Text:
    line = Text(text)
    _json_highlighter.highlight(line)
    return line


def record_line(record: Record, width: int, *, show_channel: bool = True) -> Text:
    """One pane line: time, channel, offset, publisher, then the JSON folded to `width`."""
    line = Text(no_wrap=True, overflow="ellipsis")
    line.append(clock_text(record.received_at), "dim")
    line.append(" ")
    if record.kind == "state_lost":
        line.append(f" ── {record.channel}: {record.note} ── ", "bold reverse red")
        return line
    if record.kind != "publication":
        line.append(f"{record.channel}: {record.note}", "italic")
        return line
    _append_publication_head(line, record, show_channel)
    payload = record.json_text
    room = max(8, width - line.cell_len)
    if len(payload) > room:
        shown = max(1, room - 8)  # 8 cells keep room for " …+12345" (hidden characters)
        line.append_text(highlight_json(payload[:shown]))
        line.append(f" …+{len(payload) - shown}", "dim")
    else:
        line.append_text(highlight_json(payload))
    return line


def _append_publication_head(line: Text, record: Record, show_channel: bool) -> None:
    """Channel, offset, publisher and the recovered mark, each followed by a space."""
    if show_channel:
        line.append(record.channel, "bold cyan")
        line.append(" ")
    if record.offset:
        line.append(f"#{record.offset}", "magenta")
        line.append(" ")
    if record.user or record.client:
        line.append(f"{record.user or '-'}/{record.client[:8]}", "green")
        line.append(" ")
    if record.recovered:
        line.append("⟲rec", "bold yellow")
        line.append(" ")


INLINE_FOLD = 12  # lines of pretty JSON per message in the pane before folding


def _pretty_lines(data: Any) -> list[str]:
    # split("\n"), not splitlines(): record_height must count exactly what is drawn
    try:
        return json.dumps(data, indent=2, ensure_ascii=False).split("\n")
    except (TypeError, ValueError):
        return [repr(data)]


def record_height(record: Record) -> int:
    """How many lines `record_lines` draws for `record`, without highlighting anything."""
    if record.kind != "publication":
        return 1
    count = len(_pretty_lines(record.data))
    return 1 + min(count, INLINE_FOLD) + (1 if count > INLINE_FOLD else 0)


def record_lines(record: Record, width: int, *, show_channel: bool = True) -> list[Text]:
    """A message over several lines: its header, then its JSON pretty-printed, folded."""
    if record.kind != "publication":
        return [record_line(record, width, show_channel=show_channel)]
    head = Text(no_wrap=True, overflow="ellipsis")
    head.append(clock_text(record.received_at), "dim")
    head.append(" ")
    _append_publication_head(head, record, show_channel)
    body = _pretty_lines(record.data)
    lines = [head]
    for text in body[:INLINE_FOLD]:
        line = highlight_json(text)
        line.pad_left(2)
        lines.append(line)
    if len(body) > INLINE_FOLD:
        lines.append(
            Text(
                f"  … {len(body) - INLINE_FOLD} more lines (enter shows the whole message)",
                "dim italic",
            )
        )
    return lines


def pretty_json(data: Any, *, unfold: bool = False) -> tuple[Text, int]:
    """Indented, highlighted JSON, folded after FOLD_LINES unless `unfold`: (text, hidden)."""
    try:
        text = json.dumps(data, indent=2, ensure_ascii=False, sort_keys=False)
    except (TypeError, ValueError):
        text = repr(data)
    lines = text.splitlines()
    hidden = 0
    if not unfold and len(lines) > FOLD_LINES:
        hidden = len(lines) - FOLD_LINES
        text = "\n".join(lines[:FOLD_LINES])
    result = highlight_json(text)
    if hidden:
        result.append(f"\n… {hidden} more lines folded (f unfolds)", "dim italic")
    return result, hidden


def record_detail(record: Record, *, unfold: bool = False) -> Text:
    head = Text()
    head.append(f"{record.channel}", "bold cyan")
    head.append(f"  offset {record.offset}" if record.offset else "  no offset", "magenta")
    head.append(f"  {clock_text(record.received_at)}", "dim")
    if record.user or record.client:
        head.append(f"  user {record.user or '-'}  client {record.client}", "green")
    if record.recovered:
        head.append("  recovered", "bold yellow")
    if record.tags:
        head.append(f"  tags {json.dumps(record.tags)}", "blue")
    head.append("\n")
    if record.kind != "publication":
        head.append(record.note)
        return head
    body, _hidden = pretty_json(record.data, unfold=unfold)
    head.append_text(body)
    return head


def frame_line(frame: FrameRecord, width: int) -> Text:
    line = Text(no_wrap=True, overflow="ellipsis")
    line.append(clock_text(frame.time), "dim")
    if frame.direction == "in":
        line.append(" ← ", "bold green")
    else:
        line.append(" → ", "bold blue")
    line.append_text(highlight_json(frame.text.replace("\n", " ⏎ ")))
    return line


_LEVEL_STYLE = {"info": "green", "warning": "yellow", "error": "bold red"}


def log_line(entry: LogRecord, width: int) -> Text:
    line = Text(no_wrap=True, overflow="ellipsis")
    line.append(clock_text(entry.time), "dim")
    line.append(f" {entry.level:<7} ", _LEVEL_STYLE.get(entry.level, ""))
    line.append(entry.text)
    if entry.hint:
        line.append(f" — {entry.hint}", "italic dim")
    return line
