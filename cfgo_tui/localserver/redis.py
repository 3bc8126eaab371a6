"""A throwaway redis-server on a free loopback port (the engine for multi-node tests)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from types import TracebackType

from cfgo_tui.localserver.ports import free_port
from cfgo_tui.localserver.processes import reap, spawn


class RedisServer:
    def __init__(self, port: int | None = None, binary: str | None = None) -> None:
        found = binary or shutil.which("redis-server")
        if not found:
            raise RuntimeError(
                "redis-server not found: install the Debian package `redis-server` "
                "(scripts/bootstrap does this when run as root)"
            )
        self.binary = found
        self.port = port or free_port()
        self._tmp = tempfile.TemporaryDirectory(prefix="cfgo-redis-")
        self.log_file = Path(self._tmp.name) / "redis.log"
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}"

    def start(self, timeout: float = 10.0) -> RedisServer:
        argv = [
            self.binary,
            "--port",
            str(self.port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            self._tmp.name,
        ]
        with self.log_file.open("ab") as log:
            self.proc = spawn(argv, log=log, env=dict(os.environ))
        deadline = time.monotonic() + timeout
        while not self._ping():
            if self.proc.poll() is not None or time.monotonic() > deadline:
                reap(self.proc, graceful=False)  # a failed start leaves nothing running
                raise RuntimeError("redis-server did not start:\n" + self.log_file.read_text())
            time.sleep(0.02)  # polling a child process' port: there is no event to await
        return self

    def _ping(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def stop(self) -> None:
        if self.proc is not None:
            reap(self.proc)
        self._tmp.cleanup()

    def __enter__(self) -> RedisServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
