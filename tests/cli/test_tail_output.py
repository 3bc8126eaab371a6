"""Unit tests of what the commands print and parse (no server)."""

from __future__ import annotations

import io
import json

import pytest

from cfgo_tui.cli.errors import UsageError
from cfgo_tui.cli.output import OutputClosed, Printer, event_record, pretty_line, publication_record
from cfgo_tui.cli.parsing import parse_json_payload, parse_position
from cfgo_tui.client.events import (
    ClientInfo,
    JoinEvent,
    PublicationEvent,
    StreamPosition,
    SubscribedEvent,
)
from cfgo_tui.client.redact import MARK, clear_secrets, register_secret


def test_publication_record_has_the_same_keys_for_api_and_client_publications():
    api = publication_record(PublicationEvent("chat:a", {"x": 1}, None, 3, None, 0))
    who = ClientInfo("bob", "c1", conn_info={"name": "Bob"})
    client = publication_record(PublicationEvent("chat:a", [1], who, 4, {"k": "v"}, 1700, True))
    assert list(api) == list(client)
    assert api["info"] is None and api["tags"] == {}
    assert client["info"] == {"user": "bob", "client": "c1", "conn_info": {"name": "Bob"}}
    assert client["recovered"] is True


def test_event_records_name_the_event():
    joined = event_record(JoinEvent("chat:a", ClientInfo("bob", "c1")))
    assert joined == {"event": "join", "channel": "chat:a", "info": {"user": "bob", "client": "c1"}}
    subscribed = event_record(
        SubscribedEvent("chat:a", position=StreamPosition(5, "ep"), was_recovering=True)
    )
    assert subscribed is not None
    assert subscribed["position"] == {"offset": 5, "epoch": "ep"}


def test_pretty_line_of_a_publication():
    who = ClientInfo("bob", "c1")
    record = publication_record(PublicationEvent("chat:a", {"t": "hi"}, who, 7, None, 0))
    line = pretty_line(record)
    assert line.endswith('chat:a #7 bob {"t":"hi"}')


def test_printer_redacts_secrets_and_tokens():
    register_secret("super-secret-value")
    try:
        out = io.StringIO()
        Printer("ndjson", out).emit(
            {"data": "super-secret-value", "token": "eyJhbGciOi.eyJzdWIi.sig"}
        )
    finally:
        clear_secrets()
    text = out.getvalue()
    assert "super-secret-value" not in text
    assert "eyJhbGciOi" not in text
    assert json.loads(text)["data"] == MARK


def test_printer_turns_a_closed_pipe_into_output_closed():
    class Closed(io.StringIO):
        def write(self, text: str) -> int:
            raise BrokenPipeError

    with pytest.raises(OutputClosed):
        Printer("ndjson", Closed()).emit({"a": 1})


@pytest.mark.parametrize(
    ("text", "expected"),
    [("42:gSyZ", StreamPosition(42, "gSyZ")), ("0:a:b", StreamPosition(0, "a:b"))],
)
def test_parse_position(text: str, expected: StreamPosition):
    assert parse_position(text) == expected


@pytest.mark.parametrize("text", ["42", ":e", "x:e", "-1:e", "5:"])
def test_parse_position_rejects(text: str):
    with pytest.raises(UsageError):
        parse_position(text)


def test_parse_json_payload_names_line_and_column():
    with pytest.raises(UsageError, match="line 2 column 9"):
        parse_json_payload('{"a": 1,\n "b": 2 3}')
    assert parse_json_payload(' "text" ') == "text"
