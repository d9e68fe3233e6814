"""Offsets in the unit another tool counts in: code points, UTF-16 code units or bytes.

Sidenote stores code points (Python's `str` indices). JavaScript tools count UTF-16
code units (an emoji outside the Basic Multilingual Plane counts 2), and byte-oriented
tools count UTF-8 bytes. docs/formats.md says which tool counts what.
"""

from __future__ import annotations

import bisect
import itertools

from ..errors import InputError

UNITS = ("codepoints", "utf16", "bytes")


def check_unit(unit: str) -> str:
    if unit not in UNITS:
        raise InputError("--offsets", f"unknown unit {unit!r} (use {', '.join(UNITS)})")
    return unit


def _width(unit: str, char: str) -> int:
    point = ord(char)
    if unit == "utf16":
        return 2 if point > 0xFFFF else 1
    return 1 if point < 0x80 else 2 if point < 0x800 else 3 if point < 0x10000 else 4


class Offsets:
    """One text's code point offsets to and from another unit, in O(log n) each."""

    def __init__(self, text: str, unit: str) -> None:
        self.unit = check_unit(unit)
        self.length = len(text)
        if unit == "codepoints" or text.isascii():
            self._ends: list[int] | None = None
        else:
            # _ends[i]: the units before code point i, for i in 0..len(text).
            widths = (_width(unit, c) for c in text)
            self._ends = [0, *itertools.accumulate(widths)]

    def to_unit(self, position: int) -> int:
        return position if self._ends is None else self._ends[position]

    def to_codepoint(self, value: int) -> int | None:
        """The code point at `value` units, or None when `value` falls inside a
        character or past the end."""
        if self._ends is None:
            return value if 0 <= value <= self.length else None
        i = bisect.bisect_left(self._ends, value)
        return i if i < len(self._ends) and self._ends[i] == value else None
