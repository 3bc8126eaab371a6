"""The server HTTP API (`POST <url>/<method>` with `X-API-Key`) over one reused httpx client."""

from __future__ import annotations

import json
import ssl
from collections.abc import Mapping, Sequence
from types import TracebackType
from typing import Any

import httpx
import orjson

from cfgo_tui.api.errors import ApiConnectionError, ApiError, ApiProtocolError, ApiUnauthorized
from cfgo_tui.api.models import (
    HistoryPublication,
    HistoryResult,
    NodeInfo,
    PresenceStats,
    PublishResult,
    client_info,
)
from cfgo_tui.client.events import ClientInfo, StreamPosition


def _position(since: StreamPosition | Mapping[str, Any] | None) -> dict[str, Any] | None:
    if since is None:
        return None
    if isinstance(since, StreamPosition):
        return {"offset": since.offset, "epoch": since.epoch}
    return dict(since)


def _encode(params: dict[str, Any]) -> bytes:
    # orjson: a traffic generator publishes thousands of messages through here; the stdlib
    # covers what orjson refuses (integers beyond 64 bits, non-string keys).
    try:
        return orjson.dumps(params)
    except TypeError:
        return json.dumps(params, separators=(",", ":")).encode()


def _clean(params: dict[str, Any]) -> dict[str, Any]:
    """Drop unset options so the server applies its defaults."""
    return {key: value for key, value in params.items() if value is not None}


class ApiClient:
    """Async client for Centrifugo's server API. One `httpx.AsyncClient` is kept for the life of
    the object (connection reuse for traffic generators); use `async with` or `await aclose()`.

    `url` is the API base (e.g. http://127.0.0.1:8000/api); `key` goes in `X-API-Key` (None sends
    none). Every method raises ApiError (server error object, with `code`/`name`/`hint`),
    ApiUnauthorized (HTTP 401), ApiConnectionError (unreachable, naming the URL) or
    ApiProtocolError (anything else unexpected).
    """

    def __init__(
        self,
        url: str,
        key: str | None = None,
        *,
        timeout: float = 5.0,
        verify: ssl.SSLContext | bool = True,
        headers: Mapping[str, str] | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.url = url.rstrip("/")
        request_headers = {"Content-Type": "application/json", **(headers or {})}
        if key:
            request_headers["X-API-Key"] = key
        self._http = httpx.AsyncClient(
            headers=request_headers,
            timeout=timeout,
            verify=verify,
            transport=transport,
            trust_env=False,  # a proxy from the environment must not see the API key
        )

    def __repr__(self) -> str:
        return f"ApiClient({self.url!r})"

    async def aclose(self) -> None:
        await self._http.aclose()

    async def __aenter__(self) -> ApiClient:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def call(self, method: str, params: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """Call `method` and return its `result` object (raises on an `error` object)."""
        body = await self._post(method, dict(params or {}))
        error = body.get("error")
        if isinstance(error, dict):
            raise ApiError(int(error.get("code", 0)), str(error.get("message", "")), method=method)
        result = body.get("result", {})
        if not isinstance(result, dict):
            raise ApiProtocolError(f"{self.url}/{method}", "`result` is not an object")
        return result

    async def _post(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        url = f"{self.url}/{method}"
        try:
            response = await self._http.post(url, content=_encode(params))
        except httpx.TimeoutException:
            raise ApiConnectionError(url, "timed out") from None
        except httpx.HTTPError as error:
            reason = str(error) or type(error).__name__
            if "CERTIFICATE_VERIFY_FAILED" in reason:
                reason += " (a private CA? set `tls.ca_file` in the profile)"
            raise ApiConnectionError(url, reason) from None
        if response.status_code == 401:
            raise ApiUnauthorized(method=method, url=self.url)
        if response.status_code == 404:
            raise ApiProtocolError(
                url,
                f"HTTP 404: no API method `{method}` there (check `api.url`: Centrifugo serves "
                "it at http://HOST:PORT/api)",
            )
        if response.status_code != 200:
            text = response.text.strip()[:200]
            raise ApiProtocolError(url, f"HTTP {response.status_code} {text}".strip())
        try:
            # the stdlib keeps integers beyond 64 bits exact (orjson turns them into floats)
            body = json.loads(response.content)
        except ValueError:
            raise ApiProtocolError(url, "the body is not JSON (is this the API URL?)") from None
        if not isinstance(body, dict):
            raise ApiProtocolError(url, "the body is not a JSON object")
        return body

    # publishing
    async def publish(
        self,
        channel: str,
        data: Any,
        *,
        tags: Mapping[str, str] | None = None,
        skip_history: bool | None = None,
        idempotency_key: str | None = None,
        delta: bool | None = None,
    ) -> PublishResult:
        """Publish `data` (any JSON value) to `channel`; offset/epoch set when history is on."""
        result = await self.call(
            "publish",
            _clean(
                {
                    "channel": channel,
                    "data": data,
                    "tags": dict(tags) if tags else None,
                    "skip_history": skip_history,
                    "idempotency_key": idempotency_key,
                    "delta": delta,
                }
            ),
        )
        return PublishResult.from_raw(result)

    async def broadcast(
        self,
        channels: Sequence[str],
        data: Any,
        *,
        tags: Mapping[str, str] | None = None,
        skip_history: bool | None = None,
        idempotency_key: str | None = None,
        delta: bool | None = None,
    ) -> list[PublishResult | ApiError]:
        """Publish `data` to every channel; one entry per channel, in order: a PublishResult or
        the ApiError for that channel (the call itself succeeds)."""
        result = await self.call(
            "broadcast",
            _clean(
                {
                    "channels": list(channels),
                    "data": data,
                    "tags": dict(tags) if tags else None,
                    "skip_history": skip_history,
                    "idempotency_key": idempotency_key,
                    "delta": delta,
                }
            ),
        )
        return [self._item(entry, "broadcast") for entry in result.get("responses", [])]

    @staticmethod
    def _item(entry: Mapping[str, Any], method: str) -> PublishResult | ApiError:
        error = entry.get("error")
        if isinstance(error, dict):
            return ApiError(int(error.get("code", 0)), str(error.get("message", "")), method=method)
        return PublishResult.from_raw(entry.get("result") or {})

    # connections
    async def subscribe(
        self,
        channel: str,
        user: str,
        *,
        client: str | None = None,
        session: str | None = None,
        info: Any = None,
        data: Any = None,
        expire_at: int | None = None,
        recover_since: StreamPosition | Mapping[str, Any] | None = None,
        override: Mapping[str, bool] | None = None,
    ) -> None:
        """Server-side subscribe `user`'s connections (or one `client`) to `channel`.
        `override` maps presence/join_leave/force_recovery/force_positioning/
        force_push_join_leave to booleans."""
        await self.call(
            "subscribe",
            _clean(
                {
                    "channel": channel,
                    "user": user,
                    "client": client,
                    "session": session,
                    "info": info,
                    "data": data,
                    "expire_at": expire_at,
                    "recover_since": _position(recover_since),
                    "override": (
                        {key: {"value": value} for key, value in override.items()}
                        if override
                        else None
                    ),
                }
            ),
        )

    async def unsubscribe(
        self, channel: str, user: str, *, client: str | None = None, session: str | None = None
    ) -> None:
        """Unsubscribe `user` (or one `client`) from `channel`; clients get unsubscribe 2000."""
        await self.call(
            "unsubscribe",
            _clean({"channel": channel, "user": user, "client": client, "session": session}),
        )

    async def disconnect(
        self,
        user: str,
        *,
        client: str | None = None,
        session: str | None = None,
        whitelist: Sequence[str] | None = None,
        code: int | None = None,
        reason: str | None = None,
    ) -> None:
        """Disconnect `user`'s connections (default code 3503, no reconnect); a 3000-3499 `code`
        makes clients reconnect."""
        disconnect = None
        if code is not None:
            disconnect = {"code": code, "reason": reason or ""}
        await self.call(
            "disconnect",
            _clean(
                {
                    "user": user,
                    "client": client,
                    "session": session,
                    "whitelist": list(whitelist) if whitelist else None,
                    "disconnect": disconnect,
                }
            ),
        )

    async def refresh(
        self,
        user: str,
        *,
        client: str | None = None,
        session: str | None = None,
        expired: bool | None = None,
        expire_at: int | None = None,
        info: Any = None,
    ) -> None:
        """Refresh `user`'s connections server-side (new expiry / info, or mark expired)."""
        await self.call(
            "refresh",
            _clean(
                {
                    "user": user,
                    "client": client,
                    "session": session,
                    "expired": expired,
                    "expire_at": expire_at,
                    "info": info,
                }
            ),
        )

    # channel state
    async def presence(self, channel: str) -> dict[str, ClientInfo]:
        """client id -> ClientInfo (user, client, conn_info, chan_info)."""
        result = await self.call("presence", {"channel": channel})
        return {
            client_id: client_info(raw) for client_id, raw in (result.get("presence") or {}).items()
        }

    async def presence_stats(self, channel: str) -> PresenceStats:
        result = await self.call("presence_stats", {"channel": channel})
        return PresenceStats(int(result.get("num_clients", 0)), int(result.get("num_users", 0)))

    async def history(
        self,
        channel: str,
        *,
        limit: int = -1,
        since: StreamPosition | Mapping[str, Any] | None = None,
        reverse: bool = False,
    ) -> HistoryResult:
        """Publications of `channel` (limit -1 = all the server allows, 0 = only the position);
        `since` = publications strictly after that offset; `reverse` = newest first."""
        result = await self.call(
            "history",
            _clean(
                {
                    "channel": channel,
                    "limit": limit,
                    "since": _position(since),
                    "reverse": reverse or None,
                }
            ),
        )
        return HistoryResult(
            publications=[HistoryPublication.from_raw(p) for p in result.get("publications", [])],
            offset=int(result.get("offset", 0)),
            epoch=str(result.get("epoch", "")),
        )

    async def history_remove(self, channel: str) -> None:
        await self.call("history_remove", {"channel": channel})

    async def channels(self, pattern: str | None = None) -> dict[str, int]:
        """Active channels matching the glob `pattern` (e.g. `chat:*`) -> number of clients."""
        result = await self.call("channels", _clean({"pattern": pattern}))
        return {
            name: int((raw or {}).get("num_clients", 0))
            for name, raw in (result.get("channels") or {}).items()
        }

    async def info(self) -> list[NodeInfo]:
        """Every node of the cluster."""
        result = await self.call("info", {})
        return [NodeInfo.from_raw(node) for node in result.get("nodes", [])]

    async def batch(
        self, commands: Sequence[Mapping[str, Any]], *, parallel: bool = False
    ) -> list[dict[str, Any] | ApiError]:
        """Several commands in one request, each `{"publish": {...}}`, `{"broadcast": {...}}`...
        Returns one entry per command: its result object or an ApiError."""
        body = await self._post(
            "batch", _clean({"commands": [dict(c) for c in commands], "parallel": parallel or None})
        )
        if isinstance(body.get("error"), dict):
            error = body["error"]
            raise ApiError(int(error.get("code", 0)), str(error.get("message", "")), method="batch")
        replies: list[dict[str, Any] | ApiError] = []
        for command, reply in zip(commands, body.get("replies", []), strict=False):
            error = reply.get("error")
            if isinstance(error, dict):
                name = next(iter(command), "batch")
                replies.append(
                    ApiError(int(error.get("code", 0)), str(error.get("message", "")), method=name)
                )
            else:
                results = [value for key, value in reply.items() if key != "error"]
                replies.append(results[0] if results and isinstance(results[0], dict) else {})
        return replies
