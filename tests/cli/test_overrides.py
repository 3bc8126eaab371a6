"""Connection flags beat the profile (precedence: flag > profile > built-in default), before or
after the command, for the headless commands and the app alike."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import jwt
import pytest

from cfgo_tui.cli.common import load_profile
from cfgo_tui.cli.main import build_parser, main
from cfgo_tui.localserver import CentrifugoServer, free_port

CFGO = [sys.executable, "-m", "cfgo_tui.cli.main"]

CLOSED = f"127.0.0.1:{free_port()}"  # nothing listens there


def broken_profile(server: CentrifugoServer, make_profile) -> dict:
    """A profile whose every connection setting is wrong: URLs to a closed port, a bad key, a
    token signed with the wrong secret."""
    return make_profile(
        server,
        url=f"ws://{CLOSED}/connection/websocket",
        api={"url": f"http://{CLOSED}/api", "key": "wrong-key"},
        auth={"hmac": {"secret": "wrong-secret", "user": "alice"}},
    )


def test_url_and_token_flags_beat_the_profile(
    centrifugo: CentrifugoServer, write_config, make_profile, unique, capsys
):
    config = write_config(broken=broken_profile(centrifugo, make_profile))
    token = jwt.encode(
        {"sub": "bob", "exp": int(time.time()) + 600}, centrifugo.hmac_secret, algorithm="HS256"
    )
    channel = f"chat:flags-{unique}"
    flags = ["--url", centrifugo.ws_url, "--token", token]
    assert main(["-c", str(config), "publish", channel, '{"n": 1}', *flags]) == 0, (
        capsys.readouterr().err
    )
    # Before the command works as well.
    assert main(["-c", str(config), *flags, "history", channel, "--limit", "5"]) == 0
    pages = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [page["data"] for page in pages if "data" in page] == [{"n": 1}]


def test_api_flags_beat_the_profile(
    centrifugo: CentrifugoServer, write_config, make_profile, capsys
):
    config = write_config(broken=broken_profile(centrifugo, make_profile))
    assert main(["-c", str(config), "info"]) == 1  # the profile's API is unreachable
    capsys.readouterr()
    good = ["--api-url", centrifugo.api_url, "--api-key", centrifugo.api_key]
    assert main(["-c", str(config), "info", *good]) == 0, capsys.readouterr().err
    assert json.loads(capsys.readouterr().out.splitlines()[0])["num_clients"] >= 0


def test_a_wrong_api_key_flag_beats_a_good_profile(
    centrifugo: CentrifugoServer, good_config: Path, capsys
):
    assert main(["-c", str(good_config), "info", "--api-key", "not-the-key"]) == 1
    err = capsys.readouterr().err
    assert "401" in err and "api.key" in err
    assert "not-the-key" not in err  # a flag's secret is redacted like the profile's


def test_the_app_takes_the_flags_too(centrifugo: CentrifugoServer, write_config, make_profile):
    config = write_config(broken=broken_profile(centrifugo, make_profile))
    args = build_parser().parse_args(
        ["-c", str(config), "--url", centrifugo.ws_url, "--url", "ws://127.0.0.1:1/c"]
    )
    profile = load_profile(args)
    assert profile.urls == (centrifugo.ws_url, "ws://127.0.0.1:1/c")
    assert profile.api.key == "wrong-key"  # what no flag named stays the profile's


def test_a_bad_url_flag_is_a_usage_error(good_config: Path, capsys):
    assert main(["-c", str(good_config), "info", "--url", "http://h:8000"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "--url" in err and "ws://" in err


def test_the_demo_takes_no_connection_flags(capsys):
    with pytest.raises(SystemExit) as stop:
        build_parser().parse_args(["demo", "--url", "ws://h/c"])
    assert stop.value.code == 2
    assert "--url" in capsys.readouterr().err


def test_flags_alone_need_no_config_file(centrifugo: CentrifugoServer, tmp_path: Path, unique):
    token = jwt.encode(
        {"sub": "carol", "exp": int(time.time()) + 600}, centrifugo.hmac_secret, algorithm="HS256"
    )
    env = {k: v for k, v in os.environ.items() if k != "CFGO_TUI_CONFIG"}
    env.update(HOME=str(tmp_path), XDG_CONFIG_HOME=str(tmp_path / "config"))
    command = [*CFGO, "--url", centrifugo.ws_url, "--token", token]
    channel = f"chat:nofile-{unique}"
    done = subprocess.run(
        [*command, "publish", channel, '{"n": 1}'],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "no config" not in done.stderr


@pytest.mark.parametrize("command", ["publish", "history", "presence"])
def test_a_commands_api_switch_is_not_taken_for_the_api_flags(command):
    args = build_parser().parse_args([command, "chat:x", "--api"])
    assert args.api is True
