"""Markdown tables from bench/out/*.json: bench/out/results.md and the generated part of
bench/RESULTS.md (between `<!-- results:begin -->` and `<!-- results:end -->`)."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from common import BENCH_DIR, OUT_DIR

BEGIN, END = "<!-- results:begin -->", "<!-- results:end -->"
KIND_LABELS = {
    "cfgo": "cfgo-tui client",
    "cpython": "centrifuge-python 0.7.0",
    "raw-json": "raw websockets + json.loads",
    "raw-orjson": "raw websockets + orjson.loads",
}


def load(name: str) -> dict[str, Any]:
    path = OUT_DIR / f"{name}.json"
    if not path.exists():
        return {}
    data: dict[str, Any] = json.loads(path.read_text())
    return data


def n(value: float | None, digits: int = 0) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    return f"{value:,.{digits}f}"


def verdict(ok: bool | None) -> str:
    return "-" if ok is None else ("met" if ok else "**missed**")


def table(header: list[str], rows: list[list[str]]) -> list[str]:
    out = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    out += ["| " + " | ".join(row) + " |" for row in rows]
    return out


def ingest_section(targets: list[list[str]]) -> list[str]:
    data = load("ingest")
    if not data:
        return ["_ingest: not run_", ""]
    summary = data["summary"]
    lines = ["## 1. Ingest", ""]
    lines.append(
        "msg/s and CPU per message of each consumer process (best of the rounds). **steady**: "
        "the publisher drives the channel as fast as it can while the consumer counts over 5 s "
        "(publisher + server bound on 2 cores, so CPU/msg is the comparable figure); **drain**: "
        "the consumer is stopped while the messages queue in the server, then resumed (consumer "
        "bound)."
    )
    lines.append("")
    for size in ("200", "4096"):
        steady, drain = summary.get(f"{size}/steady", {}), summary.get(f"{size}/drain", {})
        rows = []
        for kind, label in KIND_LABELS.items():
            s, d = steady.get(kind, {}), drain.get(kind, {})
            rows.append(
                [
                    label,
                    n(d.get("rate")),
                    n(d.get("cpu_us_per_msg"), 2),
                    n(s.get("rate")),
                    n(s.get("cpu_us_per_msg"), 2),
                    n(s.get("publisher_rate")),
                ]
            )
        lines.append(f"### {size} B payloads")
        lines.append("")
        lines += table(
            [
                "consumer",
                "drain msg/s",
                "drain CPU us/msg",
                "steady msg/s",
                "steady CPU us/msg",
                "publisher msg/s (steady)",
            ],
            rows,
        )
        lines.append("")
        rows = []
        for label in ("cfgo/c-python", "cfgo/raw-json", "cfgo/raw-orjson"):
            d, s = drain.get(label, {}), steady.get(label, {})
            rows.append(
                [
                    label,
                    n(d.get("rate_ratio"), 2),
                    n(d.get("cpu_ratio"), 2),
                    n(s.get("rate_ratio"), 2),
                    n(s.get("cpu_ratio"), 2),
                ]
            )
        lines += table(
            [
                "ratio (>1: cfgo faster)",
                "drain msg/s",
                "drain CPU/msg",
                "steady msg/s",
                "steady CPU/msg",
            ],
            rows,
        )
        lines.append("")
        for label, need in (("cfgo/c-python", 2.0), ("cfgo/raw-json", 1.0)):
            d, s = drain.get(label, {}), steady.get(label, {})
            if d and s:
                worst = min(d["rate_ratio"], d["cpu_ratio"], s["cpu_ratio"])
                peer = "cpython" if label == "cfgo/c-python" else "raw-json"
                ceiling = ""
                limit, other = steady.get("raw-orjson"), steady.get(peer)
                if limit and other:
                    # What the bare orjson loop itself achieves against the same peer.
                    ceiling = (
                        f"; raw-orjson vs the same peer, steady CPU: "
                        f"{other['cpu_us_per_msg'] / limit['cpu_us_per_msg']:.2f}x"
                    )
                targets.append(
                    [
                        f"ingest {size} B {label} >= {need:g}x "
                        "(drain msg/s, drain CPU/msg, steady CPU/msg)",
                        f"{d['rate_ratio']:.2f}x / {d['cpu_ratio']:.2f}x / "
                        f"{s['cpu_ratio']:.2f}x{ceiling}",
                        verdict(worst >= need),
                    ]
                )
    return lines


def tui_section(targets: list[list[str]]) -> list[str]:
    data = load("tui")
    if not data:
        return ["_tui: not run_", ""]
    lines = ["## 2. TUI under flood", ""]
    lines.append(
        f"The app headless (`run_test`, 120x40), one channel, {data['seconds']:.0f} s per rate, "
        "200 B publications stamped with their publish time. Lag: how late a 10 ms sleep wakes "
        "up. Key: `p` pressed to the paused/following label drawn. Publish to screen: newest "
        "`seq` in each screen update vs its publish stamp. CPU wait: time the app was runnable "
        "but another process had the CPU."
    )
    lines.append("")
    rows = []
    for row in data["rows"]:
        lag, key, pub = row["loop_lag"], row["key_to_screen"], row["publish_to_screen"]
        rows.append(
            [
                f"{row['rate']:,}",
                f"{row['counted']:,} / {row['published']:,}",
                f"{n(lag['p50_ms'], 1)} / {n(lag['p95_ms'], 1)} / {n(lag['max_ms'])}",
                f"{n(key['p50_ms'])} / {n(key['p95_ms'])}"
                + (f" ({key['missed']} missed)" if key["missed"] else ""),
                f"{n(pub['p50_ms'])} / {n(pub['p95_ms'])} / {n(pub['max_ms'])}",
                n(row["cpu_pct_of_core"]),
                n(row.get("runqueue_wait_pct")),
            ]
        )
        if row["rate"] in (5_000, 20_000):
            rate = f"{row['rate'] // 1000}k msg/s"
            targets.append(
                [
                    f"TUI {rate}: key press p95 <= 100 ms",
                    f"{n(key['p95_ms'])} ms",
                    verdict(key["p95_ms"] <= 100 and not key["missed"]),
                ]
            )
            targets.append(
                [
                    f"TUI {rate}: newest message on screen <= 250 ms (p95)",
                    f"{n(pub['p95_ms'])} ms",
                    verdict(pub["p95_ms"] <= 250),
                ]
            )
            targets.append(
                [
                    f"TUI {rate}: every message counted",
                    f"{row['counted']:,} / {row['published']:,}",
                    verdict(row["all_counted"]),
                ]
            )
    lines += table(
        [
            "msg/s",
            "counted / published",
            "loop lag p50 / p95 / max ms",
            "key to screen p50 / p95 ms",
            "publish to screen p50 / p95 / max ms",
            "app CPU % of a core",
            "CPU wait %",
        ],
        rows,
    )
    lines.append("")
    return lines


def memory_section(targets: list[list[str]]) -> list[str]:
    data = load("memory")
    if not data:
        return ["_memory: not run_", ""]
    lines = ["## 3. Memory", ""]
    lines.append(
        "RSS (MiB) of the process after N messages of 200 B on one channel, retention 10,000 "
        "(the default). client: cfgo's client and a counting handler; store: the client feeding "
        "the store (what the app keeps, headless); app: the whole app under `run_test`; "
        "store-4k: the store with 4 KB messages (to 100k). Last column: what the bounded caches "
        "that are still filling after 10k messages hold at the last mark."
    )
    lines.append("")
    rows = []
    for row in data["rows"]:
        samples = row["samples"]
        cells = [f"{s['rss_mib']:.1f} ({s['messages']:,})" for s in samples]
        cells += ["-"] * (3 - len(cells))
        change = row.get("change_10k_to_1m_pct")
        later = (
            (samples[2]["rss_mib"] - samples[1]["rss_mib"]) / samples[1]["rss_mib"] * 100
            if len(samples) == 3
            else None
        )
        rows.append(
            [
                row["kind"],
                n(row["ready_mib"], 1),
                *cells,
                f"{change:+.1f}%" if change is not None else "-",
                f"{later:+.1f}%" if later is not None else "-",
                caches(samples[-1]) if samples else "-",
            ]
        )
        if row["kind"] in ("client", "app"):
            targets.append(
                [
                    f"RSS of the {row['kind']} flat within 20% from 10k to 1M",
                    (
                        f"{change:+.1f}% (100k to 1M: {later:+.1f}%)"
                        if change is not None and later is not None
                        else "did not reach 1M"
                    ),
                    verdict(change is not None and abs(change) <= 20),
                ]
            )
    lines += table(
        [
            "process",
            "subscribed",
            "after 10k",
            "after 100k",
            "after 1M",
            "10k to 1M",
            "100k to 1M",
            "bounded caches at the last mark",
        ],
        rows,
    )
    lines.append("")
    return lines


def caches(sample: dict[str, Any]) -> str:
    parts = []
    if "frames" in sample:
        parts.append(f"frames log {sample['frames']:,} frames / {sample['frames_mib']:.1f} MiB")
    if sample.get("strip_cache", -1) >= 0:
        parts.append(f"live-pane strip cache {sample['strip_cache']:,} rows")
    return "; ".join(parts) or "-"


def fanin_section(targets: list[list[str]]) -> list[str]:
    data = load("fanin")
    if not data:
        return ["_fan-in: not run_", ""]
    lines = ["## 4. Fan-in", ""]
    lines.append(
        f"{data['channels']:,} channels, median of {len(data['rows']) // 2} runs. Resubscribe: "
        "from the `connected` event after an API `disconnect` (code 3000, reconnect) to the last "
        "`subscribed`; total: from the API call (includes close, 0.1 s minimum backoff, "
        "connect)."
    )
    lines.append("")
    rows = []
    for kind in ("cfgo", "cpython"):
        s = data["summary"].get(kind)
        if s:
            rows.append(
                [
                    KIND_LABELS[kind],
                    n(s["subscribe_s"] * 1000, 1),
                    n(s["resubscribe_s"] * 1000, 1),
                    n(s["reconnect_total_s"] * 1000, 1),
                    n(s["connect_s"] * 1000, 1),
                ]
            )
    lines += table(
        [
            "client",
            "subscribe 1,000 ms",
            "resubscribe 1,000 ms",
            "disconnect to all resubscribed ms",
            "connect ms",
        ],
        rows,
    )
    lines.append("")
    cfgo = data["summary"].get("cfgo")
    if cfgo:
        targets.append(
            [
                "1,000 subscriptions within 1 s",
                f"{cfgo['subscribe_s'] * 1000:.0f} ms "
                f"(resubscribe {cfgo['resubscribe_s'] * 1000:.0f} ms)",
                verdict(cfgo["subscribe_s"] <= 1.0 and cfgo["resubscribe_s"] <= 1.0),
            ]
        )
    return lines


def startup_section() -> list[str]:
    data = load("startup")
    if not data:
        return ["_start-up: not run_", ""]
    s = data["summary"]
    lines = ["## 5. Start-up", ""]
    lines.append("Medians of 5 runs.")
    lines.append("")
    lines += table(
        ["what", "ms"],
        [
            ["`import cfgo_tui.tui.app` (fresh interpreter)", n(s["import_app_s"] * 1000)],
            ["`import cfgo_tui.client`", n(s["import_client_s"] * 1000)],
            [
                "`cfgo-tui --profile local` in a pty: exec to `● connected` drawn",
                n(s["launch_to_connected_s"] * 1000),
            ],
            [
                "app under `run_test`: build from the profile to connected",
                n(s["mount_to_connected_s"] * 1000),
            ],
        ],
    )
    lines.append("")
    top = data.get("importtime_top_ms") or []
    if top:
        lines.append(
            "Biggest top-level imports of `cfgo_tui.tui.app` (`-X importtime`, cumulative): "
            + ", ".join(f"`{name}` {ms:.0f} ms" for name, ms in top)
            + "."
        )
        lines.append("")
    return lines


def profile_section() -> list[str]:
    lines: list[str] = []
    for name, title, keep in (
        (
            "profile-ingest-cfgo",
            "cfgo client, drain of 200k x 200 B (pyinstrument, wall clock)",
            40,
        ),
        ("profile-ingest-cpython", "centrifuge-python 0.7.0, same drain", 40),
        ("profile-tui-20k", "the app at 20k msg/s for 20 s (pyinstrument, wall clock)", 60),
    ):
        path = OUT_DIR / f"{name}.txt"
        if not path.exists():
            continue
        text = [
            line.rstrip()
            for line in path.read_text().splitlines()
            if line.strip() and not line.startswith(("  _ ", " /_", "/  ", "Program:"))
        ]
        lines += [f"### {title}", "", "```", *text[:keep], "```", ""]
    if lines:
        lines = [
            "## Profiles",
            "",
            "Excerpts of bench/out/profile-*.txt from the same run. The ingest consumer is "
            "stopped while the messages queue up: that time shows as the `print` of READY. The "
            "profiled app runs slower than unprofiled.",
            "",
            *lines,
        ]
    return lines


def render() -> str:
    run = load("run")
    targets: list[list[str]] = []
    body: list[str] = []
    body += ingest_section(targets)
    body += tui_section(targets)
    body += memory_section(targets)
    body += fanin_section(targets)
    body += startup_section()
    body += profile_section()
    m = run.get("machine") or load("ingest").get("machine") or {}
    head = [
        f"Last run: {run.get('started', '?')}, {n(run.get('seconds'))} s"
        + (f", sections: {', '.join(run['sections'])}" if run.get("sections") else "")
        + ".",
        "",
        f"Machine: {m.get('cpu', '?')}, {m.get('cores', '?')} cores, "
        f"Python {m.get('python', '?')}, {m.get('platform', '?')}; Centrifugo v6.9.1 "
        "(memory engine) on loopback. Load average "
        f"before / after: {', '.join(f'{x:.1f}' for x in run.get('load_before', []))} / "
        f"{', '.join(f'{x:.1f}' for x in run.get('load_after', []))}.",
        "",
        *(
            [f"**Sections that failed in this run:** {run['errors']}", ""]
            if run.get("errors")
            else []
        ),
        "## Targets",
        "",
        *table(["target", "measured", ""], targets),
        "",
    ]
    return "\n".join(head + body)


def write() -> Path:
    text = render()
    OUT_DIR.mkdir(exist_ok=True)
    out = OUT_DIR / "results.md"
    out.write_text(text + "\n")
    results = BENCH_DIR / "RESULTS.md"
    if results.exists():
        current = results.read_text()
        if BEGIN in current and END in current:
            before, rest = current.split(BEGIN, 1)
            _, after = rest.split(END, 1)
            results.write_text(f"{before}{BEGIN}\n{text}\n{END}{after}")
    return out


if __name__ == "__main__":
    print(write().read_text())
