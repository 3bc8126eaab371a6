"""`cfgo-tui serve`: the command line it hands to textual-serve, its checks before serving, and
the page it serves."""

from __future__ import annotations

import shlex
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from cfgo_tui.cli.commands.serve import DEFAULT_PORT, app_command
from cfgo_tui.cli.main import build_parser, main
from cfgo_tui.localserver import free_port

CFGO = [sys.executable, "-m", "cfgo_tui.cli.main"]


def test_serve_builds_the_app_command_with_profile_and_absolute_config(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.chdir(tmp_path)
    args = build_parser().parse_args(["serve", "-p", "staging", "-c", "my conf.yaml"])
    argv = shlex.split(app_command(args))
    assert argv == [
        sys.executable,
        "-m",
        "cfgo_tui.cli.main",
        "--profile",
        "staging",
        "--config",
        str(tmp_path / "my conf.yaml"),
    ]
    assert args.port == DEFAULT_PORT
    assert args.host == "localhost"


def test_serve_options_before_the_command_are_kept():
    args = build_parser().parse_args(["-p", "prod", "serve", "--port", "9001"])
    assert shlex.split(app_command(args))[-2:] == ["--profile", "prod"]
    assert args.port == 9001


def test_serve_without_profile_uses_the_default_lookup():
    args = build_parser().parse_args(["serve"])
    assert shlex.split(app_command(args)) == [sys.executable, "-m", "cfgo_tui.cli.main"]


def test_serve_help():
    result = subprocess.run(
        [sys.executable, "-m", "cfgo_tui.cli.main", "serve", "--help"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0
    assert "textual-serve" in result.stdout
    assert "--public-url" in result.stdout


def test_textual_serve_accepts_the_command():
    from textual_serve.server import Server

    args = build_parser().parse_args(["serve", "-p", "demo"])
    server = Server(app_command(args), host=args.host, port=args.port)
    assert server.public_url == f"http://localhost:{DEFAULT_PORT}"
    assert server.command.endswith("--profile demo")


# Against the real server: the command validates, binds and serves.


def _serve(config: Path, *extra: str, log: Path) -> subprocess.Popen[bytes]:
    with log.open("wb") as err:
        return subprocess.Popen(
            [*CFGO, "-c", str(config), "serve", *extra],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=err,
        )


def _get_when_up(url: str, proc: subprocess.Popen[bytes], log: Path) -> httpx.Response:
    deadline = time.monotonic() + 30
    while True:
        assert proc.poll() is None, f"serve exited with {proc.returncode}: {log.read_text()}"
        try:
            return httpx.get(url, timeout=5, trust_env=False)
        except httpx.TransportError:
            if time.monotonic() > deadline:
                raise
        time.sleep(0.05)  # polling a child process' port: there is no event to await


def test_serve_serves_the_app_page_and_stops_cleanly_on_sigterm(good_config: Path, tmp_path: Path):
    port = free_port()
    log = tmp_path / "serve.log"
    proc = _serve(good_config, "--host", "127.0.0.1", "--port", str(port), log=log)
    try:
        response = _get_when_up(f"http://127.0.0.1:{port}/", proc, log)
        assert response.status_code == 200
        # textual-serve's page: its terminal script, the title naming the profile, and the
        # websocket every browser tab opens to run its own app.
        assert "js/textual.js" in response.text
        assert "cfgo-tui (default profile)" in response.text
        assert f"ws://127.0.0.1:{port}/ws" in response.text
    finally:
        proc.terminate()
        code = proc.wait(timeout=30)
    assert code == 0, log.read_text()
    assert "Traceback" not in log.read_text()


def test_serve_port_in_use_is_one_line_naming_host_and_port(good_config: Path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            [*CFGO, "-c", str(good_config), "serve", "--host", "127.0.0.1", "--port", str(port)],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    assert result.returncode == 1
    assert result.stderr == (
        f"cfgo-tui: cannot serve on 127.0.0.1:{port}: the port is already in use (try --port)\n"
    )


def test_serve_port_taken_after_the_check_is_still_one_line(good_config: Path):
    # Someone binds the port between the check and textual-serve's own bind: the web server's
    # OSError is reported the same way.
    skip_check = (
        "import sys, cfgo_tui.cli.commands.serve as serve; "
        "serve.check_can_listen = lambda host, port: None; "
        "from cfgo_tui.cli.main import main; sys.exit(main(sys.argv[1:]))"
    )
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        argv = ["-c", str(good_config), "serve", "--host", "127.0.0.1", "--port", str(port)]
        result = subprocess.run(
            [sys.executable, "-c", skip_check, *argv],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.splitlines()[-1] == (
        f"cfgo-tui: cannot serve on 127.0.0.1:{port}: the port is already in use (try --port)"
    )


@pytest.mark.parametrize("port", ["0", "65536", "-1", "http", "80.5"])
def test_serve_bad_port_is_a_usage_error(port: str, capsys: pytest.CaptureFixture[str]):
    with pytest.raises(SystemExit) as exited:
        main(["serve", "--port", port])
    assert exited.value.code == 2
    assert (
        f"argument --port: {port!r} is not a TCP port (a whole number 1-65535)"
        in capsys.readouterr().err
    )


def test_serve_unresolvable_host_is_a_usage_error(
    good_config: Path, capsys: pytest.CaptureFixture[str]
):
    assert main(["-c", str(good_config), "serve", "--host", "no-such-host.invalid"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("cfgo-tui: --host no-such-host.invalid: not an address to listen on (")
    assert err.count("\n") == 1


def test_serve_missing_config_exits_2_before_serving(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
):
    missing = tmp_path / "nope.yaml"
    assert main(["-c", str(missing), "serve", "--port", str(free_port())]) == 2
    err = capsys.readouterr().err
    assert err == f"cfgo-tui: config file '{missing}' (from --config) does not exist\n"


def test_serve_unknown_profile_exits_2_before_serving(
    good_config: Path, capsys: pytest.CaptureFixture[str]
):
    assert main(["-c", str(good_config), "-p", "nope", "serve"]) == 2
    err = capsys.readouterr().err
    assert err == f"cfgo-tui: {good_config}: unknown profile `nope` (profiles: local)\n"


def test_serve_passes_the_connection_flags_to_each_app():
    before = ["--url", "ws://a:8000/connection/websocket"]
    after = ["--url", "ws://b/c", "--url", "ws://c/c", "--api-url", "http://a/api"]
    secrets = ["--api-key", "k-123", "--token", "t-456"]
    args = build_parser().parse_args([*before, "serve", *after, *secrets])
    assert shlex.split(app_command(args))[3:] == after + secrets  # a flag after the command wins
