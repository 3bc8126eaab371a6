"""Turn a parsed, interpolated YAML document into typed models, or a ConfigError that names the
file, the line, the key path, what was expected and what was found (with "did you mean")."""

from __future__ import annotations

import difflib
import re
import shlex
from collections.abc import Iterable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from cfgo_tui.config.errors import ConfigError
from cfgo_tui.config.models import (
    DEFAULT_TOKEN_TTL,
    ApiSettings,
    Auth,
    ChannelSpec,
    CommandAuth,
    Config,
    EndpointAuth,
    EnvAuth,
    HmacAuth,
    Profile,
    SubscriptionTokens,
    SubTokenEndpoint,
    SubTokenHmac,
    TlsSettings,
    TokenAuth,
)
from cfgo_tui.config.yamltree import KeyPath, YamlDocument

TOP_KEYS = ("default_profile", "profiles")
PROFILE_KEYS = (
    "url",
    "api",
    "auth",
    "subscription_tokens",
    "channels",
    "tls",
    "headers",
    "reconnect",
    "max_server_ping_delay",
    "timeout",
    "retention",
    "theme",
    "keymap",
    "user",
)
AUTH_KINDS = ("token", "env", "command", "endpoint", "hmac")
SUB_TOKEN_KINDS = ("endpoint", "hmac")
CHANNEL_KEYS = ("name", "recover", "positioned", "join_leave", "delta", "token")
_DURATION = re.compile(r"\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?\s*\Z")
_UNITS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0, None: 1.0}
_PROFILE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*\Z")


def describe(value: Any) -> str:
    """How a found value is named in messages: `the string "x"`, `42 (a number)`, `a list`."""
    if value is None:
        return "nothing (an empty value)"
    if isinstance(value, bool):
        return f"`{str(value).lower()}` (a boolean)"
    if isinstance(value, int | float):
        return f"{value} (a number)"
    if isinstance(value, str):
        shown = value if len(value) <= 60 else value[:57] + "..."
        return f'the string "{shown}"'
    if isinstance(value, list):
        return "a list" if value else "an empty list"
    if isinstance(value, dict):
        return "a mapping" if value else "an empty mapping"
    return f"a {type(value).__name__}"


def suggest(word: str, choices: Iterable[str]) -> str:
    """`; did you mean `x`?` or an empty string."""
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f"; did you mean `{close[0]}`?" if close else ""


class Reader:
    """Typed accessors that raise ConfigError located at the key path."""

    def __init__(self, doc: YamlDocument) -> None:
        self.doc = doc

    def fail(self, path: KeyPath, problem: str) -> ConfigError:
        return self.doc.error(path, problem)

    def expect(self, path: KeyPath, expected: str, found: Any) -> ConfigError:
        return self.fail(path, f"expected {expected}, found {describe(found)}")

    def mapping(
        self,
        value: Any,
        path: KeyPath,
        allowed: Iterable[str],
        what: str = "a mapping",
        *,
        extensions: bool = False,
    ) -> dict[str, Any]:
        """Check `value` is a mapping with only `allowed` keys; `extensions` also admits `x-*`
        keys (places to keep YAML anchors, as in Compose files)."""
        if not isinstance(value, dict):
            raise self.expect(path, what, value)
        allowed = tuple(allowed)
        for key in value:
            if not isinstance(key, str):
                raise self.fail(path, f"keys must be strings, found {describe(key)}")
            if extensions and key.startswith("x-"):
                continue
            if key not in allowed:
                hint = suggest(key, allowed) or "; valid keys: " + ", ".join(allowed)
                raise self.fail((*path, key), f"unknown key `{key}`{hint}")
        return value

    def string(self, value: Any, path: KeyPath, what: str = "a string") -> str:
        if not isinstance(value, str) or not value.strip():
            raise self.expect(path, what, value)
        return value

    def boolean(self, value: Any, path: KeyPath) -> bool:
        if not isinstance(value, bool):
            raise self.expect(path, "true or false", value)
        return value

    def integer(self, value: Any, path: KeyPath, minimum: int = 0) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            raise self.expect(path, f"a whole number >= {minimum}", value)
        return value

    def seconds(self, value: Any, path: KeyPath, *, positive: bool = True) -> float:
        """A duration: a number of seconds or a string like `500ms`, `5s`, `2m`, `1h`, `1d`."""
        what = "a duration (seconds as a number, or like 500ms, 5s, 2m, 1h)"
        number: float | None = None
        if isinstance(value, int | float) and not isinstance(value, bool):
            number = float(value)
        elif isinstance(value, str) and (match := _DURATION.match(value)):
            number = float(match.group(1)) * _UNITS[match.group(2)]
        if number is None or number < 0 or (positive and number == 0):
            raise self.expect(path, what, value)
        return number

    def ttl(self, value: Any, path: KeyPath) -> int | None:
        """Token lifetime in whole seconds; `0`, `-1` or `never` mean no expiry."""
        if value is None:
            return DEFAULT_TOKEN_TTL
        if value in (0, -1, "never") and not isinstance(value, bool):
            return None
        return int(self.seconds(value, path))

    def string_map(self, value: Any, path: KeyPath) -> dict[str, str]:
        if value is None:
            return {}
        if not isinstance(value, dict):
            raise self.expect(path, "a mapping of names to strings", value)
        result: dict[str, str] = {}
        for key, item in value.items():
            if isinstance(item, bool) or not isinstance(item, str | int | float):
                raise self.expect((*path, str(key)), "a string", item)
            result[str(key)] = str(item)
        return result

    def url(self, value: Any, path: KeyPath, schemes: tuple[str, ...]) -> str:
        names = "URL starting with " + " or ".join(f"{scheme}://" for scheme in schemes)
        if not isinstance(value, str):
            raise self.expect(path, f"a {names}", value)
        parts = urlsplit(value.strip())
        if parts.scheme not in schemes:
            hint = ""
            swapped = {"http": "ws", "https": "wss", "ws": "http", "wss": "https"}.get(parts.scheme)
            if swapped in schemes:
                fixed = urlunsplit((swapped, *parts[1:]))
                hint = f"; did you mean {fixed}?"
            raise self.fail(path, f"expected a {names}, found {describe(value)}{hint}")
        try:
            port = parts.port
        except ValueError:
            raise self.fail(path, f"bad port in URL {value!r}") from None
        if not parts.hostname:
            raise self.fail(path, f"URL {value!r} has no host")
        del port
        return value.strip()


def build_config(doc: YamlDocument, file: Path | None, source: str) -> Config:
    """Validate the whole document. An empty file is a config without profiles."""
    read = Reader(doc)
    data = doc.data if doc.data is not None else {}
    top = read.mapping(data, (), TOP_KEYS, "a mapping with `profiles:` at the top", extensions=True)
    raw_profiles = top.get("profiles")
    if raw_profiles is None:
        raw_profiles = {}
    if not isinstance(raw_profiles, dict):
        raise read.expect(("profiles",), "a mapping of profile names to profiles", raw_profiles)
    profiles: dict[str, Profile] = {}
    for name, raw in raw_profiles.items():
        path: KeyPath = ("profiles", str(name))
        if not isinstance(name, str) or not _PROFILE_NAME.match(name):
            raise read.fail(
                path, "profile names use letters, digits, `_`, `-` and `.` (e.g. `staging`)"
            )
        profiles[name] = build_profile(read, name, raw, path)
    default = top.get("default_profile")
    if default is not None:
        default = read.string(default, ("default_profile",), "a profile name")
        if default not in profiles:
            raise read.fail(
                ("default_profile",),
                f"no profile named `{default}`{suggest(default, profiles)}"
                + (f" (profiles: {', '.join(profiles)})" if profiles else ""),
            )
    return Config(file, source, default, profiles)


def derive_api_url(ws_url: str) -> str:
    """ws://h:p/connection/websocket -> http://h:p/api (wss -> https); a custom prefix before
    `/connection/websocket` is kept."""
    parts = urlsplit(ws_url)
    scheme = "https" if parts.scheme == "wss" else "http"
    prefix = parts.path
    if prefix.endswith("/connection/websocket"):
        prefix = prefix[: -len("/connection/websocket")]
    else:
        prefix = ""
    return urlunsplit((scheme, parts.netloc, prefix.rstrip("/") + "/api", "", ""))


def build_profile(read: Reader, name: str, raw: Any, path: KeyPath) -> Profile:
    if raw is None:
        raw = {}
    data = read.mapping(raw, path, PROFILE_KEYS)
    urls = _urls(read, data.get("url"), (*path, "url"))
    auth = _auth(read, data.get("auth"), (*path, "auth"))
    user = data.get("user")
    if user is not None:
        user = read.string(user, (*path, "user"), "a user id (string)")
    elif isinstance(auth, HmacAuth):
        user = auth.user
    subs = _sub_tokens(
        read, data.get("subscription_tokens"), (*path, "subscription_tokens"), auth, user
    )
    channels = _channels(read, data.get("channels"), (*path, "channels"), user)
    api = _api(read, data.get("api"), (*path, "api"), urls[0])
    tls = _tls(read, data.get("tls"), (*path, "tls"))
    min_delay, max_delay = _reconnect(read, data.get("reconnect"), (*path, "reconnect"))
    secret = auth.secret if isinstance(auth, HmacAuth) else None
    if secret is None and isinstance(subs, SubTokenHmac):
        secret = subs.secret
    profile = Profile(
        name=name,
        urls=urls,
        api=api,
        auth=auth,
        subscription_tokens=subs,
        channels=channels,
        tls=tls,
        headers=read.string_map(data.get("headers"), (*path, "headers")),
        min_reconnect_delay=min_delay,
        max_reconnect_delay=max_delay,
        max_server_ping_delay=_optional_seconds(read, data, "max_server_ping_delay", path, 10.0),
        timeout=_optional_seconds(read, data, "timeout", path, 5.0),
        retention=(
            read.integer(data["retention"], (*path, "retention"), minimum=1)
            if data.get("retention") is not None
            else 10_000
        ),
        theme=(
            read.string(data["theme"], (*path, "theme"), "a theme name")
            if data.get("theme") is not None
            else None
        ),
        keymap=read.string_map(data.get("keymap"), (*path, "keymap")),
        user=user,
        hmac_secret=secret,
    )
    return profile


def _optional_seconds(
    read: Reader, data: dict[str, Any], key: str, path: KeyPath, default: float
) -> float:
    value = data.get(key)
    return default if value is None else read.seconds(value, (*path, key))


def _urls(read: Reader, value: Any, path: KeyPath) -> tuple[str, ...]:
    if value is None:
        raise read.fail(path[:-1], "missing `url` (e.g. ws://127.0.0.1:8000/connection/websocket)")
    if isinstance(value, list):
        if not value:
            raise read.expect(path, "at least one ws:// or wss:// URL", value)
        return tuple(read.url(item, (*path, i), ("ws", "wss")) for i, item in enumerate(value))
    return (read.url(value, path, ("ws", "wss")),)


def _api(read: Reader, value: Any, path: KeyPath, ws_url: str) -> ApiSettings:
    if value is None:
        return ApiSettings(derive_api_url(ws_url))
    data = read.mapping(value, path, ("url", "key"))
    url = data.get("url")
    url = (
        derive_api_url(ws_url) if url is None else read.url(url, (*path, "url"), ("http", "https"))
    )
    key = data.get("key")
    if key is not None:
        key = read.string(key, (*path, "key"), "the API key (a string)")
    return ApiSettings(url, key)


def _one_of(read: Reader, value: Any, path: KeyPath, kinds: tuple[str, ...]) -> tuple[str, Any]:
    expected = "a mapping with one of " + ", ".join(f"`{kind}`" for kind in kinds)
    data = read.mapping(value, path, kinds, expected)
    if len(data) != 1:
        found = " and ".join(f"`{key}`" for key in data) if data else "none"
        raise read.fail(path, f"expected exactly one of {', '.join(kinds)}; found {found}")
    kind, body = next(iter(data.items()))
    return kind, body


def _auth(read: Reader, value: Any, path: KeyPath) -> Auth | None:
    if value is None:
        return None
    kind, body = _one_of(read, value, path, AUTH_KINDS)
    at = (*path, kind)
    if kind == "token":
        return TokenAuth(read.string(body, at, "a token (string)"))
    if kind == "env":
        return EnvAuth(read.string(body, at, "the name of an environment variable"))
    if kind == "command":
        if isinstance(body, list) and body:
            argv = tuple(read.string(part, (*at, i)) for i, part in enumerate(body))
        elif isinstance(body, str) and body.strip():
            try:
                argv = tuple(shlex.split(body))
            except ValueError as error:
                raise read.fail(at, f"cannot split the command: {error}") from None
        else:
            raise read.expect(at, "a command (a string or a list of arguments)", body)
        return CommandAuth(argv)
    if kind == "endpoint":
        return _endpoint_auth(read, body, at)
    return _hmac_auth(read, body, at)


def _endpoint_auth(read: Reader, body: Any, at: KeyPath) -> EndpointAuth:
    if isinstance(body, str):
        return EndpointAuth(read.url(body, at, ("http", "https")))
    data = read.mapping(body, at, ("url", "method", "headers"))
    if "url" not in data:
        raise read.fail(at, "missing `url` of the token endpoint")
    method = data.get("method", "POST")
    if not isinstance(method, str) or method.upper() not in ("GET", "POST"):
        raise read.expect((*at, "method"), "GET or POST", method)
    return EndpointAuth(
        read.url(data["url"], (*at, "url"), ("http", "https")),
        method.upper(),
        read.string_map(data.get("headers"), (*at, "headers")),
    )


def _hmac_auth(read: Reader, body: Any, at: KeyPath) -> HmacAuth:
    data = read.mapping(body, at, ("secret", "user", "ttl", "info"))
    for required in ("secret", "user"):
        if data.get(required) is None:
            raise read.fail(
                at,
                f"missing `{required}`: hmac minting needs `secret` (the server's "
                "client.token.hmac_secret_key) and `user`",
            )
    return HmacAuth(
        secret=read.string(data["secret"], (*at, "secret"), "the HMAC secret (a string)"),
        user=_user(read, data["user"], (*at, "user")),
        ttl=read.ttl(data.get("ttl"), (*at, "ttl")),
        info=data.get("info"),
    )


def _user(read: Reader, value: Any, path: KeyPath) -> str:
    if isinstance(value, int) and not isinstance(value, bool):
        raise read.fail(
            path,
            f'expected a user id as a string, found {describe(value)}: quote it ("{value}"); '
            "Centrifugo requires `sub` to be a string",
        )
    return read.string(value, path, "a user id (string)")


def _sub_tokens(
    read: Reader, value: Any, path: KeyPath, auth: Auth | None, user: str | None
) -> SubscriptionTokens | None:
    if value is None:
        return None
    kind, body = _one_of(read, value, path, SUB_TOKEN_KINDS)
    at = (*path, kind)
    if kind == "endpoint":
        if isinstance(body, str):
            return SubTokenEndpoint(read.url(body, at, ("http", "https")))
        data = read.mapping(body, at, ("url", "headers"))
        if "url" not in data:
            raise read.fail(at, "missing `url` of the subscription token endpoint")
        return SubTokenEndpoint(
            read.url(data["url"], (*at, "url"), ("http", "https")),
            read.string_map(data.get("headers"), (*at, "headers")),
        )
    data = read.mapping(
        body if body is not None else {}, at, ("secret", "user", "ttl", "info", "bind_client")
    )
    secret = data.get("secret")
    if secret is None:
        if not isinstance(auth, HmacAuth):
            raise read.fail(
                at, "missing `secret` (only optional when `auth` uses hmac, whose secret is reused)"
            )
        secret = auth.secret
    sub_user = data.get("user")
    if sub_user is None:
        if user is None:
            raise read.fail(
                at,
                "missing `user`: the subscription token's `sub` must equal the connection's "
                "user; set it here, as the profile's `user`, or use hmac auth",
            )
        sub_user = user
    bind = data.get("bind_client")
    return SubTokenHmac(
        secret=read.string(secret, (*at, "secret"), "the HMAC secret (a string)"),
        user=_user(read, sub_user, (*at, "user")),
        ttl=read.ttl(data.get("ttl"), (*at, "ttl")),
        info=data.get("info"),
        bind_client=False if bind is None else read.boolean(bind, (*at, "bind_client")),
    )


def _channels(read: Reader, value: Any, path: KeyPath, user: str | None) -> tuple[ChannelSpec, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        raise read.expect(path, "a list of channels (names or mappings with `name`)", value)
    specs: list[ChannelSpec] = []
    for index, item in enumerate(value):
        at = (*path, index)
        if isinstance(item, str):
            spec = ChannelSpec(read.string(item, at, "a channel name"))
        else:
            data = read.mapping(item, at, CHANNEL_KEYS, "a channel name or a mapping with `name`")
            if data.get("name") is None:
                raise read.fail(at, "missing `name` of the channel")
            delta = data.get("delta")
            if delta is not None and delta is not False and delta != "fossil":
                raise read.expect((*at, "delta"), '"fossil" (the only delta type)', delta)
            token = data.get("token")
            spec = ChannelSpec(
                name=read.string(data["name"], (*at, "name"), "a channel name"),
                recover=_flag(read, data, "recover", at),
                positioned=_flag(read, data, "positioned", at),
                join_leave=_flag(read, data, "join_leave", at),
                delta="fossil" if delta == "fossil" else None,
                token=None if token is None else read.boolean(token, (*at, "token")),
            )
        _check_channel(read, spec, at, user)
        specs.append(spec)
    return tuple(specs)


def _flag(read: Reader, data: dict[str, Any], key: str, at: KeyPath) -> bool:
    value = data.get(key)
    return False if value is None else read.boolean(value, (*at, key))


def _check_channel(read: Reader, spec: ChannelSpec, at: KeyPath, user: str | None) -> None:
    leftover = re.sub(r"\{(user|client)\}", "", spec.name)
    match = re.search(r"\{[^}]*\}?", leftover)
    if match:
        raise read.fail(
            at,
            f"unknown template {match.group(0)!r} in channel {spec.name!r}: only `{{user}}` and "
            "`{client}` are expanded",
        )
    if "{user}" in spec.name and user is None:
        raise read.fail(
            at,
            f"channel {spec.name!r} uses `{{user}}` but the profile has no user: set `user:` or "
            "use hmac auth",
        )
    if not spec.name.isascii():
        raise read.fail(at, f"channel names must be ASCII, found {spec.name!r}")


def _tls(read: Reader, value: Any, path: KeyPath) -> TlsSettings:
    if value is None:
        return TlsSettings()
    data = read.mapping(value, path, ("verify", "ca_file"))
    verify = data.get("verify")
    ca_file = data.get("ca_file")
    ca_path: Path | None = None
    if ca_file is not None:
        ca_path = Path(read.string(ca_file, (*path, "ca_file"), "a path")).expanduser()
        if read.doc.file is not None and not ca_path.is_absolute():
            ca_path = read.doc.file.parent / ca_path
        if not ca_path.is_file():
            raise read.fail((*path, "ca_file"), f"CA file {str(ca_path)!r} does not exist")
    return TlsSettings(
        verify=True if verify is None else read.boolean(verify, (*path, "verify")),
        ca_file=ca_path,
    )


def _reconnect(read: Reader, value: Any, path: KeyPath) -> tuple[float, float]:
    if value is None:
        return 0.5, 20.0
    data = read.mapping(value, path, ("min_delay", "max_delay"))
    low = _optional_seconds(read, data, "min_delay", path, 0.5)
    high = _optional_seconds(read, data, "max_delay", path, 20.0)
    if high < low:
        raise read.fail(
            (*path, "max_delay"), f"max_delay ({high:g}s) is smaller than min_delay ({low:g}s)"
        )
    return low, high
