"""Fossil delta application (the real server's deltas are covered in tests/client)."""

from __future__ import annotations

import pytest

from cfgo_tui.client.fossil import DeltaError, apply_delta, checksum

_DIGITS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz~"


def _int(n: int) -> str:
    if n == 0:
        return "0"
    out = ""
    while n:
        out = _DIGITS[n & 63] + out
        n >>= 6
    return out


def _delta(target: bytes, *ops: tuple[str, object]) -> bytes:
    body = _int(len(target)).encode() + b"\n"
    for kind, value in ops:
        if kind == "copy":
            count, offset = value  # type: ignore[misc]
            body += f"{_int(count)}@{_int(offset)},".encode()
        else:
            assert isinstance(value, bytes)
            body += _int(len(value)).encode() + b":" + value
    return body + _int(checksum(target)).encode() + b";"


def test_checksum_known_values():
    assert checksum(b"") == 0
    assert checksum(b"\x00\x00\x00\x01") == 1
    assert checksum(b"\x01") == 1 << 24
    assert checksum(b"\x01\x02\x03") == (1 << 24) + (2 << 16) + (3 << 8)
    assert checksum(b"\xff\xff\xff\xff\x00\x00\x00\x01") == 0  # wraps at 32 bits


def test_copy_and_insert():
    source = b'{"price":100,"symbol":"ABC"}'
    target = b'{"price":101,"symbol":"ABC"}'
    delta = _delta(target, ("copy", (11, 0)), ("insert", b"1"), ("copy", (16, 12)))
    assert apply_delta(source, delta) == target


def test_pure_insert_from_empty_source():
    target = b'{"a":1}'
    assert apply_delta(b"", _delta(target, ("insert", target))) == target


def test_large_numbers_use_several_digits():
    source = bytes(range(256)) * 40
    target = source[100:5000] + b"tail"
    delta = _delta(target, ("copy", (4900, 100)), ("insert", b"tail"))
    assert apply_delta(source, delta) == target


@pytest.mark.parametrize(
    ("delta", "message"),
    [
        (b"", "expected a number"),
        (b"3", "newline"),
        (b"3\n3:ab", "past the end of the delta"),
        (b"3\n3@0;", "without its ','"),
        (b"3\n9@0,", "past the end of the source"),
        (b"3\n3:abc", "no terminating checksum"),
        (b"3\n3:abc0;", "checksum mismatch"),
        (b"4\n3:abc0;", "announced 4"),
        (b"3\n3:abc1!", "unknown delta command"),
    ],
)
def test_bad_deltas_are_reported(delta, message):
    with pytest.raises(DeltaError, match=message):
        apply_delta(b"xyz", delta)
