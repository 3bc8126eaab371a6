"""`cfgo-tui publish CHANNEL [DATA | -] [--api]`: publish a JSON value as a client or over the
server API. DATA is checked before anything connects: invalid JSON is refused with its line and
column (exit 2)."""

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
from cfgo_tui.cli.output import Printer
from cfgo_tui.cli.parsing import read_payload
from cfgo_tui.cli.subscriber import as_subscriber


def register(subparsers: Subparsers) -> None:
    parser = add_command(
        subparsers,
        "publish",
        "publish a JSON value to a channel (as a client, or over the server API)",
        "Publish DATA (JSON; `-` or nothing reads stdin) to CHANNEL. By default as a client "
        "(the namespace must allow it); with --api over the server HTTP API (needs `api.key`), "
        "which also reports the publication's offset and epoch.",
    )
    parser.add_argument("channel", metavar="CHANNEL")
    parser.add_argument("data", nargs="?", metavar="DATA", help="a JSON value, or - for stdin")
    parser.add_argument("--api", action="store_true", help="publish over the server HTTP API")
    parser.set_defaults(handler=run)


async def run(args: argparse.Namespace) -> int:
    data = read_payload(args.data)
    profile = load_profile(args)
    setup_debug_log(args)
    record: dict[str, Any] = {"channel": args.channel}
    if args.api:
        async with make_api_for(profile, "publish --api") as api:
            with reported(f"publish to {args.channel} over the API"):
                result = await api.publish(args.channel, data)
        record.update(via="api", offset=result.offset, epoch=result.epoch)
    else:
        with reported(f"publish to {args.channel}"):
            async with as_subscriber(profile, args.channel) as call:
                await call(lambda client: client.publish(args.channel, data))
        record["via"] = "client"
    Printer("ndjson").emit(record)
    return 0
