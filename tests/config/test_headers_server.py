"""A profile's HTTP headers on the wire, seen by the receiving side: the token endpoints'
`headers` at the endpoint, and the WebSocket upgrade `headers` at a real Centrifugo (its origin
check, and its connect proxy, which forwards the upgrade request's headers it is told to)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from config_helpers import connected_client_id

from cfgo_tui.client import Client, ConnectFailed, ErrorEvent
from cfgo_tui.config import ChannelSpec, Profile, load_profile
from cfgo_tui.config.factory import make_client, subscribe_options
from cfgo_tui.localserver import CentrifugoServer, TokenEndpoint, derive_config

ALLOWED_ORIGIN = "http://allowed.example"
# The upgrade headers the server's connect proxy passes on to the backend.
FORWARDED = ("X-Cfgo-Test", "Cookie")


def _profile_from_yaml(tmp_path: Path, profile: dict[str, Any]) -> Profile:
    """The profile as a user writes it, through the config loader."""
    path = tmp_path / f"cfgo-tui-{uuid.uuid4().hex[:8]}.yaml"
    path.write_text(yaml.safe_dump({"default_profile": "p", "profiles": {"p": profile}}))
    path.chmod(0o600)
    return load_profile(None, config=path, warn=None)


def _server_part(server: CentrifugoServer) -> dict[str, Any]:
    return {"url": server.ws_url, "timeout": "3s", "reconnect": {"min_delay": "100ms"}}


# Token endpoints: the headers the profile gives them arrive with each token request.


def _endpoint_with_headers(url: str, session: str) -> dict[str, Any]:
    """A token endpoint entry of a profile, with an app session and a tenant header to check."""
    return {"url": url, "headers": {"Authorization": session, "X-Tenant": "acme"}}


async def test_connection_token_endpoint_gets_the_profiles_headers(
    centrifugo: CentrifugoServer, tmp_path: Path
):
    session = f"Bearer app-session-{uuid.uuid4().hex}"
    with TokenEndpoint(centrifugo.hmac_secret, user="carol") as endpoint:
        profile = _profile_from_yaml(
            tmp_path,
            {
                **_server_part(centrifugo),
                "auth": {"endpoint": _endpoint_with_headers(endpoint.connection_url, session)},
            },
        )
        await connected_client_id(profile)  # the server accepted the token it fetched
        [headers] = endpoint.headers_of("/connection-token")
    assert headers["authorization"] == session
    assert headers["x-tenant"] == "acme"


async def test_subscription_token_endpoint_gets_the_profiles_headers(
    centrifugo: CentrifugoServer, tmp_path: Path, unique: str
):
    channel = f"$secret:headers-{unique}"
    session = f"Bearer app-session-{uuid.uuid4().hex}"
    with TokenEndpoint(centrifugo.hmac_secret, user="carol") as endpoint:
        profile = _profile_from_yaml(
            tmp_path,
            {
                **_server_part(centrifugo),
                "auth": {"endpoint": endpoint.connection_url},
                "subscription_tokens": {
                    "endpoint": _endpoint_with_headers(endpoint.subscription_url, session)
                },
            },
        )
        client = make_client(profile)
        try:
            await client.connect(timeout=5)
            options = subscribe_options(profile, ChannelSpec(channel), client)
            sub = await client.subscribe(channel, timeout=5, **options)
            assert sub.channel == channel  # the server accepted the subscription token
        finally:
            await client.disconnect()
        [headers] = endpoint.headers_of("/subscription-token")
        # the connection token request had none of them: each source sends its own
        [connection_headers] = endpoint.headers_of("/connection-token")
    assert headers["authorization"] == session
    assert headers["x-tenant"] == "acme"
    assert "authorization" not in connection_headers
    assert "x-tenant" not in connection_headers


# WebSocket upgrade headers, seen by a real server.


@pytest.fixture(scope="module")
def backend() -> Iterator[TokenEndpoint]:
    with TokenEndpoint("unused-secret", user="proxied-user") as endpoint:
        yield endpoint


@pytest.fixture(scope="module")
def guarded_centrifugo(
    backend: TokenEndpoint, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[CentrifugoServer]:
    """The test server accepting browser connections from ALLOWED_ORIGIN only, and handing
    connections without a token to `backend`'s connect proxy along with the FORWARDED headers
    of their upgrade request."""

    def guard(config: dict) -> None:
        config["client"]["allowed_origins"] = [ALLOWED_ORIGIN]
        config["client"]["proxy"] = {
            "connect": {
                "enabled": True,
                "endpoint": backend.connect_proxy_url,
                "http_headers": list(FORWARDED),
            }
        }

    folder = tmp_path_factory.mktemp("guarded")
    with CentrifugoServer(derive_config("test", folder, guard)) as server:
        yield server


def _hmac_profile(server: CentrifugoServer, tmp_path: Path, **extra: Any) -> Profile:
    auth = {"hmac": {"secret": server.hmac_secret, "user": "alice"}}
    return _profile_from_yaml(tmp_path, {**_server_part(server), "auth": auth, **extra})


async def _first_transport_error(client: Client) -> ErrorEvent:
    """Start connecting and return the first failed attempt's error (the client would retry)."""
    failed: asyncio.Future[ErrorEvent] = asyncio.get_running_loop().create_future()

    def on_error(event: ErrorEvent) -> None:
        if event.where == "transport" and not failed.done():
            failed.set_result(event)

    client.on("error", on_error)
    connecting = asyncio.ensure_future(client.connect())
    try:
        async with asyncio.timeout(10):
            return await failed
    finally:
        await client.disconnect()
        with contextlib.suppress(ConnectFailed):
            await connecting


async def test_upgrade_origin_header_from_the_profile_passes_the_servers_origin_check(
    guarded_centrifugo: CentrifugoServer, tmp_path: Path
):
    profile = _hmac_profile(guarded_centrifugo, tmp_path, headers={"Origin": ALLOWED_ORIGIN})
    await connected_client_id(profile)


async def test_upgrade_origin_header_the_server_does_not_allow_is_refused(
    guarded_centrifugo: CentrifugoServer, tmp_path: Path
):
    # Centrifugo lets an upgrade without Origin through (not a browser), so the proof that the
    # profile's Origin is on the wire is a refused one, and the server naming it in its log.
    origin = f"http://other-{uuid.uuid4().hex[:8]}.example"
    profile = _hmac_profile(guarded_centrifugo, tmp_path, headers={"Origin": origin})
    error = await _first_transport_error(make_client(profile))
    assert "HTTP 403" in error.message
    refusals = [
        json.loads(line)
        for line in guarded_centrifugo.log_text().splitlines()
        if "request Origin is not authorized" in line
    ]
    assert origin in [entry["origin"] for entry in refusals]


async def test_upgrade_headers_from_the_profile_reach_the_servers_connect_proxy(
    guarded_centrifugo: CentrifugoServer, backend: TokenEndpoint, tmp_path: Path
):
    marker = uuid.uuid4().hex
    profile = _profile_from_yaml(
        tmp_path,
        {
            **_server_part(guarded_centrifugo),  # no auth: the server asks its connect proxy
            "headers": {
                "X-Cfgo-Test": marker,
                "Cookie": f"session={marker}",
                "X-Not-Forwarded": marker,
            },
        },
    )
    client_id = await connected_client_id(profile)  # the proxy's answer made this connection
    proxied = [
        headers
        for request, headers in backend.recorded("/connect-proxy")
        if request.get("client") == client_id
    ]
    assert len(proxied) == 1
    assert proxied[0]["x-cfgo-test"] == marker
    assert proxied[0]["cookie"] == f"session={marker}"
    # the server forwards only the headers it is configured to, so the rest stays back there
    assert "x-not-forwarded" not in proxied[0]


async def test_without_profile_headers_the_connect_proxy_gets_none_of_them(
    guarded_centrifugo: CentrifugoServer, backend: TokenEndpoint, tmp_path: Path
):
    client_id = await connected_client_id(
        _profile_from_yaml(tmp_path, _server_part(guarded_centrifugo))
    )
    [headers] = [
        headers
        for request, headers in backend.recorded("/connect-proxy")
        if request.get("client") == client_id
    ]
    assert "x-cfgo-test" not in headers
    assert "cookie" not in headers
