"""Loading a config file and choosing a profile.

Precedence for every value: CLI flag (passed as `overrides`) > the profile in the file > the
built-in default (the field defaults in `models.py`).
"""

from __future__ import annotations

import dataclasses
import os
import stat
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from cfgo_tui.config.errors import ConfigError
from cfgo_tui.config.interpolate import interpolate
from cfgo_tui.config.locate import Location, locate_config
from cfgo_tui.config.models import ApiSettings, Config, Profile, TokenAuth
from cfgo_tui.config.validate import build_config, derive_api_url, suggest
from cfgo_tui.config.yamltree import KeyPath, YamlDocument, format_path, parse_yaml

Warn = Callable[[str], None]

DEFAULT_PROFILE_NAME = "default"
_SECRET_HEADER_WORDS = ("auth", "token", "key", "secret", "cookie", "session", "password")


def warn_stderr(message: str) -> None:
    print(f"cfgo-tui: warning: {message}", file=sys.stderr)


def load_config(
    explicit: str | os.PathLike[str] | None = None,
    *,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
    warn: Warn | None = warn_stderr,
) -> Config:
    """Locate (see `locate.py`), parse, interpolate and validate the config file. Without a file
    the result has no profiles and `file=None`. Warnings (a literal secret in a file readable by
    group/others) go to `warn` and are also kept in `Config.warnings`."""
    env = os.environ if env is None else env
    location = locate_config(explicit, env=env, cwd=cwd)
    if location.file is None:
        return Config(None, location.source, None, {})
    return read_config_file(location, env=env, warn=warn)


def read_config_file(
    location: Location, *, env: Mapping[str, str], warn: Warn | None = warn_stderr
) -> Config:
    assert location.file is not None
    file = location.file
    try:
        text = file.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        raise ConfigError(f"not UTF-8 text (byte {error.start})", file=file) from None
    except OSError as error:
        raise ConfigError(f"cannot read the file: {error.strerror}", file=file) from None
    doc = parse_yaml(text, file)
    from_env = interpolate(doc, env)
    config = build_config(doc, file, location.source)
    warnings = _permission_warnings(doc, file, from_env)
    for message in warnings:
        if warn is not None:
            warn(message)
    return dataclasses.replace(config, warnings=tuple(warnings))


def _permission_warnings(doc: YamlDocument, file: Path, from_env: set[KeyPath]) -> list[str]:
    literal = [path for path in _secret_paths(doc) if path not in from_env]
    if not literal:
        return []
    try:
        mode = stat.S_IMODE(file.stat().st_mode)
    except OSError:
        return []
    if not mode & 0o044:
        return []
    return [
        f"{file} holds a literal secret ({format_path(literal[0])}) and is readable by group or "
        f"others (mode {mode:04o}): run `chmod 600 {file}`, or take the secret from the "
        "environment with ${VAR}"
    ]


def _secret_paths(doc: YamlDocument) -> list[KeyPath]:
    paths: list[KeyPath] = []
    for path in doc.lines:
        if len(path) < 3 or path[0] != "profiles":
            continue
        tail = path[2:]
        if tail in (
            ("auth", "token"),
            ("auth", "hmac", "secret"),
            ("subscription_tokens", "hmac", "secret"),
            ("api", "key"),
        ) or (
            len(tail) >= 2
            and tail[-2] == "headers"
            and isinstance(tail[-1], str)
            and any(word in tail[-1].lower() for word in _SECRET_HEADER_WORDS)
        ):
            paths.append(path)
    return paths


def select_profile(config: Config, name: str | None) -> Profile:
    """The profile `name`; else `default_profile`; else the only profile; else (no profiles at
    all) the built-in default profile (ws://127.0.0.1:8000, anonymous)."""
    if name:
        if name in config.profiles:
            return config.profiles[name]
        if not config.profiles:
            where = (
                f"{config.file} defines no profiles"
                if config.file
                else "no config file was found (see `cfgo-tui profiles`)"
            )
            raise ConfigError(f"unknown profile `{name}`: {where}")
        raise ConfigError(
            f"unknown profile `{name}`{suggest(name, config.profiles)} "
            f"(profiles: {', '.join(config.profiles)})",
            file=config.file,
        )
    if config.default_profile:
        return config.profiles[config.default_profile]
    if len(config.profiles) == 1:
        return next(iter(config.profiles.values()))
    if not config.profiles:
        return Profile(DEFAULT_PROFILE_NAME)
    raise ConfigError(
        f"{len(config.profiles)} profiles and no `default_profile`: pass --profile NAME "
        f"(profiles: {', '.join(config.profiles)})",
        file=config.file,
    )


def apply_overrides(profile: Profile, overrides: Mapping[str, Any] | None) -> Profile:
    """CLI flags win over the profile. Keys (None values are ignored): `url` (str or list),
    `api_url`, `api_key`, `token` (a literal connection token), `user`, `timeout`, `retention`,
    `theme`. A new `url` also moves a derived api url along with it. A bad `url`/`api_url`
    raises ConfigError naming the flag."""
    if not overrides:
        return profile
    changes: dict[str, Any] = {}
    values = {key: value for key, value in overrides.items() if value is not None}
    unknown = set(values) - {
        "url",
        "api_url",
        "api_key",
        "token",
        "user",
        "timeout",
        "retention",
        "theme",
    }
    if unknown:
        raise ValueError(f"unknown override(s): {', '.join(sorted(unknown))}")
    api = profile.api
    if "url" in values:
        urls = values["url"]
        changes["urls"] = (urls,) if isinstance(urls, str) else tuple(urls)
        for url in changes["urls"]:
            _check_flag_url("--url", url, ("ws", "wss"))
        if api.url == derive_api_url(profile.url):
            api = ApiSettings(derive_api_url(changes["urls"][0]), api.key)
    if "api_url" in values:
        _check_flag_url("--api-url", values["api_url"], ("http", "https"))
        api = ApiSettings(values["api_url"], api.key)
    if "api_key" in values:
        api = ApiSettings(api.url, values["api_key"])
    changes["api"] = api
    if "token" in values:
        changes["auth"] = TokenAuth(values["token"])
    for key in ("user", "timeout", "retention", "theme"):
        if key in values:
            changes[key] = values[key]
    return dataclasses.replace(profile, **changes)


def _check_flag_url(flag: str, url: str, schemes: tuple[str, ...]) -> None:
    parts = urlsplit(url)
    if parts.scheme not in schemes or not parts.hostname:
        expected = " or ".join(f"{scheme}://" for scheme in schemes)
        raise ConfigError(f"{flag}: expected a URL starting with {expected}, found {url!r}")


def load_profile(
    name: str | None = None,
    *,
    config: str | os.PathLike[str] | None = None,
    overrides: Mapping[str, Any] | None = None,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
    warn: Warn | None = warn_stderr,
) -> Profile:
    """The one call commands and the app make: locate + load the file (`config` = --config),
    pick the profile (`name` = --profile), apply CLI `overrides`. Raises ConfigError (exit 2)."""
    loaded = load_config(config, env=env, cwd=cwd, warn=warn)
    return apply_overrides(select_profile(loaded, name), overrides)
