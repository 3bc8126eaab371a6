"""`cfgo-tui serve`: share the app in a browser through textual-serve (for demoing to teammates).

Every browser tab gets its own `cfgo-tui` process, started with the same profile and config.
"""

from __future__ import annotations

import argparse
import errno
import shlex
import socket
import sys
from pathlib import Path

from cfgo_tui.cli.common import OVERRIDE_FLAGS, Subparsers, add_command, load_profile, option
from cfgo_tui.cli.errors import CliError, UsageError

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
    parser.add_argument(
        "--port", type=port_number, default=DEFAULT_PORT, help=f"1-65535, default {DEFAULT_PORT}"
    )
    parser.add_argument(
        "--public-url", metavar="URL", help="the URL browsers use, when behind a proxy"
    )
    parser.set_defaults(handler=run)


def port_number(text: str) -> int:
    """argparse `type=` for a TCP port."""
    try:
        value = int(text)
    except ValueError:
        value = 0
    if not 1 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"{text!r} is not a TCP port (a whole number 1-65535)")
    return value


def check_can_listen(host: str, port: int) -> None:
    """Bind every address `host` resolves to, as the web server will, and let go at once.

    textual-serve prints its banner and starts the web app before it binds, and a failed bind
    ends in a traceback: checking first gives one clear line instead."""
    try:
        addresses = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except (socket.gaierror, UnicodeError) as error:
        reason = error.strerror if isinstance(error, socket.gaierror) else str(error)
        raise UsageError(f"--host {host}: not an address to listen on ({reason})") from None
    for family, kind, proto, _name, address in addresses:
        with socket.socket(family, kind, proto) as sock:
            # The same options asyncio's create_server sets, so a port in TIME_WAIT is not
            # taken for a port in use and an IPv6 bind does not also claim IPv4.
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            if family == socket.AF_INET6:
                sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
            try:
                sock.bind(address)
            except OSError as error:
                raise listen_failure(host, port, error) from None


def listen_failure(host: str, port: int, error: OSError) -> CliError:
    where = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    if error.errno == errno.EADDRINUSE:
        return CliError(f"cannot serve on {where}: the port is already in use (try --port)")
    reason = error.strerror or str(error) or type(error).__name__
    return CliError(f"cannot serve on {where}: {reason.lower()}")


def app_command(args: argparse.Namespace) -> str:
    """The shell command textual-serve runs for each browser session: this interpreter running
    the app with the same `--profile`, `--config` (made absolute) and connection flags."""
    argv = [sys.executable, "-m", "cfgo_tui.cli.main"]
    profile = getattr(args, "profile", None)
    if profile:
        argv += ["--profile", profile]
    config = getattr(args, "config", None)
    if config:
        argv += ["--config", str(Path(config).expanduser().resolve())]
    for flag, dest, _help in OVERRIDE_FLAGS:
        value = option(args, dest)
        for item in value if isinstance(value, list) else [value] if value else []:
            argv += [flag, item]
    return shlex.join(argv)


def run(args: argparse.Namespace) -> int:
    # Every browser tab would otherwise start an app that fails on the same config error.
    load_profile(args)
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
    check_can_listen(args.host, args.port)
    print(f"cfgo-tui: serving the app at {server.public_url} (Ctrl+C stops)", file=sys.stderr)
    try:
        server.serve()
    except OSError as error:
        # Someone took the port between the check and the bind.
        raise listen_failure(args.host, args.port, error) from None
    return 0
