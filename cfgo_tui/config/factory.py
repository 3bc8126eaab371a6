"""Turning a Profile into working objects: token sources, TLS, a client, subscription options and
an API client. The app and the headless commands build everything through these functions.

    client = make_client(profile)
    for spec in profile.channels:                      # after `await client.connect()`
        channel = expand_channel(profile, spec, client)
        client.new_subscription(channel, **subscribe_options(profile, spec, client))

Token sources follow the client's contract: an async callable returning a token; raising
`cfgo_tui.client.Unauthorized` is terminal (the client stops / the subscription ends), any other
exception (TokenSourceError) is retried with backoff.
"""

from __future__ import annotations

import asyncio
import os
import ssl
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

import httpx

from cfgo_tui import __version__
from cfgo_tui.client.errors import Unauthorized
from cfgo_tui.config.models import (
    ChannelSpec,
    CommandAuth,
    EndpointAuth,
    EnvAuth,
    HmacAuth,
    Profile,
    SubTokenEndpoint,
    SubTokenHmac,
    TokenAuth,
)
from cfgo_tui.tokens import mint_connection_token, mint_subscription_token

if TYPE_CHECKING:
    from cfgo_tui.api import ApiClient
    from cfgo_tui.client import Client

ConnectionTokenSource = Callable[[], Awaitable[str | None]]
SubscriptionTokenSource = Callable[[str], Awaitable[str]]

NOT_ALLOWED = "not allowed by your token endpoint (403)"


class TokenSourceError(RuntimeError):
    """Getting a token failed in a way worth retrying (endpoint down, command failed)."""


def ssl_context(profile: Profile) -> ssl.SSLContext | None:
    """The TLS context for wss:// / https:// (None when every URL is plain ws://): system CAs
    plus `tls.ca_file`; `tls.verify: false` turns verification off."""
    needs_tls = any(url.startswith("wss://") for url in profile.urls) or (
        profile.api.url.startswith("https://")
    )
    if not needs_tls and profile.tls.ca_file is None and profile.tls.verify:
        return None
    context = ssl.create_default_context(
        cafile=str(profile.tls.ca_file) if profile.tls.ca_file else None
    )
    if not profile.tls.verify:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    return context


def _httpx_verify(profile: Profile) -> ssl.SSLContext | bool:
    context = ssl_context(profile)
    return context if context is not None else True


async def _fetch_token(
    profile: Profile,
    url: str,
    method: str,
    headers: dict[str, str],
    body: dict[str, Any] | None,
) -> str:
    try:
        async with httpx.AsyncClient(
            timeout=profile.timeout, verify=_httpx_verify(profile), trust_env=False
        ) as http:
            response = await http.request(method, url, headers=headers, json=body)
    except httpx.HTTPError as error:
        raise TokenSourceError(
            f"token endpoint {url} unreachable: {error or type(error).__name__}"
        ) from None
    if response.status_code in (401, 403):
        raise Unauthorized(
            NOT_ALLOWED if response.status_code == 403 else "your token endpoint answered 401"
        )
    if response.status_code != 200:
        raise TokenSourceError(f"token endpoint {url} answered HTTP {response.status_code}")
    try:
        token = response.json().get("token")
    except (ValueError, AttributeError):
        token = None
    if not isinstance(token, str) or not token:
        raise TokenSourceError(f'token endpoint {url} did not return {{"token": "..."}}')
    return token


async def _run_command(auth: CommandAuth) -> str:
    shown = auth.argv[0]
    try:
        process = await asyncio.create_subprocess_exec(
            *auth.argv,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
    except OSError as error:
        # Retrying a command that does not exist cannot help: terminal.
        raise Unauthorized(f"auth command `{shown}` cannot run: {error.strerror}") from None
    try:
        async with asyncio.timeout(auth.timeout):
            out, err = await process.communicate()
    except TimeoutError:
        process.kill()
        await process.wait()
        raise TokenSourceError(
            f"auth command `{shown}` did not finish in {auth.timeout:g}s"
        ) from None
    if process.returncode != 0:
        last = err.decode(errors="replace").strip().splitlines()[-1:] or [""]
        raise TokenSourceError(
            f"auth command `{shown}` exited with {process.returncode}: {last[0][:200]}".rstrip(": ")
        )
    token = out.decode(errors="replace").strip()
    if not token:
        raise TokenSourceError(f"auth command `{shown}` printed no token")
    return token


def connection_token_source(profile: Profile) -> ConnectionTokenSource:
    """An async callable giving a fresh connection token for the profile's `auth`:
    literal token, environment variable (read at each call), command stdout, token endpoint
    (POST/GET, `{"token"}` back; 401/403 -> Unauthorized) or HMAC minting. Returns None when the
    profile has no auth (anonymous)."""
    auth = profile.auth

    async def source() -> str | None:
        if auth is None:
            return None
        if isinstance(auth, TokenAuth):
            return auth.token
        if isinstance(auth, EnvAuth):
            value = os.environ.get(auth.variable, "").strip()
            if not value:
                raise Unauthorized(
                    f"environment variable `{auth.variable}` (auth.env of profile "
                    f"`{profile.name}`) is not set or empty"
                )
            return value
        if isinstance(auth, CommandAuth):
            return await _run_command(auth)
        if isinstance(auth, EndpointAuth):
            return await _fetch_token(profile, auth.url, auth.method, auth.headers, None)
        assert isinstance(auth, HmacAuth)
        return mint_connection_token(auth.secret, auth.user, ttl=auth.ttl, info=auth.info)

    return source


def _client_id(client: Any) -> str | None:
    value = getattr(client, "client_id", None)
    return value if isinstance(value, str) and value else None


def subscription_token_source(profile: Profile, client: Any) -> SubscriptionTokenSource:
    """An async callable `channel -> token` for the profile's `subscription_tokens`: endpoint
    (POST `{"channel", "client"}` with the configured headers; 403 -> Unauthorized("not allowed
    by your token endpoint (403)")) or HMAC minting (`client` claim when `bind_client`). The
    client id is read from `client.client_id` at call time. Without `subscription_tokens` it
    raises Unauthorized explaining what to configure."""
    subs = profile.subscription_tokens

    async def source(channel: str) -> str:
        if subs is None:
            raise Unauthorized(
                f"{channel} needs a subscription token but profile `{profile.name}` has no "
                "`subscription_tokens` (an endpoint or hmac minting)"
            )
        if isinstance(subs, SubTokenEndpoint):
            body = {"channel": channel, "client": _client_id(client) or ""}
            return await _fetch_token(profile, subs.url, "POST", subs.headers, body)
        assert isinstance(subs, SubTokenHmac)
        return mint_subscription_token(
            subs.secret,
            subs.user,
            channel,
            ttl=subs.ttl,
            info=subs.info,
            client=_client_id(client) if subs.bind_client else None,
        )

    return source


def expand_channel(profile: Profile, spec: ChannelSpec, client: Any = None) -> str:
    """`spec.name` with `{user}` (the profile's user) and `{client}` (`client.client_id`, so call
    it once connected) filled in. ValueError when a needed value is unknown."""
    name = spec.name
    if "{user}" in name:
        if not profile.user:
            raise ValueError(f"channel {name!r} needs `{{user}}` but profile has no user")
        name = name.replace("{user}", profile.user)
    if "{client}" in name:
        client_id = _client_id(client)
        if client_id is None:
            raise ValueError(f"channel {name!r} needs `{{client}}`: connect first")
        name = name.replace("{client}", client_id)
    return name


def subscribe_options(profile: Profile, spec: ChannelSpec, client: Any) -> dict[str, Any]:
    """Keyword arguments for `client.new_subscription(channel, **options)`: `recoverable`,
    `positioned` (implied by recover), `join_leave`, `delta`, and `get_token` when the channel
    needs a subscription token (`$` channels, or `token: true` in the spec)."""
    channel = expand_channel(profile, spec, client) if spec.templated else spec.name
    options: dict[str, Any] = {
        "recoverable": spec.recover,
        "positioned": spec.positioned or spec.recover,
        "join_leave": spec.join_leave,
        "delta": spec.delta,
    }
    if spec.needs_token(channel):
        options["get_token"] = subscription_token_source(profile, client)
    return options


def make_client(profile: Profile, *, name: str = "cfgo-tui", data: Any = None) -> Client:
    """A `cfgo_tui.client.Client` for the profile (not connected yet): its url(s), token
    (a literal token is passed as `token`, every other auth as `get_token`), upgrade headers,
    TLS context, timeout, reconnect delays and ping delay."""
    # Imported here so that loading a profile does not pull in websockets/orjson.
    from cfgo_tui.client import Client  # noqa: PLC0415

    token: str | None = None
    get_token: ConnectionTokenSource | None = None
    if isinstance(profile.auth, TokenAuth):
        token = profile.auth.token
    elif profile.auth is not None:
        get_token = connection_token_source(profile)
    return Client(
        list(profile.urls) if len(profile.urls) > 1 else profile.url,
        token=token,
        get_token=get_token,
        name=name,
        version=__version__,
        data=data,
        headers=dict(profile.headers) or None,
        ssl=ssl_context(profile),
        timeout=profile.timeout,
        min_reconnect_delay=profile.min_reconnect_delay,
        max_reconnect_delay=profile.max_reconnect_delay,
        max_server_ping_delay=profile.max_server_ping_delay,
    )


def make_api(profile: Profile) -> ApiClient | None:
    """An ApiClient for `profile.api` (url + X-API-Key, the profile's timeout and TLS), or None
    when the profile has no API key (commands then say: set `api.key`)."""
    if not profile.api.key:
        return None
    from cfgo_tui.api import ApiClient  # noqa: PLC0415 - keeps `config` importable alone

    return ApiClient(
        profile.api.url,
        profile.api.key,
        timeout=profile.timeout,
        verify=_httpx_verify(profile),
    )
