"""Fixtures for client tests: `make_client` builds clients that are disconnected at teardown."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from client_helpers import mint

from cfgo_tui.client import Client
from cfgo_tui.localserver import CentrifugoServer


@pytest.fixture
async def make_client(centrifugo: CentrifugoServer) -> AsyncIterator[Callable[..., Client]]:
    clients: list[Client] = []

    def factory(
        user: str = "alice", server: CentrifugoServer | None = None, **kwargs: Any
    ) -> Client:
        srv = server or centrifugo
        if "token" not in kwargs and "get_token" not in kwargs:
            kwargs["token"] = mint(srv, user)
        client = Client(srv.ws_url, **kwargs)
        clients.append(client)
        return client

    yield factory
    for client in clients:
        await client.disconnect()
