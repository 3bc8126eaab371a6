"""The store on its own: ring buffers, counters, unread, rates, state changes, presence."""

from __future__ import annotations

from cfgo_tui.client.events import (
    ClientInfo,
    ConnectedEvent,
    ConnectingEvent,
    ErrorEvent,
    FrameEvent,
    JoinEvent,
    LeaveEvent,
    PublicationEvent,
    StreamPosition,
    SubscribedEvent,
    UnsubscribedEvent,
)
from cfgo_tui.store import RateMeter, Store


class Clock:
    def __init__(self, now: float = 1_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def pub(channel: str, n: int, **kw) -> PublicationEvent:
    return PublicationEvent(channel=channel, data={"n": n}, offset=n, received_at=1_000.0, **kw)


def test_ring_buffer_keeps_newest_and_counts_everything():
    store = Store(retention=5)
    for n in range(1, 13):
        store.apply(pub("chat:a", n))
    kept = [r.data["n"] for r in store.records("chat:a")]
    assert kept == [8, 9, 10, 11, 12]
    assert store.channels["chat:a"].total == 12
    assert store.total == 12
    assert store.channels["chat:a"].last_offset == 12
    assert [r.seq for r in store.records(None)] == [8, 9, 10, 11, 12]


def test_unread_counts_only_channels_not_in_view():
    store = Store()
    store.select("chat:a")
    store.apply(pub("chat:a", 1))
    store.apply(pub("chat:b", 1))
    store.apply(pub("chat:b", 2))
    assert store.channels["chat:a"].unread == 0
    assert store.channels["chat:b"].unread == 2
    store.set_following(False)
    store.apply(pub("chat:a", 2))
    assert store.channels["chat:a"].unread == 1
    store.set_following(True)
    assert store.channels["chat:a"].unread == 0
    store.select("chat:b")
    assert store.channels["chat:b"].unread == 0


def test_rate_meter_reports_mean_over_full_seconds():
    meter = RateMeter(window=2)
    for second in (10, 11):
        for _ in range(6):
            meter.add(second + 0.5)
    assert meter.rate(12.1) == 6.0
    assert meter.rate(14.0) == 0.0


def test_state_lost_adds_a_divider_and_recovered_marks_stay():
    clock = Clock()
    store = Store(clock=clock)
    store.apply(SubscribedEvent("chat:a", recoverable=True, position=StreamPosition(4, "ep")))
    store.apply(pub("chat:a", 5, recovered=True))
    store.apply(SubscribedEvent("chat:a", recoverable=True, was_recovering=True, recovered=False))
    kinds = [r.kind for r in store.records("chat:a")]
    assert kinds == ["publication", "state_lost"]
    assert store.records("chat:a")[0].recovered
    assert store.channels["chat:a"].position == StreamPosition(5, "ep")
    assert any("state lost" in line.text for line in store.log)


def test_connection_state_and_reconnect_countdown():
    clock = Clock(50.0)
    store = Store(clock=clock)
    store.apply(ConnectingEvent(code=0, reason="connect called"))
    assert store.connection.state == "connecting"
    store.apply(ConnectedEvent(client_id="c1", version="6.9.1"))
    assert (store.connection.client_id, store.connection.version) == ("c1", "6.9.1")
    store.apply(ConnectingEvent(code=3001, reason="shutdown", attempt=1, delay=4.0))
    assert store.connection.retry_in(51.5) == 2.5
    assert store.connection.last_code == 3001
    assert "shutdown" in store.log[-1].text
    assert store.log[-1].hint


def test_subscription_errors_are_kept_with_name_and_hint():
    store = Store()
    store.apply(
        ErrorEvent(where="subscribe", message="permission denied", code=103, channel="$secret:x")
    )
    store.apply(UnsubscribedEvent("$secret:x", code=103, reason="permission denied"))
    state = store.channels["$secret:x"]
    assert state.private
    assert state.state == "unsubscribed"
    assert state.error is not None
    assert state.error.label == "103 permission denied"
    assert state.error.hint


def test_presence_follows_joins_and_leaves():
    store = Store()
    alice, bob = ClientInfo("alice", "c-a"), ClientInfo("bob", "c-b")
    store.set_presence("chat:a", {"c-a": alice})
    store.apply(JoinEvent("chat:a", bob))
    assert set(store.channels["chat:a"].presence) == {"c-a", "c-b"}
    store.apply(LeaveEvent("chat:a", alice))
    assert set(store.channels["chat:a"].presence) == {"c-b"}
    assert [e.kind for e in store.channels["chat:a"].presence_log] == ["join", "leave"]


def test_frames_are_bounded():
    store = Store(frames_retention=3)
    for i in range(5):
        store.apply(FrameEvent("in", f'{{"n":{i}}}', float(i)))
    assert [f.text for f in store.frames] == ['{"n":2}', '{"n":3}', '{"n":4}']


def test_filtered_view_updates_incrementally_and_resets():
    from cfgo_tui.store import FilteredView, compile_filter

    store = Store(retention=100)
    view: FilteredView = FilteredView(retention=3)
    view.reset(store.records(None))
    for n in range(1, 6):
        store.apply(pub("chat:a", n))
    assert view.update(store.records(None)) == 5
    assert [r.offset for r in view.rows] == [3, 4, 5]
    assert view.update(store.records(None)) == 0
    only_even = compile_filter("data.n == 2")
    assert only_even is not None
    view.reset(store.records(None), only_even.matches)
    assert [r.offset for r in view.rows] == [2]
    store.apply(pub("chat:a", 2))
    store.apply(pub("chat:a", 7))
    assert view.update(store.records(None)) == 1
    assert [r.offset for r in view.rows] == [2, 2]


def test_a_3500_while_subscribing_with_a_token_stays_on_the_channel():
    from cfgo_tui.client.events import DisconnectedEvent, SubscribingEvent

    store = Store()
    store.apply(SubscribingEvent("$secret:x"))
    store.channel("$secret:x").used_token = "header.claims.sig"
    store.apply(SubscribingEvent("news"))
    store.apply(DisconnectedEvent(3500, "invalid token"))
    assert store.channels["$secret:x"].error is not None
    assert store.channels["$secret:x"].error.label == "3500 invalid token"
    assert store.channels["news"].error is None
    assert store.channels["news"].state == "unsubscribed"


def test_events_log_is_redacted():
    from cfgo_tui.client.redact import clear_secrets, register_secret

    register_secret("s3cr3t-value-123")
    try:
        store = Store()
        store.note("error", "connect failed with key s3cr3t-value-123")
        assert "s3cr3t-value-123" not in store.log[-1].text
    finally:
        clear_secrets()


def test_frames_are_bounded_by_size_too(monkeypatch):
    from cfgo_tui.store import store as store_module

    monkeypatch.setattr(store_module, "FRAMES_MAX_CHARS", 100)
    store = Store(frames_retention=1000)
    for i in range(10):
        store.apply(FrameEvent("in", "x" * 30 + str(i), float(i)))
    assert store.frames_bytes <= 100
    assert [f.text[-1] for f in store.frames] == ["7", "8", "9"]


def test_filtered_view_lets_go_of_what_the_source_dropped():
    from cfgo_tui.store import FilteredView

    store = Store(retention=4)
    view: FilteredView = FilteredView(retention=100)
    view.reset(store.records(None))
    for n in range(1, 4):
        store.apply(pub("chat:a", n))
    view.update(store.records(None))
    for n in range(4, 10):
        store.apply(pub("chat:a", n))
    view.update(store.records(None))
    assert [r.offset for r in view.rows] == [6, 7, 8, 9]


def test_a_3500_reported_on_the_subscription_first_is_kept_too():
    from cfgo_tui.client.events import DisconnectedEvent, SubscribingEvent

    store = Store()
    store.apply(SubscribingEvent("$secret:x"))
    store.apply(UnsubscribedEvent("$secret:x", 3500, "invalid token"))
    store.apply(DisconnectedEvent(3500, "invalid token"))
    assert store.channels["$secret:x"].error is not None
    assert store.channels["$secret:x"].error.label == "3500 invalid token"


def test_a_removed_channel_stays_removed():
    store = Store()
    store.apply(SubscribedEvent("chat:a"))
    store.remove_channel("chat:a")
    store.apply(UnsubscribedEvent("chat:a", 0, "unsubscribe called"))
    assert "chat:a" not in store.channels


def test_error_text_does_not_repeat_the_code_name_and_hint():
    from cfgo_tui.client.codes import describe

    hint = describe(103).hint
    store = Store()
    store.apply(
        ErrorEvent(
            where="subscribe",
            code=103,
            channel="x:y",
            message=f"103 permission denied: permission denied. {hint}",
        )
    )
    assert store.log[-1].text == "subscribe error: x:y: 103 permission denied"
    assert store.channels["x:y"].error.detail == ""
    store.apply(ErrorEvent(where="subscribe", code=103, channel="x:y", message="token user bob"))
    assert store.channels["x:y"].error.detail == "token user bob"
