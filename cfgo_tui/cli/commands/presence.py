"""`cfgo-tui presence CHANNEL [--stats]`: who is subscribed, one JSON object per client, or the
counts with --stats."""

from __future__ import annotations

import argparse
from typing import Any

from cfgo_tui.cli.common import (
    Subparsers,
    add_command,
    load_profile,
    make_api_for,
    reported,
    setup_debug_log,
)
from cfgo_tui.cli.output import FORMATS, Printer, info_dict
from cfgo_tui.cli.subscriber import as_subscriber
from cfgo_tui.client.events import ClientInfo


def register(subparsers: Subparsers) -> None:
    parser = add_command(
        subparsers,
        "presence",
        "list the clients subscribed to a channel (NDJSON), or their counts",
        "Print one JSON object per client subscribed to CHANNEL (client, user, conn_info, "
        "chan_info), sorted by user; --stats prints the number of clients and users instead.",
    )
    parser.add_argument("channel", metavar="CHANNEL")
    parser.add_argument("--stats", action="store_true", help="only the counts (presence_stats)")
    parser.add_argument("--api", action="store_true", help="ask over the server HTTP API")
    parser.add_argument("--format", choices=FORMATS, default="ndjson", help="output format")
    parser.set_defaults(handler=run)


async def run(args: argparse.Namespace) -> int:
    profile = load_profile(args)
    setup_debug_log(args)
    printer = Printer(args.format)
    channel: str = args.channel
    records: list[dict[str, Any]]
    with reported(f"presence of {channel}"):
        if args.api:
            async with make_api_for(profile, "presence --api") as api:
                if args.stats:
                    stats = await api.presence_stats(channel)
                    records = [_stats(channel, stats.num_clients, stats.num_users)]
                else:
                    records = _clients(channel, await api.presence(channel))
        else:
            async with as_subscriber(profile, channel) as call:
                if args.stats:
                    counts = await call(lambda client: client.presence_stats(channel))
                    records = [_stats(channel, counts.num_clients, counts.num_users)]
                else:
                    records = _clients(channel, await call(lambda c: c.presence(channel)))
    for record in records:
        printer.emit(record)
    return 0


def _stats(channel: str, num_clients: int, num_users: int) -> dict[str, Any]:
    return {"channel": channel, "num_clients": num_clients, "num_users": num_users}


def _clients(channel: str, presence: dict[str, ClientInfo]) -> list[dict[str, Any]]:
    infos = sorted(presence.values(), key=lambda info: (info.user, info.client))
    return [{"channel": channel, **(info_dict(info) or {})} for info in infos]
