"""The live message pane: follow / pause, "+N new", filter as you type, detail, copy, export.

It reads the store's ring buffers through a `FilteredView`; `refresh_from(store)` is called by
the app's flush timer, never per message.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from rich.cells import cell_len
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.reactive import reactive
from textual.widgets import Input, Label, Static

from cfgo_tui.store import Filter, FilteredView, FilterError, Record, Store, compile_filter
from cfgo_tui.tui.formatting import record_detail, record_height, record_line, record_lines
from cfgo_tui.tui.widgets.record_view import RecordView


class LivePane(Vertical):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("p,space", "toggle_pause", "Pause", id="live.pause"),
        Binding("end,G", "follow", "Follow", show=False, id="live.follow"),
        # priority: handled as the key arrives, so the keys typed right after it (queued
        # together under a flood or a fast typist) already go to the filter
        Binding("slash", "focus_filter", "Filter", id="live.filter", priority=True),
        Binding(
            "escape",
            "leave_filter",
            "Back to messages",
            show=False,
            id="live.leave",
            priority=True,
        ),
        Binding("enter", "toggle_detail", "Detail", show=False, id="live.detail"),
        Binding("f", "unfold", "Unfold", show=False, id="live.unfold"),
        Binding("v", "toggle_pretty", "Pretty", id="live.pretty"),
        Binding("y", "copy", "Copy", id="live.copy"),
        Binding("e", "export", "Export", id="live.export"),
    ]

    following: reactive[bool] = reactive(True, init=False)
    show_detail: reactive[bool] = reactive(False, init=False)

    def __init__(self, store: Store, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.store = store
        self.view: FilteredView[Record] = FilteredView(store.retention)
        self.filter: Filter | None = None
        self._viewing: str | None = None
        self._seen_total = 0  # messages counted when the pane paused
        self._unfold = False
        self._reset_pending = True
        self._state_text = ""

    def compose(self) -> ComposeResult:
        yield Static(id="failure", classes="failure")
        with Horizontal(id="live-bar"):
            yield Label("", id="live-state")
            yield Input(
                placeholder='/ filter: text · data.user == "bob" · jp:expr',
                id="filter",
            )
        yield Label("", id="filter-error")
        yield RecordView(self._format, expander=self._expand, measurer=record_height, id="messages")
        yield Static(id="detail")

    def _format(self, record: Record, width: int) -> Text:
        return self._mark(record_line(record, width, show_channel=self._viewing is None))

    def _expand(self, record: Record, width: int) -> list[Text]:
        lines = record_lines(record, width, show_channel=self._viewing is None)
        return [self._mark(line) for line in lines]

    def _mark(self, line: Text) -> Text:
        """Highlight what a substring filter matched."""
        if self.filter is not None and self.filter.kind == "substring":
            line.highlight_words([self.filter.text.strip()], "bold reverse", case_sensitive=False)
        return line

    def action_toggle_pretty(self) -> None:
        """One line per message, or each message's JSON pretty-printed over several lines."""
        self.messages.expanded = not self.messages.expanded

    @property
    def messages(self) -> RecordView:
        return self.query_one("#messages", RecordView)

    def counted(self) -> int:
        """Messages counted so far in what the pane views (they keep counting while paused)."""
        if self._viewing is None:
            return self.store.total
        state = self.store.channels.get(self._viewing)
        return state.total if state else 0

    def pending(self) -> int:
        return 0 if self.following else max(0, self.counted() - self._seen_total)

    # called by the flush timer
    def refresh_from(self, store: Store) -> None:
        if store.selected != self._viewing or self._reset_pending:
            self._viewing = store.selected
            self._reset_pending = False
            self.view.reset(store.records(self._viewing), self._predicate())
            self.messages.clear_cache()
            self.messages.set_rows(self.view.rows, follow=self.following)
            self._seen_total = self.counted()
        elif self.following:
            if self.view.update(store.records(self._viewing)):
                self.messages.set_rows(self.view.rows, follow=True)
            self._seen_total = self.counted()
        self._update_state_label()

    def _predicate(self) -> Callable[[Record], bool] | None:
        return self.filter.matches if self.filter else None

    def _update_state_label(self) -> None:
        label = self.query_one("#live-state", Label)
        where = self._viewing or "all channels"
        if self.following:
            text = f"● {where} · {len(self.view.rows):,}"
        else:
            text = f"⏸ paused · {where} · +{self.pending():,} new"
        text = f" {text} "
        if text != self._state_text:
            # sized to its text here: `width: auto` on a label filled after mount measured 0
            # cells in headless runs (Textual 8.2.8), which hid the state entirely. The count
            # changes on every flush (and "+N new" while paused): only a new width needs a
            # layout of the screen, a new text of the same width is a repaint of this label.
            width = cell_len(text)
            resized = width != cell_len(self._state_text)
            self._state_text = text
            label.update(text, layout=resized)
            if resized:
                label.styles.width = width
            label.set_class(not self.following, "paused")

    # pause / follow
    def watch_following(self, following: bool) -> None:
        self.store.set_following(following)
        if following:
            self.view.update(self.store.records(self._viewing))
            self.messages.set_rows(self.view.rows, follow=True)
            self._seen_total = self.counted()
        self._update_state_label()

    def action_toggle_pause(self) -> None:
        self.following = not self.following

    def action_follow(self) -> None:
        self.following = True

    @on(RecordView.Detached)
    def _detached(self) -> None:
        self.following = False

    # filter
    def action_focus_filter(self) -> None:
        # set_focus, not focus(): the change must happen before the next queued key is routed
        self.screen.set_focus(self.query_one("#filter", Input))

    def action_leave_filter(self) -> None:
        self.messages.focus()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        in_filter = self.query_one("#filter", Input).has_focus
        if action == "focus_filter" and in_filter:
            return False  # `/` typed in the filter is text
        # escape elsewhere keeps its usual meaning
        return not (action == "leave_filter" and not in_filter)

    @on(Input.Changed, "#filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        error_label = self.query_one("#filter-error", Label)
        try:
            self.filter = compile_filter(event.value)
        except FilterError as error:
            error_label.update(str(error))
            error_label.display = True
            return
        error_label.display = False
        self.view.reset(self.store.records(self._viewing), self._predicate())
        self.messages.clear_cache()
        self.messages.set_rows(self.view.rows, follow=self.following)
        self._update_state_label()

    @on(Input.Submitted, "#filter")
    def _filter_done(self) -> None:
        self.messages.focus()

    # detail, copy, export
    def action_toggle_detail(self) -> None:
        self.show_detail = not self.show_detail

    def watch_show_detail(self, show: bool) -> None:
        self.query_one("#detail", Static).display = show
        self._update_detail()

    def action_unfold(self) -> None:
        self._unfold = not self._unfold
        self._update_detail()

    @on(RecordView.CursorMoved, "#messages")
    def _cursor_moved(self) -> None:
        self._update_detail()

    def selected_record(self) -> Record | None:
        current = self.messages.current
        if isinstance(current, Record):
            return current
        return self.view.rows[-1] if self.view.rows else None

    def _update_detail(self) -> None:
        if not self.show_detail:
            return
        record = self.selected_record()
        detail = self.query_one("#detail", Static)
        detail.update(record_detail(record, unfold=self._unfold) if record else "no message")

    def action_copy(self) -> None:
        record = self.selected_record()
        if record is None:
            self.notify("nothing to copy", severity="warning")
            return
        self.app.copy_to_clipboard(record.json_text)
        self.notify(f"copied message {record.channel} #{record.offset} (OSC 52)")

    async def action_export(self) -> None:
        await self.app.run_action("export")

    def show_failure(self, text: object | None) -> None:
        failure = self.query_one("#failure", Static)
        if text is None:
            failure.display = False
        else:
            failure.update(text)  # type: ignore[arg-type]
            failure.display = True
