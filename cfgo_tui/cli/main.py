"""Entry point. Each subcommand lives in its own module under `cfgo_tui.cli.commands` and exposes
`register(subparsers)`, which adds its parser and sets `handler` (sync or async, returns an exit
code). Exit codes: 0 ok, 1 failure, 2 usage or configuration error.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import inspect
import sys
from collections.abc import Sequence

from cfgo_tui import __version__
from cfgo_tui.cli.common import add_override_options
from cfgo_tui.cli.errors import CliError
from cfgo_tui.client.redact import redact

# Subcommand modules, in the order `--help` lists them.
COMMAND_MODULES: tuple[str, ...] = (
    "tail",
    "publish",
    "history",
    "presence",
    "channels",
    "info",
    "doctor",
    "demo",
    "serve",
    "profiles",
    "token",
)


def build_parser() -> argparse.ArgumentParser:
    # No abbreviations: the global `--api-url`/`--api-key` would make a command's `--api` ambiguous.
    parser = argparse.ArgumentParser(
        prog="cfgo-tui",
        allow_abbrev=False,
        description="The terminal cockpit for Centrifugo: watch channels live, inspect presence "
        "and history, publish, and read every frame. Without a subcommand it opens the app.",
    )
    parser.add_argument("--version", action="version", version=f"cfgo-tui {__version__}")
    add_common_options(parser)
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module_name in COMMAND_MODULES:
        module = importlib.import_module(f"cfgo_tui.cli.commands.{module_name}")
        module.register(subparsers)
    return parser


def add_common_options(parser: argparse.ArgumentParser) -> None:
    """Options every command takes; subparsers repeat them so they work after the command too."""
    parser.add_argument("--profile", "-p", help="profile name from the config file")
    parser.add_argument("--config", "-c", help="config file (default: see `cfgo-tui profiles`)")
    parser.add_argument(
        "--debug",
        metavar="FILE",
        nargs="?",
        const="cfgo-tui-debug.log",
        help="write a redacted debug log (default file: cfgo-tui-debug.log)",
    )
    add_override_options(parser, suppress=False)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    handler = getattr(args, "handler", None)
    if handler is None:
        handler = _open_app
    try:
        result = handler(args)
        if inspect.isawaitable(result):
            result = asyncio.run(result)  # type: ignore[arg-type]
        return int(result or 0)
    except CliError as error:
        # Errors quote URLs and server text: the profile's secrets are hidden there too.
        print(f"cfgo-tui: {redact(str(error))}", file=sys.stderr)
        return error.exit_code
    except KeyboardInterrupt:
        return 130


def _open_app(args: argparse.Namespace) -> int:
    try:
        launcher = importlib.import_module("cfgo_tui.tui.launch")
    except ModuleNotFoundError:
        print(
            "cfgo-tui: the app is not available in this build; see `cfgo-tui --help`",
            file=sys.stderr,
        )
        return 1
    return int(launcher.run_app(args))


if __name__ == "__main__":
    sys.exit(main())
