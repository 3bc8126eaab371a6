"""Export a buffer to NDJSON: ask for the file, default named after the channel and time."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label


class ExportScreen(ModalScreen[Path | None]):
    AUTO_FOCUS = "*"  # the app's own AUTO_FOCUS names the live pane
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="export.cancel"),
    ]

    def __init__(self, what: str, default: Path) -> None:
        super().__init__()
        self.what = what
        self.default = default

    def compose(self) -> ComposeResult:
        with Vertical(id="export-dialog", classes="dialog"):
            yield Label(f"Export {self.what} to NDJSON (secrets redacted)", classes="dialog-title")
            yield Input(str(self.default), id="export-path")
            yield Label("", id="export-error", classes="error")
            with Horizontal(classes="buttons"):
                yield Button("Export", variant="primary", id="export-ok")
                yield Button("Cancel", id="export-cancel")

    @on(Input.Submitted, "#export-path")
    @on(Button.Pressed, "#export-ok")
    def _ok(self) -> None:
        raw = self.query_one("#export-path", Input).value.strip()
        if not raw:
            self.query_one("#export-error", Label).update("type a file path")
            return
        path = Path(raw).expanduser()
        if path.is_dir():
            self.query_one("#export-error", Label).update(f"{path} is a folder: name a file")
            return
        if not path.parent.exists():
            self.query_one("#export-error", Label).update(f"folder {path.parent} does not exist")
            return
        self.dismiss(path)

    @on(Button.Pressed, "#export-cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
