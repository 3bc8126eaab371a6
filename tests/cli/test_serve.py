"""`cfgo-tui serve`: the command line it hands to textual-serve (no browser, no server)."""

from __future__ import annotations

import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from cfgo_tui.cli.commands.serve import DEFAULT_PORT, app_command
from cfgo_tui.cli.main import build_parser


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
