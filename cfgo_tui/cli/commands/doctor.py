"""`cfgo-tui doctor`: walk a profile step by step and say what is wrong and what to change.

Steps, each with its own line: DNS and TCP for every URL, the WebSocket upgrade, the connection
token (decoded: user, expiry, claims that the server rejects), the Centrifugo connect, then for
every channel of the profile: subscribe, presence and history, and finally the server API key.
A step that cannot run because an earlier one failed is shown as skipped.
"""

from __future__ import annotations

import argparse
import asyncio
import time
from typing import TYPE_CHECKING, Any, Literal

from cfgo_tui.cli.checklist import Check, Checklist
from cfgo_tui.cli.common import (
    Subparsers,
    add_command,
    connect_within,
    load_profile,
    make_client_for,
    setup_debug_log,
)
from cfgo_tui.cli.diagnosis import (
    Diagnosis,
    diagnose_api,
    diagnose_connect,
    diagnose_history,
    diagnose_presence,
    diagnose_subscribe,
)
from cfgo_tui.cli.output import Printer
from cfgo_tui.cli.probes import (
    Endpoint,
    ProbeFailed,
    resolve,
    tcp_connect,
    websocket_upgrade,
)
from cfgo_tui.client.codes import describe
from cfgo_tui.client.errors import (
    CentrifugoError,
    ConnectFailed,
    ReplyError,
    SubscriptionFailed,
    Unauthorized,
)
from cfgo_tui.config.factory import (
    TokenSourceError,
    connection_token_source,
    expand_channel,
    ssl_context,
    subscribe_options,
)
from cfgo_tui.config.models import ChannelSpec, Profile
from cfgo_tui.tokens import TokenError, explain_token

if TYPE_CHECKING:
    from cfgo_tui.client.client import Client

OutputFormat = Literal["text", "ndjson"]


def register(subparsers: Subparsers) -> None:
    parser = add_command(
        subparsers,
        "doctor",
        "check a profile step by step and say what to fix",
        "Walk the profile: DNS and TCP, the WebSocket upgrade, the connection token (decoded), "
        "connect, each configured channel's subscribe, presence and history, and the API key. "
        "For every failure: the code's name, the likely cause and the config key or token claim "
        "to change. Exit 0 when every step passes, 1 otherwise.",
    )
    parser.add_argument(
        "--format",
        choices=("text", "ndjson"),
        default="text",
        help="a checklist for people (default) or one JSON object per step",
    )
    parser.set_defaults(handler=run)


class Doctor:
    def __init__(self, profile: Profile, report: Checklist, emit: Any) -> None:
        self.profile = profile
        self.report = report
        self._emit = emit
        self.timeout = max(profile.timeout, 1.0)

    def add(self, check: Check) -> Check:
        self.report.add(check)
        self._emit(check)
        return check

    def fail_code(self, step: str, target: str, code: int, detail: str, why: Diagnosis) -> None:
        info = describe(code)
        self.add(Check(step, target, "fail", detail, code, info.name, why.cause, why.fix))

    async def walk(self) -> None:
        reachable = await self.network()
        token_ok = await self.token()
        client = await self.connect() if reachable and token_ok else None
        if client is None:
            if not (reachable and token_ok):
                self.add(Check("connect", self.profile.url, "skip", "an earlier step failed"))
            for spec in self.profile.channels:
                self.add(Check("subscribe", spec.name, "skip", "not connected"))
        else:
            try:
                await self.channels(client)
            finally:
                await client.disconnect()
        await self.api()

    # ------------------------------------------------------------------ network
    async def network(self) -> bool:
        if not self.profile.tls.verify:
            self.add(
                Check(
                    "tls",
                    "verify",
                    "warn",
                    "certificate verification is off",
                    cause="anyone between you and the server can read and change the traffic",
                    fix="remove `tls.verify: false`; for a private CA set `tls.ca_file` instead",
                )
            )
        reachable = False
        for url in self.profile.urls:
            endpoint = Endpoint.from_url(url)
            try:
                addresses = await resolve(endpoint, self.timeout)
                self.add(Check("dns", endpoint.host, "ok", ", ".join(addresses)))
                await tcp_connect(endpoint, self.timeout)
                self.add(Check("tcp", f"{endpoint.host}:{endpoint.port}", "ok"))
                await websocket_upgrade(
                    url,
                    headers=dict(self.profile.headers),
                    ssl_context=ssl_context(self.profile),
                    limit=self.timeout,
                )
                self.add(Check("websocket", url, "ok", "upgrade accepted"))
                reachable = True
            except ProbeFailed as failed:
                step = failed.step
                target = {"dns": endpoint.host, "tcp": f"{endpoint.host}:{endpoint.port}"}.get(
                    step, url
                )
                self.add(
                    Check(step, target, "fail", failed.reason, None, None, failed.cause, failed.fix)
                )
        return reachable

    # ------------------------------------------------------------------ token
    async def token(self) -> bool:
        if self.profile.auth is None:
            self.add(Check("token", "connection", "skip", "no `auth` in the profile: anonymous"))
            return True
        try:
            async with asyncio.timeout(self.timeout):
                token = await connection_token_source(self.profile)()
        except (Unauthorized, TokenSourceError, TimeoutError, OSError) as error:
            self.add(
                Check(
                    "token",
                    "connection",
                    "fail",
                    str(error) or "timed out",
                    cause="the profile's token source did not give a token",
                    fix="check the profile's `auth` (endpoint URL, command, variable)",
                )
            )
            return False
        if not token:
            self.add(Check("token", "connection", "skip", "no token: anonymous"))
            return True
        try:
            report = explain_token(token, secret=self.profile.hmac_secret, expected="connection")
        except TokenError as error:
            self.add(
                Check(
                    "token",
                    "connection",
                    "fail",
                    f"not a JWT: {error}",
                    cause="the token source returned something that is not a JWT",
                    fix="check what the profile's `auth` returns",
                )
            )
            return False
        user = report.claims.get("sub", "")
        remaining = report.expires_in()
        expiry = "never expires" if remaining is None else f"expires in {remaining:.0f}s"
        signature = {
            "valid": "signed with the profile's secret",
            "invalid": "NOT signed with the profile's secret",
            "unchecked": "signature not checked (no secret in the profile)",
        }[report.signature]
        detail = f"user {user!r}, {expiry}, {signature}"
        if remaining is not None and remaining <= 0:
            self.add(
                Check(
                    "token",
                    "connection",
                    "fail",
                    detail,
                    109,
                    describe(109).name,
                    "the token's `exp` claim is in the past",
                    "mint a fresh token: raise the `exp` claim (`auth.hmac.ttl`) or use a source "
                    "that refreshes",
                )
            )
            return False
        if report.warnings:
            self.add(
                Check(
                    "token",
                    "connection",
                    "warn",
                    detail,
                    cause="; ".join(report.warnings),
                    fix="change the claims named above where the token is minted",
                )
            )
            return True
        self.add(Check("token", "connection", "ok", detail))
        return True

    # ------------------------------------------------------------------ connect
    async def connect(self) -> Client | None:
        client = make_client_for(self.profile, name="cfgo-doctor")
        try:
            await connect_within(client, self.timeout * 2)
        except ConnectFailed as error:
            diagnosis = diagnose_connect(error.code, self.profile)
            self.fail_code("connect", self.profile.url, error.code, error.reason, diagnosis)
            return None
        detail = f"client {client.client_id}, server {client.server_version}"
        self.add(Check("connect", self.profile.url, "ok", detail))
        return client

    # ------------------------------------------------------------------ channels
    async def channels(self, client: Client) -> None:
        if not self.profile.channels:
            self.add(Check("subscribe", "", "skip", "the profile lists no `channels`"))
            return
        for spec in self.profile.channels:
            if client.state.value != "connected":
                # A subscription token mismatch closes the whole connection (3500).
                reconnected = await self.connect()
                if reconnected is None:
                    return
                client = reconnected
            await self.channel(client, spec)

    async def channel(self, client: Client, spec: ChannelSpec) -> None:
        try:
            channel = expand_channel(self.profile, spec, client)
        except ValueError as error:
            self.add(
                Check("subscribe", spec.name, "fail", str(error), fix="set the profile's `user`")
            )
            return
        had_token = spec.needs_token(channel) and self.profile.subscription_tokens is not None
        started = time.monotonic()
        try:
            options = subscribe_options(self.profile, spec, client)
            async with asyncio.timeout(self.timeout * 2):
                await client.subscribe(channel, **options)
        except SubscriptionFailed as error:
            code = error.code
            if spec.needs_token(channel) and self.profile.subscription_tokens is None:
                code = 103 if code in (0, 1, 4) else code
            diagnosis = diagnose_subscribe(code, channel, self.profile, had_token=had_token)
            self.fail_code("subscribe", channel, code, error.reason, diagnosis)
            self._skip_calls(channel)
            return
        except (CentrifugoError, TimeoutError) as error:
            self.add(
                Check(
                    "subscribe",
                    channel,
                    "fail",
                    str(error) or "no answer",
                    cause="the server did not confirm the subscription",
                    fix="check the server log and the connection",
                )
            )
            self._skip_calls(channel)
            return
        elapsed = (time.monotonic() - started) * 1000
        how = " with a subscription token" if spec.needs_token(channel) else ""
        self.add(Check("subscribe", channel, "ok", f"subscribed{how} in {elapsed:.0f} ms"))
        await self.presence(client, channel)
        await self.history(client, channel)

    def _skip_calls(self, channel: str) -> None:
        self.add(Check("presence", channel, "skip", "not subscribed"))
        self.add(Check("history", channel, "skip", "not subscribed"))

    async def presence(self, client: Client, channel: str) -> None:
        try:
            stats = await client.presence_stats(channel)
        except ReplyError as error:
            diagnosis = diagnose_presence(error.code, channel)
            self.fail_code("presence", channel, error.code, error.message, diagnosis)
            return
        except CentrifugoError as error:
            self.add(Check("presence", channel, "fail", str(error)))
            return
        detail = f"{stats.num_clients} clients, {stats.num_users} users"
        self.add(Check("presence", channel, "ok", detail))

    async def history(self, client: Client, channel: str) -> None:
        try:
            page = await client.history(channel, limit=0)
        except ReplyError as error:
            diagnosis = diagnose_history(error.code, channel)
            self.fail_code("history", channel, error.code, error.message, diagnosis)
            return
        except CentrifugoError as error:
            self.add(Check("history", channel, "fail", str(error)))
            return
        self.add(Check("history", channel, "ok", f"stream top {page.offset}:{page.epoch}"))

    # ------------------------------------------------------------------ server API
    async def api(self) -> None:
        from cfgo_tui.api import (  # noqa: PLC0415
            ApiConnectionError,
            ApiFailure,
            ApiProtocolError,
            ApiUnauthorized,
        )
        from cfgo_tui.config.factory import make_api  # noqa: PLC0415

        api = make_api(self.profile)
        url = self.profile.api.url
        if api is None:
            self.add(
                Check(
                    "api",
                    url,
                    "skip",
                    "no `api.key` in the profile: `channels`, `info` and --api need it",
                )
            )
            return
        async with api:
            try:
                nodes = await api.info()
            except ApiUnauthorized:
                diagnosis = diagnose_api(401)
                self.add(
                    Check(
                        "api",
                        url,
                        "fail",
                        "HTTP 401",
                        401,
                        "unauthorized",
                        diagnosis.cause,
                        diagnosis.fix,
                    )
                )
                return
            except (ApiConnectionError, ApiProtocolError, ApiFailure) as error:
                status = 404 if "HTTP 404" in str(error) else None
                diagnosis = diagnose_api(status)
                self.add(
                    Check(
                        "api", url, "fail", str(error), None, None, diagnosis.cause, diagnosis.fix
                    )
                )
                return
        versions = ", ".join(sorted({node.version for node in nodes})) or "no nodes"
        self.add(Check("api", url, "ok", f"key accepted; {len(nodes)} node(s), {versions}"))


async def run(args: argparse.Namespace) -> int:
    profile = load_profile(args)
    setup_debug_log(args)
    printer = Printer("ndjson")
    fmt: OutputFormat = args.format

    def emit(check: Check) -> None:
        if fmt == "ndjson":
            printer.text(check.as_json())
        else:
            for line in check.lines():
                printer.text(line)

    if fmt == "text":
        printer.text(f"cfgo-tui doctor: profile `{profile.name}` ({profile.url})")
    report = Checklist([])
    await Doctor(profile, report, emit).walk()
    if fmt == "text":
        printer.text(report.summary())
    return 0 if report.ok else 1
