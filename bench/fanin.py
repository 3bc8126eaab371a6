"""Fan-in: time to subscribe 1,000 channels, and to resubscribe them after a forced reconnect.

Each client runs in its own process (`python bench/fanin.py worker KIND ...`): cfgo's client
(subscribe commands queued in one loop turn leave in one frame, cut below 64 KiB) and
centrifuge-python 0.7.0 as the peer. The reconnect is forced with the server API `disconnect`
(code 3000, which clients must reconnect after); both clients use a 0.1 s minimum reconnect delay
(centrifuge-python's default), and the time from `connected` to the last `subscribed` is reported
apart from the total so the backoff does not hide the resubscribe cost.
"""

from __future__ import annotations

import asyncio
import json
import statistics
import sys
import time
from typing import Any

CHANNELS = 1000
ROUNDS = 3


class Marks:
    def __init__(self) -> None:
        self.subscribed = 0
        self.connected_at = 0.0
        self.target = -1
        self.done: asyncio.Future[float] = asyncio.get_running_loop().create_future()

    def expect(self, n: int) -> asyncio.Future[float]:
        self.subscribed = 0
        self.target = n
        self.done = asyncio.get_running_loop().create_future()
        return self.done

    def on_subscribed(self) -> None:
        self.subscribed += 1
        if self.subscribed == self.target and not self.done.done():
            self.done.set_result(time.perf_counter())

    def on_connected(self) -> None:
        self.connected_at = time.perf_counter()


async def disconnect_user(api_url: str, api_key: str, user: str) -> None:
    import httpx

    async with httpx.AsyncClient(headers={"X-API-Key": api_key}) as http:
        response = await http.post(
            f"{api_url}/disconnect",
            json={"user": user, "disconnect": {"code": 3000, "reason": "bench reconnect"}},
        )
        response.raise_for_status()


async def cfgo_client(url: str, token: str, marks: Marks) -> tuple[Any, Any]:
    from cfgo_tui.client import Client

    client = Client(url, token=token, min_reconnect_delay=0.1, timeout=30)
    client.on("subscribed", lambda event: marks.on_subscribed())
    client.on("connected", lambda event: marks.on_connected())
    await client.connect()

    async def subscribe_all(channels: list[str]) -> None:
        subs = [client.new_subscription(channel) for channel in channels]
        await asyncio.gather(*(sub.subscribe() for sub in subs))

    return client, subscribe_all


async def cpython_client(url: str, token: str, marks: Marks) -> tuple[Any, Any]:
    from centrifuge import Client, ClientEventHandler, SubscriptionEventHandler

    class SubHandler(SubscriptionEventHandler):
        async def on_subscribed(self, ctx: object) -> None:
            marks.on_subscribed()

    class ClientHandler(ClientEventHandler):
        async def on_connected(self, ctx: object) -> None:
            marks.on_connected()

    client = Client(url, token=token, events=ClientHandler(), min_reconnect_delay=0.1, timeout=30)
    await client.connect()
    await client.ready()
    handler = SubHandler()

    async def subscribe_all(channels: list[str]) -> None:
        subs = [client.new_subscription(channel, events=handler) for channel in channels]
        await asyncio.gather(*(sub.subscribe() for sub in subs))

    return client, subscribe_all


async def worker(kind: str, url: str, token: str, api_url: str, api_key: str) -> dict[str, Any]:
    marks = Marks()
    make = cfgo_client if kind == "cfgo" else cpython_client
    t0 = time.perf_counter()
    client, subscribe_all = await make(url, token, marks)
    connect_s = time.perf_counter() - t0
    channels = [f"bench:fan-{kind}-{i}" for i in range(CHANNELS)]
    done = marks.expect(CHANNELS)
    t0 = time.perf_counter()
    await subscribe_all(channels)
    subscribed_at = await asyncio.wait_for(done, 60)
    subscribe_s = subscribed_at - t0
    done = marks.expect(CHANNELS)
    t0 = time.perf_counter()
    await disconnect_user(api_url, api_key, "bench")
    resubscribed_at = await asyncio.wait_for(done, 60)
    result = {
        "kind": kind,
        "channels": CHANNELS,
        "connect_s": connect_s,
        "subscribe_s": subscribe_s,
        "reconnect_total_s": resubscribed_at - t0,
        "resubscribe_s": resubscribed_at - marks.connected_at,
    }
    await client.disconnect()
    return result


def main(rounds: int = ROUNDS) -> dict[str, Any]:
    from common import bench_server, last_json, machine, python_script, token, write_json

    rows: list[dict[str, Any]] = []
    for round_no in range(rounds):
        for kind in ("cfgo", "cpython"):
            with bench_server() as server:
                proc = python_script(
                    "fanin.py",
                    "worker",
                    kind,
                    server.ws_url,
                    token(server),
                    server.api_url,
                    server.api_key,
                )
                row = last_json(proc)
            row["round"] = round_no
            rows.append(row)
            print(
                f"  fan-in {kind:8s} subscribe {CHANNELS}: {row['subscribe_s'] * 1000:7.1f} ms  "
                f"resubscribe: {row['resubscribe_s'] * 1000:7.1f} ms "
                f"(total after disconnect {row['reconnect_total_s'] * 1000:.1f} ms)",
                file=sys.stderr,
                flush=True,
            )
    summary: dict[str, Any] = {}
    for kind in ("cfgo", "cpython"):
        mine = [row for row in rows if row["kind"] == kind]
        summary[kind] = {
            key: statistics.median(row[key] for row in mine)
            for key in ("connect_s", "subscribe_s", "resubscribe_s", "reconnect_total_s")
        }
    data = {"machine": machine(), "channels": CHANNELS, "rows": rows, "summary": summary}
    write_json("fanin", data)
    return data


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "worker":
        print(json.dumps(asyncio.run(worker(*sys.argv[2:7]))), flush=True)
    else:
        print(json.dumps(main()["summary"], indent=2))
