"""A small UI state file (theme, recent payloads) in the user state dir."""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path

from platformdirs import user_state_dir

RECENT_PAYLOADS = 20


def default_state_path() -> Path:
    override = os.environ.get("CFGO_TUI_STATE_DIR")
    base = Path(override) if override else Path(user_state_dir("cfgo-tui"))
    return base / "ui-state.json"


@dataclass(slots=True)
class UiState:
    theme: str | None = None
    recent_payloads: list[str] = field(default_factory=list)

    @classmethod
    def load(cls, path: Path | None) -> UiState:
        if path is None:
            return cls()
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return cls()  # a missing or damaged state file only loses preferences
        if not isinstance(raw, dict):
            return cls()
        theme = raw.get("theme")
        recent = raw.get("recent_payloads")
        return cls(
            theme=theme if isinstance(theme, str) else None,
            recent_payloads=[p for p in recent if isinstance(p, str)][:RECENT_PAYLOADS]
            if isinstance(recent, list)
            else [],
        )

    def save(self, path: Path | None) -> None:
        if path is None:
            return
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(asdict(self), indent=2), encoding="utf-8")
        except OSError:
            pass  # preferences are best effort; never fail the app over them

    def remember_payload(self, payload: str) -> None:
        if payload in self.recent_payloads:
            self.recent_payloads.remove(payload)
        self.recent_payloads.insert(0, payload)
        del self.recent_payloads[RECENT_PAYLOADS:]
