"""Start-up: import time of the package, and `cfgo-tui --profile local` to connected.

- import: a fresh interpreter timing `import cfgo_tui.tui.app` (the whole app) and
  `import cfgo_tui.client` (the headless client), medians of several runs, plus the biggest
  cumulative entries of `python -X importtime` for the app.
- launch: the real command in a pseudo-terminal (80x24... here 120x40) against the bench server,
  from exec to the status bar drawing "● connected" on the terminal, then ctrl+q.
- mount: the app under `App.run_test()` (headless), from `app_for_profile()` to the store seeing
  the connection, i.e. the app's own share without the interpreter start and terminal set-up.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import pty
import select
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from common import BENCH_DIR, bench_server, machine, write_config, write_json

RUNS = 5
CONNECTED = "● connected".encode()


def import_time(module: str) -> float:
    code = f"import time; t = time.perf_counter(); import {module}; print(time.perf_counter() - t)"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    return float(out.strip())


def importtime_top(module: str, n: int = 8) -> list[tuple[str, float]]:
    """The packages `module` pulls in that cost most (ms, cumulative, from -X importtime)."""
    err = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", f"import {module}"],
        capture_output=True,
        text=True,
        check=True,
    ).stderr
    best: dict[str, float] = {}
    for line in err.splitlines():
        if not line.startswith("import time:") or "|" not in line:
            continue
        parts = line.split("|")
        try:
            cumulative = int(parts[1].strip())
        except ValueError:
            continue
        root = parts[2].strip().split(".")[0]
        if root in {"cfgo_tui", "site", "encodings"} or root.startswith("_"):
            continue
        best[root] = max(best.get(root, 0.0), cumulative / 1000)
    return sorted(best.items(), key=lambda e: -e[1])[:n]


def launch_to_connected(config: Path, timeout: float = 30.0) -> float:
    """Seconds from exec of `cfgo-tui --profile local` in a pty to "● connected" on screen."""
    exe = Path(sys.executable).with_name("cfgo-tui")
    env = {**os.environ, "TERM": "xterm-256color", "COLUMNS": "120", "LINES": "40"}
    env["XDG_STATE_HOME"] = str(config.parent / "state")
    env["CFGO_TUI_STATE_DIR"] = str(config.parent / "state")
    t0 = time.perf_counter()
    pid, fd = pty.fork()
    if pid == 0:  # child
        os.execve(str(exe), [str(exe), "--config", str(config), "--profile", "local"], env)
    seen = b""
    elapsed = -1.0
    try:
        deadline = t0 + timeout
        while time.perf_counter() < deadline:
            ready, _, _ = select.select([fd], [], [], 0.5)
            if not ready:
                continue
            try:
                chunk = os.read(fd, 65536)
            except OSError:
                break
            if not chunk:
                break
            seen = seen[-64:] + chunk
            if CONNECTED in seen:
                elapsed = time.perf_counter() - t0
                break
        os.write(fd, b"\x11")  # ctrl+q
        end = time.perf_counter() + 5
        while time.perf_counter() < end:
            done, _ = os.waitpid(pid, os.WNOHANG)
            if done:
                break
            ready, _, _ = select.select([fd], [], [], 0.1)
            if ready:
                with contextlib.suppress(OSError):
                    os.read(fd, 65536)
        else:
            os.kill(pid, 9)
            os.waitpid(pid, 0)
    finally:
        os.close(fd)
    if elapsed < 0:
        raise RuntimeError("cfgo-tui did not show '● connected' in the terminal")
    return elapsed


async def mount_to_connected(config: Path) -> float:
    from cfgo_tui.config import load_profile
    from cfgo_tui.tui.launch import app_for_profile

    t0 = time.perf_counter()
    profile = load_profile("local", config=config)
    app = app_for_profile(profile, state_path=config.parent / "state.json")
    async with app.run_test(size=(120, 40)) as pilot:
        while app.store.connection.state != "connected":
            await pilot.pause(0.002)
        elapsed = time.perf_counter() - t0
    return elapsed


def main(runs: int = RUNS) -> dict[str, Any]:
    imports = {
        module: [import_time(module) for _ in range(runs)]
        for module in ("cfgo_tui.tui.app", "cfgo_tui.client")
    }
    top = importtime_top("cfgo_tui.tui.app")
    launches: list[float] = []
    mounts: list[float] = []
    with tempfile.TemporaryDirectory(prefix="cfgo-bench-") as tmp, bench_server() as server:
        config = write_config(server, Path(tmp) / "cfgo-tui.yaml")
        for _ in range(runs):
            launches.append(launch_to_connected(config))
            mounts.append(asyncio.run(mount_to_connected(config)))
    summary = {
        "import_app_s": statistics.median(imports["cfgo_tui.tui.app"]),
        "import_client_s": statistics.median(imports["cfgo_tui.client"]),
        "launch_to_connected_s": statistics.median(launches),
        "mount_to_connected_s": statistics.median(mounts),
    }
    for key, value in summary.items():
        print(f"  start-up {key:24s} {value * 1000:7.1f} ms", file=sys.stderr, flush=True)
    data = {
        "machine": machine(),
        "runs": {"imports": imports, "launch": launches, "mount": mounts},
        "importtime_top_ms": top,
        "summary": summary,
    }
    write_json("startup", data)
    return data


if __name__ == "__main__":
    import json

    sys.path.insert(0, str(BENCH_DIR))
    print(json.dumps(main()["summary"], indent=2))
