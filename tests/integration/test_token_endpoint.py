"""The local token endpoint the demo and tests use."""

from __future__ import annotations

import httpx
import jwt

from cfgo_tui.localserver import TokenEndpoint


def test_mints_subscription_tokens_and_refuses_listed_channels():
    with TokenEndpoint("s" * 32, user="alice", refuse={"$secret:vault"}) as endpoint:
        ok = httpx.post(endpoint.subscription_url, json={"channel": "$secret:room", "client": "c1"})
        refused = httpx.post(endpoint.subscription_url, json={"channel": "$secret:vault"})
        missing = httpx.post(endpoint.subscription_url, json={})
        connection = httpx.post(endpoint.connection_url)
    assert ok.status_code == 200
    claims = jwt.decode(ok.json()["token"], "s" * 32, algorithms=["HS256"])
    assert claims["sub"] == "alice"
    assert claims["channel"] == "$secret:room"
    assert refused.status_code == 403
    assert missing.status_code == 400
    conn_claims = jwt.decode(connection.json()["token"], "s" * 32, algorithms=["HS256"])
    assert conn_claims["sub"] == "alice"
    assert "channel" not in conn_claims
    assert [r.get("channel") for r in endpoint.requests] == [
        "$secret:room",
        "$secret:vault",
        None,
        None,
    ]
