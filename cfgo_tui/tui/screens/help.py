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


def bindings_table(sections: list[tuple[str, list[BindingType]]]) -> Table:
    table = Table.grid(padding=(0, 2))
    table.add_column("key", style="bold cyan", no_wrap=True)
    table.add_column("what")
    table.add_column("id", style="dim")
    for title, bindings in sections:
        table.add_row(Text(title, "bold underline"), "", "")
        for binding in bindings:
            if isinstance(binding, Binding):
                table.add_row(_key_label(binding.key), binding.description, binding.id or "")
        table.add_row("", "", "")
    return table


class HelpScreen(ModalScreen[None]):
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
