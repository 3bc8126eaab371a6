"""More of the app against the real server: frames and events, export, help, palette, discovery,
reconnect state, and keys under a flood."""

from __future__ import annotations

import importlib
import inspect
import io
import json
import pkgutil

from rich.console import Console
from textual.binding import Binding
from textual.command import Command, CommandList, CommandPalette
from textual.widgets import Static

import cfgo_tui.tui
from cfgo_tui.config.factory import make_client
from cfgo_tui.tui.app import CfgoApp
from cfgo_tui.tui.launch import app_for_profile
from cfgo_tui.tui.screens.export import ExportScreen
from cfgo_tui.tui.screens.help import HelpScreen, _key_label
from cfgo_tui.tui.screens.subscribe import SubscribeScreen
from cfgo_tui.tui.widgets.live_pane import LivePane
from cfgo_tui.tui.widgets.record_view import RecordView
from cfgo_tui.tui.widgets.sidebar import ChannelList

from .conftest import make_profile
from .helpers import wait_for

SIZE = (140, 44)


def subscribed(app: CfgoApp, channel: str) -> bool:
    state = app.store.channels.get(channel)
    return state is not None and state.state == "subscribed"


async def test_frames_are_logged_redacted_and_filterable(profile_for, centrifugo, unique, tmp_path):
    channel = f"$secret:{unique}"
    app = app_for_profile(profile_for(channels=[channel]), state_path=tmp_path / "s.json")
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: subscribed(app, channel))
        await pilot.press("4")
        panel = app.query_one("#frames-panel")
        view = panel.query_one(RecordView)
        await wait_for(pilot, lambda: any(channel in f.text for f in view.rows))
        texts = [f.text for f in app.store.frames]
        assert any('"connect"' in t for t in texts)
        assert not any("eyJ" in t or centrifugo.hmac_secret in t for t in texts)
        panel.query_one("Input").value = unique
        await wait_for(pilot, lambda: view.rows and all(unique in f.text for f in view.rows))
        await pilot.press("5")
        events = app.query_one("#events-panel").query_one(RecordView)
        await wait_for(
            pilot, lambda: any(f"subscribed to {channel}" in e.text for e in events.rows)
        )


async def test_export_writes_the_channel_buffer(profile_for, api, unique, tmp_path):
    channel = f"chat:export-{unique}"
    app = app_for_profile(profile_for(channels=[channel]), state_path=tmp_path / "s.json")
    target = tmp_path / "out.ndjson"
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: subscribed(app, channel))
        app.select_channel(channel)
        for n in range(3):
            await api.publish(channel, {"n": n})
        await wait_for(pilot, lambda: app.store.channels[channel].total == 3)
        await pilot.press("e")
        await pilot.pause()
        app.screen.query_one("#export-path").value = str(target)
        await pilot.press("enter")
        await wait_for(pilot, target.exists)
    lines = [json.loads(line) for line in target.read_text().splitlines()]
    assert [line["data"] for line in lines] == [{"n": 0}, {"n": 1}, {"n": 2}]
    assert [line["offset"] for line in lines] == [1, 2, 3]


async def test_copy_puts_the_message_json_on_the_clipboard(profile_for, api, unique, tmp_path):
    channel = f"chat:copy-{unique}"
    app = app_for_profile(profile_for(channels=[channel]), state_path=tmp_path / "s.json")
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: subscribed(app, channel))
        await api.publish(channel, {"copy": unique})
        live = app.query_one("#live-pane", LivePane)
        await wait_for(pilot, lambda: len(live.messages.rows) == 1)
        await pilot.press("y")
        assert app.clipboard == json.dumps({"copy": unique}, separators=(",", ":"))


def declared_bindings() -> dict[str, tuple[type, Binding]]:
    """Every binding a class of the app's package declares (the app, its screens and dialogs,
    its widgets and their parts), by id: walked, so a key added anywhere cannot be left out."""
    found: dict[str, tuple[type, Binding]] = {}
    for info in pkgutil.walk_packages(cfgo_tui.tui.__path__, "cfgo_tui.tui."):
        module = importlib.import_module(info.name)
        for owner in vars(module).values():
            if not inspect.isclass(owner) or owner.__module__ != module.__name__:
                continue
            for binding in owner.__dict__.get("BINDINGS", ()):
                where = f"{owner.__name__} binding {binding!r}"
                assert isinstance(binding, Binding) and binding.id, f"{where} has no id"
                assert binding.id not in found, f"{where}: id {binding.id} is taken"
                found[binding.id] = (owner, binding)
    return found


def help_rows(screen: HelpScreen) -> dict[str, str]:
    """The help screen's table as text, one row per binding id (the id is the last column)."""
    console = Console(width=200, record=True, file=io.StringIO())
    console.print(screen.query_one("#help-table", Static).content)
    rows = [line.split() for line in console.export_text().splitlines()]
    return {row[-1]: " ".join(row) for row in rows if row}


async def test_help_lists_every_key_with_its_id(profile_for, tmp_path):
    declared = declared_bindings()
    owners = {owner for owner, _ in declared.values()}
    # the walk reaches the app, widgets and their parts, dialogs and the help screen itself
    assert {CfgoApp, LivePane, ChannelList, SubscribeScreen, ExportScreen, HelpScreen} <= owners
    app = app_for_profile(profile_for(), state_path=tmp_path / "s.json")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("question_mark")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen))
        rows = help_rows(app.screen)
        for binding_id, (owner, binding) in declared.items():
            row = rows.get(binding_id)
            assert row is not None, f"{owner.__name__} {binding_id} missing from the help screen"
            assert _key_label(binding.key) in row, f"{binding_id}: its keys are not on its row"
        # the help screen's ids are what a profile's keymap names
        assert set(declared) <= app.binding_ids()
        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, HelpScreen))


def palette_highlight(app: CfgoApp) -> str | None:
    """The title of the command the palette's enter would run now, if any."""
    screen = app.screen
    if not isinstance(screen, CommandPalette):
        return None
    hits = screen.query_one(CommandList)
    if hits.highlighted is None:
        return None
    option = hits.get_option_at_index(hits.highlighted)
    return str(option.hit.text) if isinstance(option, Command) else None


async def test_palette_opens_a_channel(profile_for, unique, tmp_path):
    channel = f"chat:palette-{unique}"
    app = app_for_profile(profile_for(channels=[channel]), state_path=tmp_path / "s.json")
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: subscribed(app, channel))
        await pilot.press("ctrl+p")
        await wait_for(pilot, lambda: isinstance(app.screen, CommandPalette))
        await pilot.press(*f"open {channel}")
        # the palette gathers its hits in a worker: enter acts on what is highlighted then
        await wait_for(pilot, lambda: palette_highlight(app) == f"open {channel}")
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.store.selected == channel)


async def test_discovery_lists_active_channels_over_the_api(profile_for, unique, tmp_path):
    channel = f"chat:disc-{unique}"
    app = app_for_profile(profile_for(channels=[channel]), state_path=tmp_path / "s.json")
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: subscribed(app, channel))
        app.discovered = []  # forget the mount-time discovery: `r` (focus anywhere) lists anew
        await pilot.press("r")
        await wait_for(pilot, lambda: channel in app.discovered)
        pattern = app.query_one("#discover-pattern")
        pattern.focus()
        pattern.value = f"*{unique}"
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.discovered == [channel])


async def test_discovered_section_is_filled_at_start_without_a_key_press(
    profile_for, unique, tmp_path
):
    channel = f"chat:disc0-{unique}"
    app = app_for_profile(profile_for(channels=[channel]), state_path=tmp_path / "s.json")
    async with app.run_test(size=SIZE) as pilot:
        discovered = app.query_one("#discovered")
        # the mount-time discovery may run before our own subscription: either it lists
        # active channels or it says there are none, but it is never left blank
        await wait_for(pilot, lambda: discovered.option_count > 0)


async def test_status_bar_shows_reconnecting_and_connected(fresh_centrifugo, tmp_path):
    profile = make_profile(fresh_centrifugo, min_reconnect_delay=0.2, max_reconnect_delay=0.5)
    app = app_for_profile(profile, state_path=tmp_path / "s.json")
    async with app.run_test(size=SIZE) as pilot:
        status = app.query_one("#status")
        await wait_for(pilot, lambda: "● connected" in str(status.render()))
        first_client = app.store.connection.client_id
        fresh_centrifugo.stop()
        await wait_for(pilot, lambda: "reconnecting" in str(status.render()))
        assert app.store.connection.last_code is not None
        fresh_centrifugo.start()
        await wait_for(
            pilot,
            lambda: (
                "● connected" in str(status.render())
                and app.store.connection.client_id != first_client
            ),
            limit=30,
        )


async def test_keys_answer_during_a_flood(profile_for, api, unique, tmp_path):
    channel = f"chat:flood-{unique}"
    app = app_for_profile(profile_for(channels=[channel]), state_path=tmp_path / "s.json")
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: subscribed(app, channel))
        await api.batch([{"publish": {"channel": channel, "data": {"n": n}}} for n in range(2000)])
        await wait_for(pilot, lambda: app.store.channels[channel].total > 0)
        await pilot.press("p")
        live = app.query_one("#live-pane", LivePane)
        assert not live.following
        shown = len(live.messages.rows)
        # the first flood may be all in before the pause: this one surely comes while paused
        await api.batch(
            [{"publish": {"channel": channel, "data": {"n": n}}} for n in range(2000, 2500)]
        )
        await wait_for(pilot, lambda: app.store.channels[channel].total == 2500)
        state = live.query_one("#live-state")
        # "+N new" counting every message is drawn by a flush that ran after the last one came
        await wait_for(pilot, lambda: f"+{live.pending():,} new" in str(state.render()))
        assert live.pending() >= 500
        assert len(live.messages.rows) == shown, "paused under a flood: the pane stays put"
        await pilot.press("p")
        await wait_for(pilot, lambda: len(live.messages.rows) == 2500)


async def test_status_bar_shows_a_terminal_disconnect_by_name(centrifugo, tmp_path):
    from dataclasses import replace

    from cfgo_tui.config.models import HmacAuth

    profile = make_profile(centrifugo)
    profile = replace(profile, auth=HmacAuth("not-the-server-secret-at-all", "alice"))
    app = app_for_profile(profile, state_path=tmp_path / "s.json")
    async with app.run_test(size=SIZE) as pilot:
        status = app.query_one("#status")
        await wait_for(pilot, lambda: "disconnected" in str(status.render()))
        assert "3500 invalid token" in str(status.render())
        assert "not-the-server-secret" not in str(status.render())


async def test_recovered_messages_are_marked_and_lost_state_shows_a_divider(
    fresh_centrifugo, tmp_path
):
    from cfgo_tui.api import ApiClient
    from cfgo_tui.config.models import ChannelSpec

    channel = "chat:recovery"
    profile = make_profile(
        fresh_centrifugo,
        channels=[ChannelSpec(name=channel, recover=True)],
        min_reconnect_delay=1.0,
        max_reconnect_delay=1.5,
    )
    app = app_for_profile(profile, state_path=tmp_path / "s.json")
    api = ApiClient(fresh_centrifugo.api_url, fresh_centrifugo.api_key)
    try:
        async with app.run_test(size=SIZE) as pilot:
            await wait_for(pilot, lambda: subscribed(app, channel))
            app.select_channel(channel)
            for n in range(3):
                await api.publish(channel, {"n": n})
            live = app.query_one("#live-pane", LivePane)
            await wait_for(pilot, lambda: len(live.messages.rows) == 3)
            await api.disconnect("alice", code=3000, reason="test reconnect")
            await wait_for(pilot, lambda: app.store.connection.state == "connecting")
            for n in range(3, 5):
                await api.publish(channel, {"n": n})
            await wait_for(pilot, lambda: len(live.messages.rows) == 5, limit=20)
            rows = list(live.messages.rows)
            assert [r.data["n"] for r in rows] == [0, 1, 2, 3, 4]
            assert [r.recovered for r in rows] == [False, False, False, True, True]
            assert "⟲rec" in live._format(rows[-1], 120).plain

            fresh_centrifugo.restart(graceful=False)  # memory engine: the stream is gone
            await wait_for(
                pilot, lambda: any(r.kind == "state_lost" for r in live.messages.rows), limit=30
            )
    finally:
        await api.aclose()


async def test_discovered_channel_is_marked_subscribed_once_the_app_subscribes(
    profile_for, centrifugo, unique, tmp_path
):
    channel = f"chat:other-{unique}"
    other = make_client(profile_for(user="bob"))
    await other.connect()
    try:
        await other.subscribe(channel)
        app = app_for_profile(profile_for(), state_path=tmp_path / "s.json")
        async with app.run_test(size=SIZE) as pilot:
            discovered = app.query_one("#discovered", ChannelList)
            pattern = app.query_one("#discover-pattern")
            pattern.focus()
            pattern.value = channel
            await pilot.press("enter")

            def mark() -> str:
                if app.discovered != [channel]:
                    return ""
                return str(discovered.get_option_at_index(0).prompt)[:1]

            await wait_for(pilot, lambda: mark() == "+")
            discovered.focus()
            discovered.highlighted = 0
            await pilot.press("enter")  # the subscribe dialog, with the channel filled in
            await wait_for(pilot, lambda: bool(app.screen.query("#subscribe-channel")))
            await pilot.press("enter")
            await wait_for(pilot, lambda: subscribed(app, channel))
            await wait_for(pilot, lambda: mark() == "✓")
    finally:
        await other.disconnect()
