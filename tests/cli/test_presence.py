"""`cfgo-tui presence`: the clients and counts of a channel from the real server."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from cfgo_tui.cli.main import main
from cfgo_tui.client.client import Client
from cfgo_tui.localserver import CentrifugoServer
from cfgo_tui.tokens import mint_connection_token


@pytest.mark.parametrize("api", [[], ["--api"]])
async def test_presence_lists_subscribers_and_counts(
    centrifugo: CentrifugoServer,
    good_config: Path,
    unique: str,
    api: list[str],
    capsys: pytest.CaptureFixture[str],
):
    channel = f"chat:presence-{unique}"
    clients = []
    for user in ("carol", "dave"):
        token = mint_connection_token(centrifugo.hmac_secret, user, info={"name": user.title()})
        client = Client(centrifugo.ws_url, token=token)
        await client.connect()
        await client.subscribe(channel)
        clients.append(client)
    try:
        base = ["-c", str(good_config), "presence", channel, *api]
        assert await asyncio.to_thread(main, base) == 0
        listed = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
        carol_id = clients[0].client_id
        assert await asyncio.to_thread(main, [*base, "--stats"]) == 0
        stats = json.loads(capsys.readouterr().out)
    finally:
        for client in clients:
            await client.disconnect()
    users = [entry["user"] for entry in listed]
    # Without --api the command itself may have subscribed (as alice) to be allowed to ask.
    assert {"carol", "dave"} <= set(users) <= {"alice", "carol", "dave"}
    carol = next(entry for entry in listed if entry["user"] == "carol")
    assert carol["conn_info"] == {"name": "Carol"}
    assert carol["client"] == carol_id
    assert stats["channel"] == channel
    assert stats["num_users"] >= 2


def test_presence_off_shows_108(good_config: Path, unique: str, capsys: pytest.CaptureFixture[str]):
    code = main(["-c", str(good_config), "presence", f"plain:{unique}"])
    err = capsys.readouterr().err
    assert code == 1
    assert "108 not available" in err
    assert "presence" in err
