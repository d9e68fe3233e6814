"""Score the quote finder against hand-labelled quotes: span precision and recall, speakers.

A found quote matches a labelled one when their overlap covers at least 70% of the
longer of the two, one to one. A speaker is right when it equals the label, or one of
the other answers the label accepts, ignoring case, a leading "the" and quote-mark style.
Used by benchmarks/quotes_eval.py (the table in docs/quotes.md) and by the tests that
keep the finder at its targets.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import regex

from . import Quote, find_quotes

MIN_OVERLAP = 0.7
OPENING = "\"'“‘„‚«‹「『”’»›"


@dataclass(frozen=True, slots=True)
class Labelled:
    start: int
    end: int
    speaker: str | None
    accept: tuple[str, ...]
    shape: str


@dataclass
class Score:
    """Counts for one group of labelled quotes."""

    labelled: int = 0
    found: int = 0
    speaker_right: int = 0
    predicted: int = 0
    predicted_right: int = 0
    misses: list[str] = field(default_factory=list)

    def add(self, other: Score) -> None:
        self.labelled += other.labelled
        self.found += other.found
        self.speaker_right += other.speaker_right
        self.predicted += other.predicted
        self.predicted_right += other.predicted_right
        self.misses += other.misses

    @property
    def recall(self) -> float:
        return self.found / self.labelled if self.labelled else 1.0

    @property
    def precision(self) -> float:
        return self.predicted_right / self.predicted if self.predicted else 1.0

    @property
    def speaker_accuracy(self) -> float:
        return self.speaker_right / self.found if self.found else 1.0


def locate(text: str, quoted: str) -> tuple[int, int]:
    """The span of a labelled quote: the occurrence that follows a quote mark."""
    pos = text.find(quoted)
    while pos >= 0:
        if pos > 0 and text[pos - 1] in OPENING:
            return pos, pos + len(quoted)
        pos = text.find(quoted, pos + 1)
    raise ValueError(f"labelled quote not found after a quote mark: {quoted[:60]!r}")


def labels(text: str, quotes: Iterable[dict]) -> list[Labelled]:
    out = []
    for q in quotes:
        start, end = locate(text, q["text"])
        out.append(Labelled(start, end, q["speaker"], tuple(q.get("accept", ())), q["shape"]))
    return out


def _norm(name: str | None) -> str | None:
    if name is None:
        return None
    name = name.replace("’", "'").casefold().strip(" .,")
    return regex.sub(r"^the\s+", "", name)


def speaker_right(label: Labelled, speaker: str | None) -> bool:
    wanted = {_norm(label.speaker)} | {_norm(a) for a in label.accept}
    return _norm(speaker) in wanted


def _overlap(a: Labelled, b: Quote) -> float:
    inter = min(a.end, b.end) - max(a.start, b.start)
    return max(0, inter) / max(a.end - a.start, b.end - b.start, 1)


def score_text(text: str, gold: list[Labelled], by_shape: dict[str, Score], where: str) -> Score:
    """Match the finder's quotes in `text` with `gold`; add to `by_shape`, return the total."""
    found = find_quotes(text)
    used: set[int] = set()
    total = Score(predicted=len(found))
    for label in gold:
        shape = by_shape.setdefault(label.shape, Score())
        shape.labelled += 1
        total.labelled += 1
        best, best_i = 0.0, -1
        for i, quote in enumerate(found):
            if i not in used and (o := _overlap(label, quote)) > best:
                best, best_i = o, i
        if best < MIN_OVERLAP:
            total.misses.append(f"{where}: not found: {text[label.start:label.end][:60]!r}")
            continue
        used.add(best_i)
        shape.found += 1
        total.found += 1
        total.predicted_right += 1
        if speaker_right(label, found[best_i].speaker):
            shape.speaker_right += 1
            total.speaker_right += 1
        else:
            total.misses.append(
                f"{where}: speaker {found[best_i].speaker!r}, labelled {label.speaker!r}: "
                f"{text[label.start:label.end][:50]!r}"
            )
    for i, quote in enumerate(found):
        if i not in used:
            total.misses.append(f"{where}: not a labelled quote: {quote.text[:60]!r}")
    return total


def evaluate(documents: Iterable[tuple[str, str, list[dict]]]) -> tuple[Score, dict[str, Score]]:
    """Score (name, text, labelled quotes) triples: the total and the score by shape."""
    by_shape: dict[str, Score] = {}
    total = Score()
    for name, text, quotes in documents:
        total.add(score_text(text, labels(text, quotes), by_shape, name))
    return total, by_shape
