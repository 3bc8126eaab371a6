"""The one error every config problem becomes: a clean message, exit code 2."""

from __future__ import annotations

from pathlib import Path

from cfgo_tui.cli.errors import UsageError

# ConfigError is a UsageError so that every command (headless or the app launcher) prints it as
# one line and exits 2 without each of them catching it; cli.errors imports nothing.


class ConfigError(UsageError):
    """A config file problem: `file:line: key.path: what was expected, what was found`.

    Attributes: `file` (Path or None), `line` (1-based or None), `key` (dotted key path or ""),
    `problem` (the message without the location prefix).
    """

    def __init__(
        self,
        problem: str,
        *,
        file: Path | None = None,
        line: int | None = None,
        key: str = "",
    ) -> None:
        self.file = file
        self.line = line
        self.key = key
        self.problem = problem
        location = ""
        if file is not None:
            location = f"{file}:{line}: " if line is not None else f"{file}: "
        prefix = f"{key}: " if key else ""
        super().__init__(f"{location}{prefix}{problem}", exit_code=2)
