"""Headless state behind the app: ring buffers, counters, rates, filters, NDJSON export.

No Textual, no Rich: the client's events are applied here and the UI reads on a timer.
"""

from cfgo_tui.store.export import export_ndjson, record_line
from cfgo_tui.store.filters import Filter, FilterError, compile_filter
from cfgo_tui.store.rates import RateMeter
from cfgo_tui.store.records import FrameRecord, LogRecord, Record, compact_json
from cfgo_tui.store.store import (
    DEFAULT_RETENTION,
    ChannelError,
    ChannelState,
    ConnectionState,
    PresenceEntry,
    Store,
    SubscribeOptions,
)
from cfgo_tui.store.view import FilteredView

__all__ = [
    "DEFAULT_RETENTION",
    "ChannelError",
    "ChannelState",
    "ConnectionState",
    "Filter",
    "FilterError",
    "FilteredView",
    "FrameRecord",
    "LogRecord",
    "PresenceEntry",
    "RateMeter",
    "Record",
    "Store",
    "SubscribeOptions",
    "compact_json",
    "compile_filter",
    "export_ndjson",
    "record_line",
]
