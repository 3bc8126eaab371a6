"""Network probes below the Centrifugo protocol, for `cfgo-tui doctor`: does the host resolve,
does the port accept TCP, does the WebSocket upgrade succeed at the URL's path."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import ssl
from dataclasses import dataclass
from urllib.parse import urlsplit

from websockets.asyncio.client import connect as ws_connect
from websockets.exceptions import InvalidHandshake, InvalidStatus, InvalidURI


@dataclass(frozen=True, slots=True)
class Endpoint:
    host: str
    port: int
    secure: bool

    @classmethod
    def from_url(cls, url: str) -> Endpoint:
        parts = urlsplit(url)
        secure = parts.scheme in ("wss", "https")
        return cls(parts.hostname or "", parts.port or (443 if secure else 80), secure)


class ProbeFailed(Exception):
    """`step` is the probe (dns, tcp, websocket); `reason` what happened; `cause` and `fix` what
    it likely means and what to change; `status` the HTTP status of a refused upgrade."""

    def __init__(
        self, step: str, reason: str, cause: str, fix: str, status: int | None = None
    ) -> None:
        super().__init__(reason)
        self.step = step
        self.reason = reason
        self.cause = cause
        self.fix = fix
        self.status = status


async def resolve(endpoint: Endpoint, limit: float) -> list[str]:
    """The addresses `endpoint.host` resolves to (within `limit` seconds)."""
    loop = asyncio.get_running_loop()
    try:
        async with asyncio.timeout(limit):
            infos = await loop.getaddrinfo(endpoint.host, endpoint.port, type=socket.SOCK_STREAM)
    except (OSError, TimeoutError) as error:
        raise ProbeFailed(
            "dns",
            f"{endpoint.host} does not resolve ({_reason(error)})",
            "the host name in the profile's `url` is unknown to DNS (typo, VPN, /etc/hosts)",
            "fix the host in the profile's `url`",
        ) from None
    return sorted({str(info[4][0]) for info in infos})


async def tcp_connect(endpoint: Endpoint, limit: float) -> None:
    try:
        async with asyncio.timeout(limit):
            _, writer = await asyncio.open_connection(endpoint.host, endpoint.port)
    except (OSError, TimeoutError) as error:
        raise ProbeFailed(
            "tcp",
            f"{endpoint.host}:{endpoint.port} does not accept connections ({_reason(error)})",
            "nothing listens on that port (Centrifugo not running, another port, a firewall)",
            "start Centrifugo or fix the port in the profile's `url` (server: "
            "`http_server.port`, default 8000)",
        ) from None
    writer.close()
    # The check was the connect; how the socket closes does not matter.
    with contextlib.suppress(OSError):
        await writer.wait_closed()


async def websocket_upgrade(
    url: str,
    *,
    headers: dict[str, str],
    ssl_context: ssl.SSLContext | None,
    limit: float,
) -> None:
    """Open and close a WebSocket at `url`: proves the path and the upgrade, not the protocol."""
    try:
        async with (
            asyncio.timeout(limit),
            ws_connect(
                url,
                additional_headers=headers or None,
                ssl=ssl_context if url.startswith("wss://") else None,
                proxy=None,
                open_timeout=limit,
            ) as ws,
        ):
            await ws.close()
    except InvalidStatus as error:
        status = error.response.status_code
        if status == 404:
            raise ProbeFailed(
                "websocket",
                f"HTTP {status}: no WebSocket endpoint at this path",
                "the path is not Centrifugo's WebSocket handler",
                "end the profile's `url` with /connection/websocket (the server's "
                "`websocket.handler_prefix`)",
                status,
            ) from None
        if status == 403:
            raise ProbeFailed(
                "websocket",
                f"HTTP {status}: upgrade refused",
                "the server's origin check refused the request (an `Origin` header was sent), or "
                "a proxy in front of it did",
                "add the origin to the server's `client.allowed_origins`, or drop `Origin` from "
                "the profile's `headers`",
                status,
            ) from None
        raise ProbeFailed(
            "websocket",
            f"HTTP {status}: the server refused the WebSocket upgrade",
            "something other than Centrifugo answers at this URL, or a proxy blocks upgrades",
            "check the profile's `url` and any proxy between you and the server",
            status,
        ) from None
    except (InvalidHandshake, InvalidURI, OSError, TimeoutError) as error:
        tls = isinstance(error, ssl.SSLError)
        raise ProbeFailed(
            "websocket",
            f"WebSocket upgrade failed ({_reason(error)})",
            "the TLS certificate is not trusted"
            if tls
            else "the server did not complete a WebSocket handshake",
            "set `tls.ca_file` to the CA that signed the server's certificate"
            if tls
            else "check the profile's `url` (ws:// vs wss://, host, port, path)",
        ) from None


def _reason(error: BaseException) -> str:
    if isinstance(error, TimeoutError):
        return "timed out"
    if isinstance(error, OSError) and error.strerror:
        return error.strerror
    return str(error) or type(error).__name__
