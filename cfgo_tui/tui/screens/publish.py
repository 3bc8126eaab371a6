"""The publish form: channel, JSON editor with live validation, send as client or via API."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Input, Label, OptionList, Static, TextArea
from textual.widgets.option_list import Option

from cfgo_tui.client.errors import CentrifugoError
from cfgo_tui.tui.bridge import error_text

Publisher = Callable[[str, Any, bool], Awaitable[str]]


def validate_json(text: str) -> tuple[Any, str | None]:
    """(value, None) when `text` is JSON, else (None, "line L, column C: what")."""
    if not text.strip():
        return None, 'empty: type a JSON value, e.g. {"text": "hi"}'
    try:
        return json.loads(text, parse_constant=_no_constant), None
    except json.JSONDecodeError as error:
        return None, f"line {error.lineno}, column {error.colno}: {error.msg}"
    except ValueError as error:
        return None, str(error)


def _no_constant(name: str) -> Any:
    """Python's json accepts NaN and Infinity; JSON (and the server) does not."""
    raise ValueError(f"{name} is not a JSON value (use null or a number)")


class PublishScreen(ModalScreen[None]):
    AUTO_FOCUS = "*"  # the app's own AUTO_FOCUS names the live pane
    BINDINGS: ClassVar[list[BindingType]] = [
        # priority: the JSON editor would otherwise take escape to release focus
        Binding("escape", "close", "Close", id="publish.close", priority=True),
        Binding("ctrl+s", "send", "Send", id="publish.send"),
        Binding("ctrl+t", "toggle_api", "Client/API", id="publish.toggle_api"),
    ]

    def __init__(
        self,
        publisher: Publisher,
        *,
        channel: str = "",
        recent: list[str] | None = None,
        has_api: bool = False,
        remember: Callable[[str], None] | None = None,
    ) -> None:
        super().__init__()
        self.publisher = publisher
        self.channel = channel
        self.recent = list(recent or [])
        self.has_api = has_api
        self.remember = remember
        self.answer: str = ""

    def compose(self) -> ComposeResult:
        with Vertical(id="publish-dialog", classes="dialog"):
            yield Label("Publish · ctrl+s sends · esc closes", classes="dialog-title")
            with Horizontal(classes="row"):
                yield Label("channel", classes="field-label")
                yield Input(self.channel, placeholder="chat:room", id="publish-channel")
            yield TextArea(
                self.recent[0] if self.recent else '{\n  "text": "hello"\n}',
                id="publish-data",
                soft_wrap=True,
                show_line_numbers=True,
                tab_behavior="indent",
            )
            yield Label("", id="publish-validation")
            with Horizontal(classes="buttons"):
                yield Checkbox(
                    "via server API",
                    False,
                    id="publish-via-api",
                    disabled=not self.has_api,
                    compact=True,
                )
                yield Button("Send", variant="primary", id="publish-send", compact=True)
            yield Static("", id="publish-answer")
            yield Label("recent payloads (enter recalls)", classes="section-title")
            yield OptionList(
                *[
                    Option(Text(p.replace("\n", " ")[:200], no_wrap=True), id=str(i))
                    for i, p in enumerate(self.recent)
                ],
                id="publish-recent",
            )

    def on_mount(self) -> None:
        target = "#publish-data" if self.channel else "#publish-channel"
        self.query_one(target).focus()
        self._validate()

    @on(TextArea.Changed, "#publish-data")
    def _changed(self) -> None:
        self._validate()

    def _validate(self) -> tuple[Any, str | None]:
        value, problem = validate_json(self.query_one("#publish-data", TextArea).text)
        label = self.query_one("#publish-validation", Label)
        if problem:
            label.update(Text(f"✕ {problem}", "bold red"))
        else:
            label.update(Text("✓ valid JSON", "green"))
        label.set_class(problem is not None, "invalid")
        return value, problem

    @on(OptionList.OptionSelected, "#publish-recent")
    def _recall(self, event: OptionList.OptionSelected) -> None:
        index = int(event.option.id or 0)
        self.query_one("#publish-data", TextArea).text = self.recent[index]
        self.query_one("#publish-data", TextArea).focus()

    def action_toggle_api(self) -> None:
        box = self.query_one("#publish-via-api", Checkbox)
        if not box.disabled:
            box.value = not box.value

    @on(Button.Pressed, "#publish-send")
    def action_send(self) -> None:
        channel = self.query_one("#publish-channel", Input).value.strip()
        value, problem = self._validate()
        answer = self.query_one("#publish-answer", Static)
        if not channel:
            answer.update(Text("✕ type a channel to publish to", "bold red"))
            return
        if problem:
            answer.update(Text(f"✕ not sent: the JSON is not valid ({problem})", "bold red"))
            return
        via_api = self.query_one("#publish-via-api", Checkbox).value
        answer.update(Text("sending…", "dim"))
        self._send(channel, value, via_api, self.query_one("#publish-data", TextArea).text)

    @work(exclusive=True, group="publish", exit_on_error=False)
    async def _send(self, channel: str, value: Any, via_api: bool, raw: str) -> None:
        answer = self.query_one("#publish-answer", Static)
        try:
            result = await self.publisher(channel, value, via_api)
        except (CentrifugoError, OSError) as error:
            self.answer = f"✕ {error_text(error)}"
            answer.update(Text(self.answer, "bold red"))
            return
        except Exception as error:  # the API layer's own typed errors carry a readable message
            self.answer = f"✕ {error_text(error)}"
            answer.update(Text(self.answer, "bold red"))
            return
        self.answer = f"✓ {result}"
        answer.update(Text(f"{self.answer} → {channel}", "bold green"))
        if self.remember is not None:
            self.remember(raw)
        if raw not in self.recent:
            self.recent.insert(0, raw)
            recent = self.query_one("#publish-recent", OptionList)
            recent.clear_options()
            recent.add_options(
                Option(Text(p.replace("\n", " ")[:200], no_wrap=True), id=str(i))
                for i, p in enumerate(self.recent)
            )

    def action_close(self) -> None:
        self.dismiss(None)
