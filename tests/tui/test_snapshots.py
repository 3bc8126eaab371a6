"""SVG snapshots of the main screen, the help screen and the publish form (FAKE session, frozen
clock and time zone), at 80x24 and 160x48. Update with `pytest --snapshot-update` and review."""

from __future__ import annotations

import time

import pytest

from cfgo_tui.tui.app import CfgoApp
from cfgo_tui.tui.session import AppOptions

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


async def settle(pilot) -> None:
    app = pilot.app
    await wait_for(pilot, lambda: app.store.total == 16 and len(app.store.channels) == 3)
    await pilot.pause(0.2)  # let the flush timer draw what the store holds
    await pilot.pause()


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
        await pilot.pause(0.2)
        await pilot.pause()

    assert snap_compare(scene(tmp_path), terminal_size=(80, 24), run_before=run_before)


def test_pretty_mode(snap_compare, tmp_path):
    async def run_before(pilot) -> None:
        await settle(pilot)
        await pilot.press("v")
        await pilot.pause(0.2)
        await pilot.pause()

    assert snap_compare(scene(tmp_path), terminal_size=(80, 24), run_before=run_before)
