"""What every headless command shares: its common options, the profile it runs on, the redacted
debug log, and turning client/API failures into one clean line with the right exit code."""

from __future__ import annotations

import argparse
import logging
from pathlib import Path
from typing import Any

from cfgo_tui.cli.errors import CliError, UsageError
from cfgo_tui.client.redact import redact, register_secret
from cfgo_tui.config.models import Profile

Subparsers = Any  # argparse's _SubParsersAction is private; this is what `register` receives


def add_command_options(parser: argparse.ArgumentParser) -> None:
    """`--profile`, `--config`, `--debug` after the command too. SUPPRESS keeps a value given
    before the command (`cfgo-tui -p prod tail x`) from being overwritten by the default."""
    parser.add_argument(
        "--profile", "-p", default=argparse.SUPPRESS, help="profile name from the config file"
    )
    parser.add_argument(
        "--config", "-c", default=argparse.SUPPRESS, help="config file (default: looked up)"
    )
    parser.add_argument(
        "--debug",
        metavar="FILE",
        nargs="?",
        const="cfgo-tui-debug.log",
        default=argparse.SUPPRESS,
        help="write a redacted debug log (default file: cfgo-tui-debug.log)",
    )


def add_command(
    subparsers: Subparsers, name: str, help_text: str, description: str | None = None
) -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        name, help=help_text, description=description or help_text
    )
    add_command_options(parser)
    return parser


def load_profile(args: argparse.Namespace) -> Profile:
    """The profile named by `--profile` (else the file's default) from `--config` (else the
    usual lookup). Config problems are usage errors (exit 2) with the config module's message."""
    from cfgo_tui import config as config_module  # noqa: PLC0415 - keeps `--help` fast

    try:
        profile: Profile = config_module.load_profile(
            getattr(args, "profile", None), config=getattr(args, "config", None)
        )
    except config_module.ConfigError as error:
        raise UsageError(str(error)) from None
    register_profile_secrets(profile)
    return profile


def register_profile_secrets(profile: Profile) -> None:
    """Every secret of the profile is redacted from all output from now on."""
    from cfgo_tui.config.models import HmacAuth, SubTokenHmac, TokenAuth  # noqa: PLC0415

    register_secret(profile.api.key)
    register_secret(profile.hmac_secret)
    if isinstance(profile.auth, HmacAuth):
        register_secret(profile.auth.secret)
    if isinstance(profile.auth, TokenAuth):
        register_secret(profile.auth.token)
    if isinstance(profile.subscription_tokens, SubTokenHmac):
        register_secret(profile.subscription_tokens.secret)


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
    root = logging.getLogger("cfgo_tui")
    root.setLevel(logging.DEBUG)
    root.addHandler(handler)
    return path


def require_api_key(profile: Profile, what: str) -> None:
    if not profile.api.key:
        raise UsageError(
            f"{what} needs the server HTTP API, and profile `{profile.name}` has no `api.key` "
            "(the server's `http_api.key`)"
        )


def failure(error: BaseException, *, action: str) -> CliError:
    """A client or API error as a one-line CliError (exit 1) with the code's name and hint."""
    text = str(error) or type(error).__name__
    return CliError(f"{action}: {text}")
