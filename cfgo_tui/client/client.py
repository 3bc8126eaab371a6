"""The Centrifugo client: connection state machine, commands, pushes, reconnects and events.

One supervisor task per client runs the connection loop: get a token if needed, open the
WebSocket, send `connect`, read frames until the connection ends, then either reconnect (full-jitter
backoff, next URL in the list) or stop for good (terminal codes). A writer task per connection
sends everything queued in one loop turn as one frame.

Frames are decoded and dispatched inline on the reader task: replies resolve their command by id
synchronously (so a subscribe result is applied before the publications that follow it in the same
frame), publications go straight to their subscription, events go to handlers. Nothing on that path
creates a task unless an async handler returns an awaitable.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import inspect
import logging
import os
import socket
import ssl as ssl_module
import time
from collections.abc import Awaitable, Callable, Sequence
from enum import StrEnum
from typing import Any

import orjson
from websockets.asyncio.client import connect as ws_connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidURI

from cfgo_tui import __version__
from cfgo_tui.client.backoff import Backoff
from cfgo_tui.client.codec import DecodeError, decode_frame
from cfgo_tui.client.codes import describe, reconnects
from cfgo_tui.client.connection import Connection
from cfgo_tui.client.errors import (
    CentrifugoError,
    CommandTimeout,
    ConnectFailed,
    NotConnected,
    ReplyError,
    SubscriptionFailed,
    Unauthorized,
)
from cfgo_tui.client.events import (
    EVENT_NAMES,
    ClientInfo,
    ConnectedEvent,
    ConnectingEvent,
    DisconnectedEvent,
    ErrorEvent,
    Event,
    FrameEvent,
    HistoryResult,
    JoinEvent,
    LeaveEvent,
    MessageEvent,
    PresenceStats,
    RefreshEvent,
    StreamPosition,
)
from cfgo_tui.client.redact import redact
from cfgo_tui.client.subscription import (
    Subscription,
    SubscriptionState,
    SubTokenGetter,
    check_json,
    client_info,
    fetch_token,
    publication_event,
    refresh_delay,
)

__all__ = ["Client", "ClientState", "Handler", "TokenGetter"]

log = logging.getLogger(__name__)

Handler = Callable[[Any], Any]
TokenGetter = Callable[[], Awaitable[str | None]]  # None or "": connect anonymously

MAX_MESSAGE_BYTES = 16 * 1024 * 1024
# Push kinds of unidirectional transports: meaningless over WebSocket, ignored without a word.
_QUIET_PUSHES = frozenset({"connect", "refresh"})

# Client-side codes (see codes.py).
CONNECT_CALLED = 0
DISCONNECT_CALLED = 1
NO_PING = 2
TRANSPORT_CLOSED = 3
UNAUTHORIZED = 4
BAD_PROTOCOL = 5
TOKEN_FAILED = 6


class ClientState(StrEnum):
    DISCONNECTED = "disconnected"
    CONNECTING = "connecting"
    CONNECTED = "connected"


def _validate_urls(url: str | Sequence[str]) -> list[str]:
    urls = [url] if isinstance(url, str) else list(url)
    if not urls:
        raise ValueError("Client needs at least one Centrifugo WebSocket URL")
    for item in urls:
        if not isinstance(item, str) or not item.startswith(("ws://", "wss://")):
            raise ValueError(
                f"Centrifugo URL {item!r} must start with ws:// or wss:// "
                "(e.g. ws://localhost:8000/connection/websocket)"
            )
    return urls


def _positive(name: str, value: float) -> float:
    if not isinstance(value, int | float) or value <= 0:
        raise ValueError(f"{name} must be a positive number of seconds, got {value!r}")
    return float(value)


def _ssl_option(
    value: ssl_module.SSLContext | bool | str | os.PathLike[str] | None,
) -> ssl_module.SSLContext | None:
    """None/True: default verification for wss://; a path: verify against that CA file;
    False: verification off (an explicit opt-out)."""
    if isinstance(value, ssl_module.SSLContext):
        return value
    if value is None or value is True:
        # websockets refuses `ssl=None` with a wss:// URL: the default is a verifying context.
        return ssl_module.create_default_context()
    if value is False:
        context = ssl_module.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl_module.CERT_NONE
        return context
    if isinstance(value, str | os.PathLike):
        try:
            return ssl_module.create_default_context(cafile=os.fspath(value))
        except (OSError, ssl_module.SSLError) as exc:
            raise ValueError(f"ssl CA file {os.fspath(value)!r} cannot be used: {exc}") from None
    raise ValueError(
        f"ssl must be an ssl.SSLContext, a CA file path, True, False or None, got {value!r}"
    )


def _resolve_future(future: asyncio.Future[dict[str, Any]], reply: Any) -> None:
    if future.done():
        return
    if isinstance(reply, BaseException):
        future.set_exception(reply)
    else:
        future.set_result(reply)


class Client:
    """An asyncio Centrifugo client (protocol v2, JSON).

    `connect()` waits until connected or a terminal failure (`ConnectFailed`); while the server is
    unreachable it keeps retrying in the background and keeps waiting, unless a `timeout` is given
    to `connect()`. Calls made while (re)connecting wait for the connection up to `timeout`.

    `token` is a connection JWT; `get_token` an async callable returning a fresh one (None or ""
    connects anonymously; raising `Unauthorized` stops the client). `headers` are extra HTTP
    headers on the WebSocket upgrade request (a cookie for an auth proxy, say). `url` may be a
    list: after a failed connect or a lost connection the next URL is tried.
    """

    def __init__(
        self,
        url: str | Sequence[str],
        *,
        token: str | None = None,
        get_token: TokenGetter | None = None,
        name: str = "cfgo-tui",
        version: str = __version__,
        data: Any = None,
        headers: dict[str, str] | None = None,
        ssl: ssl_module.SSLContext | bool | str | os.PathLike[str] | None = None,
        timeout: float = 5.0,
        min_reconnect_delay: float = 0.5,
        max_reconnect_delay: float = 20.0,
        max_server_ping_delay: float = 10.0,
    ) -> None:
        self.urls = _validate_urls(url)
        if get_token is not None and not callable(get_token):
            raise ValueError("get_token must be an async function returning a token string")
        if data is not None:
            check_json("connect data", data)
        self._token = token or None
        self._get_token = get_token
        self.name = name
        self.version = version
        self.data = data
        self.headers = dict(headers or {})
        self._ssl = _ssl_option(ssl)
        self.timeout = _positive("timeout", timeout)
        self._backoff = Backoff(float(min_reconnect_delay), float(max_reconnect_delay))
        self.max_server_ping_delay = _positive("max_server_ping_delay", max_server_ping_delay)
        # Token sources may call an HTTP endpoint: give them at least 10 s.
        self.token_timeout = max(self.timeout, 10.0)
        self.state = ClientState.DISCONNECTED
        self.client_id: str | None = None
        self.server_version: str | None = None
        self.url: str = self.urls[0]
        self._url_index = 0
        self._conn: Connection | None = None
        self._run_task: asyncio.Task[None] | None = None
        self._closing = False
        self._terminal: CentrifugoError | None = None
        self._waiters: list[asyncio.Future[None]] = []
        self._subs: dict[str, Subscription] = {}
        self._server_subs: dict[str, Subscription] = {}
        # Where pushes go: every subscribing/subscribed subscription, client- or server-side.
        self._routes: dict[str, Subscription] = {}
        self._handlers: dict[str, list[Handler]] = {}
        self._dispatch: dict[str, tuple[Handler, ...]] = {}
        self._pub_handlers: tuple[Handler, ...] = ()
        self._frame_on = False
        self._tasks: set[asyncio.Task[Any]] = set()
        self._refresh_handle: asyncio.TimerHandle | None = None
        self._refresh_task: asyncio.Task[None] | None = None
        self._attempt = 0
        self._lost: tuple[int, str] | None = None
        # Code and reason of the last stop (terminal failure or disconnect()).
        self.stopped: tuple[int, str] | None = None

    def __repr__(self) -> str:
        return f"<Client {self.url} {self.state.value}>"

    # ------------------------------------------------------------------ events
    def _check_handler(self, event: str, handler: Handler) -> None:
        if event != "*" and event not in EVENT_NAMES:
            raise ValueError(
                f"unknown event {event!r}: expected one of {', '.join(sorted(EVENT_NAMES))} or '*'"
            )
        if not callable(handler):
            raise ValueError(f"handler for {event!r} must be callable, got {handler!r}")

    def on(self, event: str, handler: Handler) -> Client:
        """Call `handler(event)` for every event of that name (`"*"`: all). Chainable."""
        self._check_handler(event, handler)
        self._handlers.setdefault(event, []).append(handler)
        self._rebuild()
        return self

    def off(self, event: str, handler: Handler | None = None) -> Client:
        """Remove one handler (or all handlers of `event`)."""
        if handler is None:
            self._handlers.pop(event, None)
        else:
            handlers = self._handlers.get(event, [])
            if handler in handlers:
                handlers.remove(handler)
        self._rebuild()
        return self

    def _rebuild(self) -> None:
        star = tuple(self._handlers.get("*", ()))
        self._dispatch = {name: tuple(self._handlers.get(name, ())) + star for name in EVENT_NAMES}
        self._pub_handlers = self._dispatch["publication"]
        self._frame_on = bool(self._dispatch["frame"])

    def _emit(self, event: Event) -> None:
        for handler in self._dispatch.get(event.name, ()):
            self._run_handler(handler, event)

    def _run_handler(self, handler: Handler, event: Event) -> None:
        try:
            result = handler(event)
        except Exception as exc:
            self._handler_failed(handler, event, exc)
            return
        if result is not None:
            self._await_handler(result, handler, event)

    def _await_handler(self, result: Any, handler: Handler, event: Event) -> None:
        """An async handler returned an awaitable: only then is a task created."""
        if inspect.isawaitable(result):
            task = asyncio.ensure_future(result)
            self._tasks.add(task)
            task.add_done_callback(lambda t: self._handler_done(t, handler, event))

    def _handler_done(self, task: asyncio.Future[Any], handler: Handler, event: Event) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            exc = task.exception()
            assert exc is not None
            self._handler_failed(handler, event, exc)

    def _handler_failed(self, handler: Handler, event: Event, exc: BaseException) -> None:
        name = getattr(handler, "__qualname__", repr(handler))
        message = redact(f"handler {name} failed on a {event.name} event: {exc!r}")
        if isinstance(event, ErrorEvent) and event.where == "handler":
            log.error("%s", message)  # an error handler failing on its own report: stop here
            return
        channel = getattr(event, "channel", None)
        self._emit(ErrorEvent("handler", message, None, channel, exc))

    def _error(self, where: str, message: str, code: int | None = None, error: Any = None) -> None:
        self._emit(ErrorEvent(where, message, code, None, error))

    def _emit_frame(self, direction: str, frame: bytes) -> None:
        text = redact(frame.decode("utf-8", "replace"))
        self._emit(FrameEvent(direction, text, time.time()))  # type: ignore[arg-type]

    def _frame_hook(self) -> Callable[[str, bytes], None] | None:
        return self._emit_frame if self._frame_on else None

    def _spawn(self, coro: Awaitable[None]) -> asyncio.Task[None]:
        task: asyncio.Task[None] = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._task_done)
        return task

    def _task_done(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            exc = task.exception()
            self._error("internal", f"internal task failed: {exc!r}", error=exc)

    # ------------------------------------------------------------------ state
    def _set_state(self, state: ClientState) -> None:
        self.state = state
        waiters, self._waiters = self._waiters, []
        for waiter in waiters:
            if not waiter.done():
                waiter.set_result(None)

    async def _wait_connected(self, timeout: float | None, what: str) -> Connection:  # noqa: ASYNC109
        try:
            async with asyncio.timeout(timeout):
                while True:
                    conn = self._conn
                    if self.state is ClientState.CONNECTED and conn is not None:
                        return conn
                    if self.state is ClientState.DISCONNECTED:
                        if self._terminal is not None:
                            raise self._terminal
                        raise NotConnected(f"{what}: the client is not connected (call connect())")
                    waiter = asyncio.get_running_loop().create_future()
                    self._waiters.append(waiter)
                    await waiter
        except TimeoutError:
            raise CommandTimeout(f"{what}: not connected within {timeout:g}s") from None

    async def connect(self, timeout: float | None = None) -> None:  # noqa: ASYNC109
        """Connect, and wait until connected. Raises ConnectFailed on a terminal failure (3500-range
        codes, a token source saying unauthorized, 1009, a non-retryable connect error), or
        CommandTimeout after `timeout` seconds (the client keeps trying in the background)."""
        if self.state is ClientState.DISCONNECTED:
            self._closing = False
            self._terminal = None
            self.stopped = None
            self._attempt = 0
            self._set_state(ClientState.CONNECTING)
            self._emit(ConnectingEvent(CONNECT_CALLED, "connect called", 0, 0.0))
            self._run_task = asyncio.ensure_future(self._run())
        try:
            await self._wait_connected(timeout, "connect")
        except NotConnected as exc:
            if isinstance(exc, ConnectFailed):
                raise
            raise ConnectFailed(DISCONNECT_CALLED, "disconnect called while connecting") from None

    async def ready(self, timeout: float | None = None) -> None:  # noqa: ASYNC109
        """Wait until connected (default timeout: the client's `timeout`)."""
        await self._wait_connected(self.timeout if timeout is None else timeout, "ready")

    async def disconnect(self) -> None:
        """Close the connection and stop reconnecting. Subscriptions are kept (subscribing) and
        resubscribe on the next `connect()`."""
        if self.state is ClientState.DISCONNECTED and self._run_task is None:
            return
        self._closing = True
        conn = self._conn
        if conn is not None:
            conn.set_close(DISCONNECT_CALLED, "disconnect called", terminal=True)
            with contextlib.suppress(Exception):
                async with asyncio.timeout(1.0):
                    await conn.ws.close()
        task, self._run_task = self._run_task, None
        if task is not None and not task.done():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._stop(DISCONNECT_CALLED, "disconnect called", NotConnected("disconnect called"))

    async def __aenter__(self) -> Client:
        await self.connect()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.disconnect()

    def _stop(self, code: int, reason: str, error: CentrifugoError) -> None:
        if self.state is ClientState.DISCONNECTED:
            return
        self._cancel_refresh()
        self._terminal = error
        self.client_id = None
        log.debug("disconnected: %d %s", code, reason)
        self.stopped = (code, reason)
        self._set_state(ClientState.DISCONNECTED)
        self._emit(DisconnectedEvent(code, reason))
        self._subs_lost()
        for sub in (*self._subs.values(), *self._server_subs.values()):
            sub._wake()  # ready() waiters learn that no connection is coming

    def _subs_lost(self) -> None:
        """Send every subscription of a lost connection back to subscribing."""
        lost, self._lost = self._lost, None
        if lost is not None:
            for sub in (*self._subs.values(), *self._server_subs.values()):
                sub._transport_lost(*lost)

    # ------------------------------------------------------------------ connection loop
    async def _run(self) -> None:
        try:
            while True:
                code, reason, terminal, was_connected = await self._session()
                if self._closing:
                    return
                if terminal:
                    self._run_task = None
                    self._stop(code, reason, ConnectFailed(code, reason))
                    return
                if was_connected:
                    self._attempt = 0
                if code == 3014:
                    self._drop_state()
                elif code == 3005 and self._get_token is not None:
                    self._token = None  # expired: the old token would only earn a 109
                if len(self.urls) > 1:
                    self._url_index = (self._url_index + 1) % len(self.urls)
                    self.url = self.urls[self._url_index]
                if code == 109 and self._attempt == 0:
                    delay = 0.0  # a fresh token usually fixes this at once
                else:
                    delay = self._backoff.delay(self._attempt)
                self._attempt += 1
                log.debug(
                    "reconnecting to %s in %.2fs (attempt %d) after %d %s",
                    self.url,
                    delay,
                    self._attempt,
                    code,
                    reason,
                )
                self._set_state(ClientState.CONNECTING)
                self._emit(ConnectingEvent(code, reason, self._attempt, delay))
                self._subs_lost()
                await asyncio.sleep(delay)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # a bug must not leave the client hanging in "connecting"
            log.exception("client connection loop failed")
            self._run_task = None
            self._stop(
                BAD_PROTOCOL, f"internal error: {exc!r}", ConnectFailed(BAD_PROTOCOL, repr(exc))
            )

    def _drop_state(self) -> None:
        """3014: forget the token and every stream position."""
        if self._get_token is not None:
            self._token = None
        for sub in (*self._subs.values(), *self._server_subs.values()):
            if sub._get_token is not None:
                sub._token = None
            sub._drop_position()

    async def _session(self) -> tuple[int, str, bool, bool]:
        """One connection from token to close: (code, reason, terminal, was_connected)."""
        if self._token is None and self._get_token is not None:
            try:
                token = await fetch_token(self._get_token(), self.token_timeout, "connect")
            except Unauthorized as exc:
                return UNAUTHORIZED, str(exc) or "unauthorized by the token source", True, False
            except Exception as exc:
                self._error("token", f"getting a connection token failed: {exc}", error=exc)
                return TOKEN_FAILED, f"token failed: {exc}", False, False
            # None/empty means anonymous: connect without a token, ask again next time.
            self._token = token or None
        url = self.url
        try:
            ws = await ws_connect(
                url,
                additional_headers=self.headers or None,
                ssl=self._ssl if url.startswith("wss://") else None,
                open_timeout=self.timeout,
                ping_interval=None,  # the server's {} pings are watched instead
                close_timeout=1.0,
                max_size=MAX_MESSAGE_BYTES,
                max_queue=1024,
                compression=None,
                proxy=None,
                user_agent_header=f"cfgo-tui/{__version__}",
            )
        except InvalidURI as exc:
            return TRANSPORT_CLOSED, f"invalid URL {url}: {exc}", True, False
        except (OSError, TimeoutError, InvalidHandshake) as exc:
            message = f"cannot connect to {url}: {_open_failure(exc)}"
            if isinstance(exc, ssl_module.SSLCertVerificationError):
                message += (
                    " (the server's TLS certificate is not trusted: set `tls.ca_file` to the CA"
                    " that signed it)"
                )
            self._error("transport", message, error=exc)
            return TRANSPORT_CLOSED, message, False, False
        conn = Connection(ws, url)
        self._conn = conn
        conn.writer = asyncio.ensure_future(conn.write_loop(self._frame_hook))
        req: dict[str, Any] = {}
        if self._token:
            req["token"] = self._token
        if self.data is not None:
            req["data"] = self.data
        if self.name:
            req["name"] = self.name
        if self.version:
            req["version"] = self.version
        subs = {
            channel: {"recover": True, "offset": sub._offset, "epoch": sub._epoch}
            for channel, sub in self._server_subs.items()
            if sub._recover and sub._epoch is not None
        }
        if subs:
            req["subs"] = subs
        conn.command(
            "connect", req, lambda reply: self._on_connect_reply(conn, reply), self.timeout
        )
        try:
            await self._read(conn)
        finally:
            # Read before the teardown clears it: a connection that got as far as `connected`
            # resets the backoff, so a drop after hours connected reconnects at the minimum delay.
            was_connected = conn.connected
            self._teardown(conn)
        code = conn.close_code
        if code is not None:
            return code, conn.close_reason, conn.terminal, was_connected
        code = ws.close_code if ws.close_code is not None else 1006
        reason = ws.close_reason or describe(code).name
        return code, reason, not reconnects(code), was_connected

    def _teardown(self, conn: Connection) -> None:
        was_connected = conn.connected
        conn.connected = False
        if conn.ping_handle is not None:
            conn.ping_handle.cancel()
        if conn.writer is not None:
            conn.writer.cancel()
        if self._conn is conn:
            self._conn = None
        self._cancel_refresh()
        if conn.close_code is not None:
            code, reason = conn.close_code, conn.close_reason
        else:
            code = conn.ws.close_code if conn.ws.close_code is not None else 1006
            reason = conn.ws.close_reason or describe(code).name
        # Name the close code: a command that got 1009 must say "message too big", not only that
        # the connection went away.
        info = describe(code)
        conn.fail_all(
            NotConnected(
                f"the connection was lost before the reply arrived ({code} {info.name}: "
                f"{reason}). {info.hint}".strip()
            )
        )
        if was_connected:
            # Reported after the client's own connecting/disconnected event (as the reference
            # SDKs order them): see _subs_lost.
            self._lost = (code, reason)
        if not self._closing and self.state is ClientState.CONNECTED:
            self._set_state(ClientState.CONNECTING)

    async def _read(self, conn: Connection) -> None:
        """The hot path: one frame -> decode -> dispatch, inline."""
        recv = conn.ws.recv
        clock = conn.loop.time
        routes = self._routes
        resolve = conn.resolve
        try:
            while True:
                frame = await recv(decode=False)
                conn.last_rx = clock()
                if self._frame_on:
                    self._emit_frame("in", frame)
                try:
                    replies = decode_frame(frame)
                except DecodeError as exc:
                    self._error("decode", str(exc), error=exc)
                    conn.abort(BAD_PROTOCOL, "bad protocol: undecodable frame", terminal=False)
                    return
                now = time.time()
                for reply in replies:
                    try:
                        push = reply.get("push")
                        if push is not None:
                            pub = push.get("pub")
                            if pub is not None:
                                sub = routes.get(push.get("channel"))
                                if sub is not None:
                                    sub._on_publication(pub, now)
                            else:
                                self._on_push(conn, push, now)
                            continue
                        cid = reply.get("id")
                        if cid:
                            resolve(cid, reply)
                        elif conn.pong:
                            conn.queue(b"{}")
                    except Exception as exc:
                        # A reply or push of the wrong shape: the connection's state can no
                        # longer be trusted (a half-applied connect reply would hang it), so
                        # report it and start over on a new connection.
                        log.exception("dispatch failed")
                        shown = _shorten(repr(reply))
                        self._error(
                            "dispatch", redact(f"could not handle {shown}: {exc!r}"), error=exc
                        )
                        conn.abort(BAD_PROTOCOL, "bad protocol: malformed reply", terminal=False)
                        return
        except ConnectionClosed as exc:
            if exc.sent is not None and exc.sent.code == 1009 and exc.rcvd_then_sent is not True:
                # websockets refused an incoming frame above max_size and closed with 1009.
                message = f"the server sent a frame larger than {MAX_MESSAGE_BYTES} bytes"
                self._error("transport", message, 1009, error=exc)
                conn.set_close(TRANSPORT_CLOSED, message, terminal=False)
            return

    def _on_push(self, conn: Connection, push: dict[str, Any], now: float) -> None:
        channel = push.get("channel", "")
        if "join" in push or "leave" in push:
            sub = self._routes.get(channel)
            is_join = "join" in push
            info = client_info((push["join"] if is_join else push["leave"]).get("info") or {})
            event: Event = JoinEvent(channel, info) if is_join else LeaveEvent(channel, info)
            if sub is not None:
                sub._emit(event)
            else:
                self._emit(event)
        elif "message" in push:
            self._emit(MessageEvent(push["message"].get("data")))
        elif "unsubscribe" in push:
            sub = self._routes.get(channel)
            body = push["unsubscribe"]
            code = int(body.get("code", 0))
            reason = str(body.get("reason", "")) or describe(code).name
            if sub is None:
                return
            if sub.server_side:
                self._server_subs.pop(channel, None)
            sub._server_unsubscribed(code, reason)
        elif "subscribe" in push:
            sub = self._server_sub(channel)
            sub._on_subscribed(push["subscribe"] or {})
        elif "disconnect" in push:
            body = push["disconnect"]
            code = int(body.get("code", 0))
            reason = str(body.get("reason", "")) or describe(code).name
            terminal = not body.get("reconnect", reconnects(code))
            conn.abort(code, reason, terminal=terminal)
        elif not push.keys() & _QUIET_PUSHES:
            # A newer server may add push kinds: say so, keep the connection.
            self._error("protocol", redact(f"unknown push ignored: {push!r}"))

    def _server_sub(self, channel: str) -> Subscription:
        sub = self._server_subs.get(channel)
        if sub is None:
            sub = Subscription(self, channel, server_side=True)
            sub.state = SubscriptionState.SUBSCRIBING
            self._server_subs[channel] = sub
        return sub

    def _on_connect_reply(self, conn: Connection, reply: dict[str, Any] | CentrifugoError) -> None:
        if isinstance(reply, CentrifugoError):
            if isinstance(reply, CommandTimeout):
                self._error("connect", str(reply), error=reply)
                conn.abort(TRANSPORT_CLOSED, "connect timeout", terminal=False)
            return
        err = reply.get("error")
        if err is not None:
            code = int(err.get("code", 0))
            message = str(err.get("message", ""))
            error = ReplyError(code, message, bool(err.get("temporary", False)))
            self._error("connect", str(error), code, error)
            if code == 109 and self._get_token is not None:
                self._token = None
                conn.abort(code, message, terminal=False)
            else:
                conn.abort(code, message, terminal=not (error.temporary or code < 100))
            return
        res = reply.get("connect") or {}
        conn.connected = True
        conn.pong = bool(res.get("pong", False))
        self.client_id = str(res.get("client", ""))
        self.server_version = str(res.get("version", ""))
        expires = bool(res.get("expires", False))
        ttl = int(res.get("ttl", 0))
        self._set_state(ClientState.CONNECTED)
        log.debug("connected to %s as %s", conn.url, self.client_id)
        ping = int(res.get("ping", 0))
        self._emit(
            ConnectedEvent(
                self.client_id, self.server_version, expires, ttl, res.get("data"), conn.url, ping
            )
        )
        if ping:
            conn.ping_limit = float(ping) + self.max_server_ping_delay
            conn.ping_handle = conn.loop.call_later(conn.ping_limit, self._check_ping, conn)
        if expires:
            self._schedule_refresh(ttl)
        server_subs = res.get("subs") or {}
        for channel in list(self._server_subs):
            if channel not in server_subs:
                gone = self._server_subs.pop(channel)
                gone._set_unsubscribed(
                    TRANSPORT_CLOSED, "the server did not resubscribe it after reconnecting"
                )
        for channel, result in server_subs.items():
            self._server_sub(channel)._on_subscribed(result or {})
        for sub in list(self._subs.values()):
            sub._start()

    def _check_ping(self, conn: Connection) -> None:
        if conn is not self._conn or not conn.connected:
            return
        idle = conn.loop.time() - conn.last_rx
        if idle >= conn.ping_limit:
            self._error(
                "transport",
                f"no ping from the server for {idle:.1f}s "
                f"(limit {conn.ping_limit:g}s): reconnecting",
                NO_PING,
            )
            conn.abort(NO_PING, "no ping", terminal=False)
        else:
            conn.ping_handle = conn.loop.call_later(conn.ping_limit - idle, self._check_ping, conn)

    # ------------------------------------------------------------------ connection token refresh
    def _cancel_refresh(self) -> None:
        if self._refresh_handle is not None:
            self._refresh_handle.cancel()
            self._refresh_handle = None
        if self._refresh_task is not None and not self._refresh_task.done():
            self._refresh_task.cancel()
        self._refresh_task = None

    def _schedule_refresh(self, ttl: float, delay: float | None = None) -> None:
        self._cancel_refresh()
        wait = refresh_delay(ttl) if delay is None else delay
        self._refresh_handle = asyncio.get_running_loop().call_later(wait, self._start_refresh)

    def _start_refresh(self) -> None:
        self._refresh_handle = None
        self._refresh_task = self._spawn(self._refresh())

    async def _refresh(self) -> None:
        conn = self._conn
        if conn is None:
            return
        if self._get_token is None:
            self._error(
                "refresh",
                "the connection token expires and there is no get_token to refresh it: the "
                "server will close the connection (3005)",
            )
            return
        try:
            token = await fetch_token(self._get_token(), self.token_timeout, "refresh")
        except Unauthorized as exc:
            conn.abort(UNAUTHORIZED, str(exc) or "unauthorized by the token source", terminal=True)
            return
        except Exception as exc:
            self._error("refresh", f"getting a connection token failed: {exc}", error=exc)
            self._schedule_refresh(0, self._backoff.delay(3))
            return
        if not token:
            conn.abort(UNAUTHORIZED, "the token source returned an empty token", terminal=True)
            return
        self._token = token
        try:
            res = await self._call("refresh", {"token": token})
        except ReplyError as exc:
            self._error("refresh", str(exc), exc.code, exc)
            if exc.temporary or exc.code < 100:
                self._schedule_refresh(0, self._backoff.delay(3))
            else:
                self._token = None
                conn.abort(exc.code, exc.message, terminal=False)
            return
        except (CommandTimeout, NotConnected) as exc:
            self._error("refresh", str(exc), error=exc)
            if self._conn is conn:
                self._schedule_refresh(0, self._backoff.delay(3))
            return
        expires = bool(res.get("expires", False))
        ttl = int(res.get("ttl", 0))
        self._emit(RefreshEvent(None, expires, ttl))
        if expires and self._conn is conn:
            self._schedule_refresh(ttl)

    # ------------------------------------------------------------------ commands
    async def _call(
        self,
        method: str,
        params: dict[str, Any],
        timeout: float | None = None,  # noqa: ASYNC109
    ) -> dict[str, Any]:
        limit = self.timeout if timeout is None else timeout
        loop = asyncio.get_running_loop()
        deadline = loop.time() + limit
        conn = self._conn
        if self.state is not ClientState.CONNECTED or conn is None:
            conn = await self._wait_connected(limit, method)
        future: asyncio.Future[dict[str, Any]] = loop.create_future()
        cid = conn.command(
            method,
            params,
            lambda reply: _resolve_future(future, reply),
            max(0.001, deadline - loop.time()),
        )
        try:
            reply = await future
        except asyncio.CancelledError:
            conn.forget(cid)
            raise
        err = reply.get("error")
        if err is not None:
            raise ReplyError(
                int(err.get("code", 0)),
                str(err.get("message", "")),
                bool(err.get("temporary", False)),
                method,
            )
        result: dict[str, Any] = reply.get(method) or {}
        return result

    def new_subscription(
        self,
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
    ) -> Subscription:
        """A new (unsubscribed) subscription; call `subscribe()` on it."""
        _check_channel(channel)
        existing = self._subs.get(channel)
        if existing is not None:
            raise ValueError(
                f"a subscription to {channel!r} already exists: use client.subscriptions()"
                f"[{channel!r}] or remove_subscription() first"
            )
        sub = Subscription(
            self,
            channel,
            token=token,
            get_token=get_token,
            recoverable=recoverable,
            positioned=positioned,
            join_leave=join_leave,
            delta=delta,
            since=since,
            data=data,
        )
        self._subs[channel] = sub
        return sub

    async def subscribe(
        self,
        channel: str,
        *,
        timeout: float | None = None,  # noqa: ASYNC109
        **options: Any,
    ) -> Subscription:
        """Create (or reuse) a subscription, subscribe and wait until subscribed.

        Raises SubscriptionFailed (with the code's name and hint) if the server refuses."""
        sub = self._subs.get(channel)
        if sub is None:
            sub = self.new_subscription(channel, **options)
        elif options:
            raise ValueError(
                f"a subscription to {channel!r} already exists; options cannot be changed"
            )
        await sub.subscribe()
        try:
            await sub.ready(timeout)
        except SubscriptionFailed:
            raise
        return sub

    async def remove_subscription(self, sub: Subscription) -> None:
        """Unsubscribe and forget a client-side subscription."""
        await sub.unsubscribe()
        if self._subs.get(sub.channel) is sub:
            del self._subs[sub.channel]

    def subscriptions(self) -> dict[str, Subscription]:
        """Every subscription by channel; server-side ones have `server_side=True`."""
        return {**self._server_subs, **self._subs}

    async def publish(self, channel: str, data: Any) -> None:
        _check_channel(channel)
        await self._call("publish", {"channel": channel, "data": data})

    async def presence(self, channel: str) -> dict[str, ClientInfo]:
        _check_channel(channel)
        res = await self._call("presence", {"channel": channel})
        return {cid: client_info(info) for cid, info in (res.get("presence") or {}).items()}

    async def presence_stats(self, channel: str) -> PresenceStats:
        _check_channel(channel)
        res = await self._call("presence_stats", {"channel": channel})
        return PresenceStats(int(res.get("num_clients", 0)), int(res.get("num_users", 0)))

    async def history(
        self,
        channel: str,
        limit: int = 100,
        since: StreamPosition | None = None,
        reverse: bool = False,
    ) -> HistoryResult:
        """A page of history. `limit` 0 returns only the stream top; -1 the server's maximum."""
        _check_channel(channel)
        req: dict[str, Any] = {"channel": channel, "limit": int(limit)}
        if since is not None:
            req["since"] = {"offset": since.offset, "epoch": since.epoch}
        if reverse:
            req["reverse"] = True
        res = await self._call("history", req)
        now = time.time()
        pubs = [
            publication_event(channel, pub, pub.get("data"), False, now)
            for pub in res.get("publications") or ()
        ]
        return HistoryResult(channel, pubs, int(res.get("offset", 0)), str(res.get("epoch", "")))

    async def rpc(self, method: str, data: Any = None) -> Any:
        """Call a server RPC method (needs an RPC proxy in Centrifugo OSS, else 104)."""
        res = await self._call("rpc", {"method": method, "data": data if data is not None else {}})
        return res.get("data")

    async def send(self, data: Any) -> None:
        """Fire-and-forget `send` (Centrifugo OSS without a proxy closes with 3508)."""
        conn = self._conn
        if self.state is not ClientState.CONNECTED or conn is None:
            conn = await self._wait_connected(self.timeout, "send")
        conn.queue(orjson.dumps({"send": {"data": data}}))

    async def ping(self) -> float:
        """Round-trip time in seconds, measured with a WebSocket ping frame."""
        conn = self._conn
        if self.state is not ClientState.CONNECTED or conn is None:
            conn = await self._wait_connected(self.timeout, "ping")
        loop = asyncio.get_running_loop()
        start = loop.time()
        try:
            async with asyncio.timeout(self.timeout):
                waiter = await conn.ws.ping()
                await waiter
        except TimeoutError:
            raise CommandTimeout(f"ping: no pong within {self.timeout:g}s") from None
        except ConnectionClosed:
            raise NotConnected("ping: the connection closed") from None
        return loop.time() - start


def _shorten(text: str, limit: int = 400) -> str:
    """A hostile reply can be megabytes: an error message quotes its start only."""
    if len(text) <= limit:
        return text
    return f"{text[:limit]}... ({len(text):,} characters)"


def _check_channel(channel: str) -> None:
    if not isinstance(channel, str) or not channel:
        raise ValueError(f"channel must be a non-empty string, got {channel!r}")


def _open_failure(exc: BaseException) -> str:
    """Why the WebSocket could not be opened, worded for people: asyncio's "[Errno 111] Connect
    call failed ('127.0.0.1', 1)" says "connection refused". TLS errors keep their own text
    (their errno is not a system error number)."""
    if isinstance(exc, socket.gaierror) and exc.strerror:
        return f"cannot resolve the host: {exc.strerror.lower()}"
    if isinstance(exc, OSError) and not isinstance(exc, ssl_module.SSLError):
        number = exc.errno
        if number is not None and number in errno.errorcode:
            return os.strerror(number).lower()
    return str(exc) or type(exc).__name__
