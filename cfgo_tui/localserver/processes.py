"""Child processes that cannot outlive us."""

import atexit
import contextlib
import ctypes
import signal
import subprocess
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import IO

_live: set[subprocess.Popen[bytes]] = set()


def _die_with_parent() -> Callable[[], None] | None:
    # PR_SET_PDEATHSIG: the kernel signals the child when we die, even by kill -9.
    if not sys.platform.startswith("linux"):
        return None

    def preexec() -> None:
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(1, signal.SIGKILL)

    return preexec


def spawn(
    argv: Sequence[str], *, log: IO[bytes], env: dict[str, str], cwd: Path | None = None
) -> subprocess.Popen[bytes]:
    proc = subprocess.Popen(
        list(argv),
        stdin=subprocess.DEVNULL,
        stdout=log,
        stderr=subprocess.STDOUT,
        env=env,
        cwd=cwd,
        preexec_fn=_die_with_parent(),  # noqa: PLW1509 - only sets the death signal
    )
    _live.add(proc)
    return proc


def reap(proc: subprocess.Popen[bytes], *, graceful: bool = True, timeout: float = 5.0) -> None:
    """Stop `proc`: SIGCONT (it may be paused), SIGTERM, then SIGKILL after `timeout`."""
    if proc.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            proc.send_signal(signal.SIGCONT)
            proc.send_signal(signal.SIGTERM if graceful else signal.SIGKILL)
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    _live.discard(proc)


@atexit.register
def _reap_all() -> None:
    for proc in list(_live):
        reap(proc, graceful=False, timeout=2.0)
