"""`cfgo-tui profiles`, `profiles show`, `profiles path`."""

from __future__ import annotations

from pathlib import Path

import pytest

from cfgo_tui.cli.main import main
from cfgo_tui.config import locate as locate_module

CONFIG = """
default_profile: local
profiles:
  local:
    url: ws://127.0.0.1:8000/connection/websocket
    api: {key: api-key-secret}
    auth:
      hmac: {secret: hmac-secret-value, user: alice}
  prod:
    url: [wss://a.example/connection/websocket, wss://b.example/connection/websocket]
    auth: {endpoint: {url: https://app.example/t, headers: {Authorization: Bearer bear-secret}}}
"""


@pytest.fixture
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("CFGO_TUI_CONFIG", raising=False)
    monkeypatch.setattr(locate_module, "user_config_file", lambda: tmp_path / "none.yaml")
    return tmp_path


@pytest.fixture
def config(isolated: Path) -> Path:
    path = isolated / "cfgo-tui.yaml"
    path.write_text(CONFIG)
    path.chmod(0o600)
    return path


def test_list_names_the_file_and_profiles(config: Path, capsys):
    assert main(["profiles"]) == 0
    out = capsys.readouterr().out
    assert f"config file: {config} (from ./cfgo-tui.yaml)" in out
    assert "* local" in out and "auth: hmac (user alice)" in out
    assert "prod" in out and "(+1 failover)" in out and "auth: token endpoint" in out


def test_list_without_a_file_says_what_was_searched(isolated: Path, capsys):
    assert main(["profiles"]) == 0
    out = capsys.readouterr().out
    assert "none found" in out and str(isolated / "cfgo-tui.yaml") in out
    assert main(["profiles", "path"]) == 1


def test_path_prints_only_the_file(config: Path, capsys):
    assert main(["profiles", "path"]) == 0
    assert capsys.readouterr().out.strip() == str(config)


def test_show_redacts_every_secret(config: Path, capsys):
    assert main(["profiles", "show", "prod"]) == 0
    out = capsys.readouterr().out
    assert "effective profile `prod`" in out
    assert "Authorization: <redacted>" in out
    assert "url: https://b.example/api" not in out and "https://a.example/api" in out
    assert main(["profiles", "show"]) == 0  # the default profile
    out = capsys.readouterr().out
    assert "local:" in out and "timeout: 5.0" in out and "retention: 10000" in out
    for secret in ("api-key-secret", "hmac-secret-value", "bear-secret"):
        assert secret not in out


def test_show_unknown_profile_exits_2(config: Path, capsys):
    assert main(["profiles", "show", "prd"]) == 2
    err = capsys.readouterr().err
    assert "unknown profile `prd`; did you mean `prod`?" in err
    assert "Traceback" not in err


def test_broken_file_exits_2_with_location(isolated: Path, capsys):
    path = isolated / "cfgo-tui.yaml"
    path.write_text("profiles:\n  local:\n    url: ws://h/connection/websocket\n    tiemout: 3\n")
    assert main(["profiles"]) == 2
    err = capsys.readouterr().err
    assert (
        f"{path}:4: profiles.local.tiemout: unknown key `tiemout`; did you mean `timeout`?" in err
    )


def test_readable_literal_secret_warns_on_stderr(config: Path, capsys):
    config.chmod(0o644)
    assert main(["profiles"]) == 0
    err = capsys.readouterr().err
    assert "warning" in err and "chmod 600" in err and "hmac-secret-value" not in err


def test_config_flag_after_the_command(isolated: Path, tmp_path: Path, capsys):
    other = tmp_path / "elsewhere.yaml"
    other.write_text(CONFIG)
    other.chmod(0o600)
    assert main(["profiles", "-c", str(other)]) == 0
    assert f"config file: {other} (from --config)" in capsys.readouterr().out
