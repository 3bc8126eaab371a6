"""One table for every code a Centrifugo v6 client can meet: reply errors (100-113),
unsubscribe codes (2000, 2500-2502), disconnect/close codes (3000-3509, WebSocket 1000-1011),
each with a name, whether the client reconnects/resubscribes, and a hint a user can act on.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Kind = Literal["error", "unsubscribe", "disconnect", "close", "client"]


@dataclass(frozen=True, slots=True)
class CodeInfo:
    code: int
    kind: Kind
    name: str
    retry: bool  # errors: temporary; unsubscribe: resubscribe; disconnect/close: reconnect
    hint: str

    def label(self) -> str:
        """`103 permission denied`, the form every UI and command shows."""
        return f"{self.code} {self.name}"


def _table(*rows: tuple[int, Kind, str, bool, str]) -> dict[int, CodeInfo]:
    return {code: CodeInfo(code, kind, name, retry, hint) for code, kind, name, retry, hint in rows}


CODES: dict[int, CodeInfo] = _table(
    # client-side states (never sent by the server)
    (0, "client", "connect called", True, "first connection attempt"),
    (1, "client", "disconnect called", False, "the client was asked to disconnect"),
    (
        2,
        "client",
        "no ping",
        True,
        "no server ping within ping interval + max_server_ping_delay: the server or network is "
        "stalled; the client reconnects",
    ),
    (3, "client", "transport closed", True, "the connection dropped; the client reconnects"),
    (
        4,
        "client",
        "unauthorized",
        False,
        "the token source refused (e.g. token endpoint 403): fix the profile's auth settings",
    ),
    (
        5,
        "client",
        "bad protocol",
        True,
        "the server sent a frame the client could not decode; the client reconnects",
    ),
    (
        6,
        "client",
        "token failed",
        True,
        "getting a token failed; the client retries with backoff: check the token source",
    ),
    (
        7,
        "client",
        "subscribe timeout",
        True,
        "the server did not answer a subscribe in time: the client reconnects and resubscribes",
    ),
    # reply errors
    (
        100,
        "error",
        "internal server error",
        True,
        "the server failed internally: check its log; retrying may help",
    ),
    (101, "error", "unauthorized", False, "the connection is not authorized: check the token"),
    (
        102,
        "error",
        "unknown channel",
        False,
        "the channel's namespace is not configured: add it under `channel.namespaces` or fix the "
        "channel name",
    ),
    (
        103,
        "error",
        "permission denied",
        False,
        "not allowed: `$` channels need a subscription token; otherwise enable "
        "`allow_subscribe_for_client` / `allow_publish_for_client` / `allow_presence_for_*` / "
        "`allow_history_for_*` in the namespace",
    ),
    (
        104,
        "error",
        "method not found",
        False,
        "the method does not exist: RPC needs an RPC proxy configured on the server",
    ),
    (
        105,
        "error",
        "already subscribed",
        False,
        "this connection is already subscribed to the channel (maybe server-side)",
    ),
    (
        106,
        "error",
        "limit exceeded",
        False,
        "too many channels on this connection: raise `client.channel_limit` (default 128)",
    ),
    (
        107,
        "error",
        "bad request",
        False,
        "the server rejected the request: check the channel name (ASCII, `channel_regex`, "
        "`channel.max_length`) and that the data is valid JSON",
    ),
    (
        108,
        "error",
        "not available",
        False,
        "the feature is off for this namespace: set `presence: true` for presence, "
        "`history_size` and `history_ttl` for history",
    ),
    (
        109,
        "error",
        "token expired",
        False,
        "the token has expired: with a token source (get_token) the client fetches a new one; "
        "a fixed token must be replaced (check `exp` and the clocks)",
    ),
    (110, "error", "expired", False, "the connection or subscription expired: reconnect"),
    (111, "error", "too many requests", True, "rate limited by the server: slow down"),
    (
        112,
        "error",
        "unrecoverable position",
        False,
        "the stream position (offset/epoch) is gone from history: reload from the newest",
    ),
    (113, "error", "concurrent pagination", True, "another page request is running: retry"),
    # unsubscribe push codes
    (
        2000,
        "unsubscribe",
        "server unsubscribe",
        False,
        "the server removed this subscription (API `unsubscribe`)",
    ),
    (
        2500,
        "unsubscribe",
        "insufficient state",
        True,
        "the server saw a gap in this stream; the client resubscribes and recovers",
    ),
    (
        2501,
        "unsubscribe",
        "subscription expired",
        True,
        "the subscription token was not refreshed in time; resubscribing with a new token",
    ),
    (
        2502,
        "unsubscribe",
        "state invalidated",
        True,
        "the server invalidated the stream state; the client resubscribes from scratch",
    ),
    # WebSocket close codes
    (1000, "close", "normal closure", True, "the connection was closed normally"),
    (
        1001,
        "close",
        "going away",
        True,
        "the server or a proxy is going away; the client reconnects",
    ),
    (
        1006,
        "close",
        "abnormal closure",
        True,
        "the connection dropped without a close frame (process killed, network lost); reconnecting",
    ),
    (
        1009,
        "close",
        "message too big",
        False,
        "a frame was larger than the server accepts: raise `websocket.message_size_limit` "
        "(default 65536) or send smaller data",
    ),
    (1011, "close", "internal error", True, "the server hit an error; the client reconnects"),
    # disconnect codes
    (3000, "disconnect", "connection closed", True, "the connection was closed"),
    (3001, "disconnect", "shutdown", True, "the server is shutting down; the client reconnects"),
    # 3002, 3003 and 3007 are what servers before v0.18 of the centrifuge library sent; v6 sends
    # 3500, 3501 and 3502 instead. Old servers still exist behind proxies: name them.
    (
        3002,
        "disconnect",
        "invalid token (legacy)",
        True,
        "an older server refused the token (v6 sends 3500): check the token source and secret",
    ),
    (
        3003,
        "disconnect",
        "bad request (legacy)",
        True,
        "an older server refused a malformed command (v6 sends 3501)",
    ),
    (
        3004,
        "disconnect",
        "internal server error",
        True,
        "the server failed internally; the client reconnects",
    ),
    (
        3005,
        "disconnect",
        "connection expired",
        True,
        "the connection token expired and was not refreshed: check the token source and `exp`",
    ),
    (
        3006,
        "disconnect",
        "subscription expired",
        True,
        "a server-side subscription expired; the client reconnects",
    ),
    (
        3007,
        "disconnect",
        "stale (legacy)",
        True,
        "an older server closed a connection that sent no connect in time (v6 sends 3502)",
    ),
    (
        3008,
        "disconnect",
        "slow",
        True,
        "the client read too slowly and its queue overflowed (`client.queue_max_size`)",
    ),
    (3009, "disconnect", "write error", True, "the server could not write; reconnecting"),
    (
        3010,
        "disconnect",
        "insufficient state",
        True,
        "the server saw a gap in a server-side subscription; the client reconnects and recovers",
    ),
    (3011, "disconnect", "force reconnect", True, "the server asked the client to reconnect"),
    (
        3012,
        "disconnect",
        "no pong",
        True,
        "the server got no pong in time: the client or network is stalled; reconnecting",
    ),
    (3013, "disconnect", "too many requests", True, "rate limited; the client reconnects later"),
    (
        3014,
        "disconnect",
        "state invalidated",
        True,
        "the server invalidated this connection's state; the client gets a new token and "
        "resubscribes from scratch",
    ),
    (
        3500,
        "disconnect",
        "invalid token",
        False,
        "the token was refused: check the signing secret (`client.token.hmac_secret_key`), the "
        "algorithm, and that a connection token has no `channel` claim; a subscription token "
        "for another user or channel also closes the connection with 3500",
    ),
    (
        3501,
        "disconnect",
        "bad request",
        False,
        "the server could not parse a command, or no credentials were given (a token is needed "
        "unless `allow_anonymous_connect_without_token` is on)",
    ),
    (3502, "disconnect", "stale", False, "no connect command in time after the upgrade"),
    (
        3503,
        "disconnect",
        "force disconnect",
        False,
        "the server disconnected this client on purpose (API `disconnect`)",
    ),
    (
        3504,
        "disconnect",
        "connection limit",
        False,
        "too many connections for this user (`client.user_connection_limit`)",
    ),
    (
        3505,
        "disconnect",
        "channel limit",
        False,
        "too many channels for this connection (`client.channel_limit`)",
    ),
    (
        3506,
        "disconnect",
        "inappropriate protocol",
        False,
        "the server got binary data on a JSON connection",
    ),
    (
        3507,
        "disconnect",
        "permission denied",
        False,
        "anonymous tokens are refused (`client.disallow_anonymous_connection_tokens`): "
        "set `sub` in the token",
    ),
    (
        3508,
        "disconnect",
        "not available",
        False,
        "the method is not available (e.g. `send` without a proxy in Centrifugo OSS)",
    ),
    (3509, "disconnect", "too many errors", False, "the client caused too many errors"),
)


def describe(code: int) -> CodeInfo:
    """The table entry for `code`, or a generic one derived from the code's range."""
    info = CODES.get(code)
    if info is not None:
        return info
    if 400 <= code <= 1999:
        return CodeInfo(
            code, "error", "application error", False, "an error defined by the application's proxy"
        )
    if 2500 <= code <= 2999:
        return CodeInfo(code, "unsubscribe", "unsubscribe", True, "the client resubscribes")
    if 2000 <= code < 2500:
        return CodeInfo(code, "unsubscribe", "unsubscribe", False, "unsubscribed by the server")
    if 3500 <= code <= 3999 or 4500 <= code <= 4999:
        return CodeInfo(
            code,
            "disconnect",
            "disconnect",
            False,
            "a terminal disconnect: the client does not reconnect",
        )
    if 3000 <= code <= 4499 or code >= 5000:
        return CodeInfo(code, "disconnect", "disconnect", True, "the client reconnects")
    if 1000 <= code <= 2999:
        return CodeInfo(code, "close", "websocket close", True, "the client reconnects")
    return CodeInfo(code, "error", "unknown code", False, "")


# Where one code means different things depending on the command (checked against Centrifugo
# v6.9.1: presence, history and rpc without their feature all answer 108).
_METHOD_HINTS: dict[tuple[int, str], str] = {
    (108, "presence"): "presence is not enabled for this namespace: set `presence: true`",
    (108, "presence_stats"): "presence is not enabled for this namespace: set `presence: true`",
    (108, "history"): "history is not enabled for this namespace: set `history_size` and "
    "`history_ttl`",
    (108, "rpc"): "RPC is not available: configure an RPC proxy on the server (or "
    "`rpc.ping.enabled` for the built-in `ping` method)",
    (103, "publish"): "publishing is not allowed: enable `allow_publish_for_client` (or "
    "`_for_subscriber` and subscribe first) in the namespace",
    (103, "presence"): "presence is not allowed: enable `allow_presence_for_client` (or "
    "`_for_subscriber` and subscribe first) in the namespace",
    (103, "history"): "history is not allowed: enable `allow_history_for_client` (or "
    "`_for_subscriber` and subscribe first) in the namespace",
    (104, "rpc"): "the RPC method is unknown: RPC needs an RPC proxy configured on the server",
}


def hint(code: int, method: str | None = None) -> str:
    """The hint for `code`, specific to the command when that changes its meaning."""
    if method is not None:
        specific = _METHOD_HINTS.get((code, method))
        if specific is not None:
            return specific
    return describe(code).hint


def explain(code: int, message: str = "", method: str | None = None) -> str:
    """`103 permission denied: <message>. <hint>`, the one-line form every error takes. The
    server's message is left out where it only repeats the code's name (Centrifugo's usually
    does: "permission denied"), so the line reads `103 permission denied: <hint>`."""
    info = describe(code)
    advice = hint(code, method)
    said = message.strip().rstrip(".")
    if said and said.lower() != info.name.lower():
        return f"{info.label()}: {said}. {advice}".strip() if advice else f"{info.label()}: {said}"
    return f"{info.label()}: {advice}" if advice else info.label()


def reconnects(code: int) -> bool:
    """Whether a disconnect/close with `code` is followed by a reconnect (SDK rule)."""
    return describe(code).retry
