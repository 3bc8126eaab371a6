"""One WebSocket connection: command ids, replies matched by id, and the write batcher.

Everything queued during one turn of the event loop leaves in a single frame: the writer task is
woken by the first command and runs after the rest of that turn has queued its commands too.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import orjson
from websockets.asyncio.client import ClientConnection
from websockets.exceptions import ConnectionClosed

from cfgo_tui.client.errors import CentrifugoError, CommandTimeout

__all__ = ["MAX_FRAME_BYTES", "Connection", "ReplyCallback"]

# Centrifugo closes with 1009 on client frames above `websocket.message_size_limit` (64 KiB by
# default): batches are cut below that. A single larger command still goes alone (and the server
# then says 1009, which the code table explains).
MAX_FRAME_BYTES = 60_000

ReplyCallback = Callable[[dict[str, Any] | CentrifugoError], None]
FrameHook = Callable[[str, bytes], None]


class Connection:
    """Per-connection protocol state. Ids start at 1 on every connection."""

    def __init__(self, ws: ClientConnection, url: str) -> None:
        self.ws = ws
        self.url = url
        self.loop = asyncio.get_running_loop()
        self.next_id = 1
        self.pending: dict[int, tuple[ReplyCallback, asyncio.TimerHandle]] = {}
        self.out: list[bytes] = []
        self.wake = asyncio.Event()
        self.pong = False
        self.last_rx = self.loop.time()
        self.ping_limit = 0.0
        self.ping_handle: asyncio.TimerHandle | None = None
        # Set when the client ends the connection itself and knows why (connect error, no ping).
        self.close_code: int | None = None
        self.close_reason = ""
        self.terminal = False
        self.connected = False
        self.writer: asyncio.Task[None] | None = None

    def command(
        self,
        method: str,
        params: dict[str, Any],
        callback: ReplyCallback,
        timeout: float,
    ) -> int:
        cid = self.next_id
        # Encode first: data that is not JSON-serializable fails here, before anything is pending.
        line = orjson.dumps({"id": cid, method: params})
        self.next_id = cid + 1
        timer = self.loop.call_later(timeout, self._timed_out, cid, method, timeout)
        self.pending[cid] = (callback, timer)
        self.queue(line)
        return cid

    def queue(self, line: bytes) -> None:
        self.out.append(line)
        if not self.wake.is_set():
            self.wake.set()

    def resolve(self, cid: int, reply: dict[str, Any]) -> None:
        entry = self.pending.pop(cid, None)
        if entry is not None:
            entry[1].cancel()
            entry[0](reply)

    def forget(self, cid: int) -> None:
        entry = self.pending.pop(cid, None)
        if entry is not None:
            entry[1].cancel()

    def _timed_out(self, cid: int, method: str, timeout: float) -> None:
        entry = self.pending.pop(cid, None)
        if entry is not None:
            entry[0](CommandTimeout(f"no reply to `{method}` within {timeout:g}s"))

    def fail_all(self, error: CentrifugoError) -> None:
        pending, self.pending = self.pending, {}
        for callback, timer in pending.values():
            timer.cancel()
            callback(error)

    def set_close(self, code: int, reason: str, *, terminal: bool) -> None:
        """Remember why the client is closing this connection (first reason wins)."""
        if self.close_code is None:
            self.close_code = code
            self.close_reason = reason
            self.terminal = terminal

    def abort(self, code: int, reason: str, *, terminal: bool) -> None:
        """Drop the socket at once: used when the peer may not answer a close handshake."""
        self.set_close(code, reason, terminal=terminal)
        transport = self.ws.transport
        if transport is not None:
            transport.abort()

    async def write_loop(self, frame_hook: Callable[[], FrameHook | None]) -> None:
        ws = self.ws
        try:
            while True:
                await self.wake.wait()
                self.wake.clear()
                lines, self.out = self.out, []
                for frame in _frames(lines):
                    hook = frame_hook()
                    if hook is not None:
                        hook("out", frame)
                    await ws.send(frame, text=True)
        except ConnectionClosed:
            return


def _frames(lines: list[bytes]) -> list[bytes]:
    if len(lines) == 1:
        return lines
    frames: list[bytes] = []
    batch: list[bytes] = []
    size = 0
    for line in lines:
        if batch and size + len(line) + 1 > MAX_FRAME_BYTES:
            frames.append(b"\n".join(batch))
            batch, size = [], 0
        batch.append(line)
        size += len(line) + 1
    if batch:
        frames.append(b"\n".join(batch))
    return frames
