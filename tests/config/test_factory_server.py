"""Profiles driving the real client and API against the real Centrifugo: a subscription-token
endpoint (a real small HTTP app minting with the secret and refusing one channel with 403),
credential-helper commands, env tokens, and the API client from the same profile."""

from __future__ import annotations

import asyncio
import sys
from dataclasses import replace

import pytest
from config_helpers import connected_client_id

from cfgo_tui.client import PublicationEvent, SubscriptionFailed
from cfgo_tui.config import (
    ApiSettings,
    ChannelSpec,
    CommandAuth,
    EndpointAuth,
    EnvAuth,
    HmacAuth,
    Profile,
    SubTokenEndpoint,
)
from cfgo_tui.config.factory import (
    NOT_ALLOWED,
    expand_channel,
    make_api,
    make_client,
    subscribe_options,
)
from cfgo_tui.localserver import CentrifugoServer, TokenEndpoint
from cfgo_tui.tokens import mint_connection_token


def base_profile(server: CentrifugoServer, **changes) -> Profile:
    return replace(
        Profile(
            "test",
            urls=(server.ws_url,),
            api=ApiSettings(server.api_url, server.api_key),
            timeout=3.0,
            min_reconnect_delay=0.1,
            max_reconnect_delay=1.0,
        ),
        **changes,
    )


async def test_subscription_token_endpoint_allows_and_refuses(centrifugo, unique):
    allowed = f"$secret:ok-{unique}"
    refused = f"$secret:no-{unique}"
    with TokenEndpoint(centrifugo.hmac_secret, user="carol", refuse={refused}) as endpoint:
        profile = base_profile(
            centrifugo,
            auth=EndpointAuth(endpoint.connection_url),
            subscription_tokens=SubTokenEndpoint(endpoint.subscription_url),
            channels=(ChannelSpec(allowed, recover=True), ChannelSpec(refused)),
        )
        client = make_client(profile)
        received: list[PublicationEvent] = []
        got_one = asyncio.Event()

        def on_publication(event: PublicationEvent) -> None:
            received.append(event)
            got_one.set()

        client.on("publication", on_publication)
        await client.connect(timeout=5)
        api = make_api(profile)
        assert api is not None
        try:
            ok_spec, refused_spec = profile.channels
            ok = await client.subscribe(
                expand_channel(profile, ok_spec, client),
                timeout=5,
                **subscribe_options(profile, ok_spec, client),
            )
            assert ok.channel == allowed
            with pytest.raises(SubscriptionFailed) as failure:
                await client.subscribe(
                    refused, timeout=5, **subscribe_options(profile, refused_spec, client)
                )
            assert failure.value.channel == refused
            assert failure.value.reason == NOT_ALLOWED
            assert NOT_ALLOWED in str(failure.value)

            # the endpoint was asked with the connection's id, as an app backend would be
            asked = [r for r in endpoint.requests if r["path"] == "/subscription-token"]
            assert {r["channel"] for r in asked} == {allowed, refused}
            assert {r["client"] for r in asked} == {client.client_id}

            await api.publish(allowed, {"hello": "vault"})
            async with asyncio.timeout(5):
                await got_one.wait()
            assert (received[0].channel, received[0].data) == (allowed, {"hello": "vault"})
        finally:
            await client.disconnect()
            await api.aclose()


async def test_command_and_env_auth_connect(centrifugo, monkeypatch):
    token = mint_connection_token(centrifugo.hmac_secret, "dave", ttl=60)
    helper = CommandAuth((sys.executable, "-c", f"print({token!r})"))
    monkeypatch.setenv("CFGO_TEST_CONN_TOKEN", token)
    for auth in (helper, EnvAuth("CFGO_TEST_CONN_TOKEN")):
        await connected_client_id(base_profile(centrifugo, auth=auth))


async def test_hmac_profile_with_user_limited_template(centrifugo, unique):
    user = f"erin{unique}"
    profile = base_profile(
        centrifugo,
        auth=HmacAuth(centrifugo.hmac_secret, user),
        user=user,
        channels=(ChannelSpec("user:#{user}"),),
    )
    client = make_client(profile)
    try:
        await client.connect(timeout=5)
        spec = profile.channels[0]
        sub = await client.subscribe(
            expand_channel(profile, spec, client),
            timeout=5,
            **subscribe_options(profile, spec, client),
        )
        assert sub.channel == f"user:#{user}"
    finally:
        await client.disconnect()
