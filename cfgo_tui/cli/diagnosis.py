"""Why a doctor step failed and what to change, from the step, the code and the channel.

The code table (`cfgo_tui.client.codes`) knows what a code means in general; here the step and
the channel make it specific: a 103 on a `$` channel without a token source is a profile problem,
the same 103 on a plain channel is a server namespace permission.
"""

from __future__ import annotations

from dataclasses import dataclass

from cfgo_tui.config.models import Profile


@dataclass(frozen=True, slots=True)
class Diagnosis:
    cause: str
    fix: str


def namespace_of(channel: str) -> str | None:
    """The namespace Centrifugo looks up for `channel` (`$` stripped), None without one."""
    bare = channel.removeprefix("$")
    name, sep, _ = bare.partition(":")
    return name if sep else None


def _ns_key(channel: str, option: str) -> str:
    namespace = namespace_of(channel)
    if namespace is None:
        return f"`channel.without_namespace.{option}`"
    return f"`{option}` in namespace `{namespace}` (server config `channel.namespaces`)"


def diagnose_connect(code: int, profile: Profile) -> Diagnosis:
    """A failed connect: mostly the token (signature, expiry, claims) or missing credentials."""
    if code == 3500:
        return Diagnosis(
            "the server rejected the connection token: it is signed with a different secret or "
            "algorithm than the server's, or carries a `channel` claim",
            "make the profile's `auth.hmac.secret` (or whatever mints your token) match the "
            "server's `client.token.hmac_secret_key`; connection tokens must not have `channel`",
        )
    if code == 109:
        return Diagnosis(
            "the connection token's `exp` claim is in the past",
            "mint a fresh token (raise `auth.hmac.ttl`), or use a token source that can refresh "
            "(`auth.endpoint`, `auth.command`, `auth.hmac`) instead of a literal `auth.token`",
        )
    if code == 110:
        return Diagnosis(
            "the token's `expire_at` claim is in the past",
            "remove or move forward the `expire_at` claim",
        )
    if code == 3501:
        return Diagnosis(
            "the server got no usable credentials (no token while anonymous connections are "
            "not allowed) or a malformed request",
            "configure `auth` in the profile, or allow anonymous connections on the server "
            "(`client.allow_anonymous_connect_without_token: true`)",
        )
    if code == 3507:
        return Diagnosis(
            "the token has an empty `sub` (anonymous) and the server refuses anonymous tokens",
            "set a user: the `sub` claim (`auth.hmac.user`), or unset "
            "`client.disallow_anonymous_connection_tokens` on the server",
        )
    if code == 3504:
        return Diagnosis(
            "this user already has the maximum number of connections",
            "raise `client.user_connection_limit` on the server or close other connections",
        )
    if code == 102:
        return Diagnosis(
            "the token asks for server-side subscriptions (`channels`/`subs` claim) in a "
            "namespace the server does not have",
            "fix the token's `channels`/`subs` claim or add the namespace to `channel.namespaces`",
        )
    return Diagnosis(
        "the server refused the connection",
        "check the server log; the code's hint above says what it usually means",
    )


def diagnose_subscribe(code: int, channel: str, profile: Profile, *, had_token: bool) -> Diagnosis:
    namespace = namespace_of(channel)
    if code == 102:
        where = f"namespace `{namespace}`" if namespace else "channels without a namespace"
        return Diagnosis(
            f"the server has no {where}, so it does not know `{channel}`",
            f'fix the channel name in the profile\'s `channels`, or add {{"name": '
            f'"{namespace}"}} to the server\'s `channel.namespaces`'
            if namespace
            else "configure `channel.without_namespace` on the server or use `ns:name`",
        )
    if code == 103 and channel.startswith("$") and not had_token:
        return Diagnosis(
            f"`{channel}` is a private (`$`) channel: only a subscription token admits it, and "
            "the profile has no subscription token source",
            "add `subscription_tokens` to the profile (an `endpoint:` your backend serves, or "
            "`hmac:` with the server's secret for local servers)",
        )
    if code == 103 and had_token:
        return Diagnosis(
            "the server did not accept the subscription token",
            "check the token's claims: `channel` must equal the channel, `sub` the connection's "
            "user, and it must be signed with the server's secret "
            "(`client.token.hmac_secret_key` or `client.subscription_token.*`)",
        )
    if code == 103:
        return Diagnosis(
            "the namespace does not let this connection subscribe",
            f"set {_ns_key(channel, 'allow_subscribe_for_client: true')}, or mark the channel "
            "`token: true` in the profile and configure `subscription_tokens`",
        )
    if code == 107:
        return Diagnosis(
            "the channel name is invalid (non-ASCII, too long, or against `channel_regex`)",
            "fix the channel name in the profile's `channels`",
        )
    if code == 109:
        return Diagnosis(
            "the subscription token's `exp` claim is in the past",
            "have the subscription token source mint fresh tokens (raise `ttl`)",
        )
    if code == 3500:
        return Diagnosis(
            "the server closed the connection over the subscription token: its `channel`, `sub` "
            "or `client` claim does not match this subscription",
            "`channel` must equal the channel, `sub` the connection token's `sub`, `client` "
            "(if present) this connection's id",
        )
    if code == 4:
        return Diagnosis(
            "the subscription token source refused this channel (HTTP 401/403)",
            "allow the channel in your token endpoint, or remove it from the profile's `channels`",
        )
    if code == 105:
        return Diagnosis(
            "the connection is already subscribed (server-side subscription from the token's "
            "`channels` claim or the personal channel)",
            "remove the channel from the profile's `channels`",
        )
    return Diagnosis(
        "the server refused the subscription",
        "check the server log; the code's hint above says what it usually means",
    )


def diagnose_presence(code: int, channel: str) -> Diagnosis:
    if code == 108:
        return Diagnosis(
            "presence is not enabled for this channel's namespace",
            f"set {_ns_key(channel, 'presence: true')}",
        )
    if code == 103:
        return Diagnosis(
            "the namespace does not let this connection ask for presence",
            f"set {_ns_key(channel, 'allow_presence_for_subscriber: true')} (or "
            "`allow_presence_for_client`)",
        )
    return Diagnosis("the presence call failed", "see the code's hint")


def diagnose_history(code: int, channel: str) -> Diagnosis:
    if code == 108:
        return Diagnosis(
            "history is not enabled for this channel's namespace",
            f'set {_ns_key(channel, "history_size")} and `history_ttl` (both, e.g. 100 and "300s")',
        )
    if code == 103:
        return Diagnosis(
            "the namespace does not let this connection read history",
            f"set {_ns_key(channel, 'allow_history_for_subscriber: true')} (or "
            "`allow_history_for_client`)",
        )
    return Diagnosis("the history call failed", "see the code's hint")


def diagnose_api(status: int | None) -> Diagnosis:
    if status == 401:
        return Diagnosis(
            "the server API answered 401: the API key is wrong, or the server has no "
            "`http_api.key`",
            "set the profile's `api.key` to the server's `http_api.key`",
        )
    if status == 404:
        return Diagnosis(
            "nothing answers at the API URL",
            "set the profile's `api.url` (by default derived from `url`: http://HOST:PORT/api)",
        )
    return Diagnosis(
        "the server API could not be reached or answered an error",
        "check the profile's `api.url` and that the server exposes its HTTP API there",
    )
