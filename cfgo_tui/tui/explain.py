"""Subscription failures explained in place: code name, hint, and the token that was used."""

from __future__ import annotations

import time
from typing import Any

from rich.text import Text

from cfgo_tui.store import ChannelState


def _decode_claims(token: str) -> tuple[dict[str, Any] | None, list[str]]:
    """Claims of `token` without trusting it, plus the token layer's warnings."""
    try:
        from cfgo_tui.tokens import TokenError, explain_token  # noqa: PLC0415
    except ImportError:  # the tokens layer is optional for the app: fall back to PyJWT
        import jwt  # noqa: PLC0415

        try:
            return dict(jwt.decode(token, options={"verify_signature": False})), []
        except jwt.PyJWTError as error:
            return None, [f"not a JWT: {error}"]
    try:
        report = explain_token(token, expected="subscription")
    except TokenError as error:
        return None, [str(error)]
    return report.claims, list(report.warnings)


def token_mismatches(claims: dict[str, Any], channel: str, now: float) -> list[str]:
    """What in the claims does not fit a subscription to `channel` right now."""
    problems: list[str] = []
    claimed = claims.get("channel")
    if claimed is None:
        problems.append("no `channel` claim: this is not a subscription token")
    elif claimed != channel:
        problems.append(f"`channel` claim is {claimed!r}, not {channel!r}")
    exp = claims.get("exp")
    if isinstance(exp, int | float) and exp <= now:
        problems.append(f"expired {int(now - exp)} s ago (`exp`)")
    return problems


def failure_text(state: ChannelState, now: float | None = None) -> Text | None:
    """The explanation box for a channel that is not subscribed because of an error."""
    error = state.error
    if error is None or state.state == "subscribed":
        return None
    now = time.time() if now is None else now
    text = Text()
    text.append(f"✕ {state.name}: ", "bold red")
    text.append(error.label, "bold")
    if error.detail:
        text.append(f" ({error.detail})")
    if error.hint:
        text.append(f"\n  {error.hint}", "italic")
    if state.used_token:
        claims, warnings = _decode_claims(state.used_token)
        if claims is not None:
            shown = ", ".join(
                f"{key}={claims[key]!r}" for key in ("sub", "channel", "exp") if key in claims
            )
            text.append(f"\n  token used: {shown or 'no claims'}", "cyan")
            for problem in token_mismatches(claims, state.name, now):
                text.append(f"\n  ✕ {problem}", "yellow")
        for warning in warnings:
            text.append(f"\n  ! {warning}", "yellow")
    elif state.private:
        text.append(
            "\n  no subscription token was used: `$` channels need one "
            "(set `subscription_tokens` in the profile)",
            "yellow",
        )
    return text
