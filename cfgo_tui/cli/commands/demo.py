"""`cfgo-tui demo`: a local Centrifugo with live traffic, and the app opened on it.

Everything started (Centrifugo, the token endpoint, the traffic process) is stopped when the app
quits, on Ctrl+C, on SIGTERM, and at `--duration`; the children also die with this process.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import importlib
import signal
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING

from cfgo_tui.cli.common import Subparsers, add_command, make_client_for, setup_debug_log
from cfgo_tui.cli.errors import CliError
from cfgo_tui.cli.output import Printer, note
from cfgo_tui.cli.parsing import non_negative_float
from cfgo_tui.demo.channels import DEMO_CHANNELS

if TYPE_CHECKING:
    from cfgo_tui.demo.session import DemoSession


def register(subparsers: Subparsers) -> None:
    parser = add_command(
        subparsers,
        "demo",
        "start a local Centrifugo with live traffic and open the app on it",
        "Start a local Centrifugo (demo config, free port), a token endpoint for the private "
        f"channel and a traffic generator on {', '.join(DEMO_CHANNELS)}, then open the app. "
        "Quitting the app or Ctrl+C stops everything it started.",
        connection_flags=False,
    )
    parser.add_argument(
        "--headless",
        action="store_true",
        help="run the server and traffic without the app, printing what was started (NDJSON), "
        "until Ctrl+C, SIGTERM or --duration",
    )
    parser.add_argument(
        "--duration", type=non_negative_float, metavar="S", help="stop after S seconds"
    )
    parser.add_argument("--port", type=int, help="Centrifugo port (default: a free one)")
    parser.add_argument(
        "--ticker-interval",
        type=non_negative_float,
        default=0.5,
        metavar="S",
        help="seconds between ticker publications (default 0.5)",
    )
    parser.add_argument(
        "--write-config",
        metavar="FILE",
        type=Path,
        help="also write the demo profile to FILE (mode 0600) so other commands can use it: "
        "`cfgo-tui -c FILE tail chat:lobby`",
    )
    parser.set_defaults(handler=run)


class _Stop:
    """Set by SIGINT/SIGTERM/SIGHUP instead of raising, so the clean-up always runs; `also`
    runs too (the app's exit, when the app is open)."""

    def __init__(self) -> None:
        self.event = threading.Event()
        self.also: Callable[[], None] | None = None

    def __call__(self, signum: int, frame: FrameType | None) -> None:
        self.event.set()
        if self.also is not None:
            self.also()


@contextlib.contextmanager
def _stop_on_signals(stop: _Stop) -> Iterator[None]:
    signals = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
    previous = {sig: signal.signal(sig, stop) for sig in signals}
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)


def run(args: argparse.Namespace) -> int:
    from cfgo_tui.demo.session import DemoSession  # noqa: PLC0415 - heavy imports after --help
    from cfgo_tui.localserver import CentrifugoNotFound, ServerStartError  # noqa: PLC0415

    session = DemoSession(port=args.port, ticker_interval=args.ticker_interval)
    stop = _Stop()
    printer = Printer("ndjson")
    with _stop_on_signals(stop):
        try:
            session.start()
        except (CentrifugoNotFound, ServerStartError, OSError) as error:
            raise CliError(f"demo: could not start: {error}") from None
        try:
            if args.write_config is not None:
                session.write_config(args.write_config)
            if args.headless:
                return _headless(args, session, stop.event, printer)
            return _with_app(args, session, stop)
        finally:
            session.stop()
            if args.headless:
                printer.emit({"event": "stopped", "pids": session.pids})
            else:
                stopped = ", ".join(f"{s.what} ({s.pid})" for s in session.started)
                note(f"demo stopped: {stopped}")


def _headless(
    args: argparse.Namespace, session: DemoSession, stop: threading.Event, printer: Printer
) -> int:
    for started in session.started:
        printer.emit(
            {
                "event": "started",
                "what": started.what,
                "pid": started.pid,
                "address": started.address,
            }
        )
    printer.emit(
        {
            "event": "ready",
            "channels": list(DEMO_CHANNELS),
            "config": str(args.write_config) if args.write_config else None,
        }
    )
    stop.wait(timeout=args.duration)
    traffic = session.traffic
    if traffic is not None and traffic.poll() is not None and traffic.returncode != 0:
        note("demo: the traffic generator stopped early:\n" + session.traffic_log()[-2000:])
        return 1
    return 0


def _with_app(args: argparse.Namespace, session: DemoSession, stop: _Stop) -> int:
    try:
        launch = importlib.import_module("cfgo_tui.tui.launch")
    except ModuleNotFoundError:
        raise CliError(
            "demo: the app is not available in this build; `cfgo-tui demo --headless` runs the "
            "server and traffic alone"
        ) from None
    setup_debug_log(args)
    profile = session.profile()
    app = launch.app_for_profile(profile, client=make_client_for(profile))
    # In the demo Ctrl+C ends everything, as a newcomer expects; Textual binds it app-wide to a
    # "press ctrl+q to quit" hint. Inputs that copy with ctrl+c still see it first.
    app.action_help_quit = app.action_quit

    def exit_app() -> None:
        # Signal handlers run on the main thread, where the app's loop runs: hand the exit to
        # the loop rather than touching the app from inside the handler.
        with contextlib.suppress(RuntimeError):
            asyncio.get_running_loop().call_soon_threadsafe(app.exit)

    stop.also = exit_app
    if stop.event.is_set():
        return 130
    result = app.run()
    return int(result or 0)
