"""`?` / F1: every key of the app, grouped by where it works."""

from __future__ import annotations

from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static


def _key_label(key: str) -> str:
    names = {
        "question_mark": "?",
        "slash": "/",
        "left_square_bracket": "[",
        "right_square_bracket": "]",
        "space": "space",
    }
    return " / ".join(names.get(k.strip(), k.strip()) for k in key.split(","))


# Longer words for the help screen than the footer has room for, by binding id.
HELP_TEXT: dict[str, str] = {
    "app.help": "this screen",
    "app.sidebar": "show / hide the channel sidebar",
    "app.subscribe": "subscribe to a channel (recover, join/leave, delta)",
    "app.unsubscribe": "unsubscribe the selected channel",
    "app.publish": "publish form (as this client or via the server API)",
    "app.discover": "list channels over the server API (pattern in the sidebar)",
    "app.tab_live": "live messages tab",
    "app.tab_presence": "presence tab (selected channel)",
    "app.tab_history": "history tab (selected channel)",
    "app.tab_frames": "raw frames in and out",
    "app.tab_events": "state changes and errors",
    "app.quit": "quit",
    "app.palette": "command palette: channels, actions, themes",
    "live.pause": "pause / resume (messages keep counting)",
    "live.follow": "follow the newest message again",
    "live.filter": 'filter: text, data.user == "bob", jp:<JMESPath>',
    "live.leave": "leave the filter box",
    "live.detail": "show / hide the message pretty-printed",
    "live.unfold": "unfold a long message in the detail view",
    "live.pretty": "one line per message / JSON pretty-printed in the pane",
    "live.copy": "copy the message JSON to the clipboard (OSC 52)",
    "live.export": "export the buffer to NDJSON (secrets redacted)",
    "view.up": "previous message (pauses)",
    "view.down": "next message",
    "view.first": "oldest message kept",
    "view.page_up": "page up",
    "view.page_down": "page down",
    "sidebar.remove": "unsubscribe and remove the highlighted channel",
    "sidebar.down": "next channel in the list",
    "sidebar.up": "previous channel in the list",
    "presence.reload": "reload presence and presence_stats",
    "history.newest": "newest page",
    "history.older": "older page",
    "history.newer": "newer page",
    "history.export": "export the page to NDJSON",
    "publish.close": "close the form",
    "publish.send": "send",
    "publish.toggle_api": "switch: as this client / via the server API",
    "subscribe.cancel": "close the dialog without subscribing",
    "export.cancel": "close the dialog without exporting",
    "help.close": "close this screen",
}


def bindings_table(sections: list[tuple[str, list[BindingType]]]) -> Table:
    table = Table.grid(padding=(0, 2))
    table.add_column("key", style="bold cyan", no_wrap=True)
    table.add_column("what")
    table.add_column("id", style="dim")
    for title, bindings in sections:
        table.add_row(Text(title, "bold underline"), "", "")
        for binding in bindings:
            if isinstance(binding, Binding):
                what = HELP_TEXT.get(binding.id or "", binding.description)
                table.add_row(_key_label(binding.key), what, binding.id or "")
        table.add_row("", "", "")
    return table


class HelpScreen(ModalScreen[None]):
    AUTO_FOCUS = "*"  # the app's own AUTO_FOCUS names the live pane
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,question_mark,f1", "dismiss", "Close", id="help.close"),
    ]

    def __init__(self, sections: list[tuple[str, list[BindingType]]]) -> None:
        super().__init__()
        self.sections = sections

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-body"):
            yield Static("cfgo-tui keys · ctrl+p: command palette · esc closes", id="help-title")
            yield Static(bindings_table(self.sections), id="help-table")

    async def action_dismiss(self, result: None = None) -> None:
        self.dismiss(result)
