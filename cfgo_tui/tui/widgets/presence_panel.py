"""Presence of the selected channel: clients and users, kept live from join/leave."""

from __future__ import annotations

import json
from typing import Any, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import DataTable, Label, Static

from cfgo_tui.store import Store
from cfgo_tui.tui.formatting import clock_text


def _compact(value: Any) -> str:
    if value is None:
        return ""
    try:
        return json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError):
        return repr(value)


class PresencePanel(Vertical):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+r", "reload", "Reload presence", id="presence.reload"),
    ]

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._version = -1
        self._channel: str | None = None
        self.counts: tuple[int, int] | None = None
        self.message: Text | str = ""

    def compose(self) -> ComposeResult:
        yield Label("select a channel to see its presence", id="presence-summary")
        yield Static(id="presence-message", classes="failure")
        table: DataTable[str] = DataTable(
            id="presence-table", cursor_type="row", zebra_stripes=True
        )
        yield table
        yield Label("joins and leaves", classes="section-title")
        yield Static(id="presence-log")

    def on_mount(self) -> None:
        table = self.query_one("#presence-table", DataTable)
        table.add_columns("user", "client", "conn_info", "chan_info")
        self.query_one("#presence-message", Static).display = False

    def set_answer(self, channel: str, counts: tuple[int, int] | None, message: Text | str) -> None:
        """What the last presence request said (counts from presence_stats, or an error)."""
        self._channel = channel
        self.counts = counts
        self.message = message
        box = self.query_one("#presence-message", Static)
        box.update(message)
        box.display = bool(message)
        self._version = -1

    def refresh_from(self, store: Store) -> None:
        channel = store.selected
        if channel is None:
            self.query_one("#presence-summary", Label).update(
                "presence is per channel: select one in the sidebar"
            )
            return
        if self._version == store.presence_version and channel == self._channel:
            return
        self._version = store.presence_version
        state = store.channels.get(channel)
        table = self.query_one("#presence-table", DataTable)
        summary = self.query_one("#presence-summary", Label)
        if state is None or channel != self._channel:
            summary.update(f"{channel}: presence not loaded (ctrl+r)")
            table.clear()
            return
        presence = state.presence
        users = {info.user for info in presence.values()}
        stats = (
            f" · presence_stats: {self.counts[0]} clients, {self.counts[1]} users"
            if self.counts
            else ""
        )
        summary.update(f"{channel}: {len(presence)} clients, {len(users)} users{stats}")
        wanted = set(presence)
        current = {str(key.value) for key in table.rows}
        for gone in current - wanted:
            table.remove_row(gone)
        for client in sorted(wanted - current):
            info = presence[client]
            table.add_row(
                info.user or "(anonymous)",
                info.client,
                _compact(info.conn_info),
                _compact(info.chan_info),
                key=client,
            )
        log = Text()
        for entry in list(state.presence_log)[-8:]:
            style = "green" if entry.kind == "join" else "red"
            log.append(f"{clock_text(entry.time)} ", "dim")
            log.append(f"{entry.kind:<5} ", style)
            log.append(f"{entry.info.user or '(anonymous)'} {entry.info.client[:8]}\n")
        self.query_one("#presence-log", Static).update(log)

    async def action_reload(self) -> None:
        await self.app.run_action("load_presence")
