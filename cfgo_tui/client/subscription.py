"""A channel subscription: its state machine, stream position, recovery and token refresh.

States: unsubscribed -> subscribing -> subscribed. A lost connection or an unsubscribe push with a
code >= 2500 sends it back to subscribing; the client resubscribes with `recover`, `offset` and
`epoch` once the stream is known to be recoverable, and drops publications at or below the
position it already holds (so none is delivered twice).
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Awaitable, Callable
from enum import StrEnum
from typing import TYPE_CHECKING, Any, TypeVar

import orjson

from cfgo_tui.client.codes import describe
from cfgo_tui.client.errors import (
    CentrifugoError,
    CommandTimeout,
    NotConnected,
    ReplyError,
    SubscriptionFailed,
    Unauthorized,
)
from cfgo_tui.client.events import (
    EVENT_NAMES,
    ClientInfo,
    ErrorEvent,
    Event,
    HistoryResult,
    PresenceStats,
    PublicationEvent,
    RefreshEvent,
    StreamPosition,
    SubscribedEvent,
    SubscribingEvent,
    UnsubscribedEvent,
)
from cfgo_tui.client.fossil import apply_delta

if TYPE_CHECKING:
    from cfgo_tui.client.client import Client, Handler
    from cfgo_tui.client.connection import Connection

__all__ = ["SubTokenGetter", "Subscription", "SubscriptionState", "refresh_delay"]

SubTokenGetter = Callable[[str], Awaitable[str]]
_T = TypeVar("_T")

# Codes the client reports itself (never sent by the server).
UNSUBSCRIBE_CALLED = 0
UNAUTHORIZED = 4
SUBSCRIBE_TIMEOUT = 7


class SubscriptionState(StrEnum):
    UNSUBSCRIBED = "unsubscribed"
    SUBSCRIBING = "subscribing"
    SUBSCRIBED = "subscribed"


async def fetch_token(call: Awaitable[_T], limit: float, what: str) -> _T:
    """Await a token source with a limit: a hung token endpoint must not hang the client."""
    try:
        async with asyncio.timeout(limit):
            return await call
    except TimeoutError:
        raise CommandTimeout(f"{what}: the token source gave no token within {limit:g}s") from None


def check_json(what: str, value: Any) -> None:
    try:
        orjson.dumps(value)
    except TypeError as exc:
        raise ValueError(f"{what} must be JSON-serializable: {exc}") from None


def refresh_delay(ttl: float) -> float:
    """Refresh a token when 80 % of its ttl has passed (at most a minute before it expires)."""
    return max(0.5, ttl - min(ttl * 0.2, 60.0))


# The events are frozen dataclasses; their generated __init__ goes through object.__setattr__
# once per field, which costs more than decoding the frame. On the hot path the slots are filled
# through their member descriptors instead: same objects, about a third of the cost.
_new = object.__new__


def _slot(cls: type, name: str) -> Callable[[Any, Any], None]:
    setter: Callable[[Any, Any], None] = cls.__dict__[name].__set__
    return setter


_ci_user = _slot(ClientInfo, "user")
_ci_client = _slot(ClientInfo, "client")
_ci_conn = _slot(ClientInfo, "conn_info")
_ci_chan = _slot(ClientInfo, "chan_info")
_pe_channel = _slot(PublicationEvent, "channel")
_pe_data = _slot(PublicationEvent, "data")
_pe_info = _slot(PublicationEvent, "info")
_pe_offset = _slot(PublicationEvent, "offset")
_pe_tags = _slot(PublicationEvent, "tags")
_pe_time = _slot(PublicationEvent, "time")
_pe_recovered = _slot(PublicationEvent, "recovered")
_pe_received = _slot(PublicationEvent, "received_at")


def client_info(info: dict[str, Any]) -> ClientInfo:
    """`ClientInfo` from its wire dict (equal to `ClientInfo(user, client, ...)`)."""
    event: ClientInfo = _new(ClientInfo)
    _ci_user(event, info.get("user", ""))
    _ci_client(event, info.get("client", ""))
    _ci_conn(event, info.get("conn_info"))
    _ci_chan(event, info.get("chan_info"))
    return event


def publication_event(
    channel: str, pub: dict[str, Any], data: Any, recovered: bool, now: float
) -> PublicationEvent:
    """`PublicationEvent` from a wire publication (data already decoded)."""
    event: PublicationEvent = _new(PublicationEvent)
    info = pub.get("info")
    _pe_channel(event, channel)
    _pe_data(event, data)
    _pe_info(event, client_info(info) if info is not None else None)
    _pe_offset(event, pub.get("offset", 0))
    _pe_tags(event, pub.get("tags"))
    _pe_time(event, pub.get("time", 0))
    _pe_recovered(event, recovered)
    _pe_received(event, now)
    return event


class Subscription:
    """Created by `Client.new_subscription` (or by the server for server-side subscriptions)."""

    def __init__(
        self,
        client: Client,
        channel: str,
        *,
        token: str | None = None,
        get_token: SubTokenGetter | None = None,
        recoverable: bool = False,
        positioned: bool = False,
        join_leave: bool = False,
        delta: str | None = None,
        since: StreamPosition | None = None,
        data: Any = None,
        server_side: bool = False,
    ) -> None:
        if delta not in (None, "", "fossil"):
            raise ValueError(f"subscription delta must be None or 'fossil', got {delta!r}")
        if since is not None and not isinstance(since, StreamPosition):
            raise ValueError(
                f"subscription since must be a StreamPosition(offset, epoch), got {since!r}"
            )
        if data is not None:
            check_json("subscription data", data)
        self._client = client
        self.channel = channel
        self.server_side = server_side
        self.state = SubscriptionState.UNSUBSCRIBED
        self._token = token or None
        self._get_token = get_token
        self._opt_recoverable = recoverable
        self._opt_positioned = positioned
        self._opt_join_leave = join_leave
        self._opt_delta = delta or None
        self._opt_data = data
        # Stream position: known once a subscribe result says the stream is positioned.
        self._offset = since.offset if since else 0
        self._epoch: str | None = since.epoch if since else None
        self._recover = since is not None
        self._active = False  # accepting publications
        self._delta = False  # fossil delta negotiated
        self._prev: bytes = b""
        self._inflight: Connection | None = None
        self._token_task: asyncio.Task[None] | None = None
        self._retry_handle: asyncio.TimerHandle | None = None
        self._refresh_handle: asyncio.TimerHandle | None = None
        self._refresh_task: asyncio.Task[None] | None = None
        self._attempt = 0
        self._waiters: list[asyncio.Future[None]] = []
        self._last_code = 0
        self._last_reason = ""
        self._handlers: dict[str, list[Handler]] = {}
        self._dispatch: dict[str, tuple[Handler, ...]] = {}
        self._pub_handlers: tuple[Handler, ...] = ()

    def __repr__(self) -> str:
        kind = " server-side" if self.server_side else ""
        return f"<Subscription {self.channel!r} {self.state.value}{kind}>"

    # ------------------------------------------------------------------ public API
    @property
    def position(self) -> StreamPosition | None:
        """The last stream position seen (None until the server reported one)."""
        if self._epoch is None:
            return None
        return StreamPosition(self._offset, self._epoch)

    def on(self, event: str, handler: Handler) -> Subscription:
        """Handle this channel's events only (`"*"`: all of them). Returns the subscription."""
        self._client._check_handler(event, handler)
        self._handlers.setdefault(event, []).append(handler)
        self._rebuild()
        return self

    def off(self, event: str, handler: Handler) -> Subscription:
        handlers = self._handlers.get(event, [])
        if handler in handlers:
            handlers.remove(handler)
        self._rebuild()
        return self

    async def subscribe(self) -> None:
        """Start subscribing; returns at once (use `ready()` to wait for the result)."""
        if self.server_side:
            raise CentrifugoError(
                f"{self.channel}: a server-side subscription is managed by the server"
            )
        if self.state is not SubscriptionState.UNSUBSCRIBED:
            return
        self._attempt = 0
        self._set_subscribing(0, "subscribe called")
        self._client._routes[self.channel] = self
        self._start()

    async def unsubscribe(self) -> None:
        """Unsubscribe (also on the server when connected). Idempotent."""
        if self.server_side:
            raise CentrifugoError(
                f"{self.channel}: a server-side subscription cannot be unsubscribed by the client "
                "(use the server API `unsubscribe`)"
            )
        if self.state is SubscriptionState.UNSUBSCRIBED:
            return
        on_server = self.state is SubscriptionState.SUBSCRIBED or self._inflight is not None
        self._set_unsubscribed(UNSUBSCRIBE_CALLED, "unsubscribe called")
        client = self._client
        if on_server and client._conn is not None and client._conn.connected:
            # The connection may go away meanwhile: then nothing is left to unsubscribe.
            with contextlib.suppress(CentrifugoError):
                await client._call("unsubscribe", {"channel": self.channel})

    async def ready(self, timeout: float | None = None) -> None:  # noqa: ASYNC109
        """Wait until subscribed. Raises SubscriptionFailed if it ends unsubscribed instead,
        CommandTimeout after `timeout` seconds (default: the client's timeout)."""
        limit = self._client.timeout if timeout is None else timeout
        try:
            async with asyncio.timeout(limit):
                while self.state is not SubscriptionState.SUBSCRIBED:
                    if self.state is SubscriptionState.UNSUBSCRIBED:
                        raise SubscriptionFailed(self.channel, self._last_code, self._last_reason)
                    stopped = self._client.stopped
                    if stopped is not None and self._client.state == "disconnected":
                        # e.g. 3500 for a subscription token of another user or channel
                        raise SubscriptionFailed(self.channel, *stopped)
                    waiter = asyncio.get_running_loop().create_future()
                    self._waiters.append(waiter)
                    await waiter
        except TimeoutError:
            raise CommandTimeout(
                f"{self.channel}: not subscribed within {limit:g}s (state {self.state.value})"
            ) from None

    async def publish(self, data: Any) -> None:
        await self._client.publish(self.channel, data)

    async def presence(self) -> dict[str, ClientInfo]:
        return await self._client.presence(self.channel)

    async def presence_stats(self) -> PresenceStats:
        return await self._client.presence_stats(self.channel)

    async def history(
        self, limit: int = 100, since: StreamPosition | None = None, reverse: bool = False
    ) -> HistoryResult:
        return await self._client.history(self.channel, limit=limit, since=since, reverse=reverse)

    # ------------------------------------------------------------------ events
    def _rebuild(self) -> None:
        star = tuple(self._handlers.get("*", ()))
        self._dispatch = {name: tuple(self._handlers.get(name, ())) + star for name in EVENT_NAMES}
        self._pub_handlers = self._dispatch["publication"]

    def _emit(self, event: Event) -> None:
        if self._dispatch:
            for handler in self._dispatch.get(event.name, ()):
                self._client._run_handler(handler, event)
        self._client._emit(event)

    def _error(self, where: str, message: str, code: int | None = None, error: Any = None) -> None:
        self._emit(ErrorEvent(where, message, code, self.channel, error))

    def _wake(self) -> None:
        waiters, self._waiters = self._waiters, []
        for waiter in waiters:
            if not waiter.done():
                waiter.set_result(None)

    # ------------------------------------------------------------------ state changes
    def _set_subscribing(self, code: int, reason: str) -> None:
        self.state = SubscriptionState.SUBSCRIBING
        self._active = False
        self._emit(SubscribingEvent(self.channel, code, reason, self.server_side))
        self._wake()

    def _set_unsubscribed(self, code: int, reason: str) -> None:
        self._cancel_timers()
        if self._token_task is not None:
            self._token_task.cancel()
            self._token_task = None
        self._inflight = None
        self._active = False
        self._last_code, self._last_reason = code, reason
        if self._client._routes.get(self.channel) is self:
            del self._client._routes[self.channel]
        if self.state is SubscriptionState.UNSUBSCRIBED:
            return
        self.state = SubscriptionState.UNSUBSCRIBED
        self._emit(UnsubscribedEvent(self.channel, code, reason, self.server_side))
        self._wake()

    def _cancel_timers(self) -> None:
        for handle in (self._retry_handle, self._refresh_handle):
            if handle is not None:
                handle.cancel()
        self._retry_handle = self._refresh_handle = None
        if self._refresh_task is not None and not self._refresh_task.done():
            self._refresh_task.cancel()
        self._refresh_task = None

    def _transport_lost(self, code: int, reason: str) -> None:
        """The connection is gone: go back to subscribing and wait for the next connect."""
        self._cancel_timers()
        self._inflight = None
        if self.state is SubscriptionState.SUBSCRIBED:
            self._set_subscribing(code, reason)

    def _drop_position(self) -> None:
        self._recover = False
        self._offset = 0
        self._epoch = None

    def _server_unsubscribed(self, code: int, reason: str) -> None:
        """An `unsubscribe` push: >= 2500 resubscribes, below that ends the subscription."""
        if self.server_side or not describe(code).retry:
            self._set_unsubscribed(code, reason)
            return
        if self._get_token is not None and code in (2501, 2502):
            self._token = None
        if code == 2502:
            self._drop_position()
        self._cancel_timers()
        self._inflight = None
        self._set_subscribing(code, reason)
        self._start()

    # ------------------------------------------------------------------ subscribing
    def _start(self) -> None:
        """Send the subscribe command if the client is connected and nothing is in flight."""
        if self.state is not SubscriptionState.SUBSCRIBING or self.server_side:
            return
        conn = self._client._conn
        if conn is None or not conn.connected:
            return  # the client subscribes every subscribing subscription once connected
        if self._token_task is not None or self._inflight is conn:
            return
        if self._token is None and self._get_token is not None:
            self._token_task = self._client._spawn(self._fetch_token())
            return
        self._send_subscribe(conn)

    async def _fetch_token(self) -> None:
        assert self._get_token is not None
        try:
            token = await fetch_token(
                self._get_token(self.channel), self._client.token_timeout, self.channel
            )
        except Unauthorized as exc:
            self._token_task = None
            self._set_unsubscribed(UNAUTHORIZED, str(exc) or "unauthorized by the token source")
            return
        except Exception as exc:
            self._token_task = None
            self._error("token", f"getting a subscription token failed: {exc}", error=exc)
            self._schedule_retry()
            return
        self._token_task = None
        if not token:
            self._set_unsubscribed(UNAUTHORIZED, "the token source returned an empty token")
            return
        self._token = token
        self._start()

    def _send_subscribe(self, conn: Connection) -> None:
        req: dict[str, Any] = {"channel": self.channel}
        if self._token:
            req["token"] = self._token
        if self._recover and self._epoch is not None:
            req["recover"] = True
            req["offset"] = self._offset
            req["epoch"] = self._epoch
        if self._opt_recoverable:
            req["recoverable"] = True
        if self._opt_positioned:
            req["positioned"] = True
        if self._opt_join_leave:
            req["join_leave"] = True
        if self._opt_delta:
            req["delta"] = self._opt_delta
        if self._opt_data is not None:
            req["data"] = self._opt_data
        self._inflight = conn
        conn.command("subscribe", req, self._on_subscribe_reply, self._client.timeout)

    def _on_subscribe_reply(self, reply: dict[str, Any] | CentrifugoError) -> None:
        conn, self._inflight = self._inflight, None
        if self.state is not SubscriptionState.SUBSCRIBING:
            return
        if isinstance(reply, CentrifugoError):
            if isinstance(reply, CommandTimeout) and conn is not None:
                # The server may still subscribe us: a second subscribe would get 105. Like the
                # reference SDKs, start over on a new connection (which resubscribes).
                self._error("subscribe", str(reply), error=reply)
                conn.abort(SUBSCRIBE_TIMEOUT, "subscribe timeout", terminal=False)
            return  # NotConnected: resubscribed on the next connect
        err = reply.get("error")
        if err is not None:
            code = int(err.get("code", 0))
            message = str(err.get("message", ""))
            error = ReplyError(code, message, bool(err.get("temporary", False)), "subscribe")
            self._error("subscribe", str(error), code, error)
            if code == 109 and self._get_token is not None:
                self._token = None
                if self._attempt == 0:
                    self._attempt = 1
                    self._start()  # a fresh token usually fixes this at once
                else:
                    self._schedule_retry()
            elif error.temporary or code < 100:
                self._schedule_retry()
            else:
                self._set_unsubscribed(code, message)
            return
        self._on_subscribed(reply.get("subscribe") or {})

    def _schedule_retry(self) -> None:
        if self.state is not SubscriptionState.SUBSCRIBING:
            return
        delay = self._client._backoff.delay(self._attempt)
        self._attempt += 1
        if self._retry_handle is not None:
            self._retry_handle.cancel()
        self._retry_handle = asyncio.get_running_loop().call_later(delay, self._retry)

    def _retry(self) -> None:
        self._retry_handle = None
        self._start()

    def _on_subscribed(self, res: dict[str, Any]) -> None:
        """A subscribe result (reply, connect.subs entry or subscribe push)."""
        recoverable = bool(res.get("recoverable", False))
        positioned = bool(res.get("positioned", False))
        was_recovering = bool(res.get("was_recovering", False))
        recovered = bool(res.get("recovered", False))
        if recoverable or positioned:
            self._epoch = str(res.get("epoch", ""))
            self._offset = int(res.get("offset", 0))
        else:
            # No position from the server: offsets of a reset stream restart at 1 and must not
            # be mistaken for duplicates of what came before.
            self._offset = 0
            self._epoch = None
        if recoverable:
            self._recover = True
        self._delta = bool(res.get("delta", False))
        if not recovered:
            # After a successful recovery the server goes on with deltas against the last
            # payload this client holds (seen on v6.9.1 when nothing was missed): keep it.
            self._prev = b""
        publications = res.get("publications") or ()
        expires = bool(res.get("expires", False))
        ttl = int(res.get("ttl", 0))
        self.state = SubscriptionState.SUBSCRIBED
        self._active = True
        self._attempt = 0
        self._client._routes[self.channel] = self
        self._emit(
            SubscribedEvent(
                self.channel,
                recoverable=recoverable,
                positioned=positioned,
                position=self.position,
                was_recovering=was_recovering,
                recovered=recovered,
                recovered_count=len(publications),
                server_side=self.server_side,
                delta=self._delta,
                expires=expires,
                ttl=ttl,
                data=res.get("data"),
            )
        )
        if was_recovering and not recovered:
            self._error(
                "recover",
                "stream state lost: publications missed while disconnected could not be "
                f"recovered (new position {self.position}); reload the channel's state",
            )
        self._wake()
        now = time.time()
        for pub in publications:
            self._on_publication(pub, now, True)
        if expires and not self.server_side:
            self._refresh_handle = asyncio.get_running_loop().call_later(
                refresh_delay(ttl), self._start_refresh
            )

    # ------------------------------------------------------------------ hot path
    def _on_publication(self, pub: dict[str, Any], now: float, recovered: bool = False) -> None:
        if not self._active:
            return
        offset = pub.get("offset", 0)
        if offset and offset <= self._offset:
            return  # already delivered (recovery and live stream overlap)
        data = pub.get("data")
        if self._delta:
            data = self._undelta(pub, data)  # may raise: then the position must not advance
        if offset:
            last = self._offset
            self._offset = offset
            if offset != last + 1 and self._epoch is not None:
                self._gap(last, offset)
        client = self._client
        client_handlers = client._pub_handlers
        sub_handlers = self._pub_handlers
        if not client_handlers and not sub_handlers:
            return
        event = publication_event(self.channel, pub, data, recovered, now)
        for handler in sub_handlers + client_handlers if sub_handlers else client_handlers:
            try:
                result = handler(event)
            except Exception as exc:
                client._handler_failed(handler, event, exc)
                continue
            if result is not None:
                client._await_handler(result, handler, event)

    def _gap(self, last: int, offset: int) -> None:
        """A positioned stream skipped offsets: never from a healthy Centrifugo (it delivers in
        order, and reports its own gaps with 2500), so say it rather than lose them silently."""
        missing = offset - last - 1
        self._error(
            "gap",
            f"{missing} publication{'s' if missing != 1 else ''} missing: offset jumped from "
            f"{last} to {offset} (lost or reordered between the server and this client)",
        )

    def _undelta(self, pub: dict[str, Any], data: Any) -> Any:
        """With fossil negotiated, `data` is a JSON string: the payload or a delta against the
        previous payload."""
        raw = data.encode() if isinstance(data, str) else orjson.dumps(data)
        if pub.get("delta"):
            raw = apply_delta(self._prev, raw)
        self._prev = raw
        return orjson.loads(raw)

    # ------------------------------------------------------------------ token refresh
    def _start_refresh(self) -> None:
        self._refresh_handle = None
        self._refresh_task = self._client._spawn(self._refresh())

    def _refresh_later(self, delay: float) -> None:
        self._refresh_handle = asyncio.get_running_loop().call_later(delay, self._start_refresh)

    async def _refresh(self) -> None:
        if self._get_token is None:
            self._error(
                "sub_refresh",
                "the subscription token expires and there is no get_token to refresh it: the "
                "server will end the subscription (2501) and it will resubscribe",
            )
            return
        try:
            token = await fetch_token(
                self._get_token(self.channel), self._client.token_timeout, self.channel
            )
        except Unauthorized as exc:
            await self._end_unauthorized(str(exc) or "unauthorized by the token source")
            return
        except Exception as exc:
            self._error("sub_refresh", f"getting a subscription token failed: {exc}", error=exc)
            self._refresh_later(self._client._backoff.delay(3))
            return
        if not token:
            await self._end_unauthorized("the token source returned an empty token")
            return
        self._token = token
        if self.state is not SubscriptionState.SUBSCRIBED:
            return
        try:
            res = await self._client._call("sub_refresh", {"channel": self.channel, "token": token})
        except ReplyError as exc:
            self._error("sub_refresh", str(exc), exc.code, exc)
            if exc.temporary:
                self._refresh_later(self._client._backoff.delay(3))
            else:
                await self.unsubscribe_with(exc.code, exc.message)
            return
        except (CommandTimeout, NotConnected) as exc:
            self._error("sub_refresh", str(exc), error=exc)
            if self.state is SubscriptionState.SUBSCRIBED:
                self._refresh_later(self._client._backoff.delay(3))
            return
        expires = bool(res.get("expires", False))
        ttl = int(res.get("ttl", 0))
        self._emit(RefreshEvent(self.channel, expires, ttl))
        if expires and self.state is SubscriptionState.SUBSCRIBED:
            self._refresh_later(refresh_delay(ttl))

    async def _end_unauthorized(self, reason: str) -> None:
        await self.unsubscribe_with(UNAUTHORIZED, reason)

    async def unsubscribe_with(self, code: int, reason: str) -> None:
        """End the subscription with a code and reason of the caller's choosing."""
        on_server = self.state is SubscriptionState.SUBSCRIBED
        self._set_unsubscribed(code, reason)
        conn = self._client._conn
        if on_server and conn is not None and conn.connected:
            with contextlib.suppress(CentrifugoError):
                await self._client._call("unsubscribe", {"channel": self.channel})
