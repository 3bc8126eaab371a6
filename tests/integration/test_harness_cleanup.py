"""The harness leaves no Centrifugo behind: not after a failing test, not when pytest itself is
killed mid-test, not after a start that never became healthy."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from cfgo_tui.localserver import CentrifugoServer, ServerStartError

TESTS = Path(__file__).resolve().parents[1]

# The inner run uses the suite's own fixtures, loaded from tests/conftest.py.
INNER_CONFTEST = f"""
import importlib.util
spec = importlib.util.spec_from_file_location("suite_conftest", {str(TESTS / "conftest.py")!r})
suite = importlib.util.module_from_spec(spec)
spec.loader.exec_module(suite)
fresh_centrifugo = suite.fresh_centrifugo
"""

INNER_TEST = """
import os, signal
from pathlib import Path

def test_inner(fresh_centrifugo):
    Path(os.environ["PID_FILE"]).write_text(str(fresh_centrifugo.proc.pid))
    if os.environ["HOW"] == "kill":
        os.kill(os.getpid(), signal.SIGKILL)  # pytest dies: no finally, no atexit
    assert False, "this test fails on purpose"
"""


def gone(pid: int) -> bool:
    """No such process, or only a zombie waiting for a reaper (it holds no port, runs nothing)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return True
    return state in ("Z", "X")


def run_inner(tmp_path: Path, how: str) -> tuple[int, int]:
    (tmp_path / "conftest.py").write_text(INNER_CONFTEST)
    (tmp_path / "test_inner.py").write_text(INNER_TEST)
    pid_file = tmp_path / "pid"
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(tmp_path)],
        check=False,
        cwd=tmp_path,
        env={**os.environ, "PID_FILE": str(pid_file), "HOW": how},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert pid_file.exists(), proc.stdout + proc.stderr
    return proc.returncode, int(pid_file.read_text())


def wait_gone(pid: int, timeout: float = 10.0) -> bool:
    # The kernel's death signal is delivered asynchronously: poll /proc with a deadline.
    deadline = time.monotonic() + timeout
    while not gone(pid):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def test_a_failing_test_leaves_no_server(tmp_path: Path):
    status, pid = run_inner(tmp_path, "fail")
    assert status == 1  # the inner test failed, as written
    assert gone(pid), f"centrifugo {pid} outlived the failing test"


def test_killing_pytest_mid_test_leaves_no_server(tmp_path: Path):
    status, pid = run_inner(tmp_path, "kill")
    assert status == -signal.SIGKILL
    assert wait_gone(pid), f"centrifugo {pid} outlived the killed pytest"


def test_a_start_that_never_became_healthy_leaves_no_server():
    server = CentrifugoServer("test")
    try:
        with pytest.raises(ServerStartError, match="not healthy"):
            server.start(timeout=0.0)  # the deadline passes before the first health check
        assert server.proc is not None
        assert server.proc.poll() is not None, "the unhealthy server is still running"
    finally:
        server.close()
