"""TUI under flood: the real app, headless (`App.run_test`), against a real Centrifugo.

For each rate (1k, 5k, 10k, 20k msg/s, 20 s each) a fresh server and app process; a publisher
process (API `batch`, fixed rate) stamps every publication with its publish time (`ts`). Measured
inside the app process:

- event-loop lag: a probe task measuring how late `asyncio.sleep(0.01)` wakes up;
- key press to screen: every 2 s `p` (pause) is pressed, and the time until a screen update that
  contains the new state label ("⏸ paused" / "● <channel>") is drawn; then `p` again (resume);
- publish to screen: every screen update that draws live-pane rows gives the newest `seq` drawn;
  its publish stamp against the clock at that update is the latency of the newest message;
- counted: the store's channel total against the publisher's count, after the flood (waiting up
  to 15 s for the backlog, the time the app needed to catch up is reported).

Screen updates are observed by wrapping `App._display` (what the compositor hands to the driver;
in headless mode Textual computes the update, then skips the terminal write). Nothing in the app
is changed for this.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

RATES = (1_000, 5_000, 10_000, 20_000)
SECONDS = 20.0
CHANNEL = "bench:flood"
KEY_PERIOD = 2.0
SEQ_TS = re.compile(r'"seq":\s*(\d+),\s*"ts":\s*([0-9.]+)')


def update_text(update: Any) -> str:
    """Plain text of a compositor update (the lines it redraws)."""
    lines: list[str] = []
    chops = getattr(update, "chops", None)
    if chops is not None:
        for chop in chops:
            for strip in chop.values():
                if strip is not None:
                    lines.append(strip.text)
        return "\n".join(lines)
    for line in getattr(update, "strips", ()) or ():
        lines.append("".join(segment.text for segment in line))
    return "\n".join(lines)


def schedstat() -> tuple[float, float]:
    """(seconds on a CPU, seconds runnable but waiting for a CPU) of this process' main thread."""
    try:
        on_cpu, waiting, _ = Path("/proc/self/schedstat").read_text().split()
    except (OSError, ValueError):
        return 0.0, 0.0
    return int(on_cpu) / 1e9, int(waiting) / 1e9


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def dist(values: list[float]) -> dict[str, float]:
    return {
        "n": len(values),
        "p50_ms": pct(values, 0.5) * 1000,
        "p95_ms": pct(values, 0.95) * 1000,
        "max_ms": max(values) * 1000 if values else float("nan"),
    }


class ScreenWatch:
    """Wraps `app._display`: newest publication drawn, and one pending text to wait for."""

    def __init__(self, app: Any) -> None:
        self.latencies: list[float] = []
        self.newest_seq = 0
        self.want: str | None = None
        self.seen: asyncio.Event = asyncio.Event()
        self.seen_at = 0.0
        self.sample = True
        self.updates = 0
        original = app._display

        def display(screen: Any, renderable: Any) -> None:
            original(screen, renderable)
            if renderable is None:
                return
            now_wall, now = time.time(), time.perf_counter()
            self.updates += 1
            text = update_text(renderable)
            if self.want is not None and self.want in text:
                self.want = None
                self.seen_at = now
                self.seen.set()
            if self.sample:
                best = None
                for match in SEQ_TS.finditer(text):
                    seq = int(match.group(1))
                    if seq > self.newest_seq:
                        self.newest_seq = seq
                        best = float(match.group(2))
                if best is not None:
                    self.latencies.append(now_wall - best)

        app._display = display

    async def wait_for(self, text: str, limit: float = 5.0) -> float | None:
        self.seen = asyncio.Event()
        self.want = text
        start = time.perf_counter()
        try:
            await asyncio.wait_for(self.seen.wait(), limit)
        except TimeoutError:
            self.want = None
            return None
        return self.seen_at - start


async def lag_probe(lags: list[float], stop: asyncio.Event) -> None:
    while not stop.is_set():
        start = time.perf_counter()
        await asyncio.sleep(0.01)  # the probe itself: how late does a 10 ms sleep wake up
        lags.append(time.perf_counter() - start - 0.01)


async def worker(rate: int, config: Path, api_url: str, api_key: str) -> dict[str, Any]:
    from cfgo_tui.config import load_profile
    from cfgo_tui.tui.launch import app_for_profile

    profile = load_profile("local", config=config)
    app = app_for_profile(profile, state_path=config.parent / "state.json")
    async with app.run_test(size=(120, 40)) as pilot:
        watch = ScreenWatch(app)
        store = app.store
        while store.channels.get(CHANNEL) is None or store.channels[CHANNEL].state != "subscribed":
            await pilot.pause(0.01)
        app.select_channel(CHANNEL)
        await pilot.pause(0.2)
        publisher = await asyncio.create_subprocess_exec(
            sys.executable,
            str(Path(__file__).with_name("publisher.py")),
            api_url,
            api_key,
            CHANNEL,
            str(SECONDS),
            "200",
            str(rate),
            "0",
            "1",
            stdout=asyncio.subprocess.PIPE,
        )
        lags: list[float] = []
        stop = asyncio.Event()
        probe = asyncio.create_task(lag_probe(lags, stop))
        keys: list[float] = []
        missed_keys = 0
        cpu0, t0 = time.process_time(), time.perf_counter()
        _, wait0 = schedstat()
        while publisher.returncode is None and time.perf_counter() - t0 < SECONDS + 5:
            try:
                await asyncio.wait_for(publisher.wait(), KEY_PERIOD)
                break
            except TimeoutError:
                pass
            for label in ("⏸ paused", f"● {CHANNEL}"):
                watch.sample = label != "⏸ paused"
                pressed = asyncio.create_task(pilot.press("p"))
                took = await watch.wait_for(label)
                await pressed
                if took is None:
                    missed_keys += 1
                else:
                    keys.append(took)
            watch.sample = True
        cpu = time.process_time() - cpu0
        flood_s = time.perf_counter() - t0
        runqueue_wait = schedstat()[1] - wait0
        stop.set()
        await probe
        out, _ = await publisher.communicate()
        published = json.loads(out.decode().strip().splitlines()[-1])["published"]
        state = store.channels[CHANNEL]
        end = time.perf_counter()
        while state.total < published and time.perf_counter() - end < 15:
            await pilot.pause(0.05)
        catch_up = time.perf_counter() - end
    return {
        "rate": rate,
        "seconds": flood_s,
        "published": published,
        "counted": state.total,
        "all_counted": state.total == published,
        "catch_up_s": catch_up,
        "cpu_pct_of_core": cpu / flood_s * 100,
        # Time the app was ready to run but another process had the CPU (2 cores: Centrifugo,
        # the publisher and anything else on the machine compete with it).
        "runqueue_wait_pct": runqueue_wait / flood_s * 100,
        "loop_lag": dist(lags),
        "key_to_screen": {**dist(keys), "missed": missed_keys},
        "publish_to_screen": dist(watch.latencies),
        "screen_updates": watch.updates,
        "connection": store.connection.state,
    }


def main(rates: tuple[int, ...] = RATES, name: str = "tui") -> dict[str, Any]:
    from common import bench_server, last_json, machine, python_script, write_config, write_json

    rows: list[dict[str, Any]] = []
    for rate in rates:
        with tempfile.TemporaryDirectory(prefix="cfgo-bench-") as tmp, bench_server() as server:
            config = write_config(server, Path(tmp) / "cfgo-tui.yaml", channels=(CHANNEL,))
            proc = python_script(
                "tui_flood.py", "worker", rate, config, server.api_url, server.api_key
            )
            row = last_json(proc, timeout=SECONDS + 90)
        rows.append(row)
        print(
            f"  tui {rate:6,}/s  lag p50/p95/max {row['loop_lag']['p50_ms']:.1f}/"
            f"{row['loop_lag']['p95_ms']:.1f}/{row['loop_lag']['max_ms']:.1f} ms  "
            f"key p95 {row['key_to_screen']['p95_ms']:.0f} ms  "
            f"publish->screen p50/p95 {row['publish_to_screen']['p50_ms']:.0f}/"
            f"{row['publish_to_screen']['p95_ms']:.0f} ms  "
            f"counted {row['counted']:,}/{row['published']:,}  cpu {row['cpu_pct_of_core']:.0f}%  "
            f"waiting for a CPU {row['runqueue_wait_pct']:.0f}%",
            file=sys.stderr,
            flush=True,
        )
    data = {"machine": machine(), "seconds": SECONDS, "rows": rows}
    write_json(name, data)
    return data


def profiled_worker(argv: list[str], profile_to: str) -> dict[str, Any]:
    """The worker under pyinstrument (wall clock, whole loop): where the UI loop's time goes."""
    from pyinstrument import Profiler

    profiler = Profiler(interval=0.001, async_mode="disabled")
    with profiler:
        result = asyncio.run(worker(int(argv[0]), Path(argv[1]), argv[2], argv[3]))
    Path(profile_to).write_text(profiler.output_text(unicode=True, color=False, short_mode=True))
    return result


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "worker":
        profile_to = os.environ.get("BENCH_TUI_PROFILE")
        if profile_to:
            result = profiled_worker(sys.argv[2:6], profile_to)
        else:
            result = asyncio.run(
                worker(int(sys.argv[2]), Path(sys.argv[3]), sys.argv[4], sys.argv[5])
            )
        print(json.dumps(result), flush=True)
    else:
        main(tuple(int(r) for r in sys.argv[1:]) or RATES)
