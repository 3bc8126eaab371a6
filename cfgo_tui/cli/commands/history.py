"""`cfgo-tui history CHANNEL`: a page of a channel's history as NDJSON, oldest first by default;
the top of the stream (`OFFSET:EPOCH`, what `--since` takes) goes to stderr."""

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
from cfgo_tui.cli.errors import UsageError
from cfgo_tui.cli.output import FORMATS, Printer, note, publication_record
from cfgo_tui.cli.parsing import position_arg, positive_int
from cfgo_tui.cli.subscriber import as_subscriber
from cfgo_tui.client.events import PublicationEvent


def register(subparsers: Subparsers) -> None:
    parser = add_command(
        subparsers,
        "history",
        "print a page of a channel's history (NDJSON)",
        "Print up to --limit publications of CHANNEL from its history, one JSON object per line "
        "(oldest first; --reverse for newest first). The stream position goes to stderr as "
        "OFFSET:EPOCH, the form --since takes to page on: publications after OFFSET, or with "
        "--reverse the ones before it.",
    )
    parser.add_argument("channel", metavar="CHANNEL")
    parser.add_argument("--limit", type=positive_int, default=10, metavar="N", help="default 10")
    parser.add_argument("--reverse", action="store_true", help="newest first")
    parser.add_argument(
        "--since", type=position_arg, metavar="OFFSET:EPOCH", help="publications after this"
    )
    parser.add_argument("--api", action="store_true", help="read over the server HTTP API")
    parser.add_argument("--format", choices=FORMATS, default="ndjson", help="output format")
    parser.set_defaults(handler=run)


async def run(args: argparse.Namespace) -> int:
    if args.reverse and args.since is not None and args.since.offset == 0:
        # With --reverse, --since pages backwards (publications before OFFSET); Centrifugo
        # v6.9.1 answers offset 0 with an error instead of an empty page (107 bad request to a
        # client, 100 internal server error over the API).
        raise UsageError("--since 0:EPOCH with --reverse: nothing comes before offset 0")
    profile = load_profile(args)
    setup_debug_log(args)
    printer = Printer(args.format)
    action = f"history of {args.channel}"
    options = {"limit": args.limit, "since": args.since, "reverse": args.reverse}
    if args.api:
        async with make_api_for(profile, "history --api") as api:
            with reported(action):
                result = await api.history(args.channel, **options)
        pubs = [
            PublicationEvent(args.channel, p.data, p.info, p.offset, p.tags or None)
            for p in result.publications
        ]
        offset, epoch = result.offset, result.epoch
    else:
        with reported(action):
            async with as_subscriber(profile, args.channel) as call:
                page = await call(lambda client: client.history(args.channel, **options))
        pubs, offset, epoch = page.publications, page.offset, page.epoch
    for pub in pubs:
        printer.emit(publication_record(pub))
    note(f"{args.channel}: {len(pubs)} publications; stream top {offset}:{epoch}")
    return 0
