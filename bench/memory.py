"""Memory: RSS after 10k, 100k and 1M messages, for the client alone, the client feeding the store
(what the app retains, headless) and the whole app under `App.run_test()`.

Each runs in its own process (`python bench/memory.py worker KIND CONFIG`) subscribed to one
channel; a publisher process (API `batch`) sends 1M+ 200-byte publications. Retention (10,000 per
channel, the default) must keep RSS flat: the figure that matters is the change from 10k to 1M.
"""

from __future__ import annotations

import asyncio
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

MARKS = (10_000, 100_000, 1_000_000)
CHANNEL = "bench:memory"
# Publisher rate per kind: the app draws at 15 Hz on the same core as the client, so it is fed
# at a rate it sustains (the server's queue would otherwise overflow and close it with 3008).
RATES = {"client": 0, "store": 0, "app": 25_000, "store-4k": 0}
KINDS = ("client", "store", "app", "store-4k")
# store-4k: the store with 4 KB payloads up to 100k messages (its frames log is bounded by a
# count of frames, not bytes: this row shows what that costs with bigger messages).
SIZES = {"store-4k": 4096}
LIMITS = {"store-4k": 100_000}


def rss_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


class Sampler:
    """RSS each time the count crosses a mark (checked every 20 ms, so a mark may overshoot)."""

    def __init__(
        self, count: Any, store: Any = None, limit: int = MARKS[-1], extra: Any = None
    ) -> None:
        self.count = count
        self.store = store
        self.extra = extra
        self.marks = [mark for mark in MARKS if mark <= limit]
        self.samples: list[dict[str, float]] = []

    async def run(self, limit: float) -> None:
        pending = list(self.marks)
        deadline = time.monotonic() + limit
        while pending and time.monotonic() < deadline:
            n = self.count()
            if n >= pending[0]:
                pending.pop(0)
                sample = {"messages": n, "rss_mib": rss_mib()}
                if self.store is not None:  # what the store holds besides the messages
                    sample["frames"] = len(self.store.frames)
                    sample["frames_mib"] = sum(len(f.text) for f in self.store.frames) / 2**20
                if self.extra is not None:
                    sample.update(self.extra())
                self.samples.append(sample)
            await asyncio.sleep(0.02)  # sampling period


async def worker(kind: str, config: Path) -> dict[str, Any]:
    from cfgo_tui.config import load_profile
    from cfgo_tui.config.factory import make_client

    profile = load_profile("local", config=config)
    baseline = rss_mib()
    if kind == "app":
        from cfgo_tui.tui.launch import app_for_profile

        app = app_for_profile(profile, state_path=config.parent / "state.json")
        async with app.run_test(size=(120, 40)) as pilot:
            while app.store.channels.get(CHANNEL) is None or (
                app.store.channels[CHANNEL].state != "subscribed"
            ):
                await pilot.pause(0.01)
            ready = rss_mib()
            print("READY", flush=True)

            def strips() -> dict[str, int]:
                # The live pane's cache of rendered rows (an LRU bounded by count).
                view = app.query_one("#messages")
                cache = getattr(view, "_cache", None)
                return {"strip_cache": len(cache) if cache is not None else -1}

            sampler = Sampler(lambda: app.store.total, app.store, extra=strips)
            await sampler.run(MARKS[-1] / RATES["app"] + 60)
    else:
        from cfgo_tui.store import Store

        client = make_client(profile)
        counter = [0]
        if kind.startswith("store"):
            store = Store(profile.retention)
            client.on("*", store.apply)

            def count() -> int:
                return store.total
        else:

            def on_pub(event: Any) -> None:
                counter[0] += 1

            client.on("publication", on_pub)

            def count() -> int:
                return counter[0]

        await client.connect()
        await client.subscribe(CHANNEL)
        ready = rss_mib()
        print("READY", flush=True)
        sampler = Sampler(
            count,
            store if kind.startswith("store") else None,
            LIMITS.get(kind, MARKS[-1]),
        )
        await sampler.run(120)
        await client.disconnect()
    return {"kind": kind, "baseline_mib": baseline, "ready_mib": ready, "samples": sampler.samples}


def main(kinds: tuple[str, ...] = KINDS) -> dict[str, Any]:
    from common import (
        bench_server,
        last_json,
        machine,
        python_script,
        wait_ready,
        write_config,
        write_json,
    )

    rows: list[dict[str, Any]] = []
    env = {"CENTRIFUGO_WEBSOCKET_WRITE_TIMEOUT": "30s"}
    for kind in kinds:
        with (
            tempfile.TemporaryDirectory(prefix="cfgo-bench-") as tmp,
            bench_server(env=env) as server,
        ):
            config = write_config(
                server, Path(tmp) / "cfgo-tui.yaml", channels=(CHANNEL,), retention=10_000
            )
            proc = python_script("memory.py", "worker", kind, config)
            wait_ready(proc)
            publisher = python_script(
                "publisher.py",
                server.api_url,
                server.api_key,
                CHANNEL,
                MARKS[-1] / (RATES[kind] or 100_000) + 60,
                SIZES.get(kind, 200),
                RATES[kind],
                LIMITS.get(kind, MARKS[-1]) + 5_000,
            )
            published = last_json(publisher, timeout=200)
            row = last_json(proc, timeout=200)
        samples = row["samples"]
        first, last = samples[0]["rss_mib"], samples[-1]["rss_mib"]
        row["change_10k_to_1m_pct"] = (last - first) / first * 100 if len(samples) == 3 else None
        row["publisher_rate"] = published["rate"]
        rows.append(row)
        print(
            f"  memory {kind:6s} "
            + "  ".join(f"{s['messages']:>9,}: {s['rss_mib']:6.1f} MiB" for s in samples)
            + (
                f"  change 10k->1M {row['change_10k_to_1m_pct']:+.1f}%"
                if row["change_10k_to_1m_pct"] is not None
                else f"  (last mark {samples[-1]['messages']:,})"
            ),
            file=sys.stderr,
            flush=True,
        )
    data = {"machine": machine(), "marks": MARKS, "rows": rows}
    write_json("memory", data)
    return data


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "worker":
        print(json.dumps(asyncio.run(worker(sys.argv[2], Path(sys.argv[3])))), flush=True)
    else:
        main(tuple(sys.argv[1:]) or KINDS)
