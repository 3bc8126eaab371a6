"""`cfgo-tui info`: the server's nodes over the real server API."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cfgo_tui.cli.main import main
from cfgo_tui.localserver import CentrifugoServer


def test_info_shows_the_node(good_config: Path, capsys: pytest.CaptureFixture[str]):
    assert main(["-c", str(good_config), "info"]) == 0
    nodes = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert len(nodes) == 1
    assert {"name", "version", "num_clients", "num_channels", "uptime"} <= set(nodes[0])


def test_info_pretty_is_key_value(good_config: Path, capsys: pytest.CaptureFixture[str]):
    assert main(["-c", str(good_config), "info", "--format", "pretty"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("name=")
    assert "num_clients=" in out


def test_info_without_api_key_says_what_to_set(
    centrifugo: CentrifugoServer, write_config, make_profile, capsys: pytest.CaptureFixture[str]
):
    config = write_config(nokey=make_profile(centrifugo, api=None))
    assert main(["-c", str(config), "info"]) == 2
    assert "api.key" in capsys.readouterr().err
