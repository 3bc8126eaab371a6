"""Typed profile models. Everything the rest of cfgo-tui reads from a config file is here.
Secret fields are left out of `repr()` so a logged profile never shows them.

Durations are seconds (float), `ttl`s are whole seconds (None = no expiry).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


def _redacted(url: str) -> str:
    from cfgo_tui.config.redact import redact_url  # noqa: PLC0415 - redact imports this module

    return redact_url(url)


DEFAULT_URL = "ws://127.0.0.1:8000/connection/websocket"
DEFAULT_RETENTION = 10_000
DEFAULT_TOKEN_TTL = 3600


@dataclass(frozen=True, slots=True)
class ApiSettings:
    """Server HTTP API: `url` (derived from the ws url when absent:
    ws://h:p/connection/websocket -> http://h:p/api) and `key` (sent as X-API-Key; None = unset)."""

    url: str
    key: str | None = field(default=None, repr=False)

    def __repr__(self) -> str:
        return f"ApiSettings(url={_redacted(self.url)!r}, key={'<set>' if self.key else None})"


@dataclass(frozen=True, slots=True)
class TokenAuth:
    """A literal connection token (cannot be refreshed when it expires)."""

    token: str = field(repr=False)


@dataclass(frozen=True, slots=True)
class EnvAuth:
    """The connection token is read from environment variable `variable` at each connect."""

    variable: str


@dataclass(frozen=True, slots=True)
class CommandAuth:
    """`argv` is run (no shell) at each connect; its stdout, stripped, is the token (like git
    credential helpers). A non-zero exit or empty output is an error naming the command."""

    argv: tuple[str, ...]
    timeout: float = 10.0


@dataclass(frozen=True, slots=True)
class EndpointAuth:
    """An application endpoint returning `{"token": ...}`; HTTP 401/403 means "not allowed"."""

    url: str
    method: str = "POST"
    headers: dict[str, str] = field(default_factory=dict, repr=False)

    def __repr__(self) -> str:
        return f"EndpointAuth(url={_redacted(self.url)!r}, method={self.method!r})"


@dataclass(frozen=True, slots=True)
class HmacAuth:
    """Local minting of HS256 connection tokens (local and staging servers): `sub`=user,
    `exp`=now+ttl (None = no expiry), `info` becomes the connection's `conn_info`."""

    secret: str = field(repr=False)
    user: str
    ttl: int | None = DEFAULT_TOKEN_TTL
    info: Any = None


Auth = TokenAuth | EnvAuth | CommandAuth | EndpointAuth | HmacAuth


@dataclass(frozen=True, slots=True)
class SubTokenEndpoint:
    """POST `{"channel": ..., "client": ...}` to `url` with `headers`, expecting `{"token": ...}`;
    HTTP 403 (or 401) means "not allowed"."""

    url: str
    headers: dict[str, str] = field(default_factory=dict, repr=False)

    def __repr__(self) -> str:
        return f"SubTokenEndpoint(url={_redacted(self.url)!r})"


@dataclass(frozen=True, slots=True)
class SubTokenHmac:
    """Local minting of subscription tokens: `sub`=user (must equal the connection's user),
    `channel`, `exp`=now+ttl, `info` (chan_info); `bind_client` adds the `client` claim."""

    secret: str = field(repr=False)
    user: str
    ttl: int | None = DEFAULT_TOKEN_TTL
    info: Any = None
    bind_client: bool = False


SubscriptionTokens = SubTokenEndpoint | SubTokenHmac


@dataclass(frozen=True, slots=True)
class ChannelSpec:
    """A channel to subscribe to. `name` may hold `{user}` and `{client}`, expanded at subscribe
    time. `token`: None = fetch a subscription token only for `$` channels, True/False = always /
    never."""

    name: str
    recover: bool = False
    positioned: bool = False
    join_leave: bool = False
    delta: str | None = None
    token: bool | None = None

    @property
    def templated(self) -> bool:
        return "{user}" in self.name or "{client}" in self.name

    def needs_token(self, channel: str | None = None) -> bool:
        if self.token is not None:
            return self.token
        return (channel or self.name).startswith("$")


@dataclass(frozen=True, slots=True)
class TlsSettings:
    """`verify=False` disables certificate checks (never for production); `ca_file` adds a CA."""

    verify: bool = True
    ca_file: Path | None = None


@dataclass(frozen=True, slots=True)
class Profile:
    """One server and how to talk to it. `urls` has one or more ws/wss URLs (tried in order for
    failover); `user` is the user for `{user}` templates (explicit, else the hmac user)."""

    name: str
    urls: tuple[str, ...] = (DEFAULT_URL,)
    api: ApiSettings = field(default_factory=lambda: ApiSettings("http://127.0.0.1:8000/api"))
    auth: Auth | None = None
    subscription_tokens: SubscriptionTokens | None = None
    channels: tuple[ChannelSpec, ...] = ()
    tls: TlsSettings = field(default_factory=TlsSettings)
    headers: dict[str, str] = field(default_factory=dict, repr=False)
    min_reconnect_delay: float = 0.5
    max_reconnect_delay: float = 20.0
    max_server_ping_delay: float = 10.0
    timeout: float = 5.0
    retention: int = DEFAULT_RETENTION
    theme: str | None = None
    keymap: dict[str, str] = field(default_factory=dict)
    user: str | None = None
    hmac_secret: str | None = field(
        default=None, repr=False
    )  # the secret to mint/verify with (auth or subscription hmac)

    @property
    def url(self) -> str:
        """The first (primary) websocket URL."""
        return self.urls[0]

    def __repr__(self) -> str:
        from cfgo_tui.config.redact import profile_to_dict  # noqa: PLC0415

        return f"Profile(name={self.name!r}, {profile_to_dict(self)!r})"


@dataclass(frozen=True, slots=True)
class Config:
    """A loaded file (or the built-in defaults when `file` is None)."""

    file: Path | None
    source: str  # how the file was found: "--config", "$CFGO_TUI_CONFIG", "./cfgo-tui.yaml", ...
    default_profile: str | None
    profiles: dict[str, Profile]
    warnings: tuple[str, ...] = ()
