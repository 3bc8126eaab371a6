"""A line-API view over a sequence of records (after Textualize/toolong's `LogLines`).

Only the visible rows are formatted, each once per width (a small LRU of strips keyed by the
record's `seq`), so a 10,000-row buffer scrolls and updates at the cost of one screen.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, ClassVar

from rich.segment import Segment
from rich.text import Text
from textual.binding import Binding, BindingType
from textual.cache import LRUCache
from textual.events import Click, MouseScrollUp
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

Formatter = Callable[[Any, int], Text]


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
        self, formatter: Formatter, *, id: str | None = None, classes: str | None = None
    ) -> None:
        super().__init__(id=id, classes=classes)
        self._formatter = formatter
        self._rows: Sequence[Any] = ()
        self._cache: LRUCache[tuple[int, int, bool], Strip] = LRUCache(maxsize=2000)

    @property
    def rows(self) -> Sequence[Any]:
        return self._rows

    @property
    def current(self) -> Any | None:
        if 0 <= self.cursor < len(self._rows):
            return self._rows[self.cursor]
        return None

    def set_rows(self, rows: Sequence[Any], *, follow: bool) -> None:
        """Show `rows` (the view keeps a reference, it copies nothing)."""
        self._rows = rows
        self.virtual_size = Size(self.scrollable_content_region.width, len(rows))
        if follow:
            self.set_reactive(RecordView.cursor, -1)
            self.scroll_to(
                y=max(0, len(rows) - self.scrollable_content_region.height),
                animate=False,
                immediate=True,
            )
        elif self.cursor >= len(rows):
            self.cursor = len(rows) - 1
        self.refresh()

    def clear_cache(self) -> None:
        self._cache.clear()
        self.refresh()

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._cache.clear()

    def on_resize(self) -> None:
        self.virtual_size = Size(self.scrollable_content_region.width, len(self._rows))

    def render_line(self, y: int) -> Strip:
        _scroll_x, scroll_y = self.scroll_offset
        index = scroll_y + y
        width = self.scrollable_content_region.width
        if index >= len(self._rows) or width <= 0:
            return Strip.blank(width, self.rich_style)
        item = self._rows[index]
        selected = index == self.cursor
        key = (item.seq, width, selected)
        strip = self._cache.get(key)
        if strip is None:
            text = self._formatter(item, width)
            text.no_wrap = True
            console = self.app.console
            options = console.options.update_width(width).update(no_wrap=True, overflow="ellipsis")
            lines = console.render_lines(text, options, pad=False, new_lines=False)
            segments = lines[0] if lines else []
            style = self.rich_style
            if selected:
                style = style + self.get_component_rich_style("record-view--cursor")
            strip = Strip(Segment.apply_style(segments, post_style=None, style=style))
            strip = strip.crop_extend(0, width, style)
            self._cache[key] = strip
        return strip

    # cursor
    def watch_cursor(self, old: int, new: int) -> None:
        self.refresh()
        if new >= 0:
            self.scroll_to_region_row(new)
        self.post_message(self.CursorMoved(self, self.current))

    def scroll_to_region_row(self, row: int) -> None:
        height = self.scrollable_content_region.height
        if row < self.scroll_y:
            self.scroll_to(y=row, animate=False)
        elif row >= self.scroll_y + height:
            self.scroll_to(y=row - height + 1, animate=False)

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

    def action_page_up(self) -> None:
        self._move(-max(1, self.scrollable_content_region.height - 1))

    def action_page_down(self) -> None:
        self._move(max(1, self.scrollable_content_region.height - 1))

    def on_mouse_scroll_up(self, event: MouseScrollUp) -> None:
        self.post_message(self.Detached())

    def on_click(self, event: Click) -> None:
        index = int(self.scroll_y) + event.y
        if 0 <= index < len(self._rows):
            self.post_message(self.Detached())
            self.cursor = index
