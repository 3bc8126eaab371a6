"""Shared bench plumbing: the bench server, tokens, subprocess helpers, machine description."""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import jwt

from cfgo_tui.localserver import CentrifugoServer

BENCH_DIR = Path(__file__).resolve().parent
OUT_DIR = BENCH_DIR / "out"


def bench_server(**kwargs: Any) -> CentrifugoServer:
    return CentrifugoServer("bench", **kwargs).start()


def token(server: CentrifugoServer, user: str = "bench") -> str:
    return jwt.encode(
        {"sub": user, "exp": int(time.time()) + 3600}, server.hmac_secret, algorithm="HS256"
    )


def python_script(name: str, *args: object) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, str(BENCH_DIR / name), *map(str, args)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(BENCH_DIR.parent)},
    )


def wait_ready(proc: subprocess.Popen[str], timeout: float = 30.0) -> None:
    assert proc.stdout is not None
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if line.strip() == "READY":
            return
        if not line and proc.poll() is not None:
            raise RuntimeError(f"{proc.args} exited: {proc.stderr.read() if proc.stderr else ''}")
    raise RuntimeError(f"{proc.args} not ready after {timeout}s")


def last_json(proc: subprocess.Popen[str], timeout: float = 120.0) -> dict[str, Any]:
    out, err = proc.communicate(timeout=timeout)
    for line in reversed(out.splitlines()):
        if line.startswith("{"):
            result: dict[str, Any] = json.loads(line)
            return result
    raise RuntimeError(f"{proc.args} printed no result (exit {proc.returncode}):\n{err[-2000:]}")


def machine() -> dict[str, Any]:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
    }


def write_json(name: str, data: Any) -> Path:
    OUT_DIR.mkdir(exist_ok=True)
    path = OUT_DIR / f"{name}.json"
    path.write_text(json.dumps(data, indent=2))
    return path


def write_config(
    server: CentrifugoServer,
    path: Path,
    *,
    channels: tuple[str, ...] = ("bench:startup",),
    retention: int = 10_000,
    user: str = "bench",
) -> Path:
    """A cfgo-tui config with one profile, `local`, pointing at the bench server."""
    lines = [
        "default_profile: local",
        "profiles:",
        "  local:",
        f"    url: {server.ws_url}",
        "    api:",
        f"      url: {server.api_url}",
        f"      key: {server.api_key}",
        "    auth:",
        "      hmac:",
        f"        secret: {server.hmac_secret}",
        f"        user: {user}",
        "        ttl: 1h",
        f"    retention: {retention}",
        "    channels:",
        *(f"      - {channel}" for channel in channels),
    ]
    path.write_text("\n".join(lines) + "\n")
    path.chmod(0o600)
    return path
