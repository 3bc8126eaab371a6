"""What every headless command shares: its common options, the profile it runs on, the redacted
debug log, and turning client/API failures into one clean line with the right exit code."""

from __future__ import annotations

import argparse
import contextlib
import logging
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cfgo_tui.cli.errors import CliError, UsageError
from cfgo_tui.client.errors import CentrifugoError, ConnectFailed
from cfgo_tui.client.events import ConnectingEvent, ErrorEvent, Event, FrameEvent
from cfgo_tui.client.redact import redact, register_secret
from cfgo_tui.config.models import ChannelSpec, Profile

if TYPE_CHECKING:
    from cfgo_tui.api import ApiClient
    from cfgo_tui.client.client import Client

Subparsers = Any  # argparse's _SubParsersAction is private; this is what `register` receives


def add_profile_options(parser: argparse.ArgumentParser) -> None:
    """`--profile`, `--config` after the command too. SUPPRESS keeps a value given before the
    command (`cfgo-tui -p prod tail x`) from being overwritten by the default."""
    parser.add_argument(
        "--profile", "-p", default=argparse.SUPPRESS, help="profile name from the config file"
    )
    parser.add_argument(
        "--config", "-c", default=argparse.SUPPRESS, help="config file (default: looked up)"
    )


def option(args: argparse.Namespace, name: str) -> Any:
    """An option's value, None when it was given neither before nor after the command."""
    return getattr(args, name, None)


def add_command_options(parser: argparse.ArgumentParser) -> None:
    """`--profile`, `--config`, `--debug` after the command too."""
    add_profile_options(parser)
    parser.add_argument(
        "--debug",
        metavar="FILE",
        nargs="?",
        const="cfgo-tui-debug.log",
        default=argparse.SUPPRESS,
        help="write a redacted debug log (default file: cfgo-tui-debug.log)",
    )


# Flags that beat the profile's value (precedence: flag > profile > built-in default).
OVERRIDE_FLAGS: tuple[tuple[str, str, str], ...] = (
    ("--url", "url", "server WebSocket URL, repeat it for failover (beats the profile's `url`)"),
    ("--api-url", "api_url", "server HTTP API URL (beats `api.url`)"),
    (
        "--api-key",
        "api_key",
        "server API key (beats `api.key`; other local users can read it in the process list)",
    ),
    (
        "--token",
        "token",
        "a literal connection token (beats `auth`; readable in the process list as well)",
    ),
)


def add_override_options(parser: argparse.ArgumentParser, *, suppress: bool = True) -> None:
    """The connection flags of OVERRIDE_FLAGS; `suppress` as in `add_profile_options`."""
    default = argparse.SUPPRESS if suppress else None
    for flag, dest, help_text in OVERRIDE_FLAGS:
        action = "append" if dest == "url" else "store"
        metavar = "KEY" if dest == "api_key" else ("TOKEN" if dest == "token" else "URL")
        parser.add_argument(
            flag, dest=dest, action=action, default=default, metavar=metavar, help=help_text
        )


def profile_overrides(args: argparse.Namespace) -> dict[str, Any]:
    return {dest: option(args, dest) for _flag, dest, _help in OVERRIDE_FLAGS}


def add_command(
    subparsers: Subparsers,
    name: str,
    help_text: str,
    description: str | None = None,
    *,
    connection_flags: bool = True,
) -> argparse.ArgumentParser:
    """A subcommand's parser with the common options; `connection_flags=False` for commands
    that do not connect to a profile's server (the demo starts its own)."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        name, help=help_text, description=description or help_text, allow_abbrev=False
    )
    add_command_options(parser)
    if connection_flags:
        add_override_options(parser)
    return parser


def load_profile(args: argparse.Namespace) -> Profile:
    """The profile named by `--profile` (else the file's default) from `--config` (else the
    usual lookup), with the connection flags (`--url`, `--api-url`, `--api-key`, `--token`)
    applied over it. Config problems are usage errors (exit 2) with the config module's message."""
    from cfgo_tui import config as config_module  # noqa: PLC0415 - keeps `--help` fast

    try:
        profile: Profile = config_module.load_profile(
            getattr(args, "profile", None),
            config=getattr(args, "config", None),
            overrides=profile_overrides(args),
        )
    except config_module.ConfigError as error:
        raise UsageError(str(error)) from None
    register_profile_secrets(profile)
    return profile


def register_profile_secrets(profile: Profile) -> None:
    """Every secret of the profile is redacted from all output from now on."""
    from cfgo_tui.config.redact import profile_secrets  # noqa: PLC0415

    for secret in profile_secrets(profile):
        register_secret(secret)


class _RedactingFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


def setup_debug_log(args: argparse.Namespace) -> Path | None:
    """`--debug [FILE]`: DEBUG logging of every layer (frames included) to FILE, redacted."""
    target = getattr(args, "debug", None)
    if not target:
        return None
    path = Path(target)
    try:
        handler = logging.FileHandler(path, encoding="utf-8")
    except OSError as error:
        raise UsageError(f"--debug {target}: cannot write the log file: {error.strerror}") from None
    handler.setFormatter(_RedactingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    close_debug_log()
    root = logging.getLogger("cfgo_tui")
    root.setLevel(logging.DEBUG)
    root.addHandler(handler)
    return path


def close_debug_log() -> None:
    """Remove the `--debug` log handler (one command per process needs no call; tests do)."""
    root = logging.getLogger("cfgo_tui")
    for handler in list(root.handlers):
        if isinstance(handler.formatter, _RedactingFormatter):
            root.removeHandler(handler)
            handler.close()
    root.setLevel(logging.NOTSET)


def failure(error: BaseException, *, action: str) -> CliError:
    """A client or API error as a one-line CliError (exit 1) with the code's name and hint."""
    text = str(error) or type(error).__name__
    return CliError(f"{action}: {text}")


def channel_spec(profile: Profile, channel: str, *, recover: bool = True) -> ChannelSpec:
    """The profile's options for `channel` when it lists it, else defaults (recovery asked for,
    so a reconnect loses nothing where the namespace allows it)."""
    for spec in profile.channels:
        if spec.name == channel:
            return spec
    return ChannelSpec(channel, recover=recover)


def make_client_for(profile: Profile, *, name: str = "cfgo-tui") -> Client:
    """The profile's client; with `--debug`, every frame and event also goes to the debug log."""
    from cfgo_tui.config.factory import make_client  # noqa: PLC0415

    client: Client = make_client(profile, name=name)
    if _debug_log.isEnabledFor(logging.DEBUG):
        client.on("*", _log_event)
    return client


_debug_log = logging.getLogger("cfgo_tui.cli.debug")


def _log_event(event: Event) -> None:
    # Frame text is redacted by the client; the log handler redacts everything once more.
    if isinstance(event, FrameEvent):
        _debug_log.debug("frame %s %s", event.direction, event.text)
    else:
        _debug_log.debug("event %r", event)


def make_api_for(profile: Profile, what: str) -> ApiClient:
    from cfgo_tui.config.factory import make_api  # noqa: PLC0415

    api = make_api(profile)
    if api is None:
        raise UsageError(
            f"{what} needs the server HTTP API, and profile `{profile.name}` has no `api.key` "
            "(the server's `http_api.key`)"
        )
    return api


@contextlib.asynccontextmanager
async def connected_client(profile: Profile) -> AsyncIterator[Client]:
    """A connected client, disconnected on the way out. A connect that cannot succeed within the
    profile's timeout (a few attempts) is a clean failure, not an endless retry."""
    client = make_client_for(profile)
    try:
        await connect_within(client, connect_limit(profile))
        yield client
    finally:
        await client.disconnect()


def connect_limit(profile: Profile) -> float:
    """How long a command waits for its first connection: a few attempts' worth."""
    return max(profile.timeout, 1.0) * 2


class ServerUnreachable(ConnectFailed):
    """A command gave up on a server it could not open a WebSocket to. Code 3's hint ("the
    client reconnects") would be wrong here: the message is the reason alone."""

    def __init__(self, reason: str) -> None:
        CentrifugoError.__init__(self, reason)
        self.code = 3  # transport closed: the client's code for a connection that failed
        self.reason = reason


async def connect_within(client: Client, limit: float) -> None:
    """`client.connect()` bounded by `limit` seconds. Running out is a ConnectFailed carrying the
    last reason an attempt failed (the client itself would go on trying in the background):
    ServerUnreachable when no attempt got a WebSocket open."""
    from cfgo_tui.client.errors import CommandTimeout  # noqa: PLC0415

    last: list[ConnectingEvent] = []
    not_opened: set[str] = set()

    def remember(event: ConnectingEvent) -> None:
        if event.code:
            last[:] = [event]

    def remember_open_failure(event: ErrorEvent) -> None:
        # The client reports a WebSocket it could not open as a transport error without a
        # code, and retries with that same text as the reason.
        if event.where == "transport" and event.code is None:
            not_opened.add(event.message)

    client.on("connecting", remember)
    client.on("error", remember_open_failure)
    try:
        await client.connect(timeout=limit)
    except CommandTimeout:
        url = client.url
        await client.disconnect()
        if not last:
            # The first attempt still hung: the port answers, the WebSocket never did.
            raise ServerUnreachable(
                f"cannot connect to {url}: no answer within {limit:g}s"
            ) from None
        code, reason = last[0].code, last[0].reason
        if reason in not_opened:
            # The reason names the URL and the cause (refused, unknown host, TLS, an HTTP
            # status instead of the upgrade).
            raise ServerUnreachable(f"{reason} (gave up after {limit:g}s)") from None
        raise ConnectFailed(
            code, f"not connected within {limit:g}s; last error: {reason}"
        ) from None
    finally:
        client.off("connecting", remember)
        client.off("error", remember_open_failure)


@contextlib.contextmanager
def reported(action: str) -> Iterator[None]:
    """Client and API failures inside become one-line CliErrors (exit 1) naming `action`."""
    from cfgo_tui.api import ApiFailure  # noqa: PLC0415
    from cfgo_tui.client.errors import CentrifugoError  # noqa: PLC0415

    try:
        yield
    except (CentrifugoError, ApiFailure, ValueError) as error:
        # ValueError: the client's own argument checks (a bad URL, a `{user}` template without
        # a user), worded for people.
        raise failure(error, action=action) from None
