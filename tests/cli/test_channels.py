"""`cfgo-tui channels` over the real server API (`info` shares its error paths)."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from cfgo_tui.cli.main import main
from cfgo_tui.client.client import Client
from cfgo_tui.localserver import CentrifugoServer
from cfgo_tui.tokens import mint_connection_token


async def test_channels_lists_active_channels_matching_a_pattern(
    centrifugo: CentrifugoServer, good_config: Path, unique: str, capsys: pytest.CaptureFixture[str]
):
    client = Client(centrifugo.ws_url, token=mint_connection_token(centrifugo.hmac_secret, "eve"))
    await client.connect()
    await client.subscribe(f"chat:a-{unique}")
    await client.subscribe(f"chat:b-{unique}")
    try:
        code = await asyncio.to_thread(
            main, ["-c", str(good_config), "channels", f"chat:*-{unique}"]
        )
    finally:
        await client.disconnect()
    assert code == 0
    listed = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert listed == [
        {"channel": f"chat:a-{unique}", "num_clients": 1},
        {"channel": f"chat:b-{unique}", "num_clients": 1},
    ]


@pytest.mark.parametrize("command", [["channels"], ["info"]])
def test_wrong_api_key_is_named(
    centrifugo: CentrifugoServer,
    write_config,
    make_profile,
    command: list[str],
    capsys: pytest.CaptureFixture[str],
):
    config = write_config(
        bad=make_profile(centrifugo, api={"url": centrifugo.api_url, "key": "wrong-key-123"})
    )
    code = main(["-c", str(config), *command])
    err = capsys.readouterr().err
    assert code == 1
    assert "401" in err
    assert "wrong-key-123" not in err
