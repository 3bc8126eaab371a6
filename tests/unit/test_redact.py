"""Secrets never reach frame logs: JWTs, token values and registered secrets are masked."""

from __future__ import annotations

import jwt
import pytest

from cfgo_tui.client.redact import clear_secrets, redact, register_secret


@pytest.fixture(autouse=True)
def _clean():
    clear_secrets()
    yield
    clear_secrets()


def test_jwt_anywhere():
    token = jwt.encode({"sub": "alice"}, "s" * 32, algorithm="HS256")
    assert redact(f"Authorization: Bearer {token} ok") == "Authorization: Bearer *** ok"


def test_token_field_values():
    assert redact('{"id":1,"connect":{"token":"opaque-value","name":"x"}}') == (
        '{"id":1,"connect":{"token":"***","name":"x"}}'
    )
    assert redact('{"token": "spaced"}') == '{"token": "***"}'


def test_registered_secrets():
    register_secret("hmac-secret-123")
    register_secret("api-key-xyz")
    register_secret("abc")  # too short to redact safely: ignored
    text = "key=api-key-xyz secret=hmac-secret-123 abc"
    assert redact(text) == "key=*** secret=*** abc"


def test_longer_secret_wins():
    register_secret("secret")
    register_secret("secret-long")
    assert redact("secret-long") == "***"


def test_plain_text_untouched():
    assert redact('{"push":{"channel":"chat","pub":{"data":{"t":"hi"}}}}').count("***") == 0
