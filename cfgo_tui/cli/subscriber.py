"""Channel calls (history, presence, publish) that work in every namespace: many namespaces
allow them only to subscribers (`allow_*_for_subscriber`) or are `$` token channels, so a 103
(permission denied) is answered by subscribing first and asking again."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import TYPE_CHECKING, TypeVar

from cfgo_tui.cli.common import channel_spec, connected_client
from cfgo_tui.client.errors import ReplyError
from cfgo_tui.config.factory import subscribe_options
from cfgo_tui.config.models import Profile

if TYPE_CHECKING:
    from cfgo_tui.client.client import Client

T = TypeVar("T")


class ChannelCaller:
    """`await caller(fn)`: `fn(client)`, and on 103 subscribe to the channel, then once more."""

    def __init__(self, profile: Profile, client: Client, channel: str) -> None:
        self.profile = profile
        self.client = client
        self.channel = channel

    async def __call__(self, fn: Callable[[Client], Awaitable[T]]) -> T:
        try:
            return await fn(self.client)
        except ReplyError as error:
            if error.code != 103 or self.channel in self.client.subscriptions():
                raise
        spec = channel_spec(self.profile, self.channel, recover=False)
        options = subscribe_options(self.profile, spec, self.client)
        await self.client.subscribe(self.channel, **options)
        return await fn(self.client)


@contextlib.asynccontextmanager
async def as_subscriber(profile: Profile, channel: str) -> AsyncIterator[ChannelCaller]:
    async with connected_client(profile) as client:
        yield ChannelCaller(profile, client, channel)
