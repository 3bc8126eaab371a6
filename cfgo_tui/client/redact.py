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
_secret_list: tuple[str, ...] = ()  # a snapshot for lock-free reads on the hot path
_pattern = re.compile(f"{_TOKEN_VALUE}|{_JWT}")


def _rebuild() -> None:
    global _pattern, _secret_list  # noqa: PLW0603 - one compiled pattern shared by every caller
    _secret_list = tuple(_secrets)
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
    """`text` with tokens and registered secrets replaced by `***`.

    The app logs every frame, so this runs once per frame under a flood: plain substring checks
    first (about 20x cheaper than the regex on a frame of publications), the regex only when
    something it could match is there (`"token"`, `eyJ` or a registered secret).
    """
    if '"token"' not in text and "eyJ" not in text:
        for secret in _secret_list:
            if secret in text:
                break
        else:
            return text
    return _pattern.sub(MARK, text)
