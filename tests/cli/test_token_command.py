"""`cfgo-tui token mint|decode`: arguments, messages and exit codes (server checks are in
tests/tokens/test_tokens_server.py)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from cfgo_tui.cli.main import main
from cfgo_tui.tokens import decode_unverified

SECRET = "cli-test-secret-0123456789abcdef012345"


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "c.yaml"
    path.write_text(
        "default_profile: local\nprofiles:\n  local:\n    url: ws://127.0.0.1:8000/connection/websocket\n"
        f"    auth: {{hmac: {{secret: {SECRET}, user: alice, ttl: 120}}}}\n"
        "  anon:\n    url: ws://127.0.0.1:8000/connection/websocket\n"
    )
    path.chmod(0o600)
    return path


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_mint_uses_profile_user_and_ttl(config: Path, capsys):
    code, out, _ = run(capsys, "-c", str(config), "token", "mint")
    assert code == 0
    _, claims = decode_unverified(out.strip())
    assert claims["sub"] == "alice" and claims["exp"] - claims["iat"] == 120


def test_mint_flags_win(config: Path, capsys):
    code, out, _ = run(
        capsys,
        "-c",
        str(config),
        "token",
        "mint",
        "-u",
        "bob",
        "--ttl",
        "-1",
        "--channel",
        "$secret:x",
        "--client",
        "cid",
        "--info",
        '{"a": [1]}',
    )
    assert code == 0
    _, claims = decode_unverified(out.strip())
    assert claims == {
        "sub": "bob",
        "iat": claims["iat"],
        "channel": "$secret:x",
        "client": "cid",
        "info": {"a": [1]},
    }


def test_bad_info_json_names_line_and_column(config: Path, capsys):
    code, out, err = run(capsys, "-c", str(config), "token", "mint", "--info", '{\n "a": }')
    assert code == 2 and out == ""
    assert "--info is not valid JSON: Expecting value at line 2, column 7" in err


def test_client_needs_channel(config: Path, capsys):
    code, _, err = run(capsys, "-c", str(config), "token", "mint", "--client", "x")
    assert code == 2 and "--client binds a subscription token: it needs --channel" in err


def test_mint_without_secret_or_user(config: Path, capsys, monkeypatch):
    code, _, err = run(capsys, "-c", str(config), "-p", "anon", "token", "mint", "-u", "a")
    assert code == 2 and "no HMAC secret: profile `anon`" in err
    monkeypatch.setenv("CFGO_TEST_SECRET", SECRET)
    code, out, err = run(
        capsys, "-c", str(config), "-p", "anon", "token", "mint", "--secret-env", "CFGO_TEST_SECRET"
    )
    assert code == 2 and "--user is required" in err
    code, out, _ = run(
        capsys,
        "-c",
        str(config),
        "-p",
        "anon",
        "token",
        "mint",
        "-u",
        "z",
        "--secret-env",
        "CFGO_TEST_SECRET",
    )
    assert code == 0 and SECRET not in out


def test_decode_from_stdin_verifies_with_profile_secret(config: Path, capsys, monkeypatch):
    _, token, _ = run(capsys, "-c", str(config), "token", "mint", "--channel", "chat:x")
    monkeypatch.setattr("sys.stdin", io.StringIO(f"Bearer {token}"))
    code, out, _ = run(capsys, "-c", str(config), "token", "decode", "-")
    assert code == 0
    assert "subscription token for channel 'chat:x'" in out
    assert "signature: valid" in out and "expires:   in" in out
    assert SECRET not in out


def test_decode_with_other_secret_fails(config: Path, capsys, monkeypatch):
    _, token, _ = run(capsys, "-c", str(config), "token", "mint")
    monkeypatch.setenv("OTHER", "another-secret")
    code, out, err = run(
        capsys, "-c", str(config), "token", "decode", token.strip(), "--secret-env", "OTHER"
    )
    assert code == 1
    assert "signature: INVALID" in out and "does not match" in err


def test_decode_json_and_garbage(config: Path, capsys):
    _, token, _ = run(capsys, "-c", str(config), "token", "mint")
    code, out, _ = run(capsys, "-c", str(config), "token", "decode", token.strip(), "--json")
    assert code == 0 and '"kind": "connection"' in out and '"signature": "valid"' in out
    code, _, err = run(capsys, "-c", str(config), "token", "decode", "hello")
    assert code == 2 and "not a JWT" in err


def test_decode_with_several_profiles_and_no_default(tmp_path: Path, capsys):
    path = tmp_path / "two.yaml"
    path.write_text(
        "profiles:\n  a:\n    url: ws://h/connection/websocket\n"
        "  b:\n    url: ws://h/connection/websocket\n"
    )
    from cfgo_tui.tokens import mint_connection_token

    token = mint_connection_token(SECRET, "zed")
    code, out, _ = run(capsys, "-c", str(path), "token", "decode", token)
    assert code == 0 and "signature: not checked" in out
    code, _, err = run(capsys, "-c", str(path), "token", "mint", "-u", "x")
    assert code == 2 and "no `default_profile`" in err
