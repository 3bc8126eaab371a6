"""Which config file is read: `--config PATH` > `$CFGO_TUI_CONFIG` > `./cfgo-tui.yaml` > the user
config dir (platformdirs: `~/.config/cfgo-tui/config.yaml` on Linux). The first two must exist;
the last two are optional (no file = built-in defaults)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import platformdirs

from cfgo_tui.config.errors import ConfigError

ENV_VAR = "CFGO_TUI_CONFIG"
LOCAL_NAME = "cfgo-tui.yaml"
APP_NAME = "cfgo-tui"


def user_config_file() -> Path:
    """The per-user config file (it may not exist)."""
    return platformdirs.user_config_path(APP_NAME) / "config.yaml"


@dataclass(frozen=True, slots=True)
class Location:
    """`file` is None when no file was found; `source` says which rule picked it; `searched`
    lists every place looked at, in order (for `cfgo-tui profiles`)."""

    file: Path | None
    source: str
    searched: tuple[Path, ...]


def _must_be_file(path: Path, origin: str) -> None:
    if path.is_file():
        return
    problem = "is a directory, not a file" if path.is_dir() else "does not exist"
    hint = f"; unset {ENV_VAR} or point it at a file" if origin == f"${ENV_VAR}" else ""
    raise ConfigError(f"config file {str(path)!r} (from {origin}) {problem}{hint}")


def locate_config(
    explicit: str | os.PathLike[str] | None = None,
    *,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
) -> Location:
    env = os.environ if env is None else env
    cwd = Path.cwd() if cwd is None else cwd
    if explicit:
        path = Path(explicit).expanduser()
        _must_be_file(path, "--config")
        return Location(path, "--config", (path,))
    from_env = env.get(ENV_VAR)
    if from_env:
        path = Path(from_env).expanduser()
        _must_be_file(path, f"${ENV_VAR}")
        return Location(path, f"${ENV_VAR}", (path,))
    local = cwd / LOCAL_NAME
    user = user_config_file()
    if local.is_file():
        return Location(local, f"./{LOCAL_NAME}", (local,))
    if user.is_file():
        return Location(user, "user config dir", (local, user))
    return Location(None, "built-in defaults (no config file found)", (local, user))
