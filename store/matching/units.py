"""Units (sentences and spans) and matches: the types every stage shares. Pure: no database."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass

Progress = Callable[[int, int], None]

MIN_WORDS = 6
"""A sentence with fewer normalised words is not linked: too little to be a statement."""
MIN_SHORT_WORDS = 3
MIN_SHORT_CHARS = 12
"""An annotation may be as short as this; below MIN_WORDS it is blocked by character 4-grams."""


@dataclass(frozen=True, slots=True)
class Unit:
    """A span that may carry a statement: a sentence, or a free span (an annotation).

    `seq` is a sentence's position in its document and None for a free span. Sentences
    with consecutive `seq` may be joined when one outlet split a statement that another
    kept whole. Free spans were chosen by a reader, so they may be shorter.
    """

    doc: str
    start: int
    end: int
    text: str
    annotation_id: str | None = None
    seq: int | None = None


@dataclass(frozen=True, slots=True)
class Side:
    doc: str
    start: int
    end: int
    annotation_id: str | None
    match_start: int
    match_end: int

    @property
    def key(self) -> str:
        return f"{self.doc}:{self.start}:{self.end}"


@dataclass(frozen=True, slots=True)
class Match:
    """Two spans in different documents that carry the same statement."""

    a: Side
    b: Side
    score: float
    method: str  # exact | trimmed | reworded
    cluster: str = ""

    @property
    def pair_key(self) -> str:
        return pair_key(self.a.key, self.b.key)


def span_key(doc: str, start: int, end: int) -> str:
    return f"{doc}:{start}:{end}"


def pair_key(key_a: str, key_b: str) -> str:
    """Order-independent: the same pair found from either side is one link."""
    return "|".join(sorted((key_a, key_b)))


def cluster_id(doc: str, start: int, end: int) -> str:
    digest = hashlib.blake2b(span_key(doc, start, end).encode(), digest_size=6).hexdigest()
    return f"s{digest}"


def eligible(unit: Unit, words: int, chars: int) -> bool:
    """Sentences need MIN_WORDS; free spans may be shorter (but not a word or two)."""
    if unit.seq is not None:
        return words >= MIN_WORDS
    return words >= MIN_SHORT_WORDS and chars >= MIN_SHORT_CHARS
