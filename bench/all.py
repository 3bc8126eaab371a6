"""Runs the benchmarks (all, or the sections named on the command line) and writes the report.

    bench/run                       # everything (about 10 minutes on 2 cores)
    bench/run ingest fanin          # some sections; the report uses the JSON of earlier runs too

Sections: ingest, fanin, startup, memory, tui, profile. Results: bench/out/<section>.json,
bench/out/results.md, and the generated part of bench/RESULTS.md (between its markers).
"""

from __future__ import annotations

import os
import sys
import time
import traceback
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import fanin
import ingest
import memory
import profile_ingest
import report
import startup
import tui_flood
from common import OUT_DIR, machine, write_json

SECTIONS = ("ingest", "fanin", "startup", "memory", "tui", "profile")


def main(argv: list[str]) -> int:
    chosen = argv or list(SECTIONS)
    unknown = [name for name in chosen if name not in SECTIONS]
    if unknown:
        print(f"unknown section(s) {unknown}: choose from {', '.join(SECTIONS)}", file=sys.stderr)
        return 2
    started = time.time()
    write_json(
        "run",
        {
            "machine": machine(),
            "started": time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(started)),
            "load_before": os.getloadavg(),
            "sections": chosen,
        },
    )
    errors: dict[str, str] = {}
    for name in chosen:
        t0 = time.perf_counter()
        print(f"== {name}", file=sys.stderr, flush=True)
        try:
            run_section(name)
        except Exception as exc:  # one broken section must not lose the others' figures
            traceback.print_exc()
            errors[name] = f"{type(exc).__name__}: {exc}"[:2000]
        print(f"   {name} took {time.perf_counter() - t0:.0f} s", file=sys.stderr, flush=True)
    run = {
        "machine": machine(),
        "started": time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(started)),
        "seconds": time.time() - started,
        "load_after": os.getloadavg(),
        "sections": chosen,
        "errors": errors,
    }
    write_json("run", {**report.load("run"), **run})
    path = report.write()
    print(f"report: {path}", file=sys.stderr)
    return 1 if errors else 0


def run_section(name: str) -> None:
    if name == "ingest":
        ingest.main()
    elif name == "fanin":
        fanin.main()
    elif name == "startup":
        startup.main()
    elif name == "memory":
        memory.main()
    elif name == "tui":
        tui_flood.main()
    elif name == "profile":
        profile_ingest.main("cfgo")
        profile_ingest.main("cpython")
        # The app at 20k msg/s under the profiler (slower than unprofiled, see RESULTS.md).
        os.environ["BENCH_TUI_PROFILE"] = str(OUT_DIR / "profile-tui-20k.txt")
        try:
            tui_flood.main((20_000,), name="tui-profiled")
        finally:
            del os.environ["BENCH_TUI_PROFILE"]


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
