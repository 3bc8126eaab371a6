"""SVG snapshots of the main screen, the help screen and the publish form (FAKE session, frozen
clock and time zone), at 80x24 and 160x48. Update with `pytest --snapshot-update` and review."""

from __future__ import annotations

import time

import pytest
from textual.widgets import OptionList

from cfgo_tui.tui.app import CfgoApp
from cfgo_tui.tui.session import AppOptions
from cfgo_tui.tui.widgets.live_pane import LivePane
from cfgo_tui.tui.widgets.status_bar import StatusBar

from .fake_session import FakeSession, sample_traffic
from .helpers import FrozenClock, wait_for

SIZES = [(80, 24), (160, 48)]


@pytest.fixture(autouse=True)
def utc(monkeypatch):
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def scene(tmp_path) -> CfgoApp:
    clock = FrozenClock(1_700_000_003.5)
    session = FakeSession(
        sample_traffic(),
        clock=clock,
        failures={"$secret:denied": (103, "permission denied")},
    )
    return CfgoApp(
        session,
        AppOptions(
            profile="local",
            url="ws://127.0.0.1:8000/connection/websocket",
            tls_insecure=True,
        ),
        clock=clock,
        state_path=tmp_path / "state.json",
    )


def live_pane(app: CfgoApp) -> LivePane:
    return app.query_one("#live-pane", LivePane)


def drawn(app: CfgoApp) -> bool:
    """The widgets show what the scene's store holds: every message (and the lost-state
    divider) in the pane, every channel in the sidebar, the total in the status bar."""
    return (
        len(live_pane(app).messages.rows) == 17
        and app.query_one("#channels", OptionList).option_count == 4
        and "total 16" in str(app.query_one("#status", StatusBar).render())
    )


async def flush(pilot, condition) -> None:
    """Draw the store now instead of waiting for the flush timer's tick, then let the screen
    update show it; `condition` says the widgets got it."""
    pilot.app.flush()
    await wait_for(pilot, condition)
    await pilot.pause()


async def settle(pilot) -> None:
    app = pilot.app
    await wait_for(pilot, lambda: app.store.total == 16 and len(app.store.channels) == 3)
    await flush(pilot, lambda: drawn(app))


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_main_screen(snap_compare, tmp_path, size):
    assert snap_compare(scene(tmp_path), terminal_size=size, run_before=settle)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_help_screen(snap_compare, tmp_path, size):
    async def run_before(pilot) -> None:
        await settle(pilot)
        await pilot.press("question_mark")
        await pilot.pause()

    assert snap_compare(scene(tmp_path), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_publish_form(snap_compare, tmp_path, size):
    async def run_before(pilot) -> None:
        await settle(pilot)
        pilot.app.select_channel("chat:lobby")
        await pilot.pause()
        await pilot.press("w")
        await pilot.pause()
        screen = pilot.app.screen
        area = screen.query_one("#publish-data")
        area.cursor_blink = False
        area.text = '{\n  "text": "hello",\n  "n": \n}'
        await pilot.pause()

    assert snap_compare(scene(tmp_path), terminal_size=size, run_before=run_before)


def test_failure_explained_with_sidebar_toggled(snap_compare, tmp_path):
    async def run_before(pilot) -> None:
        await settle(pilot)
        await pilot.app.bridge.subscribe("$secret:denied")
        pilot.app.select_channel("$secret:denied")
        await pilot.press("ctrl+b")
        app = pilot.app
        await flush(
            pilot,
            lambda: (
                app.query_one("#failure").display
                and app.query_one("#sidebar").display  # 80 columns: ctrl+b shows it
                and "$secret:denied" in str(live_pane(app).query_one("#live-state").render())
            ),
        )

    assert snap_compare(scene(tmp_path), terminal_size=(80, 24), run_before=run_before)


def test_pretty_mode(snap_compare, tmp_path):
    async def run_before(pilot) -> None:
        await settle(pilot)
        await pilot.press("v")
        view = live_pane(pilot.app).messages
        await flush(pilot, lambda: view.expanded and view.line_count > len(view.rows))

    assert snap_compare(scene(tmp_path), terminal_size=(80, 24), run_before=run_before)
