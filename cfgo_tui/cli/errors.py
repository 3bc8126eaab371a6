"""Errors a command reports as one clean line on stderr, with its exit code."""


class CliError(Exception):
    """A failure the user can act on: printed without a traceback."""

    exit_code = 1

    def __init__(self, message: str, exit_code: int | None = None) -> None:
        super().__init__(message)
        if exit_code is not None:
            self.exit_code = exit_code


class UsageError(CliError):
    """Bad arguments or configuration: exit 2."""

    exit_code = 2
