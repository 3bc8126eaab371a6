"""Remove secrets from text before it reaches a frame log, a debug log or an export.

JWTs (anything shaped `eyJ...`.`...`.`...`), the value of every `"token": "..."` and every
registered secret (HMAC keys, API keys) are replaced by a marker.
"""

from __future__ import annotations

import re
import threading

__all__ = ["MARK", "clear_secrets", "redact", "register_secret"]

MARK = "***"
_JWT = r"eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*"
_TOKEN_VALUE = r'(?<="token":")[^"]*|(?<="token": ")[^"]*'
_MIN_SECRET = 4  # shorter strings would redact ordinary words

_lock = threading.Lock()
_secrets: set[str] = set()
_pattern = re.compile(f"{_TOKEN_VALUE}|{_JWT}")


def _rebuild() -> None:
    global _pattern  # noqa: PLW0603 - one compiled pattern shared by every caller
    # Longest first so a secret containing another one is replaced whole.
    literal = "|".join(re.escape(s) for s in sorted(_secrets, key=len, reverse=True))
    _pattern = re.compile("|".join(p for p in (_TOKEN_VALUE, _JWT, literal) if p))


def register_secret(secret: str | None) -> None:
    """Redact this exact string from now on (ignored when empty or shorter than 4 chars)."""
    if not secret or len(secret) < _MIN_SECRET:
        return
    with _lock:
        if secret not in _secrets:
            _secrets.add(secret)
            _rebuild()


def clear_secrets() -> None:
    """Forget registered secrets (tests)."""
    with _lock:
        _secrets.clear()
        _rebuild()


def redact(text: str) -> str:
    """`text` with tokens and registered secrets replaced by `***`."""
    return _pattern.sub(MARK, text)
