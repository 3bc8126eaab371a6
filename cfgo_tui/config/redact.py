"""The effective profile as plain data with every secret replaced, for `cfgo-tui profiles show`
and debug output."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from cfgo_tui.config.models import (
    ChannelSpec,
    CommandAuth,
    EndpointAuth,
    EnvAuth,
    HmacAuth,
    Profile,
    SubTokenEndpoint,
    SubTokenHmac,
    TokenAuth,
)

REDACTED = "<redacted>"
_JWT = re.compile(r"eyJ[\w-]*\.[\w-]*\.[\w-]*")
_SECRET_WORDS = ("auth", "token", "key", "secret", "cookie", "session", "password", "sign")


def is_secret_name(name: str) -> bool:
    lowered = name.lower()
    return any(word in lowered for word in _SECRET_WORDS)


def redact_url(url: str) -> str:
    """Hide a password in the URL and secret-looking query parameters."""
    parts = urlsplit(url)
    netloc = parts.netloc
    if parts.password:
        netloc = netloc.replace(f":{parts.password}@", f":{REDACTED}@")
    query = parts.query
    if query:
        pairs = parse_qsl(query, keep_blank_values=True)
        query = urlencode(
            [(key, REDACTED if is_secret_name(key) else value) for key, value in pairs], safe="<>"
        )
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))


def url_secrets(url: str) -> list[str]:
    """What `redact_url` hides in `url`: its password and secret-looking query values."""
    parts = urlsplit(url)
    found = [parts.password] if parts.password else []
    found += [
        value
        for key, value in parse_qsl(parts.query, keep_blank_values=True)
        if value and is_secret_name(key)
    ]
    return found


def header_secrets(headers: dict[str, str]) -> list[str]:
    return [value for key, value in headers.items() if value and is_secret_name(key)]


def profile_secrets(profile: Profile) -> list[str]:
    """Every secret a profile holds, for the output redactor to hide wherever text is printed or
    logged: keys, tokens, HMAC secrets, URL passwords and tokens, secret header values."""
    found = [profile.api.key, profile.hmac_secret]
    for url in (*profile.urls, profile.api.url):
        found += url_secrets(url)
    found += header_secrets(profile.headers)
    auth = profile.auth
    if isinstance(auth, TokenAuth):
        found.append(auth.token)
    elif isinstance(auth, HmacAuth):
        found.append(auth.secret)
    elif isinstance(auth, EndpointAuth):
        found += url_secrets(auth.url) + header_secrets(auth.headers)
    sub_tokens = profile.subscription_tokens
    if isinstance(sub_tokens, SubTokenHmac):
        found.append(sub_tokens.secret)
    elif isinstance(sub_tokens, SubTokenEndpoint):
        found += url_secrets(sub_tokens.url) + header_secrets(sub_tokens.headers)
    return [secret for secret in found if secret]


def redact_argv(argv: tuple[str, ...]) -> list[str]:
    """A command line with anything that looks like a JWT hidden (`echo eyJ...` helpers)."""
    return [_JWT.sub(REDACTED, part) for part in argv]


def redact_headers(headers: dict[str, str]) -> dict[str, str]:
    return {key: REDACTED if is_secret_name(key) else value for key, value in headers.items()}


def _auth(profile: Profile) -> Any:
    auth = profile.auth
    if auth is None:
        return None
    if isinstance(auth, TokenAuth):
        return {"token": REDACTED}
    if isinstance(auth, EnvAuth):
        return {"env": auth.variable}
    if isinstance(auth, CommandAuth):
        return {"command": redact_argv(auth.argv)}
    if isinstance(auth, EndpointAuth):
        return {
            "endpoint": {
                "url": redact_url(auth.url),
                "method": auth.method,
                "headers": redact_headers(auth.headers),
            }
        }
    assert isinstance(auth, HmacAuth)
    return {"hmac": {"secret": REDACTED, "user": auth.user, "ttl": auth.ttl, "info": auth.info}}


def _sub_tokens(profile: Profile) -> Any:
    subs = profile.subscription_tokens
    if subs is None:
        return None
    if isinstance(subs, SubTokenEndpoint):
        return {"endpoint": {"url": redact_url(subs.url), "headers": redact_headers(subs.headers)}}
    assert isinstance(subs, SubTokenHmac)
    return {
        "hmac": {
            "secret": REDACTED,
            "user": subs.user,
            "ttl": subs.ttl,
            "info": subs.info,
            "bind_client": subs.bind_client,
        }
    }


def _channel(spec: ChannelSpec) -> str | dict[str, Any]:
    """A bare name when every option is at its default, else only the options that differ."""
    default = ChannelSpec(spec.name)
    changed = {
        key: value
        for key, value in dataclasses.asdict(spec).items()
        if key != "name" and value != getattr(default, key)
    }
    return {"name": spec.name, **changed} if changed else spec.name


def profile_to_dict(profile: Profile) -> dict[str, Any]:
    """Every field of the effective profile (defaults filled in), secrets redacted; shaped like
    the YAML a user writes, so it can be pasted back (after putting the secrets in)."""
    return {
        "url": [redact_url(url) for url in profile.urls]
        if len(profile.urls) > 1
        else redact_url(profile.url),
        "api": {
            "url": redact_url(profile.api.url),
            "key": REDACTED if profile.api.key else None,
        },
        "auth": _auth(profile),
        "subscription_tokens": _sub_tokens(profile),
        "user": profile.user,
        "channels": [_channel(spec) for spec in profile.channels],
        "tls": {
            "verify": profile.tls.verify,
            "ca_file": str(profile.tls.ca_file) if isinstance(profile.tls.ca_file, Path) else None,
        },
        "headers": redact_headers(profile.headers),
        "reconnect": {
            "min_delay": profile.min_reconnect_delay,
            "max_delay": profile.max_reconnect_delay,
        },
        "max_server_ping_delay": profile.max_server_ping_delay,
        "timeout": profile.timeout,
        "retention": profile.retention,
        "theme": profile.theme,
        "keymap": dict(profile.keymap),
    }
