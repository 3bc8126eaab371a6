"""Ingest: publications one client takes in from a real Centrifugo, side by side with peers.

Consumers (each its own process, one at a time, interleaved round by round): cfgo's client,
centrifuge-python 0.7.0, a bare `websockets` loop with `json.loads`, the same loop with
`orjson.loads`. Two modes:

- steady: a publisher process (API `batch`) drives the channel as fast as it can while the consumer
  counts over a fixed window. On 2 cores the publisher plus Centrifugo cap msgs/s for every
  consumer alike, so CPU microseconds per message is the comparable figure there.
- drain: the consumer process is stopped (SIGSTOP) while N publications pile up in the server's
  per-connection queue (256 MiB in the bench config, write timeout raised), then resumed; from the
  first to the Nth message only the consumer limits the rate. This is the consumer-bound msgs/s.
"""

from __future__ import annotations

import signal
import sys
import time
from typing import Any

from common import bench_server, last_json, machine, python_script, token, wait_ready, write_json

KINDS = ("cfgo", "cpython", "raw-json", "raw-orjson")
SIZES = (200, 4096)
WARMUP, WINDOW = 1.0, 5.0
DRAIN = {200: 200_000, 4096: 30_000}
# A stopped consumer must not be dropped: writes may block while it sleeps, pings wait too.
DRAIN_ENV = {
    "CENTRIFUGO_WEBSOCKET_WRITE_TIMEOUT": "120s",
    "CENTRIFUGO_CLIENT_PING_INTERVAL": "120s",
    "CENTRIFUGO_CLIENT_PONG_TIMEOUT": "60s",
}
LABELS = {
    "cfgo": "cfgo-tui client",
    "cpython": "centrifuge-python 0.7.0",
    "raw-json": "raw websockets + json.loads",
    "raw-orjson": "raw websockets + orjson.loads",
}


def run_steady(kind: str, size: int, round_no: int) -> dict[str, Any]:
    with bench_server() as server:
        channel = f"bench:ingest-{kind}-{size}-{round_no}"
        consumer = python_script(
            "consumer.py", kind, server.ws_url, token(server), channel, WARMUP, WINDOW
        )
        wait_ready(consumer)
        publisher = python_script(
            "publisher.py", server.api_url, server.api_key, channel, WARMUP + WINDOW + 3, size
        )
        result = last_json(consumer)
        published = last_json(publisher)
    return {**result, "mode": "steady", "size": size, "publisher_rate": published["rate"]}


def run_drain(kind: str, size: int, round_no: int) -> dict[str, Any]:
    count = DRAIN[size]
    with bench_server(env=DRAIN_ENV) as server:
        channel = f"bench:drain-{kind}-{size}-{round_no}"
        consumer = python_script(
            "consumer.py", kind, server.ws_url, token(server), channel, 0, 110, count
        )
        wait_ready(consumer)
        consumer.send_signal(signal.SIGSTOP)
        try:
            publisher = python_script(
                "publisher.py", server.api_url, server.api_key, channel, 100, size, 0, count
            )
            published = last_json(publisher)
            time.sleep(0.5)  # let the server's writer reach the blocked socket
        finally:
            consumer.send_signal(signal.SIGCONT)
        result = last_json(consumer)
    return {**result, "mode": "drain", "size": size, "publisher_rate": published["rate"]}


def main(rounds: int = 2, drain_rounds: int = 3) -> dict[str, Any]:
    """Rounds interleave the consumers (each round runs every kind once); drains are cheap and
    noisier, so they get an extra round."""
    results: list[dict[str, Any]] = []
    for size in SIZES:
        for round_no in range(max(rounds, drain_rounds)):
            modes = []
            if round_no < rounds:
                modes.append(("steady", run_steady))
            if round_no < drain_rounds:
                modes.append(("drain", run_drain))
            for mode, run in modes:
                for kind in KINDS:
                    try:
                        row = run(kind, size, round_no)
                    except Exception as exc:  # keep the other rows of the run
                        row = {
                            "kind": kind,
                            "mode": mode,
                            "size": size,
                            "rate": 0.0,
                            "cpu_us_per_msg": 0.0,
                            "publisher_rate": 0.0,
                            "error": repr(exc),
                        }
                    print(
                        f"  {mode:6s} {kind:11s} {size:5d} B  {row['rate']:9.0f} msg/s  "
                        f"{row['cpu_us_per_msg']:6.2f} us/msg CPU  "
                        f"(publisher {row['publisher_rate']:.0f}/s)"
                        + (f"  {row['error']}" if "error" in row else ""),
                        file=sys.stderr,
                        flush=True,
                    )
                    results.append(row)
    summary = summarize(results)
    data = {"machine": machine(), "rows": results, "summary": summary}
    write_json("ingest", data)
    return data


def summarize(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Per size and mode: best rate and lowest CPU/msg of each consumer over the rounds."""
    summary: dict[str, Any] = {}
    for size in SIZES:
        for mode in ("steady", "drain"):
            per: dict[str, dict[str, float]] = {}
            for row in rows:
                if row["size"] != size or row["mode"] != mode or not row["rate"]:
                    continue
                entry = per.setdefault(
                    row["kind"],
                    {"rate": 0.0, "cpu_us_per_msg": float("inf"), "publisher_rate": 0.0},
                )
                entry["rate"] = max(entry["rate"], row["rate"])
                entry["cpu_us_per_msg"] = min(entry["cpu_us_per_msg"], row["cpu_us_per_msg"])
                entry["publisher_rate"] = max(entry["publisher_rate"], row["publisher_rate"])
            out: dict[str, Any] = dict(per)
            cfgo = per.get("cfgo")
            if cfgo:
                for peer, label in (
                    ("cpython", "cfgo/c-python"),
                    ("raw-json", "cfgo/raw-json"),
                    ("raw-orjson", "cfgo/raw-orjson"),
                ):
                    if peer in per:
                        out[label] = {
                            # > 1 means cfgo is faster (more msgs/s, fewer CPU us per message)
                            "rate_ratio": cfgo["rate"] / per[peer]["rate"],
                            "cpu_ratio": per[peer]["cpu_us_per_msg"] / cfgo["cpu_us_per_msg"],
                        }
            summary[f"{size}/{mode}"] = out
    return summary


if __name__ == "__main__":
    import json

    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 2
    print(json.dumps(main(rounds)["summary"], indent=2))
