"""The bridge between the client session and the app: events into the store, intents out.

`Bridge.run()` is awaited by the app's session worker on the UI loop: it registers the store as
the `"*"` handler (a plain sync call per event, no Textual call, no message post), connects,
subscribes the profile's channels and measures RTT. Every user intent (subscribe, publish,
presence, history, discovery) is a method here, so widgets never touch the client.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
from collections.abc import Callable
from typing import Any

from cfgo_tui.client.codes import explain
from cfgo_tui.client.errors import CentrifugoError
from cfgo_tui.client.events import HistoryResult
from cfgo_tui.store import ChannelError, Store, SubscribeOptions
from cfgo_tui.tui.session import AppOptions, ServerApi, Session, SubTokenGetter

SubTokenFactory = Callable[[str], SubTokenGetter | None]


def error_text(error: BaseException) -> str:
    """A one-line explanation of an error: the code's name and hint when there is a code."""
    code = getattr(error, "code", None)
    if isinstance(code, int):
        message = getattr(error, "message", None) or getattr(error, "reason", None) or ""
        # The failed command, when known, makes the hint specific (108 on presence vs history).
        return explain(code, str(message), getattr(error, "method", None) or None)
    return str(error) or type(error).__name__


async def _maybe_await(value: Any) -> Any:
    if inspect.isawaitable(value):
        return await value
    return value


class Bridge:
    def __init__(
        self,
        session: Session,
        store: Store,
        options: AppOptions,
        *,
        api: ServerApi | None = None,
        sub_tokens: SubTokenFactory | None = None,
        expand: Callable[[str], str] | None = None,
    ) -> None:
        self.session = session
        self.expand = expand or (lambda name: name)
        self.store = store
        self.options = options
        self.api = api
        self.sub_tokens = sub_tokens
        self.subscriptions: dict[str, Any] = {}
        self._started = False
        self._background: set[asyncio.Future[None]] = set()

    # lifecycle
    async def run(self) -> None:
        """Connect and keep measuring RTT until cancelled (the app's worker owns this task)."""
        if not self._started:
            self.session.on("*", self.store.apply)
            self._started = True
        try:
            await self.session.connect()
        except CentrifugoError as error:
            self.store.note(
                "error", f"connect failed: {error_text(error)}", code=getattr(error, "code", None)
            )
            return
        for channel, channel_options in self.options.channels:
            try:
                name = self.expand(channel)
            except ValueError as error:
                self.store.note("error", f"channel {channel}: {error}")
                continue
            await self.subscribe(name, channel_options)
        while True:
            await self.measure_rtt()
            await asyncio.sleep(self.options.ping_interval)  # a period, not a wait for an event

    async def measure_rtt(self) -> None:
        try:
            rtt = await self.session.ping()
        except (CentrifugoError, OSError, TimeoutError):
            self.store.set_rtt(None)
        else:
            self.store.set_rtt(rtt)

    async def close(self) -> None:
        with contextlib.suppress(CentrifugoError, OSError):
            await self.session.disconnect()
        aclose = getattr(self.api, "aclose", None)
        if aclose is not None:
            with contextlib.suppress(Exception):  # closing the HTTP pool must not block exit
                await aclose()

    # subscriptions
    def _token_getter(self, channel: str) -> SubTokenGetter | None:
        if self.sub_tokens is None:
            return None
        inner = self.sub_tokens(channel)
        if inner is None:
            return None
        store = self.store

        async def get_token(for_channel: str) -> str:
            token = await inner(for_channel)
            store.channel(channel).used_token = token  # kept to explain a refusal
            return token

        return get_token

    async def subscribe(self, channel: str, options: SubscribeOptions | None = None) -> None:
        """Subscribe (or resubscribe) `channel`; failures show on the channel, not as a raise."""
        options = options or SubscribeOptions()
        state = self.store.channel(channel, options)
        state.error = None
        old = self.subscriptions.pop(channel, None)
        if old is not None:
            await self._forget(old)
        try:
            sub = self.session.new_subscription(
                channel,
                get_token=self._token_getter(channel),
                recoverable=options.recover,
                positioned=options.positioned or options.recover,
                join_leave=options.join_leave,
                delta="fossil" if options.delta else None,
            )
        except (CentrifugoError, ValueError) as error:
            state.error = ChannelError(getattr(error, "code", 0) or 0, str(error))
            self.store.note("error", f"{channel}: {error_text(error)}", channel=channel)
            return
        self.subscriptions[channel] = sub
        self.store.channels_version += 1
        await self._quiet(sub.subscribe())

    async def unsubscribe(self, channel: str, *, forget: bool = True) -> None:
        sub = self.subscriptions.pop(channel, None)
        if sub is not None:
            await self._forget(sub)
        if forget:
            self.store.remove_channel(channel)

    async def _forget(self, sub: Any) -> None:
        """Unsubscribe and drop the client's subscription so the channel can be added again."""
        remove = getattr(self.session, "remove_subscription", None)
        await self._quiet(remove(sub) if remove is not None else sub.unsubscribe())

    async def _quiet(self, call: Any) -> None:
        """Run a subscription call whose outcome arrives as events (errors are in the store)."""
        try:
            await _maybe_await(call)
        except CentrifugoError as error:
            self.store.note("error", error_text(error), code=getattr(error, "code", None))

    # one-shot requests: the caller shows the answer
    async def load_presence(self, channel: str) -> tuple[int, int]:
        """Fetch presence and presence_stats into the store; returns (clients, users)."""
        presence = await self.session.presence(channel)
        stats = await self.session.presence_stats(channel)
        self.store.set_presence(channel, presence)
        return stats.num_clients, stats.num_users

    async def history(
        self,
        channel: str,
        *,
        limit: int,
        since: Any = None,
        reverse: bool = False,
    ) -> HistoryResult:
        return await self.session.history(channel, limit=limit, since=since, reverse=reverse)

    async def publish(self, channel: str, data: Any, *, via_api: bool) -> str:
        """Publish and describe the answer; raises with the server's error for the form to show."""
        if via_api:
            if self.api is None:
                raise CentrifugoError(
                    "this profile has no API key: add `api.key` to publish via the server API"
                )
            result = await self.api.publish(channel, data)
            offset = getattr(result, "offset", None)
            answer = f"ok via API (offset {offset})" if offset else "ok via API"
        else:
            try:
                await self.session.publish(channel, data)
            except CentrifugoError:
                self._reconnect_after_oversize()
                raise
            answer = "ok"
        self.store.note("info", f"published to {channel}: {answer}", channel=channel)
        return answer

    def _reconnect_after_oversize(self) -> None:
        """A publication above the server's frame limit gets close 1009, which stops the client
        (terminal: the same frame would fail again). That frame was this publication and is not
        sent again: connect anew, and the subscriptions recover what came in between."""
        conn = self.store.connection
        if conn.state != "disconnected" or conn.code != 1009:
            return
        self.store.note("info", "the publication was too big for the server (1009): reconnecting")
        task = asyncio.ensure_future(self._connect_again())
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    async def _connect_again(self) -> None:
        try:
            await self.session.connect()
        except CentrifugoError as error:
            self.store.note(
                "error", f"connect failed: {error_text(error)}", code=getattr(error, "code", None)
            )

    async def discover(self, pattern: str = "") -> list[tuple[str, int]]:
        """Channels the server knows about (API `channels`): (name, num_clients), sorted."""
        if self.api is None:
            return []
        result = await self.api.channels(pattern)
        channels = getattr(result, "channels", result)
        found: list[tuple[str, int]] = []
        if isinstance(channels, dict):
            for name, info in channels.items():
                clients = info if isinstance(info, int) else getattr(info, "num_clients", None)
                if clients is None and isinstance(info, dict):
                    clients = info.get("num_clients", 0)
                found.append((str(name), int(clients or 0)))
        return sorted(found)
