"""Frames in and out and the events log (state changes, errors with code names and hints)."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Sequence
from typing import Any, Generic, TypeVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Input, Label

from cfgo_tui.store import FilteredView, FrameRecord, LogRecord, Store
from cfgo_tui.tui.formatting import frame_line, log_line
from cfgo_tui.tui.widgets.record_view import RecordView

T = TypeVar("T", FrameRecord, LogRecord)


class _FollowingLog(Vertical, Generic[T]):
    """A filterable, following view over one of the store's logs."""

    title = ""
    placeholder = "filter"

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.view: FilteredView[T] = FilteredView(10_000)
        self._needle = ""
        self._fresh = True

    def source(self, store: Store) -> Sequence[T]:
        raise NotImplementedError

    def text_of(self, item: T) -> str:
        raise NotImplementedError

    def formatter(self) -> Callable[[Any, int], Text]:
        raise NotImplementedError

    def compose(self) -> ComposeResult:
        with Horizontal(classes="log-bar"):
            yield Label(self.title, classes="log-title")
            yield Input(placeholder=self.placeholder, classes="log-filter")
        yield RecordView(self.formatter(), classes="log-view")

    @property
    def records(self) -> RecordView:
        return self.query_one(RecordView)

    def _predicate(self) -> Callable[[T], bool] | None:
        needle = self._needle.lower()
        if not needle:
            return None
        return lambda item: needle in self.text_of(item).lower()

    def refresh_from(self, store: Store) -> None:
        source = self.source(store)
        if self._fresh:
            self._fresh = False
            self.view.reset(source, self._predicate())
            self.records.set_rows(self.view.rows, follow=True)
        elif self.view.update(source):
            self.records.set_rows(self.view.rows, follow=self.records.cursor < 0)

    @on(Input.Changed)
    def _filter(self, event: Input.Changed) -> None:
        self._needle = event.value.strip()
        self._fresh = True
        self.records.clear_cache()


class FramesPanel(_FollowingLog[FrameRecord]):
    title = "frames ← in → out (redacted)"
    placeholder = "filter frames"

    def source(self, store: Store) -> deque[FrameRecord]:
        return store.frames

    def text_of(self, item: FrameRecord) -> str:
        return item.text

    def formatter(self) -> Callable[[Any, int], Text]:
        return frame_line


class EventsPanel(_FollowingLog[LogRecord]):
    title = "events: state changes and errors"
    placeholder = "filter events"

    def source(self, store: Store) -> deque[LogRecord]:
        return store.log

    def text_of(self, item: LogRecord) -> str:
        return f"{item.level} {item.text} {item.hint}"

    def formatter(self) -> Callable[[Any, int], Text]:
        return log_line
