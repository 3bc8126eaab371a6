"""Bad input to the client is refused with a message naming the thing and what is expected."""

from __future__ import annotations

import asyncio

import pytest

from cfgo_tui.client import Client, ClientState, NotConnected, StreamPosition

URL = "ws://127.0.0.1:1/connection/websocket"


@pytest.mark.parametrize("url", ["http://x/connection/websocket", "", ["ws://ok", "nope"]])
def test_bad_urls(url):
    with pytest.raises(ValueError, match="ws://"):
        Client(url)


def test_empty_url_list():
    with pytest.raises(ValueError, match="at least one"):
        Client([])


def test_url_list_is_kept_in_order():
    client = Client([URL, "wss://other:8000/connection/websocket"])
    assert client.urls[1].startswith("wss://") and client.url == URL


@pytest.mark.parametrize("name", ["timeout", "max_server_ping_delay"])
def test_bad_durations(name):
    with pytest.raises(ValueError, match=name):
        Client(URL, **{name: 0})


def test_bad_reconnect_delays():
    with pytest.raises(ValueError, match="max reconnect delay"):
        Client(URL, min_reconnect_delay=5, max_reconnect_delay=1)


def test_bad_ssl_option():
    with pytest.raises(ValueError, match="ssl"):
        Client(URL, ssl=42)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"ssl CA file '/nonexistent/ca\.pem' cannot be used"):
        Client(URL, ssl="/nonexistent/ca.pem")


def test_ssl_opt_out_and_default():
    import ssl

    off = Client(URL, ssl=False)._ssl
    assert off is not None and off.verify_mode is ssl.CERT_NONE and not off.check_hostname
    # the default verifies (websockets refuses an explicit ssl=None for wss://)
    default = Client(URL)._ssl
    assert default is not None and default.verify_mode is ssl.CERT_REQUIRED
    assert default.check_hostname


def test_on_is_chainable_and_checks_names():
    client = Client(URL)
    assert client.on("publication", print).on("*", print) is client
    with pytest.raises(ValueError, match="unknown event 'publish'"):
        client.on("publish", print)
    with pytest.raises(ValueError, match="callable"):
        client.on("error", "not a function")  # type: ignore[arg-type]


def test_subscription_options_are_checked():
    client = Client(URL)
    with pytest.raises(ValueError, match="delta"):
        client.new_subscription("chat:a", delta="gzip")
    with pytest.raises(ValueError, match="StreamPosition"):
        client.new_subscription("chat:a", since=(1, "e"))  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="channel"):
        client.new_subscription("")
    sub = client.new_subscription("chat:a", since=StreamPosition(3, "ep"))
    assert sub.position == StreamPosition(3, "ep")
    with pytest.raises(ValueError, match="already exists"):
        client.new_subscription("chat:a")
    assert client.subscriptions() == {"chat:a": sub}


async def test_calls_without_connect_raise_not_connected():
    client = Client(URL)
    assert client.state is ClientState.DISCONNECTED
    with pytest.raises(NotConnected, match="connect"):
        await client.publish("chat:a", {})


async def test_handler_errors_become_error_events():
    client = Client(URL)
    errors: list = []
    two = asyncio.Event()

    def record(event):
        errors.append(event)
        if len(errors) == 2:
            two.set()

    client.on("error", record)

    def broken(event):
        raise RuntimeError("boom")

    async def broken_async(event):
        raise RuntimeError("async boom")

    client.on("connecting", broken).on("connecting", broken_async)
    from cfgo_tui.client import ConnectingEvent

    client._emit(ConnectingEvent(0, "test"))
    async with asyncio.timeout(5):
        await two.wait()
    assert {e.where for e in errors} == {"handler"}
    assert "boom" in errors[0].message and "async boom" in errors[1].message


def test_fast_event_constructors_match_the_dataclasses():
    from cfgo_tui.client import ClientInfo, PublicationEvent
    from cfgo_tui.client.subscription import client_info, publication_event

    wire = {"user": "u", "client": "c", "conn_info": {"a": 1}}
    assert client_info(wire) == ClientInfo("u", "c", {"a": 1}, None)
    pub = {"data": {"x": 1}, "info": wire, "offset": 7, "tags": {"t": "1"}, "time": 5}
    event = publication_event("ch", pub, {"x": 1}, True, 2.5)
    assert event == PublicationEvent(
        "ch", {"x": 1}, ClientInfo("u", "c", {"a": 1}, None), 7, {"t": "1"}, 5, True, 2.5
    )
    with pytest.raises(AttributeError):
        event.offset = 8  # type: ignore[misc]


def test_data_must_be_json():
    with pytest.raises(ValueError, match="connect data must be JSON-serializable"):
        Client(URL, data={1, 2})
    with pytest.raises(ValueError, match="subscription data must be JSON-serializable"):
        Client(URL).new_subscription("chat:a", data=object())
