"""A small local token endpoint, like the one an application backend would run.

`POST /connection-token` (empty body) -> `{"token": <connection JWT for `user`>}`;
`POST /subscription-token` with `{"channel", "client"}` -> `{"token": <subscription JWT>}`,
or HTTP 403 for channels in `refuse` (to show "not allowed" end to end); `POST /connect-proxy`
answers Centrifugo's connect proxy (`client.proxy.connect`) with `{"result": {"user": user}}`,
so a server can hand it the upgrade request's headers it forwards. Used by `cfgo-tui demo`
and by tests; it runs in a daemon thread so sync and async callers can both use it.

Every JSON request is recorded: `requests[i]` is its path and body, `request_headers[i]` its
HTTP headers (names lower-cased, as HTTP compares them).
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Collection
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any

import jwt


class TokenEndpoint:
    def __init__(
        self,
        secret: str,
        *,
        user: str,
        ttl: int = 3600,
        refuse: Collection[str] = (),
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        self.secret = secret
        self.user = user
        self.ttl = ttl
        self.refuse = set(refuse)
        self.requests: list[dict[str, Any]] = []  # what was asked, for tests to read
        self.request_headers: list[dict[str, str]] = []  # and with which headers, same order
        # Requests are handled in threads: one lock keeps the two lists in step.
        self._record_lock = threading.Lock()
        self._server = ThreadingHTTPServer((host, port), self._handler_class())
        self._server.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    @property
    def subscription_url(self) -> str:
        return f"{self.url}/subscription-token"

    @property
    def connection_url(self) -> str:
        return f"{self.url}/connection-token"

    @property
    def connect_proxy_url(self) -> str:
        return f"{self.url}/connect-proxy"

    def recorded(self, path: str) -> list[tuple[dict[str, Any], dict[str, str]]]:
        """(request, headers) of every recorded request to `path`, oldest first."""
        with self._record_lock:
            return [
                (request, headers)
                for request, headers in zip(self.requests, self.request_headers, strict=True)
                if request["path"] == path
            ]

    def headers_of(self, path: str) -> list[dict[str, str]]:
        """The headers of every recorded request to `path`, oldest first."""
        return [headers for _request, headers in self.recorded(path)]

    def _record(self, request: dict[str, Any], headers: dict[str, str]) -> None:
        with self._record_lock:
            self.requests.append(request)
            self.request_headers.append(headers)

    def mint(self, claims: dict[str, Any]) -> str:
        return jwt.encode(
            {"sub": self.user, "exp": int(time.time()) + self.ttl, **claims},
            self.secret,
            algorithm="HS256",
        )

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        endpoint = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b"{}"
                try:
                    body = json.loads(raw or b"{}")
                except ValueError:
                    self._reply(400, {"error": "body must be JSON"})
                    return
                if not isinstance(body, dict):
                    self._reply(400, {"error": "body must be a JSON object"})
                    return
                endpoint._record({"path": self.path, **body}, self._headers())
                route: dict[str, Callable[[dict[str, Any]], None]] = {
                    "/connection-token": self._connection,
                    "/subscription-token": self._subscription,
                    "/connect-proxy": self._connect_proxy,
                }
                action = route.get(self.path)
                if action is None:
                    self._reply(404, {"error": f"no such endpoint {self.path}"})
                else:
                    action(body)

            def _headers(self) -> dict[str, str]:
                received: dict[str, str] = {}
                for name, value in self.headers.items():
                    key = name.lower()
                    # A repeated header means the same as one with the values comma-joined.
                    received[key] = f"{received[key]}, {value}" if key in received else value
                return received

            def _connection(self, body: dict[str, Any]) -> None:
                self._reply(200, {"token": endpoint.mint({})})

            def _connect_proxy(self, body: dict[str, Any]) -> None:
                self._reply(200, {"result": {"user": endpoint.user}})

            def _subscription(self, body: dict[str, Any]) -> None:
                channel = body.get("channel")
                if not isinstance(channel, str) or not channel:
                    self._reply(400, {"error": "`channel` (string) is required"})
                elif channel in endpoint.refuse:
                    self._reply(403, {"error": f"not allowed to subscribe to {channel}"})
                else:
                    self._reply(200, {"token": endpoint.mint({"channel": channel})})

            def _reply(self, status: int, payload: dict[str, Any]) -> None:
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: Any) -> None:
                return  # tokens travel in these requests: never print them

        return Handler

    def start(self) -> TokenEndpoint:
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="token-endpoint", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> TokenEndpoint:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
