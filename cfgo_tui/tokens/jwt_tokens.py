"""Minting and decoding HS256 JWTs with PyJWT, shaped like Centrifugo's own `gentoken`."""

from __future__ import annotations

import time
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import jwt

ALGORITHM = "HS256"


@contextmanager
def _short_keys_allowed() -> Iterator[None]:
    """Centrifugo accepts HMAC secrets of any length; PyJWT's warning about short keys would
    only clutter a terminal (and mention nothing the user can act on here)."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*HMAC key.*", category=UserWarning)
        yield


class TokenError(ValueError):
    """A token that cannot be decoded, or minting input that cannot make a token."""


def _base_claims(user: str, ttl: int | None, now: float | None) -> dict[str, Any]:
    issued = int(time.time() if now is None else now)
    claims: dict[str, Any] = {"sub": user, "iat": issued}
    # ttl None or <= 0 means "never expires", like `centrifugo gentoken -t -1`.
    if ttl is not None and ttl > 0:
        claims["exp"] = issued + ttl
    return claims


def mint_connection_token(
    secret: str,
    user: str,
    *,
    ttl: int | None = 3600,
    info: Any = None,
    channels: list[str] | None = None,
    now: float | None = None,
) -> str:
    """An HS256 connection JWT: `sub`=user, `iat`, `exp`=iat+ttl (none when ttl is None or <= 0),
    optional `info` (becomes `conn_info`) and `channels` (server-side subscriptions).

    Never adds a `channel` claim: Centrifugo rejects connection tokens carrying one (3500).
    """
    if not secret:
        raise TokenError("an HMAC secret is required to mint a token")
    claims = _base_claims(user, ttl, now)
    if info is not None:
        claims["info"] = info
    if channels:
        claims["channels"] = list(channels)
    with _short_keys_allowed():
        return jwt.encode(claims, secret, algorithm=ALGORITHM)


def mint_subscription_token(
    secret: str,
    user: str,
    channel: str,
    *,
    ttl: int | None = 3600,
    info: Any = None,
    client: str | None = None,
    now: float | None = None,
) -> str:
    """An HS256 subscription JWT for `channel`: `sub` must equal the connection's user, `client`
    (optional) binds it to one connection id, `info` becomes `chan_info`."""
    if not secret:
        raise TokenError("an HMAC secret is required to mint a token")
    if not channel:
        raise TokenError("a subscription token needs a channel")
    claims = _base_claims(user, ttl, now)
    claims["channel"] = channel
    if client:
        claims["client"] = client
    if info is not None:
        claims["info"] = info
    with _short_keys_allowed():
        return jwt.encode(claims, secret, algorithm=ALGORITHM)


def decode_unverified(token: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """(header, claims) of `token` without checking signature or expiry.

    Raises TokenError with a readable reason for anything that is not a JWT.
    """
    token = token.strip()
    if token.count(".") != 2:
        raise TokenError(
            f"not a JWT: expected three base64url parts separated by dots, found "
            f"{token.count('.') + 1} part(s)"
        )
    try:
        header = jwt.get_unverified_header(token)
        claims = jwt.decode(token, options={"verify_signature": False})
    except jwt.DecodeError as error:
        raise TokenError(f"not a JWT: {error}") from None
    if not isinstance(claims, dict):
        raise TokenError("not a JWT: the payload is not a JSON object")
    return dict(header), claims


def verify_signature(token: str, secret: str) -> bool:
    """Whether `token` is signed with `secret` (HS256/384/512). Expiry is not checked here:
    `explain_token` reports it separately so a user sees both facts."""
    try:
        with _short_keys_allowed():
            jwt.decode(
                token.strip(),
                secret,
                algorithms=["HS256", "HS384", "HS512"],
                options={
                    "verify_exp": False,
                    "verify_nbf": False,
                    "verify_iat": False,
                    "verify_aud": False,
                    "verify_iss": False,
                    "verify_sub": False,
                },
            )
    except jwt.InvalidTokenError:
        return False
    return True
