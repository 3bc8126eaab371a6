"""`cfgo-tui history`: limit, reverse, since; as a client and over the API."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from cfgo_tui.cli.main import main
from cfgo_tui.localserver import CentrifugoServer


def _publish(server: CentrifugoServer, channel: str, count: int) -> str:
    epoch = ""
    for n in range(count):
        reply = httpx.post(
            f"{server.api_url}/publish",
            headers={"X-API-Key": server.api_key},
            json={"channel": channel, "data": {"n": n}},
            trust_env=False,
        )
        epoch = reply.json()["result"]["epoch"]
    return epoch


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, list[dict], str]:
    code = main(argv)
    captured = capsys.readouterr()
    return code, [json.loads(line) for line in captured.out.splitlines()], captured.err


@pytest.mark.parametrize("api", [[], ["--api"]])
def test_history_limit_reverse_and_since(
    centrifugo: CentrifugoServer,
    good_config: Path,
    unique: str,
    api: list[str],
    capsys: pytest.CaptureFixture[str],
):
    channel = f"chat:history-{unique}"
    epoch = _publish(centrifugo, channel, 8)
    base = ["-c", str(good_config), "history", channel, *api]

    code, pubs, err = _run([*base, "--limit", "3"], capsys)
    assert code == 0
    assert [p["offset"] for p in pubs] == [1, 2, 3]
    assert f"stream top 8:{epoch}" in err

    code, pubs, _ = _run([*base, "--limit", "3", "--reverse"], capsys)
    assert [p["data"]["n"] for p in pubs] == [7, 6, 5]

    code, pubs, _ = _run([*base, "--limit", "10", "--since", f"5:{epoch}"], capsys)
    assert [p["offset"] for p in pubs] == [6, 7, 8]

    # Paging backwards: --reverse with --since gives what came before that offset.
    code, pubs, _ = _run([*base, "--limit", "2", "--reverse", "--since", f"5:{epoch}"], capsys)
    assert [p["offset"] for p in pubs] == [4, 3]

    code, _, err = _run([*base, "--reverse", "--since", f"0:{epoch}"], capsys)
    assert code == 2
    assert "nothing comes before offset 0" in err


def test_history_off_in_namespace_shows_108_with_hint(
    good_config: Path, unique: str, capsys: pytest.CaptureFixture[str]
):
    code, _, err = _run(["-c", str(good_config), "history", f"plain:{unique}"], capsys)
    assert code == 1
    assert "108 not available" in err


def test_history_wrong_epoch_is_112(
    centrifugo: CentrifugoServer, good_config: Path, unique: str, capsys: pytest.CaptureFixture[str]
):
    channel = f"chat:epoch-{unique}"
    _publish(centrifugo, channel, 2)
    code, _, err = _run(["-c", str(good_config), "history", channel, "--since", "1:wrong"], capsys)
    assert code == 1
    assert "112" in err
