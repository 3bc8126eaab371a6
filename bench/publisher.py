"""Drives publications into one channel over the server HTTP API `batch` method.

Run as its own process so publishing never competes with the consumer's event loop:
    python bench/publisher.py API_URL API_KEY CHANNEL SECONDS PAYLOAD_BYTES [RATE] [COUNT] [STAMP]
RATE 0 = as fast as possible. COUNT > 0 stops after that many publications (SECONDS is then only a
safety limit). STAMP 1 puts the publish wall-clock time (`ts`, seconds) in every payload, for the
publish-to-screen latency of the TUI bench. Prints one JSON line:
{"published": N, "seconds": S, "rate": N/S}.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time

import httpx
import orjson

BATCH = 500
IN_FLIGHT = 4


def payload(size: int, seq: int) -> dict[str, object]:
    base: dict[str, object] = {
        "seq": seq,
        "ts": time.time(),
        "symbol": "CFGO",
        "price": 101.25,
        "text": "",
    }
    pad = max(0, size - len(json.dumps(base)))
    base["text"] = "x" * pad
    return base


async def main() -> None:
    api_url, api_key, channel = sys.argv[1], sys.argv[2], sys.argv[3]
    seconds, size = float(sys.argv[4]), int(sys.argv[5])
    rate = float(sys.argv[6]) if len(sys.argv) > 6 else 0.0
    count = int(sys.argv[7]) if len(sys.argv) > 7 else 0
    stamp = len(sys.argv) > 8 and sys.argv[8] == "1"
    template = payload(size, 0)
    # At a fixed rate, batches stay small so publications are spread over time (20 per second per
    # worker at least) and the publish-to-screen latency is not dominated by batching.
    batch = BATCH if not rate else max(1, min(BATCH, int(rate / 50)))
    workers = IN_FLIGHT if not rate else 2
    published = 0
    start = time.perf_counter()
    deadline = start + seconds
    headers = {"X-API-Key": api_key, "Content-Type": "application/json"}
    async with httpx.AsyncClient(headers=headers, timeout=60) as http:

        async def worker() -> None:
            nonlocal published
            while time.perf_counter() < deadline and (not count or published < count):
                if rate:
                    due = start + published / rate
                    if due > time.perf_counter():
                        await asyncio.sleep(due - time.perf_counter())
                n = batch if not count else min(batch, count - published)
                if n <= 0:
                    break
                now = time.time()
                commands = []
                for _ in range(n):
                    published += 1
                    data = (
                        dict(template, seq=published, ts=now)
                        if stamp
                        else dict(template, seq=published)
                    )
                    commands.append({"publish": {"channel": channel, "data": data}})
                response = await http.post(
                    f"{api_url}/batch", content=orjson.dumps({"commands": commands})
                )
                response.raise_for_status()

        await asyncio.gather(*(worker() for _ in range(workers)))
    elapsed = time.perf_counter() - start
    print(json.dumps({"published": published, "seconds": elapsed, "rate": published / elapsed}))


if __name__ == "__main__":
    asyncio.run(main())
