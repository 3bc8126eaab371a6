"""Add a channel with its options (recover, join_leave, delta, positioned)."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Input, Label

from cfgo_tui.store import SubscribeOptions

SubscribeRequest = tuple[str, SubscribeOptions]


class SubscribeScreen(ModalScreen[SubscribeRequest | None]):
    AUTO_FOCUS = "*"  # the app's own AUTO_FOCUS names the live pane
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="subscribe.cancel"),
    ]

    def __init__(self, channel: str = "") -> None:
        super().__init__()
        self.initial = channel

    def compose(self) -> ComposeResult:
        with Vertical(id="subscribe-dialog", classes="dialog"):
            yield Label("Subscribe to a channel", classes="dialog-title")
            yield Input(self.initial, placeholder="channel, e.g. chat:room", id="subscribe-channel")
            with Horizontal(classes="options"):
                yield Checkbox("recover", True, id="opt-recover", compact=True)
                yield Checkbox("join/leave", False, id="opt-join-leave", compact=True)
                yield Checkbox("delta", False, id="opt-delta", compact=True)
            yield Label("", id="subscribe-error", classes="error")
            with Horizontal(classes="buttons"):
                yield Button("Subscribe", variant="primary", id="subscribe-ok")
                yield Button("Cancel", id="subscribe-cancel")

    @on(Input.Submitted, "#subscribe-channel")
    @on(Button.Pressed, "#subscribe-ok")
    def _ok(self) -> None:
        channel = self.query_one("#subscribe-channel", Input).value.strip()
        if not channel:
            self.query_one("#subscribe-error", Label).update("type a channel name")
            return
        if any(ch.isspace() for ch in channel):
            self.query_one("#subscribe-error", Label).update("a channel name has no spaces")
            return
        options = SubscribeOptions(
            recover=self.query_one("#opt-recover", Checkbox).value,
            join_leave=self.query_one("#opt-join-leave", Checkbox).value,
            delta=self.query_one("#opt-delta", Checkbox).value,
        )
        self.dismiss((channel, options))

    @on(Button.Pressed, "#subscribe-cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
