"""Drives a steady stream into one channel over the server HTTP API `batch` method.

Run as its own process so publishing never competes with the consumer's event loop:
    python bench/publisher.py API_URL API_KEY CHANNEL SECONDS PAYLOAD_BYTES [RATE]
Prints one JSON line: {"published": N, "seconds": S, "rate": N/S}. RATE 0 = as fast as possible.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time

import httpx

BATCH = 200
IN_FLIGHT = 4


def payload(size: int, seq: int) -> dict[str, object]:
    base: dict[str, object] = {"seq": seq, "symbol": "CFGO", "price": 101.25, "text": ""}
    pad = max(0, size - len(json.dumps(base)))
    base["text"] = "x" * pad
    return base


async def main() -> None:
    api_url, api_key, channel = sys.argv[1], sys.argv[2], sys.argv[3]
    seconds, size = float(sys.argv[4]), int(sys.argv[5])
    rate = float(sys.argv[6]) if len(sys.argv) > 6 else 0.0
    template = payload(size, 0)
    published = 0
    start = time.perf_counter()
    deadline = start + seconds
    async with httpx.AsyncClient(headers={"X-API-Key": api_key}, timeout=30) as http:

        async def worker() -> None:
            nonlocal published
            while time.perf_counter() < deadline:
                if rate:
                    due = start + published / rate
                    if due > time.perf_counter():
                        await asyncio.sleep(due - time.perf_counter())
                commands = []
                for _ in range(BATCH):
                    published += 1
                    data = dict(template, seq=published)
                    commands.append({"publish": {"channel": channel, "data": data}})
                response = await http.post(f"{api_url}/batch", json={"commands": commands})
                response.raise_for_status()

        await asyncio.gather(*(worker() for _ in range(IN_FLIGHT)))
    elapsed = time.perf_counter() - start
    print(json.dumps({"published": published, "seconds": elapsed, "rate": published / elapsed}))


if __name__ == "__main__":
    asyncio.run(main())
