"""The demo's traffic: real clients coming and going in a chat, a steady ticker, a private `$`
channel and an archive with a long history. Runs as its own process (`python -m
cfgo_tui.demo.traffic`) so the app's event loop stays free for the screen.

Credentials come from the environment (never from argv, which `ps` shows):
`CFGO_DEMO_SECRET` (HMAC secret) and `CFGO_DEMO_API_KEY`.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import random
import signal
import sys
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from cfgo_tui.api import ApiClient
from cfgo_tui.demo.channels import ARCHIVE, ARCHIVE_BACKFILL, CHAT, TICKER, VAULT

SECRET_ENV = "CFGO_DEMO_SECRET"
API_KEY_ENV = "CFGO_DEMO_API_KEY"

USERS: tuple[tuple[str, str], ...] = (
    ("alice", "Alice"),
    ("bob", "Bob"),
    ("carol", "Carol"),
    ("dave", "Dave"),
    ("erin", "Erin"),
    ("frank", "Frank"),
)
LINES: tuple[str, ...] = (
    "hi all",
    "anyone seen the deploy logs?",
    "ticker looks jumpy today",
    "lunch?",
    "pushing a fix now",
    "LGTM",
    "brb",
    "who owns the vault channel?",
    "reconnect worked, nothing lost",
    "see you tomorrow",
)
VAULT_EVENTS: tuple[str, ...] = ("deploy", "rollback", "key-rotated", "backup", "alert")

Publish = Callable[[str, Any], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class TrafficSettings:
    ws_url: str
    api_url: str
    api_key: str
    secret: str
    ticker_interval: float = 0.5
    vault_interval: float = 2.0
    archive_interval: float = 5.0
    chat_pause: tuple[float, float] = (0.5, 3.0)  # seconds between a user's lines
    online: tuple[int, int] = (2, 4)  # how many chat users are online at once
    seed: int | None = None


async def _every(interval: float, action: Callable[[int], Awaitable[None]]) -> None:
    """Call `action(n)` at a steady rate: the schedule does not drift with the time it takes."""
    loop = asyncio.get_running_loop()
    start = loop.time()
    n = 0
    while True:
        await action(n)
        n += 1
        delay = start + n * interval - loop.time()
        await asyncio.sleep(max(0.0, delay))


async def ticker(publish: Publish, interval: float, rng: random.Random) -> None:
    price = 100.0

    async def tick(n: int) -> None:
        nonlocal price
        price = max(1.0, price * (1 + rng.gauss(0, 0.002)))
        await publish(TICKER, {"symbol": "CFGO", "price": round(price, 2), "seq": n})

    await _every(interval, tick)


async def vault(publish: Publish, interval: float, rng: random.Random) -> None:
    async def event(n: int) -> None:
        await publish(VAULT, {"event": rng.choice(VAULT_EVENTS), "seq": n, "by": "ops-bot"})

    await _every(interval, event)


async def archive(publish: Publish, interval: float) -> None:
    async def entry(n: int) -> None:
        await publish(ARCHIVE, {"entry": ARCHIVE_BACKFILL + n, "text": f"log line {n}"})

    await _every(interval, entry)


async def backfill_archive(api_url: str, api_key: str) -> None:
    """Give the archive a history to page through before anyone looks at it (one API batch).
    The demo runs this before it says it is ready, so the history is there from the start."""
    commands = [
        {"publish": {"channel": ARCHIVE, "data": {"entry": n, "text": f"archived line {n}"}}}
        for n in range(ARCHIVE_BACKFILL)
    ]
    async with ApiClient(api_url, api_key) as api:
        for reply in await api.batch(commands):
            if isinstance(reply, Exception):
                raise reply


async def chat_user(settings: TrafficSettings, user: str, name: str, rng: random.Random) -> None:
    """One person: connects (join), says a few lines, leaves (leave)."""
    from cfgo_tui.client.client import Client  # noqa: PLC0415 - keeps `--help` of the module light
    from cfgo_tui.tokens import mint_connection_token  # noqa: PLC0415

    token = mint_connection_token(settings.secret, user, info={"name": name})
    client = Client(settings.ws_url, token=token, name="cfgo-demo")
    try:
        await client.connect()
        await client.subscribe(CHAT)
        await client.publish(CHAT, {"user": user, "text": f"{name} joined the lobby"})
        for _ in range(rng.randint(2, 6)):
            await asyncio.sleep(rng.uniform(*settings.chat_pause))
            await client.publish(CHAT, {"user": user, "text": rng.choice(LINES)})
    finally:
        with contextlib.suppress(Exception):
            await client.disconnect()


async def chat_room(settings: TrafficSettings, rng: random.Random) -> None:
    """Keep between `online` low and high users in the lobby, each coming and going."""
    sessions: dict[str, asyncio.Task[None]] = {}
    while True:
        for user, task in list(sessions.items()):
            if task.done():
                del sessions[user]
                if not task.cancelled() and task.exception() is not None:
                    _note(f"chat user {user} failed: {task.exception()}")
        low, high = settings.online
        if len(sessions) < low or (len(sessions) < high and rng.random() < 0.3):
            free = [(u, n) for u, n in USERS if u not in sessions]
            user, name = rng.choice(free)
            sessions[user] = asyncio.create_task(chat_user(settings, user, name, rng))
        try:
            await asyncio.sleep(rng.uniform(0.5, 1.5))
        except asyncio.CancelledError:
            for task in sessions.values():
                task.cancel()
            await asyncio.gather(*sessions.values(), return_exceptions=True)
            raise


async def run_traffic(settings: TrafficSettings, stop: asyncio.Event) -> None:
    """Generate traffic until `stop` is set; every client is disconnected on the way out."""
    rng = random.Random(settings.seed)
    async with ApiClient(settings.api_url, settings.api_key) as api:

        async def publish(channel: str, data: Any) -> None:
            await api.publish(channel, data)

        tasks = [
            asyncio.create_task(ticker(publish, settings.ticker_interval, rng)),
            asyncio.create_task(vault(publish, settings.vault_interval, rng)),
            asyncio.create_task(archive(publish, settings.archive_interval)),
            asyncio.create_task(chat_room(settings, rng)),
        ]
        stopper = asyncio.create_task(stop.wait())
        done, _ = await asyncio.wait([stopper, *tasks], return_when=asyncio.FIRST_COMPLETED)
        for task in [stopper, *tasks]:
            task.cancel()
        results = await asyncio.gather(stopper, *tasks, return_exceptions=True)
        for task, result in zip([stopper, *tasks], results, strict=True):
            if task in done and isinstance(result, BaseException) and task is not stopper:
                raise result


def _note(message: str) -> None:
    print(f"cfgo-tui demo traffic: {message}", file=sys.stderr, flush=True)


def _parse(argv: list[str] | None) -> TrafficSettings:
    parser = argparse.ArgumentParser(prog="python -m cfgo_tui.demo.traffic")
    parser.add_argument("--ws-url", required=True)
    parser.add_argument("--api-url", required=True)
    parser.add_argument("--ticker-interval", type=float, default=0.5)
    parser.add_argument("--seed", type=int, default=None)
    args = parser.parse_args(argv)
    secret = os.environ.get(SECRET_ENV)
    api_key = os.environ.get(API_KEY_ENV)
    if not secret or not api_key:
        parser.error(f"set {SECRET_ENV} and {API_KEY_ENV} in the environment")
    return TrafficSettings(
        ws_url=args.ws_url,
        api_url=args.api_url,
        api_key=api_key,
        secret=secret,
        ticker_interval=args.ticker_interval,
        seed=args.seed,
    )


async def _main(settings: TrafficSettings) -> int:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    started = time.monotonic()
    try:
        await run_traffic(settings, stop)
    except Exception as error:
        _note(f"stopped after {time.monotonic() - started:.0f}s: {error}")
        return 1
    return 0


def main(argv: list[str] | None = None) -> int:
    return asyncio.run(_main(_parse(argv)))


if __name__ == "__main__":
    sys.exit(main())
