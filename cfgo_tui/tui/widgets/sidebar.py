"""The channel sidebar: subscribed channels (state, unread, msgs/s) and discovered ones."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Input, Label, OptionList
from textual.widgets.option_list import Option

from cfgo_tui.client.codes import describe
from cfgo_tui.store import ChannelState, Store

ALL_ID = "\x00all"
_STATE_MARK = {"subscribed": ("●", "green"), "subscribing": ("◌", "yellow")}


def channel_prompt(state: ChannelState, rate: float) -> Text:
    mark, style = _STATE_MARK.get(state.state, ("✕", "red"))
    text = Text(no_wrap=True, overflow="ellipsis")
    text.append(f"{mark} ", style)
    text.append(state.name, "bold" if state.unread else "")
    if state.private:
        text.append(" $priv", "magenta")
    if state.server_side:
        text.append(" srv", "blue")
    text.append("\n  ")
    if state.state == "unsubscribed" and (state.error or state.code):
        code = state.error.code if state.error else state.code
        text.append(describe(code).label(), "red")
    elif state.state == "subscribing":
        text.append("subscribing…", "yellow dim")
    else:
        text.append(f"{state.total:,} msgs", "dim")
        if state.unread:
            text.append(" ")
            text.append(f" {state.unread:,} new ", "bold reverse yellow")
        text.append(f" {rate:,.1f}/s", "cyan" if rate else "dim")
    return text


class ChannelList(OptionList):
    """An OptionList that also moves with j / k."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j", "cursor_down", "Down", show=False, id="sidebar.down"),
        Binding("k", "cursor_up", "Up", show=False, id="sidebar.up"),
    ]


class Sidebar(Vertical):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("delete,d", "remove", "Remove", id="sidebar.remove"),
    ]

    class Selected(Message):
        def __init__(self, channel: str | None) -> None:
            super().__init__()
            self.channel = channel

    class Discovered(Message):
        def __init__(self, channel: str) -> None:
            super().__init__()
            self.channel = channel

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._names: list[str] = []
        self._prompts: list[str] = []
        self._echo: str | None = None
        self._found: list[tuple[str, int]] | None = None  # the last discovery, None before one
        self._found_marked: set[str] = set()  # the subscribed channels its marks were drawn for

    def compose(self) -> ComposeResult:
        yield Label("Channels", classes="section-title")
        yield ChannelList(id="channels")
        yield Label("Discovered (API) · r", classes="section-title", id="discovered-title")
        yield Input(placeholder="pattern, e.g. chat:*", id="discover-pattern")
        yield ChannelList(id="discovered")

    def on_mount(self) -> None:
        self.query_one("#channels", OptionList).add_option(Option("✱ all channels", id=ALL_ID))

    def refresh_from(self, store: Store) -> None:
        channels = self.query_one("#channels", OptionList)
        now = store.clock()
        names = list(store.channels)
        prompts = [
            channel_prompt(store.channels[n], store.channels[n].rate.rate(now)) for n in names
        ]
        if names != self._names:
            channels.clear_options()
            all_prompt = Text("✱ all channels")
            channels.add_options(
                [Option(all_prompt, id=ALL_ID)]
                + [Option(p, id=n) for n, p in zip(names, prompts, strict=True)]
            )
            self._names = names
            self._prompts = [p.plain for p in prompts]
            if self._found is not None and set(names) != self._found_marked:
                self.show_discovered(self._found, set(names))  # "+" turns "✓" once subscribed
        else:
            for index, (prompt, old) in enumerate(zip(prompts, self._prompts, strict=True)):
                if prompt.plain != old:
                    channels.replace_option_prompt_at_index(index + 1, prompt)
                    self._prompts[index] = prompt.plain
        wanted = store.selected if store.selected in names else ALL_ID
        if self.selected_name(channels) != wanted:
            self._echo = wanted  # the highlight event this causes is ours, not the user's
            channels.highlighted = channels.get_option_index(wanted)

    @staticmethod
    def selected_name(option_list: OptionList) -> str | None:
        if option_list.highlighted is None:
            return None
        return option_list.get_option_at_index(option_list.highlighted).id

    def show_discovered(self, found: list[tuple[str, int]], subscribed: set[str]) -> None:
        self._found, self._found_marked = found, subscribed
        discovered = self.query_one("#discovered", OptionList)
        discovered.clear_options()
        for name, clients in found:
            prompt = Text(no_wrap=True, overflow="ellipsis")
            prompt.append("+ " if name not in subscribed else "✓ ", "green")
            prompt.append(name)
            prompt.append(f" {clients} cl", "dim")
            discovered.add_option(Option(prompt, id=name))
        if not found:
            discovered.add_option(Option(Text("(no active channels)", "dim"), disabled=True))

    @on(OptionList.OptionSelected, "#channels")
    @on(OptionList.OptionHighlighted, "#channels")
    def _channel_selected(self, event: OptionList.OptionSelected) -> None:
        option_id = event.option.id
        if isinstance(event, OptionList.OptionHighlighted) and self._echo is not None:
            echo, self._echo = self._echo, None
            if echo == option_id:
                return
        self.post_message(self.Selected(None if option_id == ALL_ID else option_id))

    @on(OptionList.OptionSelected, "#discovered")
    def _discovered_selected(self, event: OptionList.OptionSelected) -> None:
        if event.option.id:
            self.post_message(self.Discovered(event.option.id))

    @property
    def pattern(self) -> str:
        return self.query_one("#discover-pattern", Input).value.strip()

    @on(Input.Submitted, "#discover-pattern")
    async def _pattern_submitted(self) -> None:
        await self.app.run_action("discover")

    async def action_remove(self) -> None:
        name = self.selected_name(self.query_one("#channels", OptionList))
        if name and name != ALL_ID:
            await self.app.run_action(f"remove_channel({name!r})")
