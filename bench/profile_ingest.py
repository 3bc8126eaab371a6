"""The client hot path under pyinstrument: cfgo's consumer in drain mode (200 B, 200k messages).

Writes bench/out/profile-ingest.txt (wall clock, whole process). The TUI flood bench writes its
own profile when BENCH_TUI_PROFILE names a file (bench/all.py does that for the 20k msg/s run).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from common import BENCH_DIR, OUT_DIR, bench_server, last_json, python_script, token, wait_ready
from ingest import DRAIN, DRAIN_ENV


def main(kind: str = "cfgo", size: int = 200) -> str:
    OUT_DIR.mkdir(exist_ok=True)
    target = OUT_DIR / f"profile-ingest-{kind}.txt"
    count = DRAIN[size]
    with bench_server(env=DRAIN_ENV) as server:
        channel = f"bench:profile-{kind}"
        consumer = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "pyinstrument",
                "--interval",
                "0.0005",
                "-r",
                "text",
                "--show=*/centrifuge/*",
                "-o",
                str(target),
                str(BENCH_DIR / "consumer.py"),
                kind,
                server.ws_url,
                token(server),
                channel,
                "0",
                "110",
                str(count),
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, "PYTHONPATH": str(BENCH_DIR.parent)},
        )
        wait_ready(consumer)
        consumer.send_signal(signal.SIGSTOP)
        try:
            publisher = python_script(
                "publisher.py", server.api_url, server.api_key, channel, 100, size, 0, count
            )
            last_json(publisher)
            time.sleep(0.5)
        finally:
            consumer.send_signal(signal.SIGCONT)
        result = last_json(consumer)
    print(
        f"  profile {kind}: {result['rate']:.0f} msg/s under the profiler -> {target}",
        file=sys.stderr,
        flush=True,
    )
    return str(target)


if __name__ == "__main__":
    main(*(sys.argv[1:2] or ["cfgo"]))
