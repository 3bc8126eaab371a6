"""`cfgo-tui info`: the server's nodes (version, clients, users, channels, uptime) over the API."""

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
        "info",
        "show the server's nodes: version, clients, users, channels, uptime (server API)",
        "Print one JSON object per Centrifugo node. Needs the profile's `api.key`.",
    )
    parser.add_argument("--format", choices=FORMATS, default="ndjson", help="output format")
    parser.set_defaults(handler=run)


async def run(args: argparse.Namespace) -> int:
    profile = load_profile(args)
    setup_debug_log(args)
    printer = Printer(args.format)
    async with make_api_for(profile, "info") as api:
        with reported("info"):
            nodes = await api.info()
    for node in sorted(nodes, key=lambda n: n.name):
        printer.emit(
            {
                "name": node.name,
                "uid": node.uid,
                "version": node.version,
                "num_clients": node.num_clients,
                "num_users": node.num_users,
                "num_channels": node.num_channels,
                "num_subs": node.num_subs,
                "uptime": node.uptime,
            }
        )
    return 0
