"""Ingest: publications per second one client takes in from a real Centrifugo, side by side.

Consumers (each its own process, one at a time): cfgo's client, centrifuge-python 0.7.0, a bare
`websockets` loop with `json.loads`, the same loop with `orjson.loads`. The publisher is a separate
process using the API `batch` method; its rate is reported so a publisher bottleneck shows.
"""

from __future__ import annotations

import sys
from typing import Any

from common import bench_server, last_json, machine, python_script, token, wait_ready, write_json

KINDS = ("cfgo", "cpython", "raw-json", "raw-orjson")
SIZES = (200, 4096)
WARMUP, WINDOW = 1.0, 5.0


def run_one(kind: str, size: int, round_no: int) -> dict[str, Any]:
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
    return {**result, "size": size, "publisher_rate": published["rate"]}


def main(rounds: int = 2) -> dict[str, Any]:
    results: list[dict[str, Any]] = []
    for size in SIZES:
        for round_no in range(rounds):
            for kind in KINDS:
                row = run_one(kind, size, round_no)
                print(
                    f"  {kind:11s} {size:5d} B  {row['rate']:9.0f} msg/s  "
                    f"{row['cpu_us_per_msg']:6.1f} us/msg CPU  "
                    f"(publisher {row['publisher_rate']:.0f}/s)",
                    file=sys.stderr,
                )
                results.append(row)
    summary = summarize(results)
    write_json("ingest", {"machine": machine(), "rows": results, "summary": summary})
    return summary


def summarize(rows: list[dict[str, Any]]) -> dict[str, Any]:
    best: dict[tuple[str, int], dict[str, Any]] = {}
    for row in rows:
        key = (row["kind"], row["size"])
        if key not in best or row["rate"] > best[key]["rate"]:
            best[key] = row
    summary: dict[str, Any] = {}
    for size in SIZES:
        per = {kind: best[(kind, size)] for kind in KINDS if (kind, size) in best}
        cfgo = per.get("cfgo")
        entry: dict[str, Any] = {
            kind: {
                "rate": row["rate"],
                "cpu_us_per_msg": row["cpu_us_per_msg"],
                "publisher_rate": row["publisher_rate"],
            }
            for kind, row in per.items()
        }
        if cfgo:
            for peer, label in (
                ("cpython", "cfgo/c-python"),
                ("raw-json", "cfgo/raw-json"),
                ("raw-orjson", "cfgo/raw-orjson"),
            ):
                if peer in per and per[peer]["rate"]:
                    entry[label] = {
                        "rate_ratio": cfgo["rate"] / per[peer]["rate"],
                        "cpu_ratio": per[peer]["cpu_us_per_msg"] / cfgo["cpu_us_per_msg"]
                        if cfgo["cpu_us_per_msg"]
                        else 0.0,
                    }
        summary[str(size)] = entry
    return summary


if __name__ == "__main__":
    import json

    print(json.dumps(main(), indent=2))
