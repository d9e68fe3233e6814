"""Putting annotations back on a text that has changed, or refusing to.

Its size is one job's: the four placements below and the scores that decide them.

Web annotators have shipped two failures here: offsets trusted blindly (the span
now covers other words) and fuzzy matches accepted at any score (Hypothesis puts
an orphaned highlight on the "best" match, however bad). Sidenote places an
annotation only when it can show the text is the same statement:

1. the quote, exactly, where the text is unchanged around it (positions in the
   untouched head or tail of an edited document map directly);
2. else the exact quote elsewhere: among its occurrences, the one whose
   surrounding text (stored prefix/suffix) matches best, then the nearest;
3. else a fuzzy match (`rapidfuzz.fuzz.partial_ratio_alignment`, boundaries refined
   to the best `ratio`) whose quote score and context score both clear a minimum;
4. else nothing: the annotation goes to the `review` table with the best
   candidate found, for a person to decide (`sidenote review`).

`place()` is pure. `carry_annotations()` applies it to every annotation of an old
version of an article inside the caller's change group (one undoable unit).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from rapidfuzz import fuzz

from ..annotations import annotation_row
from ..db.connection import Store, utc_now
from ..history import ChangeGroup
from ..models import Document
from ..text import CONTEXT_CHARS, snap_to_graphemes, span_problem

# A fuzzy placement needs the quote to match this well (fuzz.ratio, 0-100) ...
MIN_QUOTE_SCORE = 85.0
# ... and its surroundings (stored prefix/suffix against the new text) this well,
# unless the quote alone is nearly perfect (a changed comma, a fixed typo).
MIN_CONTEXT_SCORE = 50.0
QUOTE_ALONE_SCORE = 95.0
# Exact occurrences whose context scores within this of the best are "as good";
# the nearest of them to the expected position wins.
CONTEXT_TIE = 5.0
# How far around the expected position the fuzzy search looks first.
FUZZY_WINDOW = 2000
# How many exact occurrences of a very common quote are weighed.
MAX_OCCURRENCES = 10000


@dataclass(frozen=True)
class Anchor:
    """What is known about where an annotation was: its span, quote and context."""

    start: int
    end: int
    text: str
    prefix: str = ""
    suffix: str = ""


@dataclass(frozen=True)
class Placement:
    """Where an annotation goes on the new text, or why it goes nowhere.

    `method` is `position` (unchanged place), `exact` (the quote found elsewhere),
    `fuzzy` (a close match), or `unplaced`. For an unplaced annotation, `best_*`
    describe the best candidate seen, to show the person reviewing it.
    """

    method: str
    start: int | None = None
    end: int | None = None
    score: float = 0.0
    reason: str = ""
    best_start: int | None = None
    best_end: int | None = None
    best_score: float | None = None

    @property
    def placed(self) -> bool:
        return self.method != "unplaced"


# -- mapping positions of an edited text --------------------------------------


@dataclass(frozen=True)
class EditMap:
    """Where an edited text kept its old head and tail.

    Most real edits touch one place (a paragraph added, a sentence corrected): every
    position before the first difference keeps its offset, every position after the
    last one shifts by the change in length. Positions in between are unknown.
    """

    old_length: int
    new_length: int
    head: int  # length of the common prefix
    tail: int  # length of the common suffix (not overlapping the head)

    @classmethod
    def between(cls, old: str, new: str) -> EditMap:
        head = _common_prefix_length(old, new)
        limit = min(len(old), len(new)) - head
        tail = _common_suffix_length(old, new, limit)
        return cls(len(old), len(new), head, tail)

    def span(self, start: int, end: int) -> tuple[int, int] | None:
        """The span's offsets in the new text if it lies in unchanged text."""
        if end <= self.head:
            return start, end
        if start >= self.old_length - self.tail:
            shift = self.new_length - self.old_length
            return start + shift, end + shift
        return None

    def expected(self, start: int) -> int:
        """Best guess of where old offset `start` is now."""
        if start >= self.old_length - self.tail:
            return start + self.new_length - self.old_length
        return min(start, self.new_length)


def _common_prefix_length(a: str, b: str) -> int:
    """Binary search on slices: O(n log n) work done in C, not a Python loop."""
    low, high = 0, min(len(a), len(b))
    while low < high:
        mid = (low + high + 1) // 2
        if a[:mid] == b[:mid]:
            low = mid
        else:
            high = mid - 1
    return low


def _common_suffix_length(a: str, b: str, limit: int) -> int:
    low, high = 0, max(0, limit)
    while low < high:
        mid = (low + high + 1) // 2
        if a[len(a) - mid :] == b[len(b) - mid :]:
            low = mid
        else:
            high = mid - 1
    return low


# -- scoring ------------------------------------------------------------------


def context_score(anchor: Anchor, text: str, start: int, end: int) -> float:
    """How well the text around `start:end` matches the stored prefix and suffix (0-100)."""
    before = (
        text[max(0, start - len(anchor.prefix)) : start]
        if anchor.prefix
        else text[max(0, start - 1) : start]
    )
    after = text[end : end + len(anchor.suffix)] if anchor.suffix else text[end : end + 1]
    return (_side_score(anchor.prefix, before) + _side_score(anchor.suffix, after)) / 2


def _side_score(stored: str, found: str) -> float:
    if not stored:
        # The span touched the start (or end) of its document. Still touching it is
        # a match; otherwise there is nothing to compare, so neither for nor against.
        return 100.0 if not found else 50.0
    return fuzz.ratio(stored, found)


def _exact_occurrences(text: str, quote: str) -> list[int]:
    found = []
    pos = text.find(quote)
    while pos >= 0 and len(found) < MAX_OCCURRENCES:
        found.append(pos)
        pos = text.find(quote, pos + 1)
    return found


# -- placing one annotation ---------------------------------------------------


def place(anchor: Anchor, new_text: str, *, edits: EditMap | None = None) -> Placement:
    """Where `anchor` goes on `new_text` (see the module docstring for the rules).

    `edits` (from `EditMap.between(old_text, new_text)`) is given when the old text
    is known; without it the stored offsets are the only hint of position.
    """
    quote = anchor.text
    if not quote:
        return Placement("unplaced", reason="the annotation has no text")

    # 1. Unchanged surroundings: the same text at the (mapped) same place.
    if edits is not None:
        mapped = edits.span(anchor.start, anchor.end)
        if (
            mapped
            and new_text[mapped[0] : mapped[1]] == quote
            and not span_problem(new_text, *mapped)
        ):
            return Placement("position", mapped[0], mapped[1], 100.0)
        expected = edits.expected(anchor.start)
    else:
        expected = anchor.start

    # 2. The exact quote: best context first, then nearest to where it was.
    occurrences = [
        p
        for p in _exact_occurrences(new_text, quote)
        if not span_problem(new_text, p, p + len(quote))
    ]
    if occurrences:
        scored = [(context_score(anchor, new_text, p, p + len(quote)), p) for p in occurrences]
        best_context = max(score for score, _ in scored)
        contenders = [p for score, p in scored if score >= best_context - CONTEXT_TIE]
        chosen = min(contenders, key=lambda p: (abs(p - expected), p))
        method = "position" if chosen == expected else "exact"
        return Placement(method, chosen, chosen + len(quote), 100.0)

    # 3. A close match, checked against its context.
    candidate = _fuzzy_candidate(anchor, new_text, expected)
    if candidate is None:
        return Placement("unplaced", reason="the quote is no longer in the text")
    start, end, quote_score = candidate
    ctx = context_score(anchor, new_text, start, end)
    if quote_score >= MIN_QUOTE_SCORE and (
        ctx >= MIN_CONTEXT_SCORE or quote_score >= QUOTE_ALONE_SCORE
    ):
        return Placement("fuzzy", start, end, round(quote_score, 1))
    why = (
        f"closest text matches {quote_score:.0f}% (needs {MIN_QUOTE_SCORE:.0f}%)"
        if quote_score < MIN_QUOTE_SCORE
        else f"closest text matches {quote_score:.0f}% but its surroundings only {ctx:.0f}%"
    )
    return Placement(
        "unplaced", reason=why, best_start=start, best_end=end, best_score=round(quote_score, 1)
    )


def _fuzzy_candidate(anchor: Anchor, text: str, expected: int) -> tuple[int, int, float] | None:
    """The best approximate occurrence of the quote: near the expected place, else anywhere.

    The region comes from `partial_ratio_alignment`; its ends come from the stored
    context when the text just before and after the span survived (the span is then
    exactly what lies between them), else from the alignment, moved to the nearby
    ends that start and finish words the way the quote does. A span that cannot be
    given sound ends is not a candidate.
    """
    quote = anchor.text
    reach = FUZZY_WINDOW + 2 * len(quote)
    window_start = max(0, expected - reach)
    window_end = min(len(text), expected + len(quote) + reach)
    best = _candidate(anchor, text, window_start, window_end)
    if (best is None or best[2] < MIN_QUOTE_SCORE) and (window_start > 0 or window_end < len(text)):
        everywhere = _candidate(anchor, text, 0, len(text))
        if everywhere is not None and (best is None or everywhere[2] > best[2]):
            best = everywhere
    return best


def _candidate(anchor: Anchor, text: str, lo: int, hi: int) -> tuple[int, int, float] | None:
    quote = anchor.text
    window = text[lo:hi]
    if not window.strip():
        return None
    if len(window) <= len(quote):
        start, end = lo, hi
    else:
        found = fuzz.partial_ratio_alignment(quote, window)
        start, end = lo + found.dest_start, lo + found.dest_end
    bracketed = _bracket(anchor, text, start, end)
    if bracketed is not None:
        start, end = bracketed
    else:
        refined = _refine(quote, text, start, end)
        if refined is None:
            return None
        start, end = refined
    start, end = snap_to_graphemes(text, start, end)
    if end <= start:
        return None
    return start, end, fuzz.ratio(quote, text[start:end])


CONTEXT_PROBE = 12  # characters of stored context looked for next to the candidate


def _bracket(anchor: Anchor, text: str, start: int, end: int) -> tuple[int, int] | None:
    """The span between the surviving stored prefix and suffix, near start:end."""
    slack = len(anchor.text) // 2 + CONTEXT_CHARS
    left = _context_edge(anchor.prefix, text, start, slack, before=True)
    right = _context_edge(anchor.suffix, text, end, slack, before=False)
    if left is None or right is None:
        return None
    quote = anchor.text
    if not quote[:1].isspace():
        while left < right and text[left].isspace():
            left += 1
    if not quote[-1:].isspace():
        while right > left and text[right - 1].isspace():
            right -= 1
    if not len(quote) / 2 <= right - left <= len(quote) * 2:
        return None
    return left, right


def _context_edge(stored: str, text: str, near: int, slack: int, *, before: bool) -> int | None:
    """Where the span starts (after the prefix) or ends (before the suffix) in `text`."""
    if len(stored) < CONTEXT_CHARS:
        # Short context: the span was this close to the start (or end) of its text.
        if before:
            return (
                len(stored)
                if text.startswith(stored) and abs(len(stored) - near) <= slack
                else None
            )
        edge = len(text) - len(stored)
        return edge if text.endswith(stored) and abs(edge - near) <= slack else None
    probe = stored[-CONTEXT_PROBE:] if before else stored[:CONTEXT_PROBE]
    lo, hi = max(0, near - slack - len(probe)), min(len(text), near + slack + len(probe))
    edges = []
    pos = text.find(probe, lo, hi)
    while pos >= 0:
        edges.append(pos + len(probe) if before else pos)
        pos = text.find(probe, pos + 1, hi)
    return min(edges, key=lambda e: abs(e - near)) if edges else None


def _refine(quote: str, text: str, start: int, end: int) -> tuple[int, int] | None:
    """Move the ends of an alignment to where `ratio` with the quote is highest.

    partial_ratio compares windows as long as the quote, so a longer or shorter
    replacement word leaves the alignment a few characters short or long. Only ends
    that begin and finish words as the quote does are considered: a span that
    starts inside a word, or on a space the quote does not have, is other text.
    """
    reach = max(3, min(20, len(quote) // 8))
    starts = [
        s
        for s in range(max(0, start - reach), min(len(text), start + reach) + 1)
        if _sound_start(quote, text, s)
    ]
    best: tuple[float, int, int] | None = None
    for s in starts:
        for e in range(max(s + 1, end - reach), min(len(text), end + reach) + 1):
            if not _sound_end(quote, text, e):
                continue
            score = fuzz.ratio(quote, text[s:e], score_cutoff=best[0] if best else None)
            if best is None or score > best[0]:
                best = (score, s, e)
    return None if best is None else (best[1], best[2])


def _is_word(ch: str) -> bool:
    return ch.isalnum()


def _sound_start(quote: str, text: str, s: int) -> bool:
    first, here = quote[:1], text[s : s + 1]
    if first.isspace() != here.isspace():
        return False
    if _is_word(first):
        return _is_word(here) and (s == 0 or not _is_word(text[s - 1]))
    return True


def _sound_end(quote: str, text: str, e: int) -> bool:
    last, here = quote[-1:], text[e - 1 : e]
    if last.isspace() != here.isspace():
        return False
    if _is_word(last):
        return _is_word(here) and (e >= len(text) or not _is_word(text[e]))
    return True


# -- moving the annotations of an old version ----------------------------------


@dataclass
class ReanchorResult:
    """What `carry_annotations` did, for the import report."""

    kept: list[str] = field(default_factory=list)  # placed where it was (after shifting)
    moved: list[str] = field(default_factory=list)  # the exact quote found elsewhere
    fuzzy: list[str] = field(default_factory=list)  # placed on a close match
    review: list[str] = field(default_factory=list)  # sent to the review list

    @property
    def placed(self) -> int:
        return len(self.kept) + len(self.moved) + len(self.fuzzy)

    def add(self, annotation_id: str, placement: Placement) -> None:
        bucket = {"position": self.kept, "exact": self.moved, "fuzzy": self.fuzzy}
        bucket.get(placement.method, self.review).append(annotation_id)

    def as_dict(self) -> dict:
        return {
            "kept": len(self.kept),
            "moved": len(self.moved),
            "fuzzy": len(self.fuzzy),
            "review": len(self.review),
        }


def review_record(row: dict, document: Document | None = None) -> dict:
    """The annotation as it was (the `jsonl` export shape), kept in `review.record`."""
    return {
        "id": row["id"],
        "doc_id": row["doc_id"],
        "doc_title": document.title if document else row.get("doc_title", ""),
        "source": document.source if document else row.get("source", ""),
        "url": document.url if document else row.get("url", ""),
        "label": row["label"],
        "start": row["start"],
        "end": row["end"],
        "text": row["text"],
        "prefix": row.get("prefix", ""),
        "suffix": row.get("suffix", ""),
        "note": row.get("note", ""),
        "speaker": row.get("speaker", ""),
        "annotator": row.get("annotator", ""),
        "created": row.get("created_at") or row.get("created", ""),
        "updated": row.get("updated_at") or row.get("updated", ""),
    }


def review_row(record: dict, target_doc_id: str, placement: Placement) -> dict:
    """A `review` row: the record, the document it belongs on, and the best candidate."""
    return {
        "id": record["id"],
        "doc_id": target_doc_id,
        "record": json.dumps(record, ensure_ascii=False, sort_keys=True),
        "reason": placement.reason,
        "best_start": placement.best_start,
        "best_end": placement.best_end,
        "best_score": placement.best_score,
        "created_at": utc_now(),
        "resolved_at": None,
    }


def placed_row(record: dict, new_doc_id: str, new_text: str, placement: Placement) -> dict:
    """The annotation's row on its new place: same id, label, note and history."""
    return annotation_row(
        new_text,
        new_doc_id,
        placement.start,
        placement.end,
        record["label"],
        note=record.get("note", ""),
        speaker=record.get("speaker", ""),
        annotator=record.get("annotator", ""),
        annotation_id=record["id"],
        created_at=record.get("created_at") or record.get("created") or None,
        updated_at=utc_now(),
    )


def carry_annotations(
    group: ChangeGroup, old_doc: Document, new_doc_id: str, new_text: str
) -> ReanchorResult:
    """Move every annotation of `old_doc` onto `new_text` (document `new_doc_id`).

    Runs inside the caller's change group, so the import of the new version and the
    moves are one transaction and one undo step. Each annotation keeps its id,
    label, note, speaker, annotator and creation time; its span, text and context
    follow the text. Annotations that cannot be placed safely are removed from the
    old version and listed in `review` (with their full record) instead.
    Links attached to moved annotations are left to re-linking.
    """
    result = ReanchorResult()
    edits = EditMap.between(old_doc.text, new_text)
    rows = list(
        group.db.query(
            'SELECT * FROM annotations WHERE doc_id = ? ORDER BY start, "end", id', [old_doc.id]
        )
    )
    for row in rows:
        anchor = Anchor(row["start"], row["end"], row["text"], row["prefix"], row["suffix"])
        placement = place(anchor, new_text, edits=edits)
        if placement.placed:
            moved = placed_row(row, new_doc_id, new_text, placement)
            if (
                placement.method == "position"
                and moved["start"] == row["start"]
                and new_doc_id == row["doc_id"]
            ):
                moved["updated_at"] = row["updated_at"]
            group.set_state("annotation", row["id"], moved)
        else:
            record = review_record(row, old_doc)
            group.set_state("annotation", row["id"], None)
            group.set_state("review", row["id"], review_row(record, new_doc_id, placement))
        result.add(row["id"], placement)
    return result


# -- finding the version an article replaces ------------------------------------

# Share of the old version's paragraphs that must survive verbatim (or of its text
# kept as an untouched head and tail) for two texts to count as one article.
SAME_ARTICLE_SHARE = 0.3


def find_other_version(
    store: Store, *, url: str, title: str, source: str, exclude: str = ""
) -> Document | None:
    """The stored document that is most likely another version of the same article.

    Same non-empty `url`; else same non-empty `title` and `source`. When several
    are stored, the most recently imported. `exclude` is the new version's id.
    """
    if url:
        sql = (
            "SELECT * FROM documents WHERE url = ? AND id != ? "
            "ORDER BY imported_at DESC, rowid DESC LIMIT 1"
        )
        rows = list(store.db.query(sql, [url, exclude]))
        if rows:
            return Document(**rows[0])
    if title and source:
        sql = (
            "SELECT * FROM documents WHERE title = ? AND source = ? AND id != ? "
            "ORDER BY imported_at DESC, rowid DESC LIMIT 1"
        )
        rows = list(store.db.query(sql, [title, source, exclude]))
        if rows:
            return Document(**rows[0])
    return None


def same_article(old_text: str, new_text: str) -> bool:
    """Whether a new text is an edit of the old one rather than another article that
    happens to share a title (a live blog, "Morning briefing"): a good share of the
    old text is still there, as an untouched head and tail or as whole paragraphs."""
    shortest = min(len(old_text), len(new_text))
    if shortest == 0:
        return False
    edits = EditMap.between(old_text, new_text)
    if edits.head + edits.tail >= SAME_ARTICLE_SHARE * shortest:
        return True
    old_lines = {line.strip() for line in old_text.split("\n") if line.strip()}
    new_lines = {line.strip() for line in new_text.split("\n") if line.strip()}
    return bool(old_lines) and len(old_lines & new_lines) >= SAME_ARTICLE_SHARE * len(old_lines)

