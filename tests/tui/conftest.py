"""Fixtures for app tests against the real Centrifugo: a profile for the shared server."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import pytest

from cfgo_tui.api import ApiClient
from cfgo_tui.config.models import ApiSettings, ChannelSpec, HmacAuth, Profile, SubTokenHmac
from cfgo_tui.localserver import CentrifugoServer


def make_profile(
    server: CentrifugoServer, *, user: str = "alice", sub_tokens: bool = True, **kw
) -> Profile:
    return Profile(
        name="e2e",
        urls=(server.ws_url,),
        api=ApiSettings(server.api_url, server.api_key),
        auth=HmacAuth(server.hmac_secret, user, info={"name": user.title()}),
        subscription_tokens=SubTokenHmac(server.hmac_secret, user) if sub_tokens else None,
        user=user,
        hmac_secret=server.hmac_secret,
        channels=tuple(
            ChannelSpec(name=c) if isinstance(c, str) else c for c in kw.pop("channels", ())
        ),
        **kw,
    )


@pytest.fixture
def profile_for(centrifugo: CentrifugoServer) -> Callable[..., Profile]:
    return lambda **kw: make_profile(centrifugo, **kw)


@pytest.fixture
async def api(centrifugo: CentrifugoServer) -> AsyncIterator[ApiClient]:
    client = ApiClient(centrifugo.api_url, centrifugo.api_key)
    try:
        yield client
    finally:
        await client.aclose()
