"""Headless commands that cannot reach the server end with one line saying so at the profile's
URL, and why, not with a hint that "the client reconnects" (they have stopped trying)."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest

from cfgo_tui.cli.main import main
from cfgo_tui.localserver import CentrifugoServer, free_port

COMMANDS = [
    (["publish", "chat:x", "{}"], "publish to chat:x"),
    (["history", "chat:x"], "history of chat:x"),
    (["presence", "chat:x"], "presence of chat:x"),
    (["tail", "chat:x", "--count", "1"], "tail"),
]


def _run(
    write_config, url: str, argv: list[str], capsys: pytest.CaptureFixture[str]
) -> tuple[int, str]:
    # timeout 500ms: the commands give up after max(timeout, 1s) * 2 = 2s
    config = write_config(down={"url": url, "timeout": "500ms"})
    code = main(["-c", str(config), *argv])
    captured = capsys.readouterr()
    assert captured.out == ""
    return code, captured.err


@pytest.mark.parametrize(("argv", "action"), COMMANDS)
def test_closed_port_says_the_connection_was_refused_at_the_url(
    write_config, argv: list[str], action: str, capsys: pytest.CaptureFixture[str]
):
    url = f"ws://127.0.0.1:{free_port()}/connection/websocket"
    code, err = _run(write_config, url, argv, capsys)
    assert code == 1
    assert err == (
        f"cfgo-tui: {action}: cannot connect to {url}: connection refused (gave up after 2s)\n"
    )


def test_wrong_path_on_a_real_server_names_the_http_status(
    centrifugo: CentrifugoServer, write_config, capsys: pytest.CaptureFixture[str]
):
    url = f"ws://127.0.0.1:{centrifugo.port}/no/such/path"
    code, err = _run(write_config, url, ["publish", "chat:x", "{}"], capsys)
    assert code == 1
    assert err == (
        f"cfgo-tui: publish to chat:x: cannot connect to {url}: server rejected WebSocket "
        "connection: HTTP 404 (gave up after 2s)\n"
    )


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A port whose connections the kernel accepts and nothing ever answers (a hung server)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(16)
        yield sock.getsockname()[1]


def test_a_port_that_never_answers_says_the_handshake_timed_out(
    silent_port: int, write_config, capsys: pytest.CaptureFixture[str]
):
    url = f"ws://127.0.0.1:{silent_port}/connection/websocket"
    code, err = _run(write_config, url, ["history", "chat:x"], capsys)
    assert code == 1
    assert err == (
        f"cfgo-tui: history of chat:x: cannot connect to {url}: timed out during opening "
        "handshake (gave up after 2s)\n"
    )
