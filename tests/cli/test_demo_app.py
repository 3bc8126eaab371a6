"""`cfgo-tui demo` with the real app in a real terminal (a pty at 80x24): the app draws the demo's
channels connected, and quitting it (ctrl+q, ctrl+c) or SIGTERM to the command stops every
process the demo started."""

from __future__ import annotations

import fcntl
import os
import pty
import re
import signal
import struct
import subprocess
import sys
import termios
import threading
import time
from pathlib import Path

import pytest

from cfgo_tui.demo.channels import CHAT, TICKER

CFGO = [sys.executable, "-m", "cfgo_tui.cli.main"]
ANSI = re.compile(rb"\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b[()][A-Z0-9]|\x1b[=>]")


class Terminal:
    """A pty of `columns` x `rows` running `argv`; everything it draws is kept (escapes removed)
    by a reader thread, so the app never blocks on a full pty buffer."""

    def __init__(self, argv: list[str], cwd: Path, columns: int = 80, rows: int = 24) -> None:
        master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))
        env = {**os.environ, "TERM": "xterm-256color", "COLUMNS": str(columns), "LINES": str(rows)}
        env["CFGO_TUI_STATE_DIR"] = str(cwd / "state")
        self.proc = subprocess.Popen(
            argv, stdin=slave, stdout=slave, stderr=slave, cwd=cwd, env=env, start_new_session=True
        )
        os.close(slave)
        self.master = master
        self.raw = bytearray()
        self.lock = threading.Lock()
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        while True:
            try:
                chunk = os.read(self.master, 65536)
            except OSError:
                return
            if not chunk:
                return
            with self.lock:
                self.raw += chunk

    def text(self) -> str:
        with self.lock:
            return ANSI.sub(b"", bytes(self.raw)).decode("utf-8", "replace")

    def wait_for(self, *needles: str, timeout: float = 60.0) -> None:
        # The app draws asynchronously into the pty: poll what it drew, with a deadline.
        deadline = time.monotonic() + timeout
        while not all(needle in self.text() for needle in needles):
            if self.proc.poll() is not None:
                pytest.fail(f"the demo exited ({self.proc.returncode}): {self.text()[-2000:]}")
            if time.monotonic() > deadline:
                pytest.fail(f"never drew {needles}: {self.text()[-2000:]}")
            time.sleep(0.1)

    def press(self, keys: bytes) -> None:
        os.write(self.master, keys)

    def close(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
        os.close(self.master)


def descendants(pid: int) -> set[int]:
    found: set[int] = set()
    todo = [pid]
    while todo:
        current = todo.pop()
        for task in Path(f"/proc/{current}/task").glob("*"):
            try:
                children = (task / "children").read_text().split()
            except OSError:
                continue
            for child in map(int, children):
                if child not in found:
                    found.add(child)
                    todo.append(child)
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state not in ("Z", "X")


@pytest.mark.timeout(180)
@pytest.mark.parametrize("stop", ["ctrl+q", "ctrl+c", "SIGTERM"])
def test_the_demo_app_draws_live_channels_and_stops_everything(stop: str, tmp_path: Path):
    terminal = Terminal([*CFGO, "demo", "--ticker-interval", "0.2"], cwd=tmp_path)
    try:
        terminal.wait_for("connected", CHAT, TICKER)  # 80x24: the sidebar is folded away
        started = descendants(terminal.proc.pid)
        assert (
            len(started) == 2
        )  # Centrifugo and the traffic generator (the token endpoint is a thread)
        if stop == "SIGTERM":
            terminal.proc.send_signal(signal.SIGTERM)
        else:
            terminal.press(b"\x11" if stop == "ctrl+q" else b"\x03")
        assert terminal.proc.wait(timeout=30) in (0, 130, -signal.SIGTERM), terminal.text()[-2000:]
        # Everything the demo started ends with it (each child is reaped by the demo itself).
        assert [pid for pid in started if alive(pid)] == []
    finally:
        terminal.close()
