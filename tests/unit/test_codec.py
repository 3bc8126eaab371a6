"""Frame encoding/decoding: newline-delimited JSON, compact commands."""

from __future__ import annotations

import pytest

from cfgo_tui.client.codec import DecodeError, decode_frame, encode_command, join_lines
from cfgo_tui.client.connection import MAX_FRAME_BYTES, _frames


def test_encode_is_one_compact_line():
    line = encode_command({"id": 1, "publish": {"channel": "a", "data": {"text": "x\ny"}}})
    assert b"\n" not in line
    assert line == b'{"id":1,"publish":{"channel":"a","data":{"text":"x\\ny"}}}'


def test_join_lines():
    assert join_lines([b"{}", b'{"id":1}']) == b'{}\n{"id":1}'


@pytest.mark.parametrize("frame", [b'{"id":1,"x":"a\\nb"}', '{"id":1,"x":"a\\nb"}'])
def test_single_object(frame):
    assert decode_frame(frame) == [{"id": 1, "x": "a\nb"}]


def test_multi_line_frame_keeps_order():
    frame = b'{"id":2,"publish":{}}\n{}\n{"push":{"channel":"c","pub":{"data":"a,b"}}}\n'
    assert decode_frame(frame) == [
        {"id": 2, "publish": {}},
        {},
        {"push": {"channel": "c", "pub": {"data": "a,b"}}},
    ]


def test_blank_lines_tolerated():
    assert decode_frame('{"a":1}\n\n{"b":2}') == [{"a": 1}, {"b": 2}]


def test_empty_frame():
    assert decode_frame(b"") == []
    assert decode_frame("\n") == []


@pytest.mark.parametrize("frame", [b"{not json", b'{"a":1}\n{oops', "[1,"])
def test_bad_frame_raises_decode_error(frame):
    with pytest.raises(DecodeError, match="not newline-delimited JSON"):
        decode_frame(frame)


def test_batches_are_cut_below_the_server_frame_limit():
    line = b"x" * 1000
    frames = _frames([line] * 200)
    assert len(frames) > 1
    assert all(len(f) <= MAX_FRAME_BYTES for f in frames)
    assert b"\n".join(frames) == b"\n".join([line] * 200)
