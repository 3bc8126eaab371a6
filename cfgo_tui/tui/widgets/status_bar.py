"""The status bar: profile, URL, connection state, client id, server version, RTT, msgs/s."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from cfgo_tui.client.codes import describe
from cfgo_tui.store import Store
from cfgo_tui.tui.session import AppOptions

_STATE_STYLE = {"connected": "bold green", "connecting": "bold yellow", "disconnected": "bold red"}


def status_text(store: Store, options: AppOptions, now: float, width: int = 200) -> Text:
    conn = store.connection
    text = Text(no_wrap=False)
    text.append(f" {options.profile} ", "bold reverse")
    text.append(" ")
    if options.tls_insecure:
        text.append(" TLS VERIFY OFF ", "bold white on red")
        text.append(" ")
    state = conn.state
    if state == "connecting" and conn.retry_at:
        label = f"reconnecting in {conn.retry_in(now):.0f} s"
    elif state == "connecting" and conn.code:
        label = "reconnecting"
    else:
        label = state
    text.append(f"● {label}", _STATE_STYLE.get(state, ""))
    if conn.last_code and state != "connected":
        text.append(f" ({describe(conn.last_code).label()})", "yellow")
    text.append("  ")
    rtt = f"{conn.rtt * 1000:.1f} ms" if conn.rtt is not None else "-"
    text.append(f"rtt {rtt}", "cyan")
    text.append("  ")
    text.append(f"{store.total_rate():,.1f} msg/s", "bold")
    text.append(f"  total {store.total:,}", "dim")
    text.append(f"  {options.url}", "dim italic")
    if conn.client_id:
        # a narrow terminal gets the id's first block; the events log has it whole
        client = conn.client_id if width >= 120 else conn.client_id.split("-")[0] + "…"
        text.append(f"  client {client}", "dim")
    if conn.version:
        text.append(f"  server {conn.version}", "dim")
    return text


class StatusBar(Static):
    def __init__(self, options: AppOptions, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.options = options
        self._last: Text | None = None

    def refresh_from(self, store: Store, now: float) -> None:
        text = status_text(store, self.options, now, self.size.width)
        if self._last is None or text.plain != self._last.plain:
            self._last = text
            # the counters change on every flush; the bar's height is fixed by the stylesheet,
            # so a new text needs a repaint of this line, not a layout of the whole screen
            self.update(text, layout=False)
