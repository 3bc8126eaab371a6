"""Token sources, TLS, subscription options and the client/API factories (no Centrifugo)."""

from __future__ import annotations

import ssl
import sys
from dataclasses import dataclass, replace
from pathlib import Path

import pytest

from cfgo_tui.api import ApiClient
from cfgo_tui.client import Unauthorized
from cfgo_tui.config import (
    ApiSettings,
    ChannelSpec,
    CommandAuth,
    EndpointAuth,
    EnvAuth,
    HmacAuth,
    Profile,
    SubTokenEndpoint,
    SubTokenHmac,
    TlsSettings,
    TokenAuth,
)
from cfgo_tui.config.factory import (
    NOT_ALLOWED,
    TokenSourceError,
    connection_token_source,
    expand_channel,
    make_api,
    make_client,
    ssl_context,
    subscribe_options,
    subscription_token_source,
)
from cfgo_tui.localserver import TokenEndpoint
from cfgo_tui.tokens import decode_unverified

SECRET = "factory-test-secret-0123456789abcdef01"


@dataclass
class Connected:
    """Stands in for a connected client where only `client_id` is read."""

    client_id: str | None = "client-1"


def profile(**changes) -> Profile:
    return replace(Profile("p"), **changes)


async def test_no_auth_is_anonymous():
    assert await connection_token_source(profile())() is None


async def test_literal_and_env_tokens(monkeypatch):
    assert await connection_token_source(profile(auth=TokenAuth("lit")))() == "lit"
    source = connection_token_source(profile(auth=EnvAuth("CFGO_TEST_TOKEN")))
    monkeypatch.setenv("CFGO_TEST_TOKEN", " from-env\n")
    assert await source() == "from-env"
    monkeypatch.delenv("CFGO_TEST_TOKEN")
    with pytest.raises(Unauthorized, match=r"`CFGO_TEST_TOKEN`.*is not set"):
        await source()


async def test_command_token_source():
    ok = CommandAuth((sys.executable, "-c", "print('  tok-from-command ')"))
    assert await connection_token_source(profile(auth=ok))() == "tok-from-command"
    failing = CommandAuth((sys.executable, "-c", "import sys; sys.exit('vault is locked')"))
    with pytest.raises(TokenSourceError, match="exited with 1: vault is locked"):
        await connection_token_source(profile(auth=failing))()
    silent = CommandAuth((sys.executable, "-c", "pass"))
    with pytest.raises(TokenSourceError, match="printed no token"):
        await connection_token_source(profile(auth=silent))()
    missing = CommandAuth(("cfgo-no-such-helper-xyz",))
    with pytest.raises(Unauthorized, match="`cfgo-no-such-helper-xyz` cannot run"):
        await connection_token_source(profile(auth=missing))()
    slow = CommandAuth((sys.executable, "-c", "import time; time.sleep(30)"), timeout=0.2)
    with pytest.raises(TokenSourceError, match="did not finish"):
        await connection_token_source(profile(auth=slow))()


async def test_hmac_connection_token():
    auth = HmacAuth(SECRET, "alice", ttl=60, info={"name": "A"})
    token = await connection_token_source(profile(auth=auth))()
    assert token is not None
    _, claims = decode_unverified(token)
    assert (claims["sub"], claims["info"], claims["exp"] - claims["iat"]) == (
        "alice",
        {"name": "A"},
        60,
    )


async def test_endpoints_and_403():
    with TokenEndpoint(SECRET, user="bob", refuse={"$secret:no"}) as endpoint:
        p = profile(
            auth=EndpointAuth(endpoint.connection_url),
            subscription_tokens=SubTokenEndpoint(endpoint.subscription_url, {"X-Session": "s-1"}),
        )
        token = await connection_token_source(p)()
        assert token is not None and decode_unverified(token)[1]["sub"] == "bob"
        sub_source = subscription_token_source(p, Connected("cid-7"))
        _, claims = decode_unverified(await sub_source("$secret:ok"))
        assert claims["channel"] == "$secret:ok"
        assert endpoint.requests[-1] == {
            "path": "/subscription-token",
            "channel": "$secret:ok",
            "client": "cid-7",
        }
        with pytest.raises(Unauthorized) as refused:
            await sub_source("$secret:no")
        assert str(refused.value) == NOT_ALLOWED == "not allowed by your token endpoint (403)"
        wrong = profile(auth=EndpointAuth(endpoint.url + "/nope"))
        with pytest.raises(TokenSourceError, match="answered HTTP 404"):
            await connection_token_source(wrong)()
    with pytest.raises(TokenSourceError, match="unreachable"):
        await connection_token_source(p)()


async def test_hmac_subscription_tokens_and_missing_config():
    subs = SubTokenHmac(SECRET, "alice", ttl=None, info={"r": 1}, bind_client=True)
    token = await subscription_token_source(profile(subscription_tokens=subs), Connected())("$a:b")
    _, claims = decode_unverified(token)
    assert claims == {
        "sub": "alice",
        "iat": claims["iat"],
        "channel": "$a:b",
        "client": "client-1",
        "info": {"r": 1},
    }
    with pytest.raises(Unauthorized, match="has no `subscription_tokens`"):
        await subscription_token_source(profile(), Connected())("$a:b")


def test_channel_templates():
    p = profile(user="alice")
    assert expand_channel(p, ChannelSpec("user:#{user}"), None) == "user:#alice"
    assert expand_channel(p, ChannelSpec("c:{client}:{user}"), Connected("x1")) == "c:x1:alice"
    with pytest.raises(ValueError, match="connect first"):
        expand_channel(p, ChannelSpec("c:{client}"), Connected(None))
    with pytest.raises(ValueError, match="profile has no user"):
        expand_channel(profile(), ChannelSpec("user:#{user}"), None)


def test_subscribe_options():
    p = profile(subscription_tokens=SubTokenHmac(SECRET, "alice"))
    plain = subscribe_options(p, ChannelSpec("chat:x", recover=True, delta="fossil"), Connected())
    assert plain == {
        "recoverable": True,
        "positioned": True,
        "join_leave": False,
        "delta": "fossil",
    }
    private = subscribe_options(p, ChannelSpec("$secret:x", join_leave=True), Connected())
    assert callable(private["get_token"]) and private["join_leave"] is True
    forced = subscribe_options(p, ChannelSpec("secret:x", token=True), Connected())
    assert "get_token" in forced
    never = subscribe_options(p, ChannelSpec("$secret:x", token=False), Connected())
    assert "get_token" not in never


def test_ssl_context(tmp_path: Path):
    assert ssl_context(profile()) is None  # ws:// only
    wss = profile(urls=("wss://h/connection/websocket",))
    context = ssl_context(wss)
    assert context is not None and context.verify_mode == ssl.CERT_REQUIRED
    insecure = ssl_context(replace(wss, tls=TlsSettings(verify=False)))
    assert insecure is not None and insecure.verify_mode == ssl.CERT_NONE
    assert not insecure.check_hostname
    bad_ca = tmp_path / "ca.pem"
    bad_ca.write_text("not a certificate")
    with pytest.raises(ssl.SSLError):
        ssl_context(replace(wss, tls=TlsSettings(ca_file=bad_ca)))


async def test_make_api_and_client():
    assert make_api(profile()) is None
    api = make_api(profile(api=ApiSettings("http://h:1/api", "k")))
    assert isinstance(api, ApiClient) and api.url == "http://h:1/api"
    await api.aclose()
    client = make_client(
        profile(
            urls=("ws://a/connection/websocket", "ws://b/connection/websocket"),
            auth=TokenAuth("lit"),
            headers={"X-A": "1"},
        )
    )
    assert client.urls == ["ws://a/connection/websocket", "ws://b/connection/websocket"]
    assert client.headers == {"X-A": "1"}
