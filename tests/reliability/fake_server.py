"""A FAKE Centrifugo, the one place a fake is right: a real server never sends hostile frames.

`HostileServer(script)` is a `websockets.serve` on loopback. On each connection it reads the
client's `connect` command and sends whatever `script(connection_number, connect_id)` returns
(frames: str for text, bytes for binary), then behaves like a polite server: `subscribe` is
answered with an empty stream, `publish` with `{}`, the rest with error 108. Connection 0 is
usually the hostile one; later connections show that the client came back.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any

from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.exceptions import ConnectionClosed

Frame = str | bytes
Script = Callable[[int, int], list[Frame]]


def connect_reply(cid: int, **extra: Any) -> str:
    result = {"client": f"fake-{cid}", "version": "fake 0", "ping": 25, "pong": True, **extra}
    return json.dumps({"id": cid, "connect": result})


class HostileServer:
    def __init__(
        self,
        script: Script,
        *,
        close_after_script: bool = False,
        on_subscribe: Callable[[int, dict[str, Any]], list[Frame]] | None = None,
    ) -> None:
        self.script = script
        self.on_subscribe = on_subscribe
        self.close_after_script = close_after_script
        self.connections = 0
        self.commands: list[dict[str, Any]] = []
        self.url = ""
        self._server: Server | None = None
        self.changed = asyncio.Event()

    async def __aenter__(self) -> HostileServer:
        self._server = await serve(self._handler, "127.0.0.1", 0, max_size=None)
        port = next(iter(self._server.sockets)).getsockname()[1]
        self.url = f"ws://127.0.0.1:{port}/connection/websocket"
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._server is not None
        self._server.close()
        await self._server.wait_closed()

    async def _handler(self, ws: ServerConnection) -> None:
        number = self.connections
        self.connections += 1
        self.changed.set()
        try:
            first = json.loads(await ws.recv())
            cid = int(first.get("id", 1))
            for frame in self.script(number, cid):
                await ws.send(frame)
            if self.close_after_script:
                await ws.close(1011, "fake server: end of script")
                return
            async for message in ws:
                for line in str(message).split("\n"):
                    if line.strip() in ("", "{}"):
                        continue
                    command = json.loads(line)
                    self.commands.append(command)
                    self.changed.set()
                    if "subscribe" in command and self.on_subscribe is not None:
                        for frame in self.on_subscribe(number, command):
                            await ws.send(frame)
                    else:
                        await ws.send(self._answer(command))
        except ConnectionClosed:
            return

    @staticmethod
    def _answer(command: dict[str, Any]) -> str:
        cid = command.get("id")
        if "subscribe" in command:
            return json.dumps(
                {"id": cid, "subscribe": {"recoverable": True, "positioned": True, "epoch": "e"}}
            )
        if "publish" in command:
            return json.dumps({"id": cid, "publish": {}})
        return json.dumps({"id": cid, "error": {"code": 108, "message": "not available"}})

    async def wait_connections(self, count: int, timeout: float = 15.0) -> None:  # noqa: ASYNC109
        async with asyncio.timeout(timeout):
            while self.connections < count:
                self.changed.clear()
                await self.changed.wait()
