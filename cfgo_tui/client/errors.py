"""Typed errors raised by client calls. Each carries the code's name and hint where known."""

from __future__ import annotations


class CentrifugoError(Exception):
    """Base of every error the client raises."""


class ReplyError(CentrifugoError):
    """The server answered a command with an error object."""

    def __init__(
        self, code: int, message: str, temporary: bool = False, method: str | None = None
    ) -> None:
        self.code = code
        self.message = message
        self.temporary = temporary
        self.method = method  # the command that failed, when known (makes the hint specific)
        super().__init__(self._describe())

    def _describe(self) -> str:
        from cfgo_tui.client.codes import explain  # noqa: PLC0415 - no import cycle

        return explain(self.code, self.message, self.method)


class CommandTimeout(CentrifugoError):
    """No reply within the command timeout."""


class NotConnected(CentrifugoError):
    """The call needs a connection and there is none (or it was lost while waiting)."""


class Unauthorized(CentrifugoError):
    """A token source refused (e.g. a token endpoint answered 403): terminal, do not retry."""


class ConnectFailed(CentrifugoError):
    """`connect()` ended in a terminal state; `code` is the disconnect or error code."""

    def __init__(self, code: int, reason: str) -> None:
        self.code = code
        self.reason = reason
        from cfgo_tui.client.codes import explain  # noqa: PLC0415

        super().__init__(explain(code, reason))


class SubscriptionFailed(CentrifugoError):
    """A subscription ended unsubscribed instead of subscribed (e.g. 103, 102, 2000)."""

    def __init__(self, channel: str, code: int, reason: str) -> None:
        self.channel = channel
        self.code = code
        self.reason = reason
        from cfgo_tui.client.codes import explain  # noqa: PLC0415

        super().__init__(f"{channel}: {explain(code, reason, 'subscribe')}")
