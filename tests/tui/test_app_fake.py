"""App behaviour on a scripted FAKE session (deterministic; the real server is in test_app_e2e)."""

from __future__ import annotations

import pytest

from cfgo_tui.client.errors import CentrifugoError
from cfgo_tui.client.events import PublicationEvent
from cfgo_tui.tui.app import CfgoApp
from cfgo_tui.tui.bridge import error_text
from cfgo_tui.tui.session import AppOptions
from cfgo_tui.tui.widgets.live_pane import LivePane

from .fake_session import FakeSession, sample_traffic
from .helpers import FrozenClock, wait_for


def make_app(tmp_path, session: FakeSession | None = None, **kw) -> CfgoApp:
    clock = FrozenClock()
    return CfgoApp(
        session or FakeSession(sample_traffic(), clock=clock),
        AppOptions(profile="test", url="ws://fake/connection/websocket", **kw),
        clock=clock,
        state_path=tmp_path / "state.json",
    )


def pane_rows(app: CfgoApp) -> list:
    return list(app.query_one("#live-pane", LivePane).messages.rows)


async def test_pause_stops_the_pane_and_resume_catches_up(tmp_path):
    session = FakeSession(sample_traffic())
    app = make_app(tmp_path, session)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: len(pane_rows(app)) == 17)
        await pilot.press("p")
        live = app.query_one("#live-pane", LivePane)
        assert not live.following
        for n in range(5):
            session.emit(PublicationEvent("chat:lobby", {"late": n}, None, 100 + n))
        state = live.query_one("#live-state")
        await wait_for(pilot, lambda: "+5 new" in str(state.render()))
        assert len(pane_rows(app)) == 17, "a paused pane does not move"
        assert app.store.total == 21, "messages keep counting while paused"
        await pilot.press("p")
        await wait_for(pilot, lambda: len(pane_rows(app)) == 22)
        assert pane_rows(app)[-1].data == {"late": 4}


async def test_moving_up_pauses_and_end_follows(tmp_path):
    app = make_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: len(pane_rows(app)) == 17)
        await pilot.press("k")
        live = app.query_one("#live-pane", LivePane)
        await wait_for(pilot, lambda: not live.following)
        assert live.selected_record() is pane_rows(app)[-1]
        await pilot.press("k")
        assert live.selected_record() is pane_rows(app)[-2]
        await pilot.press("G")
        await wait_for(pilot, lambda: live.following)


async def test_filter_narrows_the_pane_and_explains_bad_input(tmp_path):
    app = make_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: len(pane_rows(app)) == 17)
        await pilot.press("slash")
        await pilot.press(*'data.user == "bob"')
        await wait_for(pilot, lambda: len(pane_rows(app)) == 6)
        assert all(r.data["user"] == "bob" for r in pane_rows(app))
        filter_input = app.query_one("#filter")
        filter_input.value = "deploy"
        await wait_for(pilot, lambda: len(pane_rows(app)) == 2)
        filter_input.value = "jp:data.["
        await wait_for(pilot, lambda: app.query_one("#filter-error").display)
        assert "JMESPath" in str(app.query_one("#filter-error").render())
        filter_input.value = ""
        await wait_for(pilot, lambda: len(pane_rows(app)) == 17)


async def test_selecting_a_channel_shows_only_it_and_clears_unread(tmp_path):
    app = make_app(tmp_path)
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_for(pilot, lambda: len(pane_rows(app)) == 17)
        app.select_channel("news")
        await wait_for(pilot, lambda: len(pane_rows(app)) == 4)
        assert {r.channel for r in pane_rows(app)} == {"news"}
        assert pane_rows(app)[-1].kind == "state_lost"


async def test_subscription_failure_is_explained_in_place(tmp_path):
    session = FakeSession(failures={"$secret:denied": (103, "permission denied")})
    app = make_app(tmp_path, session)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: app.store.connection.state == "connected")
        await pilot.press("a")
        await pilot.press(*"$secret:denied")
        await pilot.press("enter")
        failure = app.query_one("#failure")
        await wait_for(pilot, lambda: failure.display)
        text = str(failure.render())
        assert "103 permission denied" in text
        assert "subscription token" in text


async def test_theme_is_remembered(tmp_path):
    app = make_app(tmp_path)
    async with app.run_test() as pilot:
        app.theme = "dracula"
        await pilot.pause()
    again = make_app(tmp_path)
    async with again.run_test() as pilot:
        await pilot.pause()
        assert again.theme == "dracula"


async def test_publish_form_validates_json_with_line_and_column(tmp_path):
    session = FakeSession()
    app = make_app(tmp_path, session)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("w")
        await pilot.pause()
        screen = app.screen
        screen.query_one("#publish-channel").value = "chat:x"
        area = screen.query_one("#publish-data")
        area.text = '{\n  "a": 1,\n  "b": }'
        await wait_for(
            pilot, lambda: "line 3, column" in str(screen.query_one("#publish-validation").render())
        )
        await pilot.press("ctrl+s")
        assert session.published == []
        area.text = '{"a": 1}'
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: session.published == [("chat:x", {"a": 1})])
        await wait_for(pilot, lambda: "ok" in str(screen.query_one("#publish-answer").render()))
        assert app.ui_state.recent_payloads == ['{"a": 1}']


async def test_presence_108_shows_its_hint(tmp_path):
    session = FakeSession()
    app = make_app(tmp_path, session)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: app.store.connection.state == "connected")
        await app.bridge.subscribe("plain:x")
        app.select_channel("plain:x")
        await pilot.press("2")
        message = app.query_one("#presence-message")
        await wait_for(pilot, lambda: message.display)
        text = str(message.render())
        assert "108 not available" in text
        assert "presence is not enabled for this namespace: set `presence: true`" in text


async def test_keymap_from_the_profile_rebinds_by_id(tmp_path):
    session = FakeSession()
    app = make_app(tmp_path, session, keymap={"app.publish": "ctrl+w"})
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: app.store.connection.state == "connected")
        await wait_for(pilot, lambda: app.focused is not None and app.focused.id == "messages")
        await pilot.press("ctrl+w")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "PublishScreen")


async def test_keymap_rebinds_the_command_palette(tmp_path):
    app = make_app(tmp_path, FakeSession(), keymap={"app.palette": "ctrl+k"})
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: app.store.connection.state == "connected")
        assert not app._keymap_problems
        await pilot.press("ctrl+k")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "CommandPalette")


async def test_pretty_mode_shows_each_message_over_several_lines(tmp_path):
    clock = FrozenClock()
    session = FakeSession(sample_traffic(), clock=clock)
    app = CfgoApp(
        session,
        AppOptions(profile="test", url="ws://fake", retention=20),
        clock=clock,
        state_path=tmp_path / "state.json",
    )
    async with app.run_test(size=(120, 40)) as pilot:
        view = app.query_one("#live-pane", LivePane).messages
        await wait_for(pilot, lambda: len(view.rows) == 17)
        await pilot.press("v")
        await wait_for(pilot, lambda: view.expanded)
        # {"user", "text", "n"} pretty-printed: header + 5 lines per chat message
        assert view.line_count > 4 * len(view.rows)
        first, height = view._row_lines(len(view.rows) - 1)
        assert view._locate(first + height - 1) == (len(view.rows) - 1, height - 1)
        for n in range(30):  # more than the retention: the layout follows the trimmed rows
            session.emit(PublicationEvent("chat:lobby", {"late": n}, None, 200 + n))
        await wait_for(pilot, lambda: view.rows and view.rows[-1].data == {"late": 29})
        assert len(view._spans) == len(view.rows) == 20
        assert [s.seq for s in view._spans] == [r.seq for r in view.rows]
        await pilot.press("k")
        assert view.current is view.rows[-1]
        await pilot.press("v")
        await wait_for(pilot, lambda: view.line_count == len(view.rows))


async def test_sidebar_keys_select_and_remove_channels(tmp_path):
    app = make_app(tmp_path)
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_for(pilot, lambda: len(pane_rows(app)) == 17)
        channels = app.query_one("#channels")
        channels.focus()
        await pilot.press("j")  # from "all channels" to the first channel
        await wait_for(pilot, lambda: app.store.selected == "chat:lobby")
        await pilot.press("j")
        await wait_for(pilot, lambda: app.store.selected == "news")
        await wait_for(pilot, lambda: len(pane_rows(app)) == 4)
        await pilot.press("d")
        await wait_for(pilot, lambda: "news" not in app.store.channels)
        assert app.store.selected is None


async def test_unsubscribe_key_shows_only_with_a_selection(tmp_path):
    app = make_app(tmp_path)
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_for(pilot, lambda: len(pane_rows(app)) == 17)
        assert app.check_action("unsubscribe", ()) is False
        app.select_channel("chat:lobby")
        assert app.check_action("unsubscribe", ()) is True
        await pilot.press("u")
        await wait_for(pilot, lambda: "chat:lobby" not in app.store.channels)


async def test_export_dialog_explains_a_bad_path(tmp_path):
    app = make_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: len(pane_rows(app)) == 17)
        await pilot.press("e")
        await pilot.pause()
        dialog = app.screen
        dialog.query_one("#export-path").value = str(tmp_path / "missing" / "x.ndjson")
        await pilot.press("enter")
        error = dialog.query_one("#export-error")
        await wait_for(pilot, lambda: "does not exist" in str(error.render()))
        dialog.query_one("#export-path").value = str(tmp_path)
        await pilot.press("enter")
        await wait_for(pilot, lambda: "is a folder" in str(error.render()))
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is not dialog)


async def test_mouse_selects_a_message_and_a_channel(tmp_path):
    app = make_app(tmp_path)
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_for(pilot, lambda: len(pane_rows(app)) == 17)
        live = app.query_one("#live-pane", LivePane)
        await pilot.click("#messages", offset=(5, 2))
        await wait_for(pilot, lambda: not live.following)
        assert live.selected_record() is pane_rows(app)[2]
        await pilot.click("#channels", offset=(3, 3))  # "news": all, then 2 lines per channel
        await wait_for(pilot, lambda: app.store.selected == "news")


async def test_substring_matches_are_highlighted(tmp_path):
    app = make_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: len(pane_rows(app)) == 17)
        app.query_one("#filter").value = "DEPLOY"
        await wait_for(pilot, lambda: len(pane_rows(app)) == 2)
        live = app.query_one("#live-pane", LivePane)
        line = live._format(pane_rows(app)[0], 120)
        marked = [line.plain[s.start : s.end] for s in line.spans if "reverse" in str(s.style)]
        assert marked == ["deploy"]


async def test_keymap_accepts_a_bare_binding_name_and_reports_unknown_ones(tmp_path):
    app = make_app(tmp_path, FakeSession(), keymap={"pause": "z", "nosuch": "x"})
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: app.store.connection.state == "connected")
        await wait_for(pilot, lambda: app.focused is not None and app.focused.id == "messages")
        await pilot.press("z")
        live = app.query_one("#live-pane", LivePane)
        await wait_for(pilot, lambda: not live.following)
        assert any("nosuch" in p for p in app._keymap_problems)


async def test_publish_via_api_without_a_key_is_explained(tmp_path):
    app = make_app(tmp_path, FakeSession())
    async with app.run_test(size=(120, 40)):
        with pytest.raises(CentrifugoError) as raised:
            await app.bridge.publish("chat:x", {"a": 1}, via_api=True)
        assert error_text(raised.value).startswith("this profile has no API key")
