"""The checklist `cfgo-tui doctor` prints: one line per step, and for a failure the code's name,
the likely cause and what to change (a config key or a token claim)."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from typing import Literal

from cfgo_tui.client.redact import redact

Status = Literal["ok", "fail", "warn", "skip"]
MARKS: dict[Status, str] = {"ok": "[ok]  ", "fail": "[FAIL]", "warn": "[warn]", "skip": "[skip]"}


@dataclass(frozen=True, slots=True)
class Check:
    """One step of the walk. `step` is a stable id (`dns`, `tcp`, `websocket`, `token`, `connect`,
    `subscribe`, `presence`, `history`, `api`); `target` what it ran on (a host, a channel)."""

    step: str
    target: str
    status: Status
    detail: str = ""
    code: int | None = None
    code_name: str | None = None
    cause: str | None = None
    fix: str | None = None

    @property
    def title(self) -> str:
        return f"{self.step} {self.target}".strip()

    def lines(self) -> list[str]:
        head = f"{MARKS[self.status]} {self.title}"
        if self.detail:
            head += f": {self.detail}"
        out = [head]
        if self.code is not None:
            out.append(f"       code:  {self.code} {self.code_name or ''}".rstrip())
        if self.cause:
            out.append(f"       cause: {self.cause}")
        if self.fix:
            out.append(f"       fix:   {self.fix}")
        return [redact(line) for line in out]

    def as_json(self) -> str:
        return redact(json.dumps({k: v for k, v in asdict(self).items() if v is not None}))


@dataclass(slots=True)
class Checklist:
    checks: list[Check]

    def add(self, check: Check) -> Check:
        self.checks.append(check)
        return check

    @property
    def failed(self) -> list[Check]:
        return [check for check in self.checks if check.status == "fail"]

    @property
    def ok(self) -> bool:
        return not self.failed

    def summary(self) -> str:
        counts = {status: 0 for status in MARKS}
        for check in self.checks:
            counts[check.status] += 1
        parts = [f"{counts['ok']} ok", f"{counts['fail']} failed"]
        if counts["warn"]:
            parts.append(f"{counts['warn']} warnings")
        if counts["skip"]:
            parts.append(f"{counts['skip']} skipped")
        verdict = "all good" if self.ok else "first failure: " + self.failed[0].title
        return f"{', '.join(parts)}: {verdict}"
