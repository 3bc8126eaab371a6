"""Typed failures of server API calls. Every message names what went wrong and what to do;
none contains the API key."""

from __future__ import annotations

from cfgo_tui.client.codes import describe, explain, hint

UNAUTHORIZED_HINT = "401: the API key is wrong or `http_api.key` is not set"


class ApiFailure(Exception):
    """Base of every server API failure."""


class ApiError(ApiFailure):
    """The server answered with an error object `{"code", "message"}` (e.g. 102 unknown channel,
    108 not available). `name` and `hint` come from the shared code table."""

    def __init__(self, code: int, message: str, *, method: str = "") -> None:
        self.code = code
        self.message = message
        self.method = method
        self.name = describe(code).name
        self.hint = hint(code, method or None)
        where = f"{method}: " if method else ""
        super().__init__(f"{where}{explain(code, message, method or None)}")


class ApiUnauthorized(ApiError):
    """HTTP 401: no key, a wrong key, or a server without `http_api.key`."""

    def __init__(self, *, method: str = "", url: str = "") -> None:
        ApiFailure.__init__(self)
        self.code = 401
        self.message = "unauthorized"
        self.method = method
        self.name = "unauthorized"
        self.hint = UNAUTHORIZED_HINT
        self.url = url
        where = f"{method}: " if method else ""
        self.args = (f"{where}{UNAUTHORIZED_HINT} (API at {url})",)


class ApiConnectionError(ApiFailure):
    """The API could not be reached (refused, timeout, DNS, TLS)."""

    def __init__(self, url: str, reason: str) -> None:
        self.url = url
        self.reason = reason
        super().__init__(f"cannot reach the server API at {url}: {reason}")


class ApiProtocolError(ApiFailure):
    """An unexpected HTTP status or a body that is not the API's JSON (wrong URL, a proxy...)."""

    def __init__(self, url: str, problem: str) -> None:
        self.url = url
        self.problem = problem
        super().__init__(f"unexpected answer from the server API at {url}: {problem}")
