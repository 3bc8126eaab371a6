"""`cfgo-tui [--profile NAME]` without a subcommand: load the profile and run the app.

`app_for_profile` builds the app from a Profile (tests and `scripts/screenshots` use it too):
the real client from `make_client`, the API client when the profile has a key, subscription
tokens for `$` channels, and the profile's channels, retention, theme and keymap.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from cfgo_tui.client import Client
from cfgo_tui.client.redact import register_secret
from cfgo_tui.config.factory import (
    expand_channel,
    make_api,
    make_client,
    subscription_token_source,
)
from cfgo_tui.config.models import ChannelSpec, Profile
from cfgo_tui.config.redact import profile_secrets, redact_url
from cfgo_tui.store import SubscribeOptions
from cfgo_tui.tui.session import AppOptions, SubTokenGetter


def app_options(profile: Profile) -> AppOptions:
    return AppOptions(
        profile=profile.name,
        url=redact_url(profile.url),
        tls_insecure=not profile.tls.verify,
        retention=profile.retention,
        channels=[
            (
                spec.name,
                SubscribeOptions(
                    recover=spec.recover,
                    join_leave=spec.join_leave,
                    delta=bool(spec.delta),
                    positioned=spec.positioned,
                ),
            )
            for spec in profile.channels
        ],
        theme=profile.theme,
        keymap=dict(profile.keymap),
    )


def app_for_profile(
    profile: Profile,
    *,
    state_path: Path | None = None,
    client: Client | None = None,
    **kw: Any,
) -> Any:
    """A ready-to-run CfgoApp for `profile` (not started); `client` defaults to the profile's."""
    from cfgo_tui.tui.app import CfgoApp  # noqa: PLC0415 - Textual loads only when the app runs
    from cfgo_tui.tui.state import default_state_path  # noqa: PLC0415

    # Every log, frame and export of the app is redacted of the profile's secrets.
    for secret in profile_secrets(profile):
        register_secret(secret)
    if client is None:
        client = make_client(profile)
    source = subscription_token_source(profile, client)
    specs = {spec.name: spec for spec in profile.channels}

    def sub_tokens(channel: str) -> SubTokenGetter | None:
        spec = specs.get(channel) or ChannelSpec(name=channel)
        return source if spec.needs_token(channel) else None

    def expand(name: str) -> str:
        spec = specs.get(name) or ChannelSpec(name=name)
        return expand_channel(profile, spec, client) if spec.templated else name

    return CfgoApp(
        client,
        app_options(profile),
        api=make_api(profile),
        sub_tokens=sub_tokens,
        expand=expand,
        state_path=state_path if state_path is not None else default_state_path(),
        **kw,
    )


def app_from_args(args: argparse.Namespace, **kw: Any) -> Any:
    """The app for `--profile`/`--config`; with `--debug`, its client's frames and events also go
    to the redacted debug log, as the headless commands' do. Config errors raise UsageError."""
    from cfgo_tui.cli.common import load_profile, make_client_for, setup_debug_log  # noqa: PLC0415

    profile = load_profile(args)
    setup_debug_log(args)
    return app_for_profile(profile, client=make_client_for(profile), **kw)


def run_app(args: argparse.Namespace) -> int:
    """Entry from `cfgo_tui.cli.main`: config errors raise UsageError (exit 2, one line)."""
    result = app_from_args(args).run()
    return int(result or 0)
