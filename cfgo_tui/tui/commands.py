"""Command palette (ctrl+p): channels to open or subscribe, and the app's actions."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from textual.command import DiscoveryHit, Hit, Hits, Provider

if TYPE_CHECKING:
    from cfgo_tui.tui.app import CfgoApp


class ChannelCommands(Provider):
    """ "open chat:room" for every known channel, "subscribe X" for discovered ones."""

    def _entries(self) -> list[tuple[str, str, object]]:
        app: CfgoApp = self.app  # type: ignore[assignment]
        entries: list[tuple[str, str, object]] = [
            (
                "open all channels",
                "show every channel's messages",
                partial(app.select_channel, None),
            )
        ]
        for name in app.store.channels:
            entries.append(
                (f"open {name}", "show this channel's messages", partial(app.select_channel, name))
            )
        for name in app.discovered:
            if name not in app.store.channels:
                entries.append(
                    (
                        f"subscribe {name}",
                        "discovered over the server API",
                        partial(app.open_subscribe, name),
                    )
                )
        return entries

    async def discover(self) -> Hits:
        for title, help_text, callback in self._entries():
            yield DiscoveryHit(title, callback, help=help_text)  # type: ignore[arg-type]

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, help_text, callback in self._entries():
            score = matcher.match(title)
            if score > 0:
                yield Hit(score, matcher.highlight(title), callback, help=help_text)  # type: ignore[arg-type]
