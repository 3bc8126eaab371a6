"""One ingest consumer in its own process: subscribes, then counts publications.

    python bench/consumer.py KIND WS_URL TOKEN CHANNEL WARMUP WINDOW [DRAIN]
KIND: cfgo | cpython | raw-json | raw-orjson. Prints READY once subscribed.

Steady mode (DRAIN 0): after the first publication waits WARMUP seconds and counts over WINDOW
seconds. Drain mode (DRAIN N > 0): the parent stops this process (SIGSTOP) while N publications
queue up in the server, then resumes it; the time and CPU from the first to the Nth publication
are what this consumer alone can take in (the server writes from its queue faster than any of the
consumers reads). Prints one JSON line with the count, the rate and the CPU seconds this process
used (so a busy 2-core machine still gives a fair per-message cost).
"""

from __future__ import annotations

import asyncio
import json
import resource
import sys
import time
from collections.abc import Awaitable, Callable


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


class Counter:
    def __init__(self, target: int = 0) -> None:
        self.count = 0
        self.target = target or -1
        self.first = asyncio.get_running_loop().create_future()
        self.last = asyncio.get_running_loop().create_future()
        self.marks: list[tuple[float, float]] = []

    def hit(self) -> None:
        self.count += 1
        if self.count == 1:
            self.marks.append((time.perf_counter(), cpu_seconds()))
            if not self.first.done():
                self.first.set_result(None)
        elif self.count == self.target:
            self.marks.append((time.perf_counter(), cpu_seconds()))
            if not self.last.done():
                self.last.set_result(None)


async def measure_drain(counter: Counter, limit: float) -> dict[str, float]:
    try:
        async with asyncio.timeout(limit):
            await counter.last
    except TimeoutError:
        return {
            "received": counter.count,
            "seconds": 0.0,
            "rate": 0.0,
            "cpu_seconds": 0.0,
            "cpu_us_per_msg": 0.0,
            "error": f"only {counter.count} of {counter.target}",
        }
    (t0, cpu0), (t1, cpu1) = counter.marks
    received = counter.count - 1
    return {
        "received": received,
        "seconds": t1 - t0,
        "rate": received / (t1 - t0),
        "cpu_seconds": cpu1 - cpu0,
        "cpu_us_per_msg": (cpu1 - cpu0) / received * 1e6,
    }


async def measure(counter: Counter, warmup: float, window: float) -> dict[str, float]:
    await counter.first
    await asyncio.sleep(warmup)  # bench pacing, not a test: the window is wall-clock by design
    count0, cpu0, t0 = counter.count, cpu_seconds(), time.perf_counter()
    await asyncio.sleep(window)
    count1, cpu1, t1 = counter.count, cpu_seconds(), time.perf_counter()
    received = count1 - count0
    return {
        "received": received,
        "seconds": t1 - t0,
        "rate": received / (t1 - t0),
        "cpu_seconds": cpu1 - cpu0,
        "cpu_us_per_msg": (cpu1 - cpu0) / received * 1e6 if received else 0.0,
    }


async def run_cfgo(
    url: str, token: str, channel: str, counter: Counter
) -> Callable[[], Awaitable[None]]:
    from cfgo_tui.client import Client

    client = Client(url, token=token)
    client.on("publication", lambda event: counter.hit())
    await client.connect()
    await client.subscribe(channel)
    return client.disconnect


async def run_cpython(
    url: str, token: str, channel: str, counter: Counter
) -> Callable[[], Awaitable[None]]:
    from centrifuge import Client, SubscriptionEventHandler

    class Handler(SubscriptionEventHandler):
        async def on_publication(self, ctx: object) -> None:
            counter.hit()

    client = Client(url, token=token)
    await client.connect()
    sub = client.new_subscription(channel, events=Handler())
    await sub.subscribe()
    await sub.ready()  # subscribed on the server before READY (drain mode stops us right after)
    return client.disconnect


async def run_raw(
    url: str, token: str, channel: str, counter: Counter, loads: Callable[[str | bytes], object]
) -> Callable[[], Awaitable[None]]:
    import websockets

    ws = await websockets.connect(url, compression=None, max_size=None)
    await ws.send(
        json.dumps({"id": 1, "connect": {"token": token}})
        + "\n"
        + json.dumps({"id": 2, "subscribe": {"channel": channel}})
    )
    subscribed = asyncio.get_running_loop().create_future()

    async def reader() -> None:
        async for frame in ws:
            for line in frame.split("\n") if isinstance(frame, str) else frame.split(b"\n"):
                if not line:
                    continue
                message = loads(line)
                assert isinstance(message, dict)
                if "push" in message:
                    if "pub" in message["push"]:
                        counter.hit()
                elif not message:
                    await ws.send("{}")  # pong
                elif message.get("id") == 2 and not subscribed.done():
                    subscribed.set_result(None)

    task = asyncio.create_task(reader())
    await subscribed

    async def close() -> None:
        task.cancel()
        await ws.close()

    return close


async def main() -> None:
    kind, url, token, channel = sys.argv[1:5]
    warmup, window = float(sys.argv[5]), float(sys.argv[6])
    drain = int(sys.argv[7]) if len(sys.argv) > 7 else 0
    counter = Counter(drain)
    if kind == "cfgo":
        close = await run_cfgo(url, token, channel, counter)
    elif kind == "cpython":
        close = await run_cpython(url, token, channel, counter)
    elif kind == "raw-json":
        close = await run_raw(url, token, channel, counter, json.loads)
    elif kind == "raw-orjson":
        import orjson

        close = await run_raw(url, token, channel, counter, orjson.loads)
    else:
        raise SystemExit(f"unknown consumer kind {kind!r}")
    print("READY", flush=True)
    if drain:
        result = await measure_drain(counter, warmup + window)
    else:
        result = await measure(counter, warmup, window)
    print(json.dumps({"kind": kind, **result}), flush=True)
    await close()


if __name__ == "__main__":
    asyncio.run(main())
