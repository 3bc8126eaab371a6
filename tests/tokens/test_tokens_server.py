"""Tokens minted by `cfgo-tui token mint` are accepted by `centrifugo checktoken` /
`checksubtoken` with the same server config, and by a real connect and subscribe."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from cfgo_tui.cli.main import main
from cfgo_tui.client import Client, ConnectFailed, SubscriptionFailed
from cfgo_tui.localserver import CentrifugoServer, find_centrifugo


@pytest.fixture
def profile_file(tmp_path: Path, centrifugo: CentrifugoServer) -> Path:
    path = tmp_path / "cfgo-tui.yaml"
    path.write_text(
        f"""
profiles:
  local:
    url: {centrifugo.ws_url}
    auth:
      hmac:
        secret: "{centrifugo.hmac_secret}"
        user: alice
        ttl: 300
"""
    )
    path.chmod(0o600)
    return path


def mint(capsys: pytest.CaptureFixture[str], profile_file: Path, *args: str) -> str:
    assert main(["-c", str(profile_file), "token", "mint", *args]) == 0
    out = capsys.readouterr().out.strip()
    assert out.count(".") == 2
    return out


def centrifugo_check(server: CentrifugoServer, command: str, token: str) -> tuple[int, str]:
    result = subprocess.run(
        [str(find_centrifugo()), command, "-c", str(server.config_file), token],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
        cwd=server.workdir,
    )
    return result.returncode, result.stdout + result.stderr


def test_connection_token_passes_checktoken(centrifugo, profile_file, capsys):
    token = mint(capsys, profile_file, "--user", "bob", "--info", '{"name": "Bob"}')
    code, output = centrifugo_check(centrifugo, "checktoken", token)
    assert code == 0, output
    assert "valid token for user bob" in output
    assert '"info":{"name":"Bob"}' in output


def test_subscription_token_passes_checksubtoken(centrifugo, profile_file, capsys):
    token = mint(capsys, profile_file, "--channel", "$secret:ops", "--client", "c-1")
    code, output = centrifugo_check(centrifugo, "checksubtoken", token)
    assert code == 0, output
    assert 'valid subscription token for user "alice" and channel "$secret:ops"' in output


def test_checktoken_refuses_a_token_from_another_secret(centrifugo, tmp_path, capsys):
    other = tmp_path / "other.yaml"
    other.write_text(
        f"profiles:\n  x:\n    url: {centrifugo.ws_url}\n"
        "    auth: {hmac: {secret: not-the-server-secret, user: alice}}\n"
    )
    other.chmod(0o600)
    token = mint(capsys, other)
    code, output = centrifugo_check(centrifugo, "checktoken", token)
    assert code != 0, output


async def test_minted_tokens_connect_and_subscribe(centrifugo, profile_file, capsys, unique):
    connection = mint(capsys, profile_file)
    channel = f"$secret:{unique}"
    subscription = mint(capsys, profile_file, "--channel", channel)
    client = Client(centrifugo.ws_url, token=connection, timeout=3)
    try:
        await client.connect(timeout=5)
        with pytest.raises(SubscriptionFailed) as denied:
            await client.subscribe(f"$secret:{unique}-x", timeout=5)
        assert denied.value.code == 103  # a `$` channel without a token
        sub = await client.subscribe(channel, token=subscription, timeout=5)
        assert sub.channel == channel
    finally:
        await client.disconnect()


async def test_channel_claim_in_connection_token_is_3500(centrifugo, profile_file, capsys):
    """What `token decode` warns about is what the server does."""
    bad = mint(capsys, profile_file, "--channel", "chat:x")  # a subscription token...
    client = Client(centrifugo.ws_url, token=bad, timeout=3)  # ...used to connect
    try:
        with pytest.raises(ConnectFailed) as failed:
            await client.connect(timeout=5)
        assert failed.value.code == 3500
    finally:
        await client.disconnect()
    assert main(["-c", str(profile_file), "token", "decode", bad, "--as", "connection"]) == 0
    assert "server answers 3500" in capsys.readouterr().out
