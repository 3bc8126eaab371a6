"""Locating the Centrifugo binary the same way `scripts/install-centrifugo` does."""

import os
import shutil
from pathlib import Path

PINNED_VERSION = "v6.9.1"
PROJECT_ROOT = Path(__file__).resolve().parents[2]
PROJECT_BIN = PROJECT_ROOT / ".bin" / "centrifugo"


class CentrifugoNotFound(RuntimeError):
    """No usable Centrifugo binary; the message lists the ways to get one."""


def find_centrifugo() -> Path:
    """`$CENTRIFUGO_BIN`, then the project's `.bin/centrifugo`, then `centrifugo` on PATH."""
    env_bin = os.environ.get("CENTRIFUGO_BIN")
    if env_bin and os.access(env_bin, os.X_OK):
        return Path(env_bin)
    if os.access(PROJECT_BIN, os.X_OK):
        return PROJECT_BIN
    on_path = shutil.which("centrifugo")
    if on_path:
        return Path(on_path)
    raise CentrifugoNotFound(
        f"no Centrifugo binary found: set CENTRIFUGO_BIN, put `centrifugo` on PATH, or run "
        f"scripts/install-centrifugo (builds {PINNED_VERSION} with Go 1.26+); the Docker image "
        "centrifugo/centrifugo:v6 works too when a profile points at it"
    )
