"""Direct quotations in an article and who said them: a pure function, no database.

`find_quotes(text)` returns every quotation with its exact span (code points, end
exclusive, the quote marks outside: `quote.text == text[quote.start:quote.end]`) and its
likely speaker, or None when the article does not say. Names and scare quotes ("a
so-called 'coalition of the willing'", NBC's "Meet the Press") are not speech and are
left out. How the shapes are read and how well it does: docs/quotes.md.
"""

from __future__ import annotations

from dataclasses import dataclass

from .attribute import attribute
from .marks import find_marked, first_hosts
from .speech import is_speech

__all__ = ["Quote", "find_quotes"]


@dataclass(frozen=True, slots=True)
class Quote:
    """A quotation: `text == document[start:end]`; `shape` says how the speaker was found."""

    start: int
    end: int
    text: str
    speaker: str | None
    shape: str
    nested: bool = False


def find_quotes(text: str) -> list[Quote]:
    """Every direct quotation in `text`, in reading order, with its likely speaker."""
    marked = [m for m in find_marked(text) if is_speech(text, m)]
    outer = [m for m in marked if m.depth == 0]
    # A quote inside a quote that was dropped (a name) is still inside one.
    hosts = first_hosts(outer, [m for m in marked if m.depth > 0])
    found = attribute(text, outer, hosts)
    return [
        Quote(m.start, m.end, text[m.start : m.end], speaker, shape, m.depth > 0)
        for m, (speaker, shape) in sorted(found.items(), key=lambda kv: (kv[0].start, -kv[0].end))
    ]

