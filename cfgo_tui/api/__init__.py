"""Centrifugo's server HTTP API over httpx (async). Headless: no Textual, no Rich."""

from cfgo_tui.api.client import ApiClient
from cfgo_tui.api.errors import (
    UNAUTHORIZED_HINT,
    ApiConnectionError,
    ApiError,
    ApiFailure,
    ApiProtocolError,
    ApiUnauthorized,
)
from cfgo_tui.api.models import (
    HistoryPublication,
    HistoryResult,
    NodeInfo,
    PresenceStats,
    PublishResult,
)

__all__ = [
    "UNAUTHORIZED_HINT",
    "ApiClient",
    "ApiConnectionError",
    "ApiError",
    "ApiFailure",
    "ApiProtocolError",
    "ApiUnauthorized",
    "HistoryPublication",
    "HistoryResult",
    "NodeInfo",
    "PresenceStats",
    "PublishResult",
]
