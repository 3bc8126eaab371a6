"""What the app needs from a client session and from the server API, as protocols.

`cfgo_tui.client.Client` satisfies `Session`; tests use a scripted fake session with the same
shape. Keeping the app on these protocols is what lets snapshot tests run without a server.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from cfgo_tui.client.events import ClientInfo, HistoryResult, PresenceStats
from cfgo_tui.store import SubscribeOptions

SubTokenGetter = Callable[[str], Awaitable[str]]  # channel -> subscription token


class SubscriptionLike(Protocol):
    async def subscribe(self) -> None: ...

    async def unsubscribe(self) -> None: ...


class Session(Protocol):
    """The subset of `cfgo_tui.client.Client` the app drives."""

    def on(self, name: str, handler: Callable[[Any], Any]) -> Any: ...

    async def connect(self) -> None: ...

    async def disconnect(self) -> None: ...

    def new_subscription(
        self,
        channel: str,
        *,
        get_token: SubTokenGetter | None = None,
        recoverable: bool = False,
        positioned: bool = False,
        join_leave: bool = False,
        delta: str | None = None,
    ) -> Any: ...

    async def publish(self, channel: str, data: Any) -> Any: ...

    async def presence(self, channel: str) -> dict[str, ClientInfo]: ...

    async def presence_stats(self, channel: str) -> PresenceStats: ...

    async def history(
        self, channel: str, *, limit: int = ..., since: Any = None, reverse: bool = False
    ) -> HistoryResult: ...

    async def ping(self) -> float: ...


class ServerApi(Protocol):
    """The subset of the server HTTP API client the app uses."""

    async def channels(self, pattern: str = "") -> Any: ...

    async def publish(self, channel: str, data: Any) -> Any: ...


@dataclass(slots=True)
class AppOptions:
    """What the app shows about its profile; built by `launch.py` from a config Profile."""

    profile: str = "default"
    url: str = ""
    tls_insecure: bool = False
    retention: int = 10_000
    channels: list[tuple[str, SubscribeOptions]] = field(default_factory=list)
    theme: str | None = None
    keymap: dict[str, str] = field(default_factory=dict)
    discover_pattern: str = ""
    ping_interval: float = 5.0
