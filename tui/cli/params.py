"""Numeric options spelled in ASCII digits, within a range.

Click's `int` and `float` types call Python's `int()` and `float()`, which accept any
Unicode decimal digit (`--limit ٣` is 3) and, for floats, `nan`, `inf` and `1e308`;
an integer past SQLite's 64 bits then fails deep in a query as `OverflowError`. Every
numeric option of the command line uses `AsciiInt` or `AsciiFloat` instead: a value
is plain ASCII digits and in range, or it is a usage error naming the flag.
"""

from __future__ import annotations

import re
from typing import Any

import click

# The most any count option takes: far above any corpus, far below SQLite's 2**63.
MAX_COUNT = 1_000_000_000

_INT = re.compile(r"[+-]?[0-9]+", re.ASCII)
_FLOAT = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)", re.ASCII)


class _AsciiNumber(click.ParamType):
    """Checks the spelling before the range type converts and bounds the value."""

    pattern: re.Pattern[str]
    spelled: str

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        # Defaults arrive as numbers already; only what the user typed is text.
        if isinstance(value, str) and self.pattern.fullmatch(value.strip()) is None:
            self.fail(f"{value!r} is not {self.spelled} in ASCII digits", param, ctx)
        return super().convert(value, param, ctx)


class AsciiInt(_AsciiNumber, click.IntRange):
    """A whole number in ASCII digits within [min, max] (max defaults to `MAX_COUNT`)."""

    pattern = _INT
    spelled = "a whole number"

    def __init__(self, min: int = 1, max: int = MAX_COUNT) -> None:
        super().__init__(min=min, max=max)


class AsciiFloat(_AsciiNumber, click.FloatRange):
    """A decimal number in ASCII digits (no exponent, nan or inf) within the range."""

    pattern = _FLOAT
    spelled = "a number"

    def __init__(self, min: float | None = None, max: float | None = None) -> None:
        super().__init__(min=min, max=max)
