"""JWT tokens for Centrifugo v6: mint (HS256), decode, explain and verify. Headless.

`mint_connection_token` / `mint_subscription_token` produce what `centrifugo gentoken` /
`gensubtoken` produce; `explain_token` decodes any JWT without trusting it and lists the problems a
user should know about; `render_report` turns that into text for the terminal.
"""

from cfgo_tui.tokens.explain import TokenReport, explain_token, render_report
from cfgo_tui.tokens.jwt_tokens import (
    TokenError,
    decode_unverified,
    mint_connection_token,
    mint_subscription_token,
    verify_signature,
)

__all__ = [
    "TokenError",
    "TokenReport",
    "decode_unverified",
    "explain_token",
    "mint_connection_token",
    "mint_subscription_token",
    "render_report",
    "verify_signature",
]
