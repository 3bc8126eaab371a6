"""`cfgo-tui publish`: seen by a real subscriber, as a client and over the API; bad JSON refused."""

from __future__ import annotations

import asyncio
import io
import json
from pathlib import Path
from typing import Any

import pytest

from cfgo_tui.cli.main import main
from cfgo_tui.client.client import Client
from cfgo_tui.localserver import CentrifugoServer
from cfgo_tui.tokens import mint_connection_token


async def _run_cli(argv: list[str]) -> int:
    # main() runs its own event loop: give it a thread so this test's loop keeps the subscriber.
    return await asyncio.to_thread(main, argv)


class _Received(list[Any]):
    """Publications a subscriber got, with an event set at the first one."""

    def __init__(self) -> None:
        super().__init__()
        self.arrived = asyncio.Event()

    def add(self, event: Any) -> None:
        self.append(event)
        self.arrived.set()

    async def first(self) -> Any:
        async with asyncio.timeout(10):
            await self.arrived.wait()
        return self[0]


async def _subscriber(server: CentrifugoServer, channel: str) -> tuple[Client, _Received]:
    received = _Received()
    client = Client(server.ws_url, token=mint_connection_token(server.hmac_secret, "bob"))
    client.on("publication", received.add)
    await client.connect()
    await client.subscribe(channel)
    return client, received


@pytest.mark.parametrize("via", ["client", "api"])
async def test_publish_is_seen_by_a_subscriber(
    centrifugo: CentrifugoServer,
    good_config: Path,
    unique: str,
    via: str,
    capsys: pytest.CaptureFixture[str],
):
    channel = f"chat:pub-{unique}"
    client, received = await _subscriber(centrifugo, channel)
    try:
        argv = ["-c", str(good_config), "publish", channel, '{"text": "hi", "n": 1}']
        code = await _run_cli([*argv, "--api"] if via == "api" else argv)
        assert code == 0, capsys.readouterr().err
        event = await received.first()
    finally:
        await client.disconnect()
    assert event.data == {"text": "hi", "n": 1}
    assert event.offset == 1
    result = json.loads(capsys.readouterr().out)
    assert result["channel"] == channel
    assert result["via"] == via
    if via == "api":
        assert event.info is None
        assert result["offset"] == 1
        assert result["epoch"]
    else:
        assert event.info.user == "alice"  # the profile's user


async def test_publish_reads_stdin_with_dash(
    centrifugo: CentrifugoServer,
    good_config: Path,
    unique: str,
    monkeypatch: pytest.MonkeyPatch,
):
    channel = f"chat:stdin-{unique}"
    client, received = await _subscriber(centrifugo, channel)
    monkeypatch.setattr("sys.stdin", io.StringIO("[1, 2,\n 3]\n"))
    try:
        assert await _run_cli(["-c", str(good_config), "publish", channel, "-"]) == 0
        event = await received.first()
    finally:
        await client.disconnect()
    assert event.data == [1, 2, 3]


def test_publish_to_a_subscriber_only_namespace_subscribes_first(
    centrifugo: CentrifugoServer, good_config: Path, unique: str, capsys: pytest.CaptureFixture[str]
):
    # `$secret:` channels: publish allowed for subscribers only, subscribing needs a token.
    channel = f"$secret:pub-{unique}"
    assert main(["-c", str(good_config), "publish", channel, '"x"']) == 0, capsys.readouterr().err
    assert main(["-c", str(good_config), "history", channel, "--limit", "5"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert json.loads(out[-1])["data"] == "x"


@pytest.mark.parametrize(
    ("data", "where"),
    [
        ('{"text": "hi",}', "line 1 column 15"),
        ('{\n  "a": 1\n  "b": 2\n}', "line 3 column 3"),
        ("not json", "line 1 column 1"),
        ("", "empty"),
    ],
)
def test_publish_refuses_invalid_json_with_line_and_column(
    good_config: Path, data: str, where: str, capsys: pytest.CaptureFixture[str]
):
    code = main(["-c", str(good_config), "publish", "chat:x", data])
    err = capsys.readouterr().err
    assert code == 2
    assert where in err
    assert "Traceback" not in err


def test_publish_denied_names_the_code(
    good_config: Path, unique: str, capsys: pytest.CaptureFixture[str]
):
    code = main(["-c", str(good_config), "publish", f"nope:{unique}", "1"])
    err = capsys.readouterr().err
    assert code == 1
    assert "102 unknown channel" in err


def test_publish_api_without_key_is_a_config_error(
    centrifugo: CentrifugoServer, write_config, make_profile, capsys: pytest.CaptureFixture[str]
):
    config = write_config(nokey=make_profile(centrifugo, api=None))
    code = main(["-c", str(config), "publish", "chat:x", "1", "--api"])
    assert code == 2
    assert "api.key" in capsys.readouterr().err
