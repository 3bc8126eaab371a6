"""`cfgo-tui serve`: share the app in a browser through textual-serve (for demoing to teammates).

Every browser tab gets its own `cfgo-tui` process, started with the same profile and config.
"""

from __future__ import annotations

import argparse
import shlex
import sys
from pathlib import Path

from cfgo_tui.cli.common import Subparsers, add_command
from cfgo_tui.cli.errors import CliError

DEFAULT_PORT = 8566  # not 8000: that is Centrifugo's default


def register(subparsers: Subparsers) -> None:
    parser = add_command(
        subparsers,
        "serve",
        "share the app in a web browser (textual-serve)",
        "Serve the app over HTTP with textual-serve: each browser tab that opens the page runs "
        "its own cfgo-tui on the chosen profile. Anyone who can reach the port uses that "
        "profile's credentials, so keep the default loopback host unless you mean to share it.",
    )
    parser.add_argument("--host", default="localhost", help="address to listen on (localhost)")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"default {DEFAULT_PORT}")
    parser.add_argument(
        "--public-url", metavar="URL", help="the URL browsers use, when behind a proxy"
    )
    parser.set_defaults(handler=run)


def app_command(args: argparse.Namespace) -> str:
    """The shell command textual-serve runs for each browser session: this interpreter running
    the app with the same `--profile` and `--config` (made absolute)."""
    argv = [sys.executable, "-m", "cfgo_tui.cli.main"]
    profile = getattr(args, "profile", None)
    if profile:
        argv += ["--profile", profile]
    config = getattr(args, "config", None)
    if config:
        argv += ["--config", str(Path(config).expanduser().resolve())]
    return shlex.join(argv)


def run(args: argparse.Namespace) -> int:
    try:
        from textual_serve.server import Server  # noqa: PLC0415 - only this command needs it
    except ModuleNotFoundError:
        raise CliError("serve needs the textual-serve package: pip install textual-serve") from None
    command = app_command(args)
    profile = getattr(args, "profile", None) or "default profile"
    server = Server(
        command,
        host=args.host,
        port=args.port,
        title=f"cfgo-tui ({profile})",
        public_url=args.public_url,
    )
    print(f"cfgo-tui: serving the app at {server.public_url} (Ctrl+C stops)", file=sys.stderr)
    server.serve()
    return 0
