"""A line-API view over a sequence of records (after Textualize/toolong's `LogLines`).

Only the visible rows are formatted, each once per width (a small LRU of strips keyed by the
record's `seq`), so a 10,000-row buffer scrolls and updates at the cost of one screen.

With an `expander`, the view can also show each record over several lines (`expanded`): a
layout of (seq, first line, height) per row is kept in step with the rows as they are appended
and trimmed, so finding the record under a screen line is a bisection, not a walk.
"""

from __future__ import annotations

import bisect
from collections import deque
from collections.abc import Callable, Sequence
from typing import Any, ClassVar, NamedTuple

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.binding import Binding, BindingType
from textual.cache import LRUCache
from textual.events import Click, MouseScrollUp
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

Formatter = Callable[[Any, int], Text]
Expander = Callable[[Any, int], list[Text]]
Measurer = Callable[[Any], int]

# Rendered rows kept per view: a few screens (the tallest terminal shows about 60 rows), so
# scrolling back and forth is cheap; under a flood every visible row is new on each flush
# anyway, and 2,000 rows of strips held several MB that did nothing for the screen.
STRIP_CACHE = 400


class _Span(NamedTuple):
    seq: int
    start: int  # absolute first line (grows forever; lines are counted from the first span)
    height: int


class RecordView(ScrollView, can_focus=True):
    """Rows of records with a cursor; moving the cursor away from the end detaches (pauses)."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {"record-view--cursor"}
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up,k", "cursor_up", "Up", show=False, id="view.up"),
        Binding("down,j", "cursor_down", "Down", show=False, id="view.down"),
        Binding("home,g", "first", "First", show=False, id="view.first"),
        Binding("ctrl+u,pageup", "page_up", "Page up", show=False, id="view.page_up"),
        Binding("ctrl+d,pagedown", "page_down", "Page down", show=False, id="view.page_down"),
    ]

    cursor: reactive[int] = reactive(-1, init=False)
    expanded: reactive[bool] = reactive(False, init=False)

    class Detached(Message):
        """The user moved away from the newest row: the owner pauses following."""

    class CursorMoved(Message):
        def __init__(self, view: RecordView, item: Any | None) -> None:
            super().__init__()
            self.view = view
            self.item = item

        @property
        def control(self) -> RecordView:
            return self.view

    def __init__(
        self,
        formatter: Formatter,
        *,
        expander: Expander | None = None,
        measurer: Measurer | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(id=id, classes=classes)
        self._formatter = formatter
        self._expander = expander
        self._measurer = measurer  # cheap height of an expanded row (else: expand and count)
        self._rows: Sequence[Any] = ()
        self._cache: LRUCache[tuple[int, int, bool], list[Strip]] = LRUCache(maxsize=STRIP_CACHE)
        self._spans: deque[_Span] = deque()
        self._spans_rows: Sequence[Any] | None = None
        self._line_style: Style | None = None  # the widget's style during one render_lines

    @property
    def rows(self) -> Sequence[Any]:
        return self._rows

    @property
    def current(self) -> Any | None:
        if 0 <= self.cursor < len(self._rows):
            return self._rows[self.cursor]
        return None

    # layout
    @property
    def _multi(self) -> bool:
        return self.expanded and self._expander is not None

    @property
    def line_count(self) -> int:
        if not self._multi:
            return len(self._rows)
        if not self._spans:
            return 0
        last = self._spans[-1]
        return last.start + last.height - self._spans[0].start

    def _width(self) -> int:
        return max(1, self.scrollable_content_region.width)

    def _height_of(self, item: Any) -> int:
        if self._measurer is not None:
            return max(1, self._measurer(item))
        assert self._expander is not None
        return max(1, len(self._expander(item, self._width())))

    def _sync_spans(self) -> None:
        """Bring the layout in step with the rows: trim what left, measure what arrived."""
        rows, spans = self._rows, self._spans
        if rows is not self._spans_rows or (spans and rows and spans[0].seq > rows[0].seq):
            spans.clear()
            self._spans_rows = rows
        if not rows:
            spans.clear()
            return
        first_seq = rows[0].seq
        while spans and spans[0].seq < first_seq:
            spans.popleft()
        last_seq = spans[-1].seq if spans else -1
        fresh = []
        for item in reversed(rows):
            if item.seq <= last_seq:
                break
            fresh.append(item)
        start = spans[-1].start + spans[-1].height if spans else 0
        for item in reversed(fresh):
            height = self._height_of(item)
            spans.append(_Span(item.seq, start, height))
            start += height

    def _locate(self, line: int) -> tuple[int, int]:
        """(row index, line within the row) of a view line."""
        if not self._multi:
            return line, 0
        spans = self._spans
        absolute = spans[0].start + line
        index = bisect.bisect_right(spans, absolute, key=lambda span: span.start) - 1
        return index, absolute - spans[index].start

    def _row_lines(self, index: int) -> tuple[int, int]:
        """(first view line, height) of row `index`."""
        if not self._multi:
            return index, 1
        span = self._spans[index]
        return span.start - self._spans[0].start, span.height

    def _relayout(self, *, follow: bool) -> None:
        if self._multi:
            self._sync_spans()
        lines = self.line_count
        self.virtual_size = Size(self.scrollable_content_region.width, lines)
        if follow:
            self._scroll_to_end()
            if not self.allow_vertical_scroll and lines > self.scrollable_content_region.height:
                # the scrollbar arrives with the next layout; scrolling before it is a no-op
                self.call_after_refresh(self._scroll_to_end)

    def _scroll_to_end(self) -> None:
        self.scroll_to(
            y=max(0, self.line_count - self.scrollable_content_region.height),
            animate=False,
            immediate=True,
        )

    def set_rows(self, rows: Sequence[Any], *, follow: bool) -> None:
        """Show `rows` (the view keeps a reference, it copies nothing)."""
        self._rows = rows
        if follow:
            self.set_reactive(RecordView.cursor, -1)
        elif self.cursor >= len(rows):
            self.cursor = len(rows) - 1
        self._relayout(follow=follow)
        self.refresh()

    def watch_expanded(self) -> None:
        self._spans.clear()
        self._spans_rows = None
        self._cache.clear()
        self._relayout(follow=self.cursor < 0)
        if self.cursor >= 0:
            self.scroll_to_row(self.cursor)
        self.refresh()

    def clear_cache(self) -> None:
        self._cache.clear()
        self.refresh()

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._cache.clear()

    def on_resize(self) -> None:
        if self._multi:
            self._spans.clear()  # heights depend on the width
            self._spans_rows = None
        self._relayout(follow=False)

    # rendering
    def _render_text(self, text: Text, width: int, style: Style) -> Strip:
        """One row of `width` cells: `text` cut with an ellipsis, then padded with `style`.

        Rows are drawn afresh on every flush under a flood (every visible row is new), so a
        one-line text takes a short path: truncate it and let `Text.render` make its segments,
        then build one `Strip` of known length. Rich's `Console.render_lines` gives the same
        segments for such a line, through wrapping, joining and a second crop, and
        `crop_extend` makes two more strips (each `Strip` sets up seven small caches).
        """
        text.no_wrap = True
        plain = text.plain
        if "\n" in plain or "\t" in plain or text.justify not in (None, "default"):
            return self._render_text_rich(text, width, style)
        text.truncate(width, overflow="ellipsis")
        add = style.__add__
        segments = [
            Segment(part, add(part_style))
            for part, part_style, _ in text.render(self.app.console, end="")
        ]
        length = text.cell_len
        if length < width:
            segments.append(Segment(" " * (width - length), style))
        return Strip(segments, width)

    def _render_text_rich(self, text: Text, width: int, style: Style) -> Strip:
        console = self.app.console
        options = console.options.update_width(width).update(no_wrap=True, overflow="ellipsis")
        lines = console.render_lines(text, options, pad=False, new_lines=False)
        segments = lines[0] if lines else []
        strip = Strip(Segment.apply_style(segments, post_style=None, style=style))
        return strip.crop_extend(0, width, style)

    def render_lines(self, crop: Region) -> list[Strip]:
        # the widget's style is looked up once per screen update, not once per row
        self._line_style = self.rich_style
        try:
            return super().render_lines(crop)
        finally:
            self._line_style = None

    def render_line(self, y: int) -> Strip:
        _scroll_x, scroll_y = self.scroll_offset
        width = self.scrollable_content_region.width
        base = self._line_style or self.rich_style
        if width <= 0 or scroll_y + y >= self.line_count:
            return Strip.blank(width, base)
        index, sub = self._locate(scroll_y + y)
        if not 0 <= index < len(self._rows):
            return Strip.blank(width, base)
        item = self._rows[index]
        selected = index == self.cursor
        key = (item.seq, width, selected)
        strips = self._cache.get(key)
        if strips is None:
            style = base
            if selected:
                style = style + self.get_component_rich_style("record-view--cursor")
            if self._multi:
                assert self._expander is not None
                texts = self._expander(item, width)
            else:
                texts = [self._formatter(item, width)]
            strips = [self._render_text(text, width, style) for text in texts]
            self._cache[key] = strips
        if sub >= len(strips):
            return Strip.blank(width, base)
        return strips[sub]

    # cursor
    def watch_cursor(self, old: int, new: int) -> None:
        self.refresh()
        if new >= 0:
            self.scroll_to_row(new)
        self.post_message(self.CursorMoved(self, self.current))

    def scroll_to_row(self, row: int) -> None:
        if not 0 <= row < len(self._rows):
            return
        first, height = self._row_lines(row)
        visible = self.scrollable_content_region.height
        if first < self.scroll_y:
            self.scroll_to(y=first, animate=False)
        elif first + height > self.scroll_y + visible:
            self.scroll_to(y=max(first, first + height - visible), animate=False)

    def _move(self, delta: int) -> None:
        if not self._rows:
            return
        start = self.cursor if self.cursor >= 0 else len(self._rows) - 1 + (1 if delta < 0 else 0)
        target = max(0, min(len(self._rows) - 1, start + delta))
        if target < len(self._rows) - 1 or delta < 0:
            self.post_message(self.Detached())
        self.cursor = target

    def action_cursor_up(self) -> None:
        self._move(-1)

    def action_cursor_down(self) -> None:
        self._move(1)

    def action_first(self) -> None:
        if self._rows:
            self.post_message(self.Detached())
            self.cursor = 0

    def _page_rows(self) -> int:
        visible = max(1, self.scrollable_content_region.height - 1)
        if not self._multi or not self._spans:
            return visible
        average = max(1, self.line_count // max(1, len(self._rows)))
        return max(1, visible // average)

    def action_page_up(self) -> None:
        self._move(-self._page_rows())

    def action_page_down(self) -> None:
        self._move(self._page_rows())

    def on_mouse_scroll_up(self, event: MouseScrollUp) -> None:
        self.post_message(self.Detached())

    def on_click(self, event: Click) -> None:
        line = int(self.scroll_y) + event.y
        if line >= self.line_count:
            return
        index, _sub = self._locate(line)
        if 0 <= index < len(self._rows):
            self.post_message(self.Detached())
            self.cursor = index
