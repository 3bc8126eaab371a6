"""Filters (substring, field path, JMESPath) and NDJSON export with secrets redacted."""

from __future__ import annotations

import json

import pytest

from cfgo_tui.client.redact import clear_secrets, register_secret
from cfgo_tui.store import FilterError, Record, compile_filter, export_ndjson


def rec(data, channel="chat:a", user="", offset=1) -> Record:
    return Record(
        seq=offset,
        kind="publication",
        channel=channel,
        received_at=1.0,
        data=data,
        offset=offset,
        user=user,
    )


RECORDS = [
    rec({"user": "bob", "n": 1, "text": "Hello"}, offset=1),
    rec({"user": "alice", "n": 2, "text": "bye"}, offset=2, user="alice"),
    rec({"user": "bob", "n": 3, "tags": ["x"]}, channel="chat:b", offset=3),
    rec("plain string", channel="news", offset=4),
]


def matching(text: str) -> list[int]:
    compiled = compile_filter(text)
    assert compiled is not None
    return [r.offset for r in RECORDS if compiled.matches(r)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("hello", [1]),
        ("chat:b", [3]),
        ("ALICE", [2]),
        ('data.user == "bob"', [1, 3]),
        ("data.user == bob", [1, 3]),
        ('data.user != "bob"', [2, 4]),
        ("data.n >= 2", [2, 3]),
        ("data.n < 2", [1]),
        ('data.text ~= "HEL"', [1]),
        ('data.tags[0] == "x"', [3]),
        ("offset > 3", [4]),
        ('channel == "news"', [4]),
        ("jp:data.n > `1`", [2, 3]),
        ("?data.user == 'alice'", [2]),
        ("jp:contains(channel, 'chat')", [1, 2, 3]),
    ],
)
def test_filter_forms(text, expected):
    assert matching(text) == expected


def test_empty_filter_is_none_and_bad_jmespath_is_explained():
    assert compile_filter("   ") is None
    with pytest.raises(FilterError, match="JMESPath expression"):
        compile_filter("jp:data.[")
    with pytest.raises(FilterError, match="empty"):
        compile_filter("jp:")


def test_export_writes_ndjson_and_redacts_secrets(tmp_path):
    register_secret("s3cr3t-api-key")
    try:
        records = [
            rec({"token": "abc.def.ghi", "n": 1}),
            rec({"note": "key is s3cr3t-api-key"}, offset=2, user="bob"),
            Record(seq=3, kind="state_lost", channel="chat:a", received_at=2.0, note="state lost"),
        ]
        path = tmp_path / "out.ndjson"
        assert export_ndjson(records, path) == 3
        text = path.read_text()
        assert "s3cr3t-api-key" not in text
        assert "abc.def.ghi" not in text
        lines = [json.loads(line) for line in text.splitlines()]
        assert lines[0]["offset"] == 1 and lines[0]["channel"] == "chat:a"
        assert lines[1]["info"] == {"user": "bob", "client": ""}
        assert lines[2]["kind"] == "state_lost"
    finally:
        clear_secrets()
