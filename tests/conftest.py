"""Fixtures: a real Centrifugo v6.9.1 (and Redis) per session or per test.

`centrifugo` is shared by the whole session (tests use unique channel names); `fresh_centrifugo`
is a private server for tests that stop, kill, pause or restart it. Both are stopped at teardown,
also when the test fails; `cfgo_tui.localserver` kills strays at interpreter exit.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from cfgo_tui.localserver import CentrifugoServer, RedisServer


@pytest.fixture(scope="session")
def centrifugo() -> Iterator[CentrifugoServer]:
    server = CentrifugoServer("test")
    try:
        server.start()
        yield server
    finally:
        server.close()


@pytest.fixture
def fresh_centrifugo() -> Iterator[CentrifugoServer]:
    server = CentrifugoServer("test")
    try:
        server.start()
        yield server
    finally:
        server.close()


@pytest.fixture
def redis_server() -> Iterator[RedisServer]:
    with RedisServer() as redis:
        yield redis


@pytest.fixture
def unique() -> str:
    """A short unique suffix for channel names on the shared server."""
    return uuid.uuid4().hex[:10]
