"""How much text each input box in the app takes.

Enough for the box's job, and bounded: a paste or a held key past the limit is
refused with a bell, so it costs no more work than one at the limit (a search, a
filter or a find runs on every change of its box).
"""

from __future__ import annotations

QUERY_CHARS = 1_000  # the search box, the library filter, find in an article
NOTE_CHARS = 10_000
SPEAKER_CHARS = 1_000
PATH_CHARS = 4_096  # the longest path Linux accepts


def limit_for(value: str, limit: int) -> int:
    """`limit`, or the length of a longer stored value (an imported note can be longer):
    the box must still let the user shorten it."""
    return max(limit, len(value))
