"""The app end to end against the real Centrifugo (tests/conftest.py starts it)."""

from __future__ import annotations

import json

from cfgo_tui.client import Client
from cfgo_tui.config.factory import make_client
from cfgo_tui.config.models import ChannelSpec
from cfgo_tui.tokens import mint_subscription_token
from cfgo_tui.tui.launch import app_for_profile
from cfgo_tui.tui.widgets.history_panel import HistoryPanel
from cfgo_tui.tui.widgets.live_pane import LivePane

from .helpers import wait_for

SIZE = (140, 44)


def rows(app) -> list:
    return list(app.query_one("#live-pane", LivePane).messages.rows)


def payloads(app) -> list:
    return [r.data for r in rows(app) if r.kind == "publication"]


async def test_subscribe_from_the_ui_and_see_an_api_publication(profile_for, api, unique, tmp_path):
    channel = f"chat:ui-{unique}"
    app = app_for_profile(profile_for(), state_path=tmp_path / "s.json")
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: app.store.connection.state == "connected")
        await pilot.press("a")
        await pilot.press(*channel)
        await pilot.press("enter")
        await wait_for(
            pilot,
            lambda: (
                app.store.channels.get(channel) is not None
                and app.store.channels[channel].state == "subscribed"
            ),
        )
        await api.publish(channel, {"hello": unique})
        await wait_for(pilot, lambda: {"hello": unique} in payloads(app))
        assert app.store.selected == channel
        record = rows(app)[-1]
        assert record.channel == channel and record.offset == 1


async def test_publish_from_the_form_and_see_it_arrive(profile_for, unique, tmp_path):
    channel = f"chat:form-{unique}"
    app = app_for_profile(profile_for(channels=[channel]), state_path=tmp_path / "s.json")
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(
            pilot,
            lambda: (
                channel in app.store.channels and app.store.channels[channel].state == "subscribed"
            ),
        )
        app.select_channel(channel)
        await pilot.press("w")
        await pilot.pause()
        form = app.screen
        form.query_one("#publish-data").text = '{"from": "form", "id": "' + unique + '"}'
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: "✓ ok" in str(form.query_one("#publish-answer").render()))
        # the same payload again over the server API, from the same form
        form.query_one("#publish-via-api").value = True
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: "via API" in str(form.query_one("#publish-answer").render()))
        await pilot.press("escape")
        expected = {"from": "form", "id": unique}
        await wait_for(pilot, lambda: payloads(app).count(expected) == 2)
        client_pub = next(r for r in rows(app) if r.data == expected)
        assert client_pub.user == "alice", "published as this client: the server names the user"


async def test_presence_shows_two_clients_a_join_and_a_leave(
    profile_for, centrifugo, unique, tmp_path
):
    channel = f"chat:presence-{unique}"
    spec = ChannelSpec(name=channel, join_leave=True, recover=True)
    app = app_for_profile(profile_for(channels=[spec]), state_path=tmp_path / "s.json")
    bob: Client = make_client(profile_for(user="bob"))
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(
            pilot,
            lambda: (
                channel in app.store.channels and app.store.channels[channel].state == "subscribed"
            ),
        )
        app.select_channel(channel)
        await pilot.press("2")
        summary = app.query_one("#presence-summary")
        await wait_for(pilot, lambda: "1 clients" in str(summary.render()))
        await bob.connect()
        try:
            await bob.subscribe(channel)
            await wait_for(pilot, lambda: "2 clients, 2 users" in str(summary.render()))
            log = app.query_one("#presence-log")
            await wait_for(pilot, lambda: "join  bob" in str(log.render()))
            table = app.query_one("#presence-table")
            await wait_for(pilot, lambda: table.row_count == 2)
            users = sorted(str(table.get_row_at(i)[0]) for i in range(2))
            assert users == ["alice", "bob"]
        finally:
            await bob.disconnect()
        await wait_for(pilot, lambda: "leave bob" in str(log.render()))
        await wait_for(pilot, lambda: table.row_count == 1)
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: "presence_stats: 1 clients, 1 users" in str(summary.render()))


async def test_history_pages_older_newer_and_jump(profile_for, api, unique, tmp_path):
    channel = f"chat:history-{unique}"
    for n in range(1, 26):
        await api.publish(channel, {"n": n})
    app = app_for_profile(profile_for(channels=[channel]), state_path=tmp_path / "s.json")
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: channel in app.store.channels)
        app.select_channel(channel)
        await pilot.press("3")
        panel = app.query_one("#history-panel", HistoryPanel)
        panel.query_one("#history-limit").value = "10"

        def offsets() -> list[int]:
            return [p.offset for p in panel.page]

        await pilot.press("n")
        await wait_for(pilot, lambda: offsets() == list(range(16, 26)))
        position = str(panel.query_one("#history-position").render())
        assert "offset 25" in position and "epoch" in position
        await pilot.press("left_square_bracket")
        await wait_for(pilot, lambda: offsets() == list(range(6, 16)))
        await pilot.press("left_square_bracket")
        await wait_for(pilot, lambda: offsets() == list(range(1, 6)))
        await pilot.press("right_square_bracket")
        await wait_for(pilot, lambda: offsets() == list(range(6, 16)))
        jump = panel.query_one("#history-offset")
        jump.focus()
        jump.value = "20"
        await pilot.press("enter")
        await wait_for(pilot, lambda: offsets() == list(range(20, 26)))
        assert [p.data["n"] for p in panel.page] == list(range(20, 26))
        panel.query_one("#history-table").focus()
        await pilot.press("e")
        await pilot.pause()
        target = tmp_path / "page.ndjson"
        app.screen.query_one("#export-path").value = str(target)
        await pilot.press("enter")
        await wait_for(pilot, target.exists)
        exported = [json.loads(line) for line in target.read_text().splitlines()]
        assert [line["offset"] for line in exported] == list(range(20, 26))


async def test_103_and_108_show_their_hints(profile_for, unique, tmp_path):
    denied = f"secret:{unique}"  # namespace without client subscribe permission: 103
    plain = f"plain:{unique}"  # namespace without presence: 108
    app = app_for_profile(profile_for(channels=[denied, plain]), state_path=tmp_path / "s.json")
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(
            pilot,
            lambda: denied in app.store.channels and app.store.channels[denied].error is not None,
        )
        app.select_channel(denied)
        failure = app.query_one("#failure")
        await wait_for(pilot, lambda: failure.display)
        text = str(failure.render())
        assert "103 permission denied" in text
        assert app.store.channels[denied].error.hint in text

        app.select_channel(plain)
        await pilot.press("2")
        message = app.query_one("#presence-message")
        await wait_for(pilot, lambda: message.display)
        text = str(message.render())
        assert "108 not available" in text
        # The hint for presence, not the generic one for the code.
        assert "presence is not enabled for this namespace: set `presence: true`" in text
        assert "history_size" not in text


async def test_wrong_subscription_token_shows_its_claims(profile_for, centrifugo, unique, tmp_path):
    channel = f"$secret:{unique}"
    profile = profile_for()
    app = app_for_profile(profile, state_path=tmp_path / "s.json")

    async def wrong_token(_channel: str) -> str:
        return mint_subscription_token(centrifugo.hmac_secret, "alice", "$secret:other")

    app.bridge.sub_tokens = lambda _channel: wrong_token
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: app.store.connection.state == "connected")
        await app.bridge.subscribe(channel)
        app.select_channel(channel)
        failure = app.query_one("#failure")
        await wait_for(pilot, lambda: "token used" in str(failure.render()))
        text = str(failure.render())
        # the server closes the connection over a subscription token for another channel
        assert "3500 invalid token" in text
        assert "sub='alice'" in text
        assert f"`channel` claim is '$secret:other', not '{channel}'" in text


async def test_pause_and_filter_on_live_traffic(profile_for, api, unique, tmp_path):
    channel = f"chat:flow-{unique}"
    app = app_for_profile(profile_for(channels=[channel]), state_path=tmp_path / "s.json")
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(
            pilot,
            lambda: (
                channel in app.store.channels and app.store.channels[channel].state == "subscribed"
            ),
        )
        app.select_channel(channel)
        for n in range(3):
            await api.publish(channel, {"n": n, "user": "bob" if n % 2 else "eve"})
        await wait_for(pilot, lambda: len(payloads(app)) == 3)
        await pilot.press("p")
        for n in range(3, 6):
            await api.publish(channel, {"n": n, "user": "bob" if n % 2 else "eve"})
        state = app.query_one("#live-state")
        await wait_for(pilot, lambda: "+3 new" in str(state.render()))
        assert len(payloads(app)) == 3
        await pilot.press("p")
        await wait_for(pilot, lambda: [d["n"] for d in payloads(app)] == list(range(6)))
        await pilot.press("slash")
        await pilot.press(*'data.user == "bob"')
        await wait_for(pilot, lambda: [d["n"] for d in payloads(app)] == [1, 3, 5])


async def test_history_error_shows_the_code_and_hint(profile_for, unique, tmp_path):
    channel = f"plain:{unique}"  # namespace without history
    app = app_for_profile(profile_for(channels=[channel]), state_path=tmp_path / "s.json")
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: channel in app.store.channels)
        app.select_channel(channel)
        await pilot.press("3")
        await pilot.press("n")
        panel = app.query_one("#history-panel", HistoryPanel)
        box = panel.query_one("#history-error")
        await wait_for(pilot, lambda: box.display)
        assert "108 not available" in str(box.render())


async def test_publish_errors_are_named_with_their_hint(profile_for, unique, tmp_path):
    app = app_for_profile(profile_for(), state_path=tmp_path / "s.json")
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: app.store.connection.state == "connected")
        await pilot.press("w")
        await pilot.pause()
        form = app.screen
        answer = form.query_one("#publish-answer")
        form.query_one("#publish-channel").value = f"secret:{unique}"  # no client publish
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: "103 permission denied" in str(answer.render()))
        form.query_one("#publish-channel").value = f"nope:{unique}"  # unknown namespace
        form.query_one("#publish-via-api").value = True
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: "102 unknown channel" in str(answer.render()))
        assert "namespace" in str(answer.render())
