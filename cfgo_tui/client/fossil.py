"""Apply a Fossil delta (the format Centrifugo uses for `delta: "fossil"` subscriptions).

Format: the target length as a base-64 integer and a newline, then commands, each an integer
followed by one character: `N@O,` copies N bytes from source offset O, `N:` inserts the next N
bytes of the delta, `C;` ends the delta with the checksum C of the output.
"""

from __future__ import annotations

__all__ = ["DeltaError", "apply_delta", "checksum"]

_ALPHABET = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz~"
_DIGIT = [-1] * 256
for _value, _char in enumerate(_ALPHABET):
    _DIGIT[_char] = _value
_MASK = 0xFFFFFFFF


class DeltaError(ValueError):
    """The delta is malformed or does not produce the announced output."""


def checksum(data: bytes) -> int:
    """Fossil's 32-bit checksum: big-endian 32-bit words summed, a short tail left-aligned."""
    whole = len(data) & ~3
    total = (
        (sum(data[0:whole:4]) << 24)
        + (sum(data[1:whole:4]) << 16)
        + (sum(data[2:whole:4]) << 8)
        + sum(data[3:whole:4])
    )
    for shift, byte in zip((24, 16, 8), data[whole:], strict=False):
        total += byte << shift
    return total & _MASK


def _read_int(delta: bytes, pos: int) -> tuple[int, int]:
    value = 0
    start = pos
    end = len(delta)
    while pos < end:
        digit = _DIGIT[delta[pos]]
        if digit < 0:
            break
        value = (value << 6) + digit
        pos += 1
    if pos == start:
        raise DeltaError(f"expected a number at byte {start} of the delta")
    return value, pos


def apply_delta(source: bytes, delta: bytes) -> bytes:
    """The target that `delta` describes relative to `source`."""
    size, pos = _read_int(delta, 0)
    if pos >= len(delta) or delta[pos] != 0x0A:
        raise DeltaError("delta header is not terminated by a newline")
    pos += 1
    out = bytearray()
    end = len(delta)
    while pos < end:
        count, pos = _read_int(delta, pos)
        if pos >= end:
            raise DeltaError("delta ends inside a command")
        op = delta[pos]
        pos += 1
        if op == 0x40:  # "@": copy from source
            offset, pos = _read_int(delta, pos)
            if pos >= end or delta[pos] != 0x2C:
                raise DeltaError(f"copy command without its ',' at byte {pos}")
            pos += 1
            if offset + count > len(source):
                raise DeltaError("copy command reaches past the end of the source")
            out += source[offset : offset + count]
        elif op == 0x3A:  # ":": literal insert
            if pos + count > end:
                raise DeltaError("insert command reaches past the end of the delta")
            out += delta[pos : pos + count]
            pos += count
        elif op == 0x3B:  # ";": checksum, end of delta
            if len(out) != size:
                raise DeltaError(f"delta produced {len(out)} bytes, header announced {size}")
            if checksum(bytes(out)) != count:
                raise DeltaError("delta checksum mismatch")
            return bytes(out)
        else:
            raise DeltaError(f"unknown delta command {chr(op)!r} at byte {pos - 1}")
        if len(out) > size:
            raise DeltaError(f"delta output exceeds the announced {size} bytes")
    raise DeltaError("delta has no terminating checksum")
