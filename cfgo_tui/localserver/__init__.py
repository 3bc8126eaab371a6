"""Local Centrifugo and Redis processes for tests, benchmarks and `cfgo-tui demo`.

Headless: no Textual, no Rich. Every process started here is tied to its parent (it dies with
it on Linux) and registered for cleanup at interpreter exit, so a failing test leaves no strays.
"""

from cfgo_tui.localserver.binary import CentrifugoNotFound, find_centrifugo
from cfgo_tui.localserver.centrifugo import (
    CentrifugoServer,
    ServerStartError,
    config_path,
    derive_config,
)
from cfgo_tui.localserver.ports import free_port
from cfgo_tui.localserver.redis import RedisServer
from cfgo_tui.localserver.token_endpoint import TokenEndpoint

__all__ = [
    "CentrifugoNotFound",
    "CentrifugoServer",
    "RedisServer",
    "ServerStartError",
    "TokenEndpoint",
    "config_path",
    "derive_config",
    "find_centrifugo",
    "free_port",
]
