"""The subscribe dialog's options and the publish form's recent payloads, driven by keys on a
FAKE session (what reaches the session is recorded by it)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import OptionList, TextArea

from cfgo_tui.tui.app import CfgoApp
from cfgo_tui.tui.screens.publish import PublishScreen
from cfgo_tui.tui.screens.subscribe import SubscribeScreen
from cfgo_tui.tui.session import AppOptions

from .fake_session import FakeSession
from .helpers import FrozenClock, wait_for

SIZE = (120, 40)


def make_app(tmp_path: Path, session: FakeSession) -> CfgoApp:
    clock = FrozenClock()
    return CfgoApp(
        session,
        AppOptions(profile="test", url="ws://fake/connection/websocket"),
        clock=clock,
        state_path=tmp_path / "state.json",
    )


@pytest.mark.parametrize(
    ("toggles", "expected"),
    [
        pytest.param(
            [],
            {"recoverable": True, "positioned": True, "join_leave": False, "delta": None},
            id="defaults",
        ),
        pytest.param(
            ["recover", "join/leave", "delta"],
            {"recoverable": False, "positioned": False, "join_leave": True, "delta": "fossil"},
            id="all-toggled",
        ),
        pytest.param(
            ["join/leave"],
            {"recoverable": True, "positioned": True, "join_leave": True, "delta": None},
            id="join-leave",
        ),
    ],
)
async def test_subscribe_dialog_options_reach_the_session(
    tmp_path: Path, toggles: list[str], expected: dict[str, Any]
) -> None:
    session = FakeSession()
    app = make_app(tmp_path, session)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: app.store.connection.state == "connected")
        await pilot.press("a")
        await wait_for(pilot, lambda: isinstance(app.screen, SubscribeScreen))
        await pilot.press(*"chat:opts")
        # tab walks the checkboxes in order (recover, join/leave, delta); space toggles one
        for label in ("recover", "join/leave", "delta"):
            await pilot.press("tab")
            if label in toggles:
                await pilot.press("space")
        await pilot.press("tab", "enter")  # the Subscribe button
        await wait_for(pilot, lambda: session.subscription_calls)
        channel, options = session.subscription_calls[0]
        assert channel == "chat:opts"
        assert {key: options[key] for key in expected} == expected
        await wait_for(pilot, lambda: app.store.selected == "chat:opts")
        assert app.store.channels["chat:opts"].state == "subscribed"


async def test_enter_on_a_recent_payload_puts_it_in_the_editor(tmp_path: Path) -> None:
    recent = ['{"first": 1}', '{\n  "second": 2\n}']
    (tmp_path / "state.json").write_text(json.dumps({"recent_payloads": recent}))
    session = FakeSession()
    app = make_app(tmp_path, session)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: app.store.connection.state == "connected")
        await pilot.press("w")
        await wait_for(pilot, lambda: isinstance(app.screen, PublishScreen))
        screen = app.screen
        editor = screen.query_one("#publish-data", TextArea)
        assert editor.text == recent[0], "the form opens on the newest payload"
        screen.query_one("#publish-channel").value = "chat:recall"
        recent_list = screen.query_one("#publish-recent", OptionList)
        recent_list.focus()
        await pilot.press("home", "down")
        await wait_for(pilot, lambda: recent_list.highlighted == 1)
        await pilot.press("enter")
        await wait_for(pilot, lambda: editor.text == recent[1])
        assert editor.has_focus, "the recalled payload is ready to edit"
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: session.published == [("chat:recall", {"second": 2})])
        assert app.ui_state.recent_payloads[:2] == [recent[1], recent[0]]
