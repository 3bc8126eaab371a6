"""History of the selected channel: newest N, older / newer pages, jump to an offset."""

from __future__ import annotations

import json
from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, DataTable, Input, Label, Static

from cfgo_tui.client.errors import CentrifugoError
from cfgo_tui.client.events import HistoryResult, PublicationEvent, StreamPosition
from cfgo_tui.store import Record
from cfgo_tui.tui.bridge import Bridge, error_text

DEFAULT_PAGE = 20


class HistoryPanel(Vertical):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("n", "newest", "Newest", id="history.newest"),
        Binding("left_square_bracket", "older", "Older", id="history.older"),
        Binding("right_square_bracket", "newer", "Newer", id="history.newer"),
        Binding("e", "export_page", "Export page", id="history.export"),
    ]

    def __init__(self, bridge: Bridge, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.bridge = bridge
        self.channel: str | None = None
        self.page: list[PublicationEvent] = []
        self.position: StreamPosition | None = None
        self.pages_loaded = 0

    def compose(self) -> ComposeResult:
        with Horizontal(id="history-bar"):
            yield Label("limit", classes="field-label")
            yield Input(str(DEFAULT_PAGE), id="history-limit", type="integer")
            yield Button("Newest", id="history-newest", compact=True)
            yield Button("◀ Older", id="history-older", compact=True)
            yield Button("Newer ▶", id="history-newer", compact=True)
            yield Input(placeholder="jump to offset", id="history-offset", type="integer")
        yield Label("select a channel, then n loads its newest publications", id="history-position")
        yield Static(id="history-error", classes="failure")
        table: DataTable[str] = DataTable(id="history-table", cursor_type="row", zebra_stripes=True)
        yield table

    def on_mount(self) -> None:
        self.query_one("#history-table", DataTable).add_columns("offset", "publisher", "data")
        self.query_one("#history-error", Static).display = False

    def set_channel(self, channel: str | None) -> None:
        if channel != self.channel:
            self.channel = channel
            self.page = []
            self.position = None
            self.query_one("#history-table", DataTable).clear()
            self.query_one("#history-position", Label).update(
                f"{channel}: n loads the newest publications"
                if channel
                else "history is per channel: select one in the sidebar"
            )

    @property
    def limit(self) -> int:
        raw = self.query_one("#history-limit", Input).value
        try:
            return max(1, min(1000, int(raw)))
        except ValueError:
            return DEFAULT_PAGE

    # actions
    def action_newest(self) -> None:
        self.load(since=None, reverse=True)

    def action_older(self) -> None:
        if not self.page or self.position is None:
            self.action_newest()
            return
        oldest = min(p.offset for p in self.page)
        self.load(since=StreamPosition(oldest, self.position.epoch), reverse=True)

    def action_newer(self) -> None:
        if not self.page or self.position is None:
            self.action_newest()
            return
        newest = max(p.offset for p in self.page)
        self.load(since=StreamPosition(newest, self.position.epoch), reverse=False)

    def action_export_page(self) -> None:
        if not self.page or self.channel is None:
            self.notify("load a page first (n)", severity="warning")
            return
        records = [
            Record(
                pub.offset,
                "publication",
                pub.channel or self.channel,
                pub.received_at,
                pub.data,
                pub.offset,
                pub.info.user if pub.info else "",
                pub.info.client if pub.info else "",
                tags=pub.tags,
            )
            for pub in self.page
        ]
        first, last = self.page[0].offset, self.page[-1].offset
        export = getattr(self.app, "export_records", None)
        if export is not None:
            export(
                records,
                f"history of {self.channel}, offsets {first}..{last}",
                f"{self.channel}-history-{first}-{last}",
            )

    @on(Button.Pressed, "#history-newest")
    def _newest(self) -> None:
        self.action_newest()

    @on(Button.Pressed, "#history-older")
    def _older(self) -> None:
        self.action_older()

    @on(Button.Pressed, "#history-newer")
    def _newer(self) -> None:
        self.action_newer()

    @on(Input.Submitted, "#history-offset")
    def _jump(self, event: Input.Submitted) -> None:
        try:
            offset = int(event.value)
        except ValueError:
            self._show_error("jump to offset: type a whole number")
            return
        epoch = self.position.epoch if self.position else ""
        self.load(
            since=StreamPosition(max(0, offset - 1), epoch), reverse=False, need_epoch=not epoch
        )

    @work(exclusive=True, group="history", exit_on_error=False)
    async def load(
        self, *, since: StreamPosition | None, reverse: bool, need_epoch: bool = False
    ) -> None:
        channel = self.channel
        if channel is None:
            self._show_error("select a channel first")
            return
        try:
            if need_epoch and since is not None:
                top = await self.bridge.history(channel, limit=0)
                since = StreamPosition(since.offset, top.epoch)
            result = await self.bridge.history(
                channel, limit=self.limit, since=since, reverse=reverse
            )
        except CentrifugoError as error:
            self._show_error(f"history of {channel}: {error_text(error)}")
            return
        self.show_page(channel, result)

    def _show_error(self, text: str) -> None:
        box = self.query_one("#history-error", Static)
        box.update(Text(text, "bold red"))
        box.display = True

    def show_page(self, channel: str, result: HistoryResult) -> None:
        self.query_one("#history-error", Static).display = False
        self.position = result.position
        self.pages_loaded += 1
        page = sorted(result.publications, key=lambda p: p.offset)
        self.page = page if page else self.page
        table = self.query_one("#history-table", DataTable)
        table.clear()
        for pub in page:
            who = f"{pub.info.user or '-'}/{pub.info.client[:8]}" if pub.info else "api"
            table.add_row(str(pub.offset), who, json.dumps(pub.data, ensure_ascii=False)[:400])
        shown = f"offsets {page[0].offset}..{page[-1].offset}" if page else "no publications here"
        self.query_one("#history-position", Label).update(
            f"{channel}: stream position offset {result.offset}, epoch {result.epoch} · {shown}"
        )
