"""Lookup order, profile selection, precedence, interpolation, warnings and redaction."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from cfgo_tui.config import (
    REDACTED,
    ConfigError,
    HmacAuth,
    Profile,
    SubTokenHmac,
    TokenAuth,
    apply_overrides,
    derive_api_url,
    load_config,
    load_profile,
    locate_config,
    profile_to_dict,
    select_profile,
)
from cfgo_tui.config import locate as locate_module

LOCAL = "ws://127.0.0.1:8000/connection/websocket"


def write(path: Path, text: str, mode: int = 0o600) -> Path:
    path.write_text(text)
    path.chmod(mode)
    return path


def minimal(url: str = LOCAL) -> str:
    return f"profiles:\n  local:\n    url: {url}\n"


@pytest.fixture
def user_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private user config dir so the developer's own file never leaks into a test."""
    target = tmp_path / "userconfig" / "config.yaml"
    target.parent.mkdir()
    monkeypatch.setattr(locate_module, "user_config_file", lambda: target)
    return target


def test_lookup_order(tmp_path: Path, user_dir: Path):
    cwd = tmp_path / "work"
    cwd.mkdir()
    explicit = write(tmp_path / "explicit.yaml", minimal())
    from_env = write(tmp_path / "env.yaml", minimal())
    local = write(cwd / "cfgo-tui.yaml", minimal())
    write(user_dir, minimal())
    env = {"CFGO_TUI_CONFIG": str(from_env)}

    assert locate_config(explicit, env=env, cwd=cwd).file == explicit
    assert locate_config(None, env=env, cwd=cwd).source == "$CFGO_TUI_CONFIG"
    assert locate_config(None, env={}, cwd=cwd).file == local
    local.unlink()
    found = locate_config(None, env={}, cwd=cwd)
    assert (found.file, found.source) == (user_dir, "user config dir")
    user_dir.unlink()
    none = locate_config(None, env={}, cwd=cwd)
    assert none.file is None and none.searched == (cwd / "cfgo-tui.yaml", user_dir)


def test_missing_explicit_files_are_errors(tmp_path: Path):
    with pytest.raises(ConfigError, match=r"\(from --config\) does not exist"):
        locate_config(tmp_path / "nope.yaml", env={})
    with pytest.raises(ConfigError, match=r"from \$CFGO_TUI_CONFIG\) does not exist"):
        locate_config(None, env={"CFGO_TUI_CONFIG": str(tmp_path / "nope.yaml")})


def test_no_file_gives_builtin_default_profile(tmp_path: Path, user_dir: Path):
    profile = load_profile(None, env={}, cwd=tmp_path)
    assert (profile.name, profile.url, profile.auth) == ("default", LOCAL, None)
    assert profile.api.url == "http://127.0.0.1:8000/api"
    with pytest.raises(ConfigError, match="unknown profile `prod`: no config file was found"):
        load_profile("prod", env={}, cwd=tmp_path)


def test_profile_selection(tmp_path: Path):
    two = write(tmp_path / "two.yaml", minimal() + f"  prod:\n    url: {LOCAL}\n")
    with pytest.raises(ConfigError, match="2 profiles and no `default_profile`"):
        load_profile(None, config=two, env={})
    assert load_profile("prod", config=two, env={}).name == "prod"
    with pytest.raises(ConfigError, match=r"unknown profile `prd`; did you mean `prod`\?"):
        load_profile("prd", config=two, env={})
    chosen = write(tmp_path / "chosen.yaml", "default_profile: prod\n" + two.read_text())
    assert load_profile(None, config=chosen, env={}).name == "prod"
    one = write(tmp_path / "one.yaml", minimal())
    assert load_profile(None, config=one, env={}).name == "local"


def test_precedence_flag_over_profile_over_default(tmp_path: Path):
    path = write(
        tmp_path / "c.yaml",
        minimal("ws://10.0.0.1:8000/connection/websocket") + "    timeout: 2\n",
    )
    profile = load_profile("local", config=path, env={})
    assert profile.timeout == 2.0  # profile beats the default (5.0)
    assert profile.retention == 10_000  # default where the profile is silent
    flagged = apply_overrides(
        profile, {"timeout": 9.0, "url": "ws://10.0.0.2:9000/connection/websocket", "theme": None}
    )
    assert flagged.timeout == 9.0  # flag beats profile
    assert flagged.url == "ws://10.0.0.2:9000/connection/websocket"
    assert flagged.api.url == "http://10.0.0.2:9000/api"  # a derived api url follows the url
    assert flagged.theme is None  # a flag left unset changes nothing
    assert apply_overrides(profile, {"token": "t"}).auth == TokenAuth("t")
    with pytest.raises(ValueError, match="unknown override"):
        apply_overrides(profile, {"colour": "red"})


def test_derived_api_url():
    assert derive_api_url("ws://h:8000/connection/websocket") == "http://h:8000/api"
    assert derive_api_url("wss://h/centrifugo/connection/websocket") == "https://h/centrifugo/api"
    assert derive_api_url("ws://h:1/other") == "http://h:1/api"


def test_interpolation(tmp_path: Path):
    path = write(
        tmp_path / "c.yaml",
        """
profiles:
  local:
    url: ws://${HOST:-127.0.0.1}:${PORT}/connection/websocket
    timeout: ${TIMEOUT:-3}
    theme: "${THEME:-7}"
    api: {key: "${KEY}"}
    headers: {X-Price: "$$5", X-Empty: "${EMPTY-fallback}|${EMPTY:-fallback}"}
    channels: ["$secret:vault", "chat:${ROOM}"]
""",
    )
    env = {"PORT": "9001", "KEY": "k-1", "ROOM": "lobby", "EMPTY": ""}
    profile = load_profile(None, config=path, env=env)
    assert profile.url == "ws://127.0.0.1:9001/connection/websocket"
    assert profile.timeout == 3.0  # plain scalar: re-typed as a number
    assert profile.theme == "7"  # quoted scalar: stays a string
    assert profile.api.key == "k-1"
    assert profile.headers == {"X-Price": "$5", "X-Empty": "|fallback"}
    assert [c.name for c in profile.channels] == ["$secret:vault", "chat:lobby"]


def test_x_keys_hold_anchors_for_merge_keys(tmp_path: Path):
    path = write(
        tmp_path / "c.yaml",
        """
x-base: &base
  url: ws://127.0.0.1:8000/connection/websocket
  timeout: 2
profiles:
  a:
    <<: *base
  b:
    <<: *base
    timeout: 7
""",
    )
    config = load_config(path, env={})
    assert (config.profiles["a"].timeout, config.profiles["b"].timeout) == (2.0, 7.0)
    path.write_text(path.read_text().replace("x-base: &base", "base: &base"))
    with pytest.raises(ConfigError, match=r":2: base: unknown key `base`"):
        load_config(path, env={})


def test_merge_key_profiles(tmp_path: Path):
    path = write(
        tmp_path / "c.yaml",
        """
profiles:
  a: &a
    url: ws://127.0.0.1:8000/connection/websocket
    timeout: 2
  b:
    <<: *a
    timeout: wrong
""",
    )
    with pytest.raises(ConfigError) as caught:
        load_config(path, env={})
    assert str(caught.value).startswith(f"{path}:8: profiles.b.timeout: expected a duration")


def test_literal_secret_in_readable_file_warns(tmp_path: Path):
    text = minimal() + "    auth:\n      hmac: {secret: s3cr3t-value, user: alice}\n"
    warnings: list[str] = []
    path = write(tmp_path / "c.yaml", text, mode=0o644)
    config = load_config(path, env={}, warn=warnings.append)
    assert len(warnings) == 1 and config.warnings == tuple(warnings)
    assert "profiles.local.auth.hmac.secret" in warnings[0]
    assert "mode 0644" in warnings[0] and "chmod 600" in warnings[0]
    assert "s3cr3t-value" not in warnings[0]

    warnings.clear()
    os.chmod(path, 0o600)
    load_config(path, env={}, warn=warnings.append)
    assert warnings == []

    from_env = write(
        tmp_path / "env.yaml",
        minimal() + '    auth:\n      hmac: {secret: "${SECRET}", user: alice}\n',
        mode=0o644,
    )
    load_config(from_env, env={"SECRET": "x"}, warn=warnings.append)
    assert warnings == []


def test_hmac_subscription_tokens_reuse_auth_secret_and_user(tmp_path: Path):
    path = write(
        tmp_path / "c.yaml",
        minimal()
        + "    auth:\n      hmac: {secret: sec, user: alice, ttl: 10m, info: {n: 1}}\n"
        + "    subscription_tokens:\n      hmac: {ttl: never}\n"
        + "    channels: ['user:#{user}', {name: 'chat:{client}', recover: true, delta: fossil}]\n",
    )
    profile = load_profile(None, config=path, env={})
    assert isinstance(profile.auth, HmacAuth) and profile.auth.ttl == 600
    assert profile.subscription_tokens == SubTokenHmac("sec", "alice", None, None, False)
    assert profile.user == "alice" and profile.hmac_secret == "sec"
    assert profile.channels[1].recover and profile.channels[1].delta == "fossil"


def test_secrets_redacted_in_show_and_repr(tmp_path: Path):
    path = write(
        tmp_path / "c.yaml",
        """
profiles:
  p:
    url: wss://user:pw-secret@h.example/connection/websocket?token=tok-secret
    api: {key: api-secret}
    auth:
      endpoint:
        url: https://app.example/token?api_key=ep-secret
        headers: {Authorization: "Bearer bearer-secret", X-Team: core}
    subscription_tokens:
      hmac: {secret: hmac-secret, user: alice}
    headers: {Cookie: "session=cookie-secret"}
""",
    )
    profile = load_profile(None, config=path, env={}, warn=None)
    shown = str(profile_to_dict(profile)) + repr(profile)
    for secret in (
        "pw-secret",
        "tok-secret",
        "api-secret",
        "ep-secret",
        "bearer-secret",
        "hmac-secret",
        "cookie-secret",
    ):
        assert secret not in shown
    assert REDACTED in shown and "core" in shown


def test_empty_file_has_no_profiles(tmp_path: Path):
    config = load_config(write(tmp_path / "c.yaml", ""), env={})
    assert config.profiles == {}
    assert select_profile(config, None).name == "default"


def test_example_config_loads_every_profile(monkeypatch: pytest.MonkeyPatch):
    example = Path(__file__).resolve().parents[2] / "config.example.yaml"
    env = {"CENTRIFUGO_STAGING_SESSION": "x", "CFGO_PROD_API_KEY": "k"}
    config = load_config(example, env=env, warn=None)
    assert set(config.profiles) == {"local", "staging", "prod"}
    assert config.default_profile == "local"
    prod = config.profiles["prod"]
    assert prod.url.startswith("wss://") and len(prod.urls) == 2


def test_bad_url_flag_names_the_flag():
    with pytest.raises(ConfigError, match=r"--url: expected a URL starting with ws:// or wss://"):
        apply_overrides(Profile("d"), {"url": "http://h:8000"})
    with pytest.raises(ConfigError, match="--api-url: expected"):
        apply_overrides(
            Profile("d"),
            {"api_url": "ws://h/api"},
        )


def test_directory_as_config_file(tmp_path: Path):
    with pytest.raises(ConfigError, match=r"\(from --config\) is a directory, not a file"):
        locate_config(tmp_path, env={})


def test_jwt_in_auth_command_is_redacted(tmp_path: Path):
    jwt_like = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhIn0.c2lnbmF0dXJl"
    path = write(tmp_path / "c.yaml", minimal() + f"    auth: {{command: 'echo {jwt_like}'}}\n")
    shown = profile_to_dict(load_profile(None, config=path, env={}))
    assert shown["auth"] == {"command": ["echo", REDACTED]}
