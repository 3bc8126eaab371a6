"""Minting, decoding and the warnings a user needs (no server)."""

from __future__ import annotations

import jwt
import pytest

from cfgo_tui.tokens import (
    TokenError,
    decode_unverified,
    explain_token,
    mint_connection_token,
    mint_subscription_token,
    render_report,
    verify_signature,
)

SECRET = "unit-test-secret-0123456789abcdef0123"
NOW = 1_800_000_000


def test_connection_token_claims():
    token = mint_connection_token(SECRET, "alice", ttl=60, info={"n": 1}, now=NOW)
    header, claims = decode_unverified(token)
    assert header["alg"] == "HS256"
    assert claims == {"sub": "alice", "iat": NOW, "exp": NOW + 60, "info": {"n": 1}}
    assert verify_signature(token, SECRET)
    assert not verify_signature(token, SECRET + "x")


def test_no_expiry_when_ttl_is_none_or_negative():
    for ttl in (None, 0, -1):
        _, claims = decode_unverified(mint_connection_token(SECRET, "a", ttl=ttl, now=NOW))
        assert "exp" not in claims


def test_subscription_token_claims():
    token = mint_subscription_token(SECRET, "alice", "$secret:x", ttl=5, client="c1", now=NOW)
    _, claims = decode_unverified(token)
    assert claims == {
        "sub": "alice",
        "iat": NOW,
        "exp": NOW + 5,
        "channel": "$secret:x",
        "client": "c1",
    }
    report = explain_token(token, secret=SECRET, now=NOW)
    assert (report.kind, report.signature, report.warnings) == ("subscription", "valid", [])


def test_minting_needs_a_secret_and_channel():
    with pytest.raises(TokenError, match="HMAC secret"):
        mint_connection_token("", "alice")
    with pytest.raises(TokenError, match="needs a channel"):
        mint_subscription_token(SECRET, "alice", "")


@pytest.mark.parametrize(
    ("claims", "expected", "warning"),
    [
        ({"sub": "a", "channel": "chat:x"}, "connection", "server answers 3500"),
        ({"sub": "a", "exp": NOW - 90}, None, "expired 1m 30s ago"),
        ({"sub": 42}, None, "`sub` is int, not a string"),
        ({"sub": "a"}, "subscription", "no `channel` claim"),
        ({"user": "a"}, None, "no `sub` claim"),
        ({"sub": "a", "exp": "tomorrow"}, None, "`exp` is 'tomorrow'"),
        ({"sub": "a", "nbf": NOW + 60}, None, "not valid before 1m 0s from now"),
    ],
)
def test_warnings(claims: dict, expected: str | None, warning: str):
    token = jwt.encode(claims, SECRET, algorithm="HS256")
    report = explain_token(token, expected=expected, now=NOW)  # type: ignore[arg-type]
    assert any(warning in text for text in report.warnings), report.warnings


def test_wrong_secret_is_reported():
    token = mint_connection_token(SECRET, "alice", now=NOW)
    report = explain_token(token, secret="other", now=NOW)
    assert report.signature == "invalid"
    assert any("does not match" in text for text in report.warnings)


@pytest.mark.parametrize("bad", ["", "abc", "a.b", "a.b.c", "x.y.z.w"])
def test_not_a_jwt(bad: str):
    with pytest.raises(TokenError, match="not a JWT"):
        explain_token(bad)


def test_render_shows_countdown_and_kind():
    token = mint_subscription_token(SECRET, "alice", "$secret:x", ttl=3725, now=NOW)
    text = render_report(explain_token(token, secret=SECRET, now=NOW), now=NOW)
    assert "subscription token for channel '$secret:x'" in text
    assert "expires:   in 1h 2m 5s" in text
    assert "signature: valid" in text
    expired = render_report(explain_token(token, now=NOW + 3800), now=NOW + 3800)
    assert "EXPIRED 1m 15s ago" in expired and "signature: not checked" in expired
