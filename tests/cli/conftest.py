"""Helpers for the command tests: a YAML config file pointing at the fixture server, and running
`cfgo-tui` in-process (`main([...])`) or as a subprocess."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from cfgo_tui.localserver import CentrifugoServer

CFGO = [sys.executable, "-m", "cfgo_tui.cli.main"]

WriteConfig = Callable[..., Path]


def profile_for(server: CentrifugoServer, **overrides: Any) -> dict[str, Any]:
    """A good profile for `server`: hmac auth as alice, the API key, local subscription tokens."""
    profile: dict[str, Any] = {
        "url": server.ws_url,
        "user": "alice",
        "api": {"url": server.api_url, "key": server.api_key},
        "auth": {"hmac": {"secret": server.hmac_secret, "user": "alice"}},
        "subscription_tokens": {"hmac": {}},
        "timeout": "3s",
        "reconnect": {"min_delay": "100ms", "max_delay": "1s"},
    }
    for key, value in overrides.items():
        if value is None:
            profile.pop(key, None)
        else:
            profile[key] = value
    return profile


@pytest.fixture
def write_config(tmp_path: Path) -> WriteConfig:
    """`write_config(name=profile_dict, ...)` -> the path of a config file with those profiles."""
    counter = iter(range(1000))

    def write(**profiles: dict[str, Any]) -> Path:
        path = tmp_path / f"cfgo-tui-{next(counter)}.yaml"
        document = {"default_profile": next(iter(profiles)), "profiles": profiles}
        path.write_text(yaml.safe_dump(document, sort_keys=False))
        path.chmod(0o600)
        return path

    return write


@pytest.fixture
def good_config(centrifugo: CentrifugoServer, write_config: WriteConfig) -> Path:
    return write_config(local=profile_for(centrifugo))


@pytest.fixture
def make_profile() -> Callable[..., dict[str, Any]]:
    """`make_profile(server, **overrides)`: `profile_for` as a fixture, for tests to vary."""
    return profile_for
