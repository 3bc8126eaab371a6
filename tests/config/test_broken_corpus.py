"""Every file in broken/ fails to load with a message naming the file, the line, the key path and
what is wrong. Keys: file name -> (line, fragment of the message)."""

from __future__ import annotations

from pathlib import Path

import pytest

from cfgo_tui.config import ConfigError, load_config

BROKEN = Path(__file__).parent / "broken"

EXPECTED: dict[str, tuple[int, str]] = {
    "typo_profile_key.yaml": (
        4,
        "profiles.local.subscription_token: unknown key `subscription_token`; "
        "did you mean `subscription_tokens`?",
    ),
    "typo_top_key.yaml": (1, "did you mean `default_profile`?"),
    "typo_auth_kind.yaml": (
        5,
        "profiles.local.auth.hmca: unknown key `hmca`; did you mean `hmac`?",
    ),
    "typo_channel_option.yaml": (
        6,
        "channels[0].recovr: unknown key `recovr`; did you mean `recover`",
    ),
    "http_url.yaml": (
        3,
        'expected a URL starting with ws:// or wss://, found the string "http://127.0.0.1:8000/'
        'connection/websocket"; did you mean ws://127.0.0.1:8000/connection/websocket?',
    ),
    "url_not_string.yaml": (
        3,
        "profiles.local.url: expected a URL starting with ws:// or wss://, found 8000 (a number)",
    ),
    "url_no_host.yaml": (3, "has no host"),
    "url_bad_port.yaml": (3, "bad port in URL"),
    "missing_url.yaml": (2, "profiles.local: missing `url`"),
    "empty_url_list.yaml": (3, "expected at least one ws:// or wss:// URL, found an empty list"),
    "bad_failover_url.yaml": (5, "profiles.prod.url[1]: expected a URL starting with ws://"),
    "api_url_ws.yaml": (
        5,
        "profiles.local.api.url: expected a URL starting with http:// or https://",
    ),
    "unset_var.yaml": (
        5,
        "profiles.local.api.key: environment variable `CFGO_TEST_SURELY_UNSET_KEY` is not set",
    ),
    "malformed_reference.yaml": (5, "malformed reference in '${CFGO_TEST_KEY'"),
    "bad_yaml_indent.yaml": (4, "invalid YAML, column 4"),
    "bad_yaml_tab.yaml": (3, "YAML does not allow tabs"),
    "bad_yaml_unclosed.yaml": (5, "expected ',' or ']'"),
    "duplicate_key.yaml": (5, "duplicate key `timeout` (first defined at line 4)"),
    "duplicate_profile.yaml": (4, "profiles: duplicate key `local` (first defined at line 2)"),
    "two_documents.yaml": (4, "more than one YAML document"),
    "unknown_default_profile.yaml": (
        1,
        "default_profile: no profile named `stagng`; did you mean `staging`?",
    ),
    "hmac_missing_secret.yaml": (5, "profiles.local.auth.hmac: missing `secret`"),
    "hmac_missing_user.yaml": (5, "profiles.local.auth.hmac: missing `user`"),
    "hmac_user_number.yaml": (7, 'found 42 (a number): quote it ("42")'),
    "two_auth_kinds.yaml": (
        4,
        "expected exactly one of token, env, command, endpoint, hmac; found `token` and `env`",
    ),
    "empty_auth.yaml": (4, "profiles.local.auth: expected exactly one of"),
    "sub_hmac_without_secret.yaml": (7, "subscription_tokens.hmac: missing `secret`"),
    "sub_endpoint_missing_url.yaml": (5, "subscription_tokens.endpoint: missing `url`"),
    "timeout_wrong_type.yaml": (4, "profiles.local.timeout: expected a duration"),
    "retention_negative.yaml": (4, "expected a whole number >= 1, found -5 (a number)"),
    "channels_not_list.yaml": (4, "expected a list of channels"),
    "channel_bool_option_string.yaml": (
        6,
        'channels[0].recover: expected true or false, found the string "yes please"',
    ),
    "channel_bad_delta.yaml": (
        6,
        'expected "fossil" (the only delta type), found the string "gzip"',
    ),
    "channel_unknown_template.yaml": (5, "unknown template '{username}'"),
    "channel_user_template_without_user.yaml": (5, "uses `{user}` but the profile has no user"),
    "channel_missing_name.yaml": (5, "channels[0]: missing `name`"),
    "tls_missing_ca.yaml": (5, "tls.ca_file: CA file"),
    "tls_verify_string.yaml": (5, 'tls.verify: expected true or false, found the string "no"'),
    "reconnect_inverted.yaml": (6, "max_delay (1s) is smaller than min_delay (10s)"),
    "headers_nested.yaml": (5, "headers.X-Team: expected a string, found a mapping"),
    "profiles_list.yaml": (1, "profiles: expected a mapping of profile names to profiles"),
    "top_level_list.yaml": (1, "expected a mapping with `profiles:` at the top, found a list"),
    "bad_profile_name.yaml": (2, "profile names use letters"),
    "endpoint_bad_method.yaml": (7, 'method: expected GET or POST, found the string "PUT"'),
    "command_empty.yaml": (5, "auth.command: expected a command"),
    "ttl_bad.yaml": (5, "auth.hmac.ttl: expected a duration"),
}


def test_corpus_and_table_match():
    files = {path.name for path in BROKEN.glob("*.yaml")}
    assert files == set(EXPECTED)
    assert len(files) >= 25


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_broken_file_message(name: str):
    line, fragment = EXPECTED[name]
    path = BROKEN / name
    with pytest.raises(ConfigError) as caught:
        load_config(path, env={}, warn=None)
    error = caught.value
    message = str(error)
    assert error.exit_code == 2
    assert message.startswith(f"{path}:{line}: "), message
    assert fragment in message, message
    assert "Traceback" not in message
