"""Hostile user input: the malformed config corpus through the real entry point, invalid JSON on
the command line and in the app's publish form, channel names the server rejects (107), payloads
above the server's 64 KiB frame limit (1009). Each gives a clear one-line message and the right
exit status, no traceback, and loses nothing that was already flowing."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from pathlib import Path

import pytest
from reliability_helpers import CFGO, Events, Stream, figures, mint, profile_for, write_profile

from cfgo_tui.api import ApiClient
from cfgo_tui.cli.main import main
from cfgo_tui.client import Client, NotConnected, SubscriptionFailed
from cfgo_tui.config.models import ApiSettings, ChannelSpec, HmacAuth, Profile

BROKEN = Path(__file__).parents[1] / "config" / "broken"
CORPUS = sorted(BROKEN.glob("*.yaml"))
# Every command that reads a profile, with harmless arguments.
COMMANDS = [
    [],  # the app: it must refuse before starting the terminal UI
    ["profiles"],
    ["profiles", "show", "local"],
    ["tail", "chat:x", "--timeout", "1"],
    ["publish", "chat:x", "{}"],
    ["history", "chat:x"],
    ["presence", "chat:x"],
    ["doctor"],
]


def run_main(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def test_corpus_is_there():
    assert len(CORPUS) >= 40


def test_every_broken_config_with_every_command_exits_2_with_a_clear_message(capsys, monkeypatch):
    monkeypatch.delenv("CFGO_TEST_SURELY_UNSET_KEY", raising=False)
    tried = 0
    for path in CORPUS:
        for command in COMMANDS:
            status, out, err = run_main(capsys, "-c", str(path), *command)
            where = f"{path.name} / {' '.join(command)}"
            assert status == 2, f"{where}: exit {status}\n{err}"
            assert out == "", where
            lines = err.strip().splitlines()
            assert lines and lines[0].startswith("cfgo-tui: "), f"{where}: {err}"
            assert path.name in err, f"{where}: the message names the file: {err}"
            assert "Traceback" not in err, where
            tried += 1
    figures("broken configs", configs_tried=len(CORPUS), runs=tried)


def test_broken_configs_through_the_installed_entry_point(monkeypatch):
    """The same through the console script (subprocesses, 4 at a time; every fourth file of the
    corpus, all of it in-process above), for the app's entry (no command) and `tail`."""
    monkeypatch.delenv("CFGO_TEST_SURELY_UNSET_KEY", raising=False)
    script = Path(sys.executable).parent / "cfgo-tui"
    sample = CORPUS[::4]
    runs = [[str(script), "-c", str(path)] for path in sample]
    runs += [[str(script), "-c", str(path), "tail", "chat:x"] for path in sample]
    results: list[tuple[list[str], subprocess.CompletedProcess[str]]] = []
    for start in range(0, len(runs), 4):
        procs = [
            (
                argv,
                subprocess.Popen(
                    argv,
                    stdin=subprocess.DEVNULL,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE,
                    text=True,
                ),
            )
            for argv in runs[start : start + 4]
        ]
        for argv, proc in procs:
            out, err = proc.communicate(timeout=60)
            results.append((argv, subprocess.CompletedProcess(argv, proc.returncode, out, err)))
    for argv, done in results:
        name = Path(argv[2]).name
        assert done.returncode == 2, f"{name}: exit {done.returncode}: {done.stderr}"
        assert done.stderr.startswith("cfgo-tui: ") and name in done.stderr, done.stderr
        assert "Traceback" not in done.stderr and done.stdout == ""
    figures("broken configs (entry point)", configs_tried=len(sample), runs=len(results))


@pytest.fixture
def config(centrifugo, tmp_path, unique) -> Path:
    return write_profile(tmp_path / "p.yaml", profile_for(centrifugo, f"in-{unique}"))


async def history_async(server, channel: str) -> list:
    async with ApiClient(server.api_url, server.api_key) as api:
        return (await api.history(channel, limit=100)).publications


def history_of(server, channel: str) -> list:
    return asyncio.run(history_async(server, channel))


BAD_JSON = [
    "{bad",
    "",
    "{'single': 1}",
    '{"a": 1',
    "[1,]",
    "NaN",
    '{"a": 1}\n{"b": 2}',
    "undefined",
]


@pytest.mark.parametrize("data", BAD_JSON)
def test_publish_command_refuses_invalid_json(capsys, centrifugo, config, unique, data):
    channel = f"chat:badjson-{unique}"
    for via in ([], ["--api"]):
        status, out, err = run_main(capsys, "-c", str(config), "publish", *via, channel, data)
        assert status == 2, err
        assert err.startswith("cfgo-tui: DATA is not valid JSON") or "empty" in err, err
        assert "Traceback" not in err and out == ""
    assert history_of(centrifugo, channel) == []


def test_publish_command_refuses_invalid_json_on_stdin(centrifugo, config, unique):
    channel = f"chat:stdin-{unique}"
    done = subprocess.run(
        [*CFGO, "-c", str(config), "publish", channel, "-"],
        input='{"unterminated": ',
        capture_output=True,
        check=False,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2 and "not valid JSON" in done.stderr, done.stderr
    assert "Traceback" not in done.stderr
    assert history_of(centrifugo, channel) == []


REJECTED = ["chat:héllo", "chat:emoji-🙂", "chat:ÿ"]


@pytest.mark.parametrize("channel", REJECTED)
def test_channel_names_the_server_rejects_are_107_with_a_hint(capsys, config, channel):
    status, out, err = run_main(capsys, "-c", str(config), "publish", channel, "{}")
    assert status == 1 and out == ""
    assert "107 bad request" in err and "channel name" in err, err
    status, out, err = run_main(capsys, "-c", str(config), "tail", channel, "--timeout", "5")
    assert status == 1 and out == ""
    assert "107 bad request" in err and "channel name" in err, err
    assert "Traceback" not in err


def test_a_channel_name_over_255_characters_is_refused_on_subscribe(capsys, config):
    """`channel.max_length` (255) is checked by Centrifugo v6.9.1 on subscribe; publishing to
    such a name is accepted by the server (client and API alike), so only `tail` fails here."""
    channel = "chat:" + "x" * 251  # 256 characters
    status, out, err = run_main(capsys, "-c", str(config), "tail", channel, "--timeout", "5")
    assert status == 1 and out == ""
    assert "107 bad request" in err and "channel.max_length" in err, err
    status, out, err = run_main(capsys, "-c", str(config), "publish", channel, "{}")
    assert status == 0, err


async def test_a_rejected_channel_does_not_disturb_a_running_subscription(centrifugo, unique):
    channel = f"chat:steady-{unique}"
    client = Client(centrifugo.ws_url, token=mint(centrifugo, "alice"))
    events = Events(client)
    offsets: list[int] = []
    client.on("publication", lambda e: offsets.append(e.offset))
    await client.connect()
    await client.subscribe(channel)
    stream = Stream(centrifugo, channel, rate=500).start()
    try:
        for bad in REJECTED:
            mark = len(offsets)
            await events.until(lambda mark=mark: len(offsets) > mark + 20)
            with pytest.raises(SubscriptionFailed) as failed:
                await client.subscribe(bad)
            assert failed.value.code == 107 and "channel name" in str(failed.value)
            await client.remove_subscription(client.subscriptions()[bad])
    finally:
        await stream.stop()
    await events.until(lambda: bool(offsets) and offsets[-1] == stream.published)
    assert offsets == list(range(1, stream.published + 1))
    assert [e.code for e in events.of("connecting")] == [0]  # never reconnected
    await client.disconnect()


async def test_giant_payload_is_1009_named_and_nothing_is_lost(centrifugo, unique):
    """Above the server's `websocket.message_size_limit` (64 KiB) Centrifugo closes with 1009.
    The publish fails naming 1009 and the setting; the client stops (1009 is terminal: the same
    frame would fail again); connecting again recovers every publication made meanwhile."""
    channel = f"chat:giant-{unique}"
    client = Client(centrifugo.ws_url, token=mint(centrifugo, "alice"))
    events = Events(client)
    offsets: list[int] = []
    client.on("publication", lambda e: offsets.append(e.offset))
    await client.connect()
    await client.subscribe(channel)
    stream = Stream(centrifugo, channel, rate=500).start()
    try:
        await events.until(lambda: len(offsets) > 50)
        with pytest.raises(NotConnected) as lost:
            await client.publish(channel, {"blob": "x" * 100_000})
        assert "1009 message too big" in str(lost.value)
        assert "message_size_limit" in str(lost.value)
        gone = await events.wait_for("disconnected")
        assert gone.code == 1009
        await stream.until_published(stream.published + 100)  # published while disconnected
        await client.connect()
        resubscribed = await events.wait_for("subscribed", lambda e: e.was_recovering)
        assert resubscribed.recovered
    finally:
        await stream.stop()
    await events.until(lambda: bool(offsets) and offsets[-1] == stream.published)
    assert offsets == list(range(1, stream.published + 1)), "gapless across the 1009"
    assert all(
        not isinstance(e.data, dict) or "blob" not in e.data for e in events.of("publication")
    )
    await client.disconnect()
    figures("giant payload", messages_checked=len(offsets))


def test_giant_payload_on_the_command_line(centrifugo, config, unique):
    channel = f"chat:giant-cli-{unique}"
    big = json.dumps({"blob": "x" * 100_000})
    done = subprocess.run(
        [*CFGO, "-c", str(config), "publish", channel, "-"],
        input=big,
        capture_output=True,
        check=False,
        text=True,
        timeout=60,
    )
    assert done.returncode == 1, done.stderr
    assert "1009 message too big" in done.stderr and "message_size_limit" in done.stderr
    assert "Traceback" not in done.stderr and done.stdout == ""
    assert history_of(centrifugo, channel) == []
    # the HTTP API takes it (its limit is not the WebSocket frame limit)
    done = subprocess.run(
        [*CFGO, "-c", str(config), "publish", "--api", channel, "-"],
        input=big,
        capture_output=True,
        check=False,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["offset"] == 1


def app_profile(server, *channels: str) -> Profile:
    return Profile(
        name="hostile",
        urls=(server.ws_url,),
        api=ApiSettings(server.api_url, server.api_key),
        auth=HmacAuth(server.hmac_secret, "alice"),
        user="alice",
        channels=tuple(ChannelSpec(name, recover=True) for name in channels),
        hmac_secret=server.hmac_secret,
    )


async def test_publish_form_refuses_invalid_json_and_survives_a_giant_payload(
    centrifugo, unique, tmp_path
):
    from cfgo_tui.tui.launch import app_for_profile

    channel = f"chat:form-{unique}"
    app = app_for_profile(app_profile(centrifugo, channel), state_path=tmp_path / "state.json")
    api = ApiClient(centrifugo.api_url, centrifugo.api_key)

    def offsets() -> list[int]:
        return [r.offset for r in app.store.records(channel) if r.is_publication]

    async def until(pilot, condition) -> None:
        try:
            async with asyncio.timeout(30):
                while not condition():
                    await pilot.pause(0.02)
        except TimeoutError:
            form = app.screen
            shown = answer(form) if form.query("#publish-answer") else type(form).__name__
            raise AssertionError(f"condition not met; the form says {shown!r}") from None

    def answer(form) -> str:
        return str(form.query_one("#publish-answer").render())

    async with app.run_test(size=(120, 40)) as pilot:
        await until(pilot, lambda: app.store.connection.state == "connected")
        # the channel enters the store only when its first state change arrives after connect
        await until(
            pilot,
            lambda: (
                channel in app.store.channels and app.store.channels[channel].state == "subscribed"
            ),
        )
        for n in range(3):
            await api.publish(channel, {"n": n})
        await until(pilot, lambda: offsets() == [1, 2, 3])
        await pilot.press("w")
        await until(pilot, lambda: app.screen.query("#publish-data"))
        form = app.screen
        form.query_one("#publish-channel").value = channel
        for bad in BAD_JSON:
            form.query_one("#publish-answer").update("")
            form.query_one("#publish-data").text = bad
            await pilot.press("ctrl+s")
            await until(pilot, lambda: "✕" in answer(form))
            text = answer(form)
            assert "not sent" in text or "empty" in text, (bad, text)
            assert "Traceback" not in text
        form.query_one("#publish-data").text = json.dumps({"blob": "x" * 100_000})
        await pilot.press("ctrl+s")
        await until(pilot, lambda: "1009" in answer(form))
        assert "message too big" in answer(form)
        assert app.is_running
        for n in range(3, 6):  # while the app reconnects (or just after)
            await api.publish(channel, {"n": n})
        # nothing lost: the app connects again and the channel recovers what came meanwhile
        await until(pilot, lambda: app.store.connection.state == "connected")
        await until(pilot, lambda: offsets() == [1, 2, 3, 4, 5, 6])
        # the same giant payload via the server API goes through (its limit is larger)
        form.query_one("#publish-via-api").value = True
        await pilot.press("ctrl+s")
        await until(pilot, lambda: "✓" in answer(form))
        await until(pilot, lambda: offsets() == [1, 2, 3, 4, 5, 6, 7])
    await api.aclose()
    assert [p.offset for p in await history_async(centrifugo, channel)] == list(range(1, 8))
