"""What a token is and what is wrong with it, in the words a user needs."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from typing import Any, Literal

from cfgo_tui.tokens.jwt_tokens import decode_unverified, verify_signature

Kind = Literal["connection", "subscription"]
Signature = Literal["valid", "invalid", "unchecked"]


@dataclass(frozen=True, slots=True)
class TokenReport:
    """A decoded token. `kind` is "subscription" when a `channel` claim is present, unless
    `expected` said otherwise; `warnings` are one-line problems a user can act on."""

    header: dict[str, Any]
    claims: dict[str, Any]
    kind: Kind
    expires_at: int | None
    signature: Signature
    warnings: list[str] = field(default_factory=list)

    def expires_in(self, now: float | None = None) -> float | None:
        """Seconds until expiry (negative once expired); None when the token never expires."""
        if self.expires_at is None:
            return None
        return self.expires_at - (time.time() if now is None else now)


def explain_token(
    token: str,
    *,
    secret: str | None = None,
    expected: Kind | None = None,
    now: float | None = None,
) -> TokenReport:
    """Decode `token` (TokenError if it is not a JWT), verify it when `secret` is given, and list
    warnings: `channel` claim in a connection token (the server answers 3500), expired, `sub` not a
    string, missing `channel` in a subscription token, unsupported algorithm, bad `exp`."""
    header, claims = decode_unverified(token)
    now = time.time() if now is None else now
    kind: Kind = expected or ("subscription" if "channel" in claims else "connection")
    warnings: list[str] = []

    alg = header.get("alg")
    if alg not in {
        "HS256",
        "HS384",
        "HS512",
        "RS256",
        "RS384",
        "RS512",
        "ES256",
        "ES384",
        "ES512",
        "EdDSA",
    }:
        warnings.append(f"algorithm {alg!r} is not accepted by Centrifugo")
    if "sub" not in claims:
        warnings.append('no `sub` claim: the connection is anonymous (user "")')
    elif not isinstance(claims["sub"], str):
        warnings.append(
            f"`sub` is {type(claims['sub']).__name__}, not a string: Centrifugo rejects the token "
            "(invalid token 3500); quote the user id"
        )
    if kind == "connection" and "channel" in claims:
        warnings.append(
            "`channel` claim in a connection token: the server answers 3500 invalid token; "
            "use it as a subscription token or drop the claim"
        )
    if kind == "subscription" and "channel" not in claims:
        warnings.append(
            "no `channel` claim: not a subscription token (the server refuses it for subscribe)"
        )

    expires_at: int | None = None
    exp = claims.get("exp")
    if exp is not None:
        if isinstance(exp, int | float) and not isinstance(exp, bool):
            expires_at = int(exp)
            if expires_at <= now:
                warnings.append(
                    f"expired {_duration(now - expires_at)} ago: the server answers 109 token "
                    "expired"
                )
        else:
            warnings.append(f"`exp` is {exp!r}, not a number of seconds")
    nbf = claims.get("nbf")
    if isinstance(nbf, int | float) and nbf > now:
        warnings.append(f"not valid before {_duration(nbf - now)} from now (`nbf`)")

    signature: Signature = "unchecked"
    if secret:
        signature = "valid" if verify_signature(token, secret) else "invalid"
        if signature == "invalid":
            warnings.append(
                "signature does not match the profile's secret: the server answers 3500 "
                "invalid token (or 103 for a subscription)"
            )
    return TokenReport(header, claims, kind, expires_at, signature, warnings)


def _duration(seconds: float) -> str:
    total = int(abs(seconds))
    days, rest = divmod(total, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    parts = [f"{days}d"] if days else []
    if hours or days:
        parts.append(f"{hours}h")
    if minutes or hours or days:
        parts.append(f"{minutes}m")
    parts.append(f"{secs}s")
    return " ".join(parts)


def render_report(report: TokenReport, now: float | None = None) -> str:
    """Plain text: kind, signature, expiry countdown, header, claims, warnings."""
    now = time.time() if now is None else now
    lines = [f"{report.kind} token"]
    if report.kind == "subscription":
        lines[0] += f" for channel {report.claims.get('channel')!r}"
    user = report.claims.get("sub")
    lines.append(f"user:      {user!r}" if user is not None else "user:      (anonymous)")
    lines.append(
        {
            "valid": "signature: valid (profile secret)",
            "invalid": "signature: INVALID for the profile's secret",
            "unchecked": "signature: not checked (no HMAC secret: see --profile, --secret-env)",
        }[report.signature]
    )
    remaining = report.expires_in(now)
    if remaining is None:
        lines.append("expires:   never")
    elif remaining > 0:
        lines.append(f"expires:   in {_duration(remaining)} (exp {report.expires_at})")
    else:
        lines.append(f"expires:   EXPIRED {_duration(remaining)} ago (exp {report.expires_at})")
    lines.append("header:    " + json.dumps(report.header, sort_keys=True))
    lines.append("claims:")
    lines.extend("  " + line for line in json.dumps(report.claims, indent=2).splitlines())
    lines.extend(f"warning: {warning}" for warning in report.warnings)
    return "\n".join(lines)
