"""Shared by the reliability tests: tokens, an event recorder, a paced publisher, a `tail` process
and the figures each long test prints (reconnects survived, messages checked ...)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import event_recorder
import jwt
import yaml

from cfgo_tui.api import ApiClient
from cfgo_tui.localserver import CentrifugoServer

CFGO = [sys.executable, "-m", "cfgo_tui.cli.main"]


def mint(server: CentrifugoServer, sub: str, **claims: Any) -> str:
    return jwt.encode({"sub": sub, **claims}, server.hmac_secret, algorithm="HS256")


def figures(test: str, **counts: Any) -> None:
    """One greppable line per long test: `pytest -s ... | grep FIGURES`."""
    print(f"\nFIGURES {test}: " + ", ".join(f"{k}={v}" for k, v in counts.items()), flush=True)


class Events(event_recorder.Events):
    """Every event of a client, in order; long streams get a longer default wait."""

    default_timeout = 15.0


class Stream:
    """Publishes {"n": 1}, {"n": 2}, ... to `channel` through the server API at about `rate`
    messages per second (batches of `batch` every batch/rate seconds; a late tick catches up by
    publishing the next batch at once). `published` counts the acknowledged publications."""

    def __init__(
        self, server: CentrifugoServer, channel: str, rate: int = 1000, batch: int = 25
    ) -> None:
        self.api = ApiClient(server.api_url, server.api_key, timeout=10)
        self.channel = channel
        self.rate = rate
        self.batch = batch
        self.published = 0
        self.offsets: list[int] = []
        self._stop = asyncio.Event()
        self._progress = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self.started = 0.0
        self.elapsed = 0.0

    def start(self) -> Stream:
        self._task = asyncio.ensure_future(self._run())
        return self

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        self.started = loop.time()
        tick = self.batch / self.rate
        next_at = self.started
        while not self._stop.is_set():
            commands = [
                {"publish": {"channel": self.channel, "data": {"n": self.published + i + 1}}}
                for i in range(self.batch)
            ]
            replies = await self.api.batch(commands)
            for reply in replies:
                assert isinstance(reply, dict), reply
                self.offsets.append(int(reply.get("offset", 0)))
            self.published += len(replies)
            self._progress.set()
            next_at += tick
            # Pacing a traffic generator (not waiting for an event): the stream's rate.
            await asyncio.sleep(max(0.0, next_at - loop.time()))
        self.elapsed = loop.time() - self.started

    async def until_published(self, count: int, timeout: float = 15.0) -> None:  # noqa: ASYNC109
        async with asyncio.timeout(timeout):
            while self.published < count:
                self._progress.clear()
                await self._progress.wait()

    async def stop(self) -> None:
        self._stop.set()
        if self._task is not None:
            await self._task
        await self.api.aclose()

    @property
    def achieved_rate(self) -> float:
        return self.published / self.elapsed if self.elapsed else 0.0


def write_profile(path: Path, profile: dict[str, Any]) -> Path:
    path.write_text(yaml.safe_dump({"profiles": {"test": profile}}, sort_keys=False))
    path.chmod(0o600)
    return path


def profile_for(server: CentrifugoServer, user: str, **overrides: Any) -> dict[str, Any]:
    profile: dict[str, Any] = {
        "url": server.ws_url,
        "api": {"url": server.api_url, "key": server.api_key},
        "auth": {"hmac": {"secret": server.hmac_secret, "user": user}},
        "timeout": "3s",
        "reconnect": {"min_delay": "50ms", "max_delay": "500ms"},
    }
    profile.update(overrides)
    return profile


class Tail:
    """`cfgo-tui tail CHANNEL --events` as a subprocess; stdout records collected as they come."""

    def __init__(self, config: Path, *args: str) -> None:
        self.config = config
        self.args = args
        self.records: list[dict[str, Any]] = []
        self.stderr = ""
        self.proc: asyncio.subprocess.Process | None = None
        self._changed = asyncio.Event()
        self._reader: asyncio.Task[None] | None = None

    async def start(self) -> Tail:
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        self.proc = await asyncio.create_subprocess_exec(
            *CFGO,
            "-c",
            str(self.config),
            "tail",
            *self.args,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            env=env,
        )
        self._reader = asyncio.ensure_future(self._read())
        return self

    async def _read(self) -> None:
        assert self.proc is not None and self.proc.stdout is not None
        async for line in self.proc.stdout:
            if line.strip():
                self.records.append(json.loads(line))
                self._changed.set()
        self._changed.set()

    def publications(self) -> list[dict[str, Any]]:
        return [r for r in self.records if r.get("event", "publication") == "publication"]

    def events(self, name: str) -> list[dict[str, Any]]:
        return [r for r in self.records if r.get("event") == name]

    async def until(self, condition: Callable[[], bool], timeout: float = 30.0) -> None:  # noqa: ASYNC109
        async with asyncio.timeout(timeout):
            while not condition():
                assert self.proc is not None
                if self._reader is not None and self._reader.done():
                    err = await self._stderr()
                    raise AssertionError(f"tail ended early ({self.proc.returncode}): {err}")
                self._changed.clear()
                await self._changed.wait()

    async def _stderr(self) -> str:
        assert self.proc is not None and self.proc.stderr is not None
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(10):
                self.stderr += (await self.proc.stderr.read()).decode()
        return self.stderr

    async def stop(self) -> int:
        """SIGINT (Ctrl-C) and wait; returns the exit status."""
        assert self.proc is not None
        if self.proc.returncode is None:
            self.proc.send_signal(signal.SIGINT)
        async with asyncio.timeout(20):
            if self._reader is not None:
                await self._reader
            await self._stderr()
            return await self.proc.wait()

    async def wait(self, timeout: float = 30.0) -> int:  # noqa: ASYNC109
        """Wait for tail to end on its own (`--count`, `--timeout`); returns the exit status."""
        assert self.proc is not None
        async with asyncio.timeout(timeout):
            if self._reader is not None:
                await self._reader
            await self._stderr()
            return await self.proc.wait()

    async def kill(self) -> None:
        if self.proc is not None and self.proc.returncode is None:
            self.proc.kill()
            await self.proc.wait()
