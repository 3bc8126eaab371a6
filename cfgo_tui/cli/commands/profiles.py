"""`cfgo-tui profiles`: which config file is read and which profiles it has;
`cfgo-tui profiles show [NAME]`: the effective profile, secrets redacted;
`cfgo-tui profiles path`: only the file path (for scripts, like `posting locate config`)."""

from __future__ import annotations

import argparse
from typing import Any

import yaml

from cfgo_tui.cli.common import add_profile_options, option
from cfgo_tui.config import (
    CommandAuth,
    Config,
    EndpointAuth,
    EnvAuth,
    HmacAuth,
    Profile,
    TokenAuth,
    load_config,
    locate_config,
    profile_to_dict,
    select_profile,
)
from cfgo_tui.config.locate import Location
from cfgo_tui.config.redact import redact_url


def register(subparsers: Any) -> None:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "profiles",
        help="list profiles and show which config file was read",
        description="List the profiles of the config file and say which file was read "
        "(--config > $CFGO_TUI_CONFIG > ./cfgo-tui.yaml > the user config dir).",
    )
    add_profile_options(parser)
    parser.set_defaults(handler=list_profiles)
    actions = parser.add_subparsers(dest="profiles_action", metavar="ACTION")
    show = actions.add_parser("show", help="print the effective profile with every secret redacted")
    show.add_argument("name", nargs="?", help="profile name (default: --profile or the default)")
    add_profile_options(show)
    show.set_defaults(handler=show_profile)
    path = actions.add_parser("path", help="print the path of the config file that is read")
    add_profile_options(path)
    path.set_defaults(handler=print_path)


def _auth_label(profile: Profile) -> str:
    auth = profile.auth
    if auth is None:
        return "anonymous"
    if isinstance(auth, TokenAuth):
        return "token"
    if isinstance(auth, EnvAuth):
        return f"env ${auth.variable}"
    if isinstance(auth, CommandAuth):
        return f"command {auth.argv[0]}"
    if isinstance(auth, EndpointAuth):
        return "token endpoint"
    assert isinstance(auth, HmacAuth)
    return f"hmac (user {auth.user})"


def _location_lines(config: Config, location: Location) -> list[str]:
    if config.file is None:
        searched = ", ".join(str(path) for path in location.searched)
        return ["config file: none found (using built-in defaults)", f"searched:    {searched}"]
    return [f"config file: {config.file} (from {config.source})"]


def list_profiles(args: argparse.Namespace) -> int:
    location = locate_config(option(args, "config"))
    config = load_config(option(args, "config"))
    lines = _location_lines(config, location)
    if not config.profiles:
        lines.append(
            "profiles:    none (the built-in `default` profile is used: "
            "ws://127.0.0.1:8000/connection/websocket, anonymous)"
        )
    else:
        default = config.default_profile or (
            next(iter(config.profiles)) if len(config.profiles) == 1 else None
        )
        lines.append("profiles:")
        width = max(len(name) for name in config.profiles)
        for name, profile in config.profiles.items():
            mark = "*" if name == default else " "
            extra = f" (+{len(profile.urls) - 1} failover)" if len(profile.urls) > 1 else ""
            url = redact_url(profile.url)
            lines.append(f"  {mark} {name:<{width}}  {url}{extra}  auth: {_auth_label(profile)}")
        if default:
            lines.append("(* = used without --profile)")
    print("\n".join(lines))
    return 0


def show_profile(args: argparse.Namespace) -> int:
    config = load_config(option(args, "config"))
    name = option(args, "name") or option(args, "profile")
    profile = select_profile(config, name)
    source = str(config.file) if config.file else "built-in defaults"
    body = yaml.safe_dump(
        {"profiles": {profile.name: profile_to_dict(profile)}},
        sort_keys=False,
        allow_unicode=True,
        default_flow_style=False,
    )
    print(f"# effective profile `{profile.name}` from {source} (secrets redacted)\n{body}", end="")
    return 0


def print_path(args: argparse.Namespace) -> int:
    location = locate_config(option(args, "config"))
    if location.file is None:
        print(
            "no config file found; searched: " + ", ".join(str(path) for path in location.searched)
        )
        return 1
    print(location.file)
    return 0
