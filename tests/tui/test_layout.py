"""At 200x60 (the `-xwide` breakpoint) the app fills the terminal: status bar on top, footer at
the bottom, the sidebar and the tabs side by side over the full width, and the live pane drawing
a message on every row it has (FAKE session)."""

from __future__ import annotations

from pathlib import Path

from textual.geometry import Region
from textual.widgets import Footer, TabbedContent

from cfgo_tui.client.events import PublicationEvent
from cfgo_tui.tui.app import CfgoApp
from cfgo_tui.tui.session import AppOptions
from cfgo_tui.tui.widgets.live_pane import LivePane
from cfgo_tui.tui.widgets.sidebar import Sidebar
from cfgo_tui.tui.widgets.status_bar import StatusBar

from .fake_session import FakeSession, sample_traffic
from .helpers import FrozenClock, wait_for

WIDTH, HEIGHT = 200, 60
LATE = 100  # more messages than the pane has rows, so it is full


async def test_the_app_fills_a_200x60_terminal(tmp_path: Path) -> None:
    clock = FrozenClock()
    session = FakeSession(sample_traffic(), clock=clock)
    app = CfgoApp(
        session,
        AppOptions(profile="test", url="ws://fake/connection/websocket"),
        clock=clock,
        state_path=tmp_path / "state.json",
    )
    async with app.run_test(size=(WIDTH, HEIGHT)) as pilot:
        await wait_for(pilot, lambda: app.store.total == 16)
        for n in range(LATE):
            session.emit(PublicationEvent("chat:lobby", {"late": n}, None, 300 + n))
        live = app.query_one("#live-pane", LivePane)
        messages = live.messages
        await wait_for(pilot, lambda: len(messages.rows) == 17 + LATE)
        await pilot.pause()  # the layout that follows the last rows

        assert "-xwide" in app.screen.classes
        status = app.query_one("#status", StatusBar).region
        footer = app.query_one(Footer).region
        body = app.query_one("#body").region
        assert status == Region(0, 0, WIDTH, 1)
        assert footer == Region(0, HEIGHT - 1, WIDTH, 1)
        assert body == Region(0, status.bottom, WIDTH, footer.y - status.bottom)

        # side by side, together the full width and the full height of the body
        sidebar = app.query_one("#sidebar", Sidebar).region
        tabs = app.query_one("#tabs", TabbedContent).region
        assert sidebar.x == 0 and sidebar.width == 42  # `Screen.-xwide #sidebar`
        assert tabs.x == sidebar.right and tabs.right == WIDTH
        assert sidebar.y == tabs.y == body.y and sidebar.bottom == tabs.bottom == body.bottom
        assert app.query_one("#discovered").region.bottom == sidebar.bottom

        # the live pane takes the tab's width and every row down to the footer
        pane = live.region
        assert pane.x == tabs.x and pane.right == WIDTH and pane.bottom == footer.y
        region = messages.region
        assert region.bottom == pane.bottom
        # every row of the message view shows a message: the newest ones, in order, ending
        # with the last one on the bottom row
        shown = messages.scrollable_content_region.height
        assert shown == region.height, "a row of the pane is not used for messages"
        rows = list(messages.rows)[-shown:]
        lines = [messages.render_line(y).text for y in range(shown)]
        assert [f"#{row.offset}" in line for row, line in zip(rows, lines, strict=True)] == [
            True
        ] * shown
        assert '"late":99' in lines[-1].replace(" ", "")
