"""`cfgo-tui channels [PATTERN]`: active channels and their subscriber counts (server API)."""

from __future__ import annotations

import argparse

from cfgo_tui.cli.common import (
    Subparsers,
    add_command,
    load_profile,
    make_api_for,
    reported,
    setup_debug_log,
)
from cfgo_tui.cli.output import FORMATS, Printer


def register(subparsers: Subparsers) -> None:
    parser = add_command(
        subparsers,
        "channels",
        "list active channels and their client counts (server API)",
        "Print one JSON object per active channel (channel, num_clients), sorted by name. "
        "PATTERN is a glob such as `chat:*`. Needs the profile's `api.key`.",
    )
    parser.add_argument("pattern", nargs="?", metavar="PATTERN", help="e.g. 'chat:*'")
    parser.add_argument("--format", choices=FORMATS, default="ndjson", help="output format")
    parser.set_defaults(handler=run)


async def run(args: argparse.Namespace) -> int:
    profile = load_profile(args)
    setup_debug_log(args)
    printer = Printer(args.format)
    async with make_api_for(profile, "channels") as api:
        with reported("channels"):
            channels = await api.channels(args.pattern)
    for name in sorted(channels):
        printer.emit({"channel": name, "num_clients": channels[name]})
    return 0
