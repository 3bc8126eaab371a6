"""One Centrifugo process on a loopback port, driven by a config file kept in the repo."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import Any

from cfgo_tui.localserver.binary import find_centrifugo
from cfgo_tui.localserver.ports import free_port
from cfgo_tui.localserver.processes import reap, spawn

CONFIG_DIR = Path(__file__).resolve().parent / "configs"


class ServerStartError(RuntimeError):
    """Centrifugo did not become healthy; the message carries the tail of its log."""


def config_path(name: str) -> Path:
    """A config shipped with the package (`test`, `demo`, `bench`), or a path as given."""
    candidate = CONFIG_DIR / f"{name}.json"
    return candidate if candidate.exists() else Path(name)


def derive_config(base: str, folder: Path, change: Callable[[dict[str, Any]], None]) -> Path:
    """A copy of the shipped config `base`, edited in place by `change`, written into `folder`:
    for a test that needs one namespace or option more than the shared config has."""
    config: dict[str, Any] = json.loads(config_path(base).read_text())
    change(config)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{base}-derived.json"
    path.write_text(json.dumps(config, indent=2))
    return path


class CentrifugoServer:
    """A Centrifugo process: start, stop, restart on the same port, pause, resume, kill.

    The port is passed on the command line, so one config file serves every test. `env` adds
    `CENTRIFUGO_*` overrides; `redis_url` switches the engine to Redis (for multi-node tests).
    """

    def __init__(
        self,
        config: str | Path = "test",
        *,
        port: int | None = None,
        env: dict[str, str] | None = None,
        redis_url: str | None = None,
        binary: Path | None = None,
        workdir: Path | None = None,
        extra_args: tuple[str, ...] = (),
    ) -> None:
        self.config_file = config_path(str(config))
        self.config: dict[str, Any] = json.loads(self.config_file.read_text())
        self.port = port or free_port()
        self.binary = binary or find_centrifugo()
        self.extra_env = dict(env or {})
        if redis_url:
            self.extra_env["CENTRIFUGO_ENGINE_TYPE"] = "redis"
            self.extra_env["CENTRIFUGO_ENGINE_REDIS_ADDRESS"] = redis_url
        self.extra_args = extra_args
        self._tmp = (
            tempfile.TemporaryDirectory(prefix="cfgo-centrifugo-") if workdir is None else None
        )
        self.workdir = workdir or Path(self._tmp.name if self._tmp else ".")
        self.log_file = self.workdir / "centrifugo.log"
        self.proc: subprocess.Popen[bytes] | None = None
        self.starts = 0

    # addresses and credentials of this config
    @property
    def http_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/connection/websocket"

    @property
    def api_url(self) -> str:
        return f"{self.http_url}/api"

    @property
    def hmac_secret(self) -> str:
        return str(self.config["client"]["token"]["hmac_secret_key"])

    @property
    def api_key(self) -> str:
        return str(self.config["http_api"]["key"])

    @property
    def pid(self) -> int | None:
        return self.proc.pid if self.proc else None

    def is_running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    # lifecycle
    def start(self, timeout: float = 30.0) -> CentrifugoServer:
        if self.is_running():
            return self
        env = {**os.environ, **self.extra_env}
        argv = [
            str(self.binary),
            "--config",
            str(self.config_file),
            "--http_server.address",
            "127.0.0.1",
            "--http_server.port",
            str(self.port),
            *self.extra_args,
        ]
        # Centrifugo loads a `.env` from its working directory: run it in our own folder.
        log = self.log_file.open("ab")
        try:
            self.proc = spawn(argv, log=log, env=env, cwd=self.workdir)
        finally:
            log.close()
        self.starts += 1
        try:
            self.wait_healthy(timeout)
        except BaseException:
            # A server that never became healthy must not outlive the failed start.
            reap(self.proc, graceful=False)
            raise
        return self

    def wait_healthy(self, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while True:
            if self.proc is not None and self.proc.poll() is not None:
                raise ServerStartError(
                    f"centrifugo exited with {self.proc.returncode} during start-up:\n"
                    + self.log_tail()
                )
            if self._health_ok():
                return
            if time.monotonic() > deadline:
                raise ServerStartError(
                    f"centrifugo not healthy on {self.http_url} after {timeout}s:\n"
                    + self.log_tail()
                )
            time.sleep(0.05)  # polling a child process' port: there is no event to await

    def _health_ok(self) -> bool:
        try:
            with urllib.request.urlopen(f"{self.http_url}/health", timeout=1.0) as response:
                return bool(response.status == 200)
        except (urllib.error.URLError, OSError):
            return False

    def stop(self) -> None:
        """Graceful stop (SIGTERM: clients get close 3001 "shutdown")."""
        if self.proc is not None:
            reap(self.proc, graceful=True)

    def kill(self) -> None:
        """kill -9: clients see an abnormal close, the memory engine loses every stream."""
        if self.proc is not None:
            reap(self.proc, graceful=False)

    def restart(self, *, graceful: bool = True, timeout: float = 30.0) -> None:
        """Stop (or kill) and start again on the same port."""
        if graceful:
            self.stop()
        else:
            self.kill()
        self.proc = None
        self.start(timeout)

    def pause(self) -> None:
        """SIGSTOP: the socket stays open but nothing is answered (a hung server)."""
        assert self.proc is not None
        self.proc.send_signal(signal.SIGSTOP)

    def resume(self) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGCONT)

    def log_text(self) -> str:
        try:
            return self.log_file.read_text(errors="replace")
        except FileNotFoundError:
            return ""

    def log_tail(self, lines: int = 30) -> str:
        return "\n".join(self.log_text().splitlines()[-lines:])

    def close(self) -> None:
        self.stop()
        if self._tmp is not None:
            self._tmp.cleanup()
            self._tmp = None

    def __enter__(self) -> CentrifugoServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
