"""`cfgo-tui token mint` and `cfgo-tui token decode`: HS256 connection and subscription tokens
from the profile's HMAC secret, like `centrifugo gentoken` / `gensubtoken`, and a readable
explanation of any token."""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import Any

from cfgo_tui.cli.common import add_profile_options, option
from cfgo_tui.cli.errors import CliError, UsageError
from cfgo_tui.config import (
    HmacAuth,
    Profile,
    SubTokenHmac,
    load_config,
    load_profile,
    select_profile,
)
from cfgo_tui.config.models import DEFAULT_TOKEN_TTL
from cfgo_tui.tokens import (
    TokenError,
    explain_token,
    mint_connection_token,
    mint_subscription_token,
    render_report,
)


def register(subparsers: Any) -> None:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "token",
        help="mint or decode Centrifugo JWTs",
        description="Mint HS256 connection/subscription tokens with the profile's HMAC secret, "
        "or decode and explain a token.",
    )
    add_profile_options(parser)
    actions = parser.add_subparsers(dest="token_action", metavar="ACTION", required=True)

    mint = actions.add_parser(
        "mint",
        help="mint a connection token (or a subscription token with --channel)",
        description="Print an HS256 JWT signed with the profile's HMAC secret (auth.hmac or "
        "subscription_tokens.hmac), or with the secret in --secret-env.",
    )
    add_profile_options(mint)
    mint.add_argument("--user", "-u", help="user id, the `sub` claim (default: profile user)")
    mint.add_argument(
        "--ttl",
        type=int,
        metavar="S",
        help="seconds until expiry; 0 or -1 = no expiry (default: profile ttl, else 3600)",
    )
    mint.add_argument("--info", metavar="JSON", help="`info` claim as JSON, e.g. '{\"name\":1}'")
    mint.add_argument("--channel", "-s", help="mint a subscription token for this channel")
    mint.add_argument("--client", help="bind a subscription token to one connection id")
    mint.add_argument(
        "--secret-env", metavar="VAR", help="read the HMAC secret from environment variable VAR"
    )
    mint.set_defaults(handler=mint_command)

    decode = actions.add_parser(
        "decode",
        help="explain a token: claims, expiry, kind, problems; verify with the profile secret",
    )
    add_profile_options(decode)
    decode.add_argument("token", metavar="TOKEN", help="the token, or - to read it from stdin")
    decode.add_argument(
        "--as",
        dest="expected",
        choices=("connection", "subscription"),
        help="check it as this kind (default: subscription when it has a `channel` claim)",
    )
    decode.add_argument("--secret-env", metavar="VAR", help="verify with the secret in VAR")
    decode.add_argument("--json", action="store_true", help="print the report as JSON")
    decode.set_defaults(handler=decode_command)


def _profile(args: argparse.Namespace) -> Profile:
    return load_profile(option(args, "profile"), config=option(args, "config"))


def _decode_profile(args: argparse.Namespace) -> Profile | None:
    """Decoding needs no profile: with several profiles and none chosen, verify nothing rather
    than refuse to decode."""
    config = load_config(option(args, "config"))
    name = option(args, "profile")
    if not name and not config.default_profile and len(config.profiles) > 1:
        return None
    return select_profile(config, name)


def _secret(args: argparse.Namespace, profile: Profile | None) -> str | None:
    variable = option(args, "secret_env")
    if variable:
        value = os.environ.get(variable, "")
        if not value:
            raise UsageError(f"--secret-env {variable}: the environment variable is not set")
        return value
    return profile.hmac_secret if profile is not None else None


def _parse_info(text: str | None) -> Any:
    if text is None:
        return None
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise UsageError(
            f"--info is not valid JSON: {error.msg} at line {error.lineno}, column {error.colno}"
        ) from None


def _default_ttl(profile: Profile, subscription: bool) -> int | None:
    subs, auth = profile.subscription_tokens, profile.auth
    if subscription and isinstance(subs, SubTokenHmac):
        return subs.ttl
    if isinstance(auth, HmacAuth):
        return auth.ttl
    return DEFAULT_TOKEN_TTL


def mint_command(args: argparse.Namespace) -> int:
    info = _parse_info(args.info)
    if args.client and not args.channel:
        raise UsageError("--client binds a subscription token: it needs --channel")
    profile = _profile(args)
    secret = _secret(args, profile)
    if not secret:
        raise UsageError(
            f"no HMAC secret: profile `{profile.name}` has no `auth.hmac.secret` or "
            "`subscription_tokens.hmac.secret`; set one or pass --secret-env VAR"
        )
    user = args.user if args.user is not None else profile.user
    if user is None:
        raise UsageError(f"--user is required (profile `{profile.name}` names no user)")
    ttl = args.ttl if args.ttl is not None else _default_ttl(profile, bool(args.channel))
    if args.channel:
        token = mint_subscription_token(
            secret, user, args.channel, ttl=ttl, info=info, client=args.client
        )
    else:
        token = mint_connection_token(secret, user, ttl=ttl, info=info)
    print(token)
    return 0


def _read_token(value: str) -> str:
    text = sys.stdin.read() if value == "-" else value
    text = text.strip()
    if text.lower().startswith("bearer "):
        text = text[7:].strip()
    if not text:
        raise UsageError("no token given (stdin was empty)" if value == "-" else "empty token")
    return text


def decode_command(args: argparse.Namespace) -> int:
    token = _read_token(args.token)
    secret = _secret(args, _decode_profile(args))
    try:
        report = explain_token(token, secret=secret, expected=args.expected)
    except TokenError as error:
        raise UsageError(str(error)) from None
    if args.json:
        print(
            json.dumps(
                {
                    "kind": report.kind,
                    "signature": report.signature,
                    "header": report.header,
                    "claims": report.claims,
                    "expires_at": report.expires_at,
                    "expires_in": report.expires_in(),
                    "warnings": report.warnings,
                },
                indent=2,
            )
        )
    else:
        print(render_report(report))
    if report.signature == "invalid":
        raise CliError("the signature does not match the profile's secret")
    return 0
