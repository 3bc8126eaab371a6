"""Results of server API calls as small dataclasses."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from cfgo_tui.client.events import ClientInfo


def client_info(raw: dict[str, Any]) -> ClientInfo:
    return ClientInfo(
        user=str(raw.get("user", "")),
        client=str(raw.get("client", "")),
        conn_info=raw.get("conn_info"),
        chan_info=raw.get("chan_info"),
    )


@dataclass(frozen=True, slots=True)
class PublishResult:
    """`offset`/`epoch` of the publication in the channel's stream (None without history)."""

    offset: int | None = None
    epoch: str | None = None

    @classmethod
    def from_raw(cls, raw: dict[str, Any]) -> PublishResult:
        return cls(raw.get("offset", 0) if "epoch" in raw else raw.get("offset"), raw.get("epoch"))


@dataclass(frozen=True, slots=True)
class PresenceStats:
    num_clients: int
    num_users: int


@dataclass(frozen=True, slots=True)
class HistoryPublication:
    """One publication from history: `data` (the JSON value), `offset`, `info` (who published:
    None for API publications), `tags` (from API publish; {} when none)."""

    data: Any
    offset: int
    info: ClientInfo | None = None
    tags: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_raw(cls, raw: dict[str, Any]) -> HistoryPublication:
        info = raw.get("info")
        return cls(
            data=raw.get("data"),
            offset=int(raw.get("offset", 0)),
            info=client_info(info) if isinstance(info, dict) else None,
            tags=dict(raw.get("tags") or {}),
        )


@dataclass(frozen=True, slots=True)
class HistoryResult:
    """`publications` in the order asked for; `offset`/`epoch` = the top of the stream."""

    publications: list[HistoryPublication]
    offset: int
    epoch: str


@dataclass(frozen=True, slots=True)
class NodeInfo:
    """One server node from `info`; `raw` keeps the whole object (metrics, process...)."""

    uid: str
    name: str
    version: str
    num_clients: int
    num_users: int
    num_channels: int
    num_subs: int
    uptime: int
    raw: dict[str, Any] = field(default_factory=dict, repr=False)

    @classmethod
    def from_raw(cls, raw: dict[str, Any]) -> NodeInfo:
        return cls(
            uid=str(raw.get("uid", "")),
            name=str(raw.get("name", "")),
            version=str(raw.get("version", "")),
            num_clients=int(raw.get("num_clients", 0)),
            num_users=int(raw.get("num_users", 0)),
            num_channels=int(raw.get("num_channels", 0)),
            num_subs=int(raw.get("num_subs", 0)),
            uptime=int(raw.get("uptime", 0)),
            raw=raw,
        )
