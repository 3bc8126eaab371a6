"""The demo's channels (namespaces in `cfgo_tui/localserver/configs/demo.json`) and its user."""

from __future__ import annotations

CHAT = "chat:lobby"  # users join, talk and leave: presence, join/leave
TICKER = "ticker:prices"  # a steady stream published over the server API
VAULT = "$vault:ops"  # private: subscription tokens from the local token endpoint
ARCHIVE = "archive:log"  # a long history to page through

DEMO_CHANNELS: tuple[str, ...] = (CHAT, TICKER, VAULT, ARCHIVE)
DEMO_USER = "demo"  # the user the app connects as (the token endpoint mints for it)
ARCHIVE_BACKFILL = 300  # publications in the archive before the app opens
