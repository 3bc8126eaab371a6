"""What the server-backed config tests share: connecting a client built from a profile."""

from __future__ import annotations

from cfgo_tui.config import Profile
from cfgo_tui.config.factory import make_client


async def connected_client_id(profile: Profile) -> str:
    """Connect the client `make_client(profile)` builds, disconnect it, and return the client id
    the server gave it (the proof the server accepted everything the profile sent)."""
    client = make_client(profile)
    try:
        await client.connect(timeout=5)
        assert client.client_id, "connected without a client id"
        return client.client_id
    finally:
        await client.disconnect()
