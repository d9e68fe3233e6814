"""Deciding candidate pairs of units: scores, spans, methods. Pure: no database.

rapidfuzz `ratio` when the two sides are about the same length, `partial_ratio` when one
is clearly shorter (`partial_ratio_alignment` records the part that matched); a shared
verbatim run of 12+ words for a statement each outlet cut differently; two adjacent
sentences read as one for a statement one outlet split; and always three shared content
words, so sentences built from the same stock phrases never link.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
from rapidfuzz import fuzz, process

from .normalise import STOCK_WORDS, content_words, shared_content_words, token_spans
from .units import Match, Progress, Side

if TYPE_CHECKING:
    from .index import Index

DEFAULT_THRESHOLD = 85.0
"""Lowest score (0-100) of two whole statements (`ratio`) for a suggestion."""
PARTIAL_MARGIN = 3.0
"""`partial_ratio` (a quote inside a longer sentence) needs the threshold plus this much:
on the synthetic benchmark, chance matches of a short sentence's opening words inside
an unrelated longer one score up to 87; true trimmed quotes mostly score 88 and more."""
PARTIAL_MIN_WORDS = 8
"""A shorter side with fewer words must be found (nearly) verbatim: SHORT_SCORE."""
SHORT_SCORE = 95.0
WHOLE_LENGTH_RATIO = 0.85
"""Sides at least this close in length are compared whole (`ratio`), else `partial_ratio`."""
TRIMMED_SCORE = 97.0
TRIMMED_RUN = 0.75
TRIMMED_LENGTH = 0.95
"""A clearly shorter side (under TRIMMED_LENGTH of the other) is a cut-down copy ("trimmed")
when it aligns at least TRIMMED_SCORE, or when TRIMMED_RUN of its words appear word for
word in the other (a quote kept whole with its attribution changed); else "reworded"."""
MIN_SHARED_CONTENT = 3
"""Content words (not stop words, titles, days or names) both sides must share."""
MERGE_MIN_PART = 12
"""A joined pair of sentences is kept only if the alignment covers this many characters of each."""
PASSAGE_MIN_WORDS = 12
"""Two sentences that share a verbatim run of this many words carry the same statement,
even when each outlet cut it differently (neither contains the other). On the seeds,
runs of 16-20 words are reused reports; runs of up to 8 are names and stock phrases.
Such a link is "trimmed" with score 100 (the shared passage is verbatim); a run that
covers TRIMMED_RUN of the shorter side is left to the scorers and the threshold."""
PASSAGE_MIN_SHARED = 8
"""Only pairs sharing this many uncommon bigrams are searched for such a run."""
VERIFY_CHUNK = 200_000


@dataclass
class _Item:
    """One side of a comparison: a unit, or two adjacent sentences read as one."""

    parts: tuple[int, ...]
    norm: str
    doc: str
    start: int
    end: int
    text: str
    annotation_id: str | None
    free: bool  # a span a reader chose, not a sentence


def _item(index: Index, parts: tuple[int, ...]) -> _Item:
    units = [index.units[p] for p in parts]
    return _Item(
        parts=parts,
        norm=" ".join(index.norms[p] for p in parts),
        doc=units[0].doc,
        start=units[0].start,
        end=units[-1].end,
        text=" ".join(u.text for u in units),
        annotation_id=units[0].annotation_id if len(units) == 1 else None,
        free=len(units) == 1 and units[0].seq is None,
    )


def _item_tokens(index: Index, item: _Item) -> list[tuple[int, int]]:
    """Document offsets of each word of `item.norm`."""
    spans: list[tuple[int, int]] = []
    for p in item.parts:
        unit = index.units[p]
        spans.extend((unit.start + s, unit.start + e) for s, e in token_spans(unit.text))
    return spans


def _map_alignment(tokens: list[tuple[int, int]], lo: int, hi: int) -> tuple[int, int] | None:
    """Document span of the words that compact positions [lo, hi) cover at least half of."""
    pos = 0
    first = last = None
    for k, (s, e) in enumerate(tokens):
        length = e - s
        covered = min(hi, pos + length) - max(lo, pos)
        if covered * 2 >= length and covered > 0:
            if first is None:
                first = k
            last = k
        pos += length + 1
    if first is None or last is None:
        return None
    return tokens[first][0], tokens[last][1]


def _covered_parts(index: Index, item: _Item, lo: int, hi: int) -> list[int]:
    """How many compact characters of each part [lo, hi) covers."""
    covered = []
    pos = 0
    for p in item.parts:
        length = len(index.norms[p])
        covered.append(max(0, min(hi, pos + length) - max(lo, pos)))
        pos += length + 1
    return covered


@dataclass
class _Decision:
    x: _Item
    y: _Item
    score: float
    method: str
    x_match: tuple[int, int]
    y_match: tuple[int, int]
    x_cover: list[int] = field(default_factory=list)
    y_cover: list[int] = field(default_factory=list)
    evidence: float = 0.0  # matched characters of the shorter side, weighted by score


def verify_pairs(index: Index, pairs: np.ndarray, shared: np.ndarray, threshold: float,
                progress: Progress | None = None) -> list[Match]:  # fmt: skip
    """Score candidate pairs (and joined sentences where both halves are candidates)."""
    pairs = np.asarray(pairs, dtype=np.int64).reshape(-1, 2)
    shared = np.asarray(shared, dtype=np.int64)
    norms = index.norm_array()
    lengths = index.length_array()
    decisions: list[_Decision] = []
    total = len(pairs)
    for lo in range(0, total, VERIFY_CHUNK):
        a, b = pairs[lo : lo + VERIFY_CHUNK, 0], pairs[lo : lo + VERIFY_CHUNK, 1]
        passed, whole, scores = _score(
            norms[a].tolist(), norms[b].tolist(), lengths[a], lengths[b], threshold
        )
        for k in passed.tolist():
            decision = _decide(index, _item(index, (int(a[k]),)), _item(index, (int(b[k]),)),
                               bool(whole[k]), float(scores[k]), threshold)  # fmt: skip
            if decision is not None:
                decisions.append(decision)
        rest = np.ones(len(a), dtype=bool)
        rest[passed] = False
        for k in np.flatnonzero(rest & (shared[lo : lo + VERIFY_CHUNK] >= PASSAGE_MIN_SHARED)):
            decision = _passage(index, _item(index, (int(a[k]),)), _item(index, (int(b[k]),)))
            if decision is not None:
                decisions.append(decision)
        if progress:
            progress(min(total, lo + VERIFY_CHUNK), total)
    joined = _joined_candidates(index, pairs)
    if joined:
        xs = [_norm_of(index, x) for x, _ in joined]
        ys = [_norm_of(index, y) for _, y in joined]
        passed, whole, scores = _score(
            xs, ys, np.array([len(t) for t in xs]), np.array([len(t) for t in ys]), threshold
        )
        for k in passed.tolist():
            x, y = joined[k]
            decision = _decide(index, _item(index, x), _item(index, y), bool(whole[k]),
                               float(scores[k]), threshold)  # fmt: skip
            if decision is not None:
                decisions.append(decision)
    return _resolve(decisions)


def _joined_candidates(index: Index, pairs: np.ndarray) -> list[tuple[tuple[int, ...], ...]]:
    """(x, y + next(y)) wherever (x, y) and (x, next(y)) are both candidates."""
    if not len(pairs):
        return []
    n = max(len(index.units), 1)
    low, high = np.minimum(pairs[:, 0], pairs[:, 1]), np.maximum(pairs[:, 0], pairs[:, 1])
    codes = np.unique(low * n + high)
    nexts = index.next_array()
    joined = []
    for x, y in ((pairs[:, 0], pairs[:, 1]), (pairs[:, 1], pairs[:, 0])):
        after = nexts[y]
        has = after >= 0
        want = np.minimum(x, after) * n + np.maximum(x, after)
        pos = np.searchsorted(codes, want)
        found = has & (pos < len(codes)) & (codes[np.minimum(pos, len(codes) - 1)] == want)
        joined.extend(
            ((int(a),), (int(b), int(c)))
            for a, b, c in zip(x[found].tolist(), y[found].tolist(), after[found].tolist(),
                               strict=True)  # fmt: skip
        )
    return joined


def _score(
    xs: list[str], ys: list[str], lx: np.ndarray, ly: np.ndarray, threshold: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """rapidfuzz on each pair: which pass, which were compared whole, and their scores.

    `ratio` is cheap and gives the longest common subsequence L of the two sides;
    no window of the longer side can then score more than 2L / (len(shorter) + L)
    with `partial_ratio`, so the expensive `partial_ratio` only runs where that bound
    reaches the threshold. The bound is exact: it never drops a match.
    """
    lx = np.asarray(lx, dtype=np.float64)
    ly = np.asarray(ly, dtype=np.float64)
    if not len(xs):
        empty = np.zeros(0)
        return empty.astype(np.int64), empty.astype(bool), empty
    ratio = process.cpdist(xs, ys, scorer=fuzz.ratio, workers=-1, dtype=np.float64)
    short = np.minimum(lx, ly)
    whole = short >= WHOLE_LENGTH_RATIO * np.maximum(lx, ly)
    scores = np.where(whole, ratio, 0.0)
    common = (lx + ly) * ratio / 200  # longest common subsequence, from Indel distance
    bound = 200 * common / np.maximum(short + common, 1)
    cut = partial_threshold(threshold)
    partial = np.flatnonzero(~whole & (bound >= cut - 0.01))
    if len(partial):
        scores[partial] = process.cpdist(
            [xs[k] for k in partial.tolist()],
            [ys[k] for k in partial.tolist()],
            scorer=fuzz.partial_ratio,
            score_cutoff=cut,
            workers=-1,
            dtype=np.float64,
        )
    passed = np.flatnonzero((whole & (scores >= threshold)) | (~whole & (scores >= cut)))
    return passed, whole, scores


def partial_threshold(threshold: float) -> float:
    """A quote found inside a longer sentence needs a little more: see PARTIAL_MARGIN."""
    return min(100.0, threshold + PARTIAL_MARGIN)


def _norm_of(index: Index, parts: tuple[int, ...]) -> str:
    if len(parts) == 1:
        return index.norms[parts[0]]
    return " ".join(index.norms[p] for p in parts)


def _decide(
    index: Index, x: _Item, y: _Item, whole: bool, score: float, threshold: float
) -> _Decision | None:
    """The decision for a pair whose rapidfuzz score passed the threshold."""
    short, long = (x, y) if len(x.norm) <= len(y.norm) else (y, x)
    short_words = short.norm.count(" ") + 1
    if x.norm == y.norm:
        method, score = "exact", 100.0
        s_lo, s_hi, l_lo, l_hi = 0, len(short.norm), 0, len(long.norm)
    else:
        alignment = fuzz.partial_ratio_alignment(short.norm, long.norm)
        s_lo, s_hi = alignment.src_start, alignment.src_end
        l_lo, l_hi = alignment.dest_start, alignment.dest_end
        if not whole:
            score = alignment.score
            if score < partial_threshold(threshold):
                return None
        if short_words < PARTIAL_MIN_WORDS and score < SHORT_SCORE:
            return None
        shorter = len(short.norm) < TRIMMED_LENGTH * len(long.norm)
        verbatim = alignment.score >= TRIMMED_SCORE or (
            longest_common_run(short.norm.split(" "), long.norm.split(" "))[0]
            >= TRIMMED_RUN * short_words
        )
        method = "trimmed" if shorter and verbatim else "reworded"
        if whole and method == "reworded":
            s_lo, s_hi, l_lo, l_hi = 0, len(short.norm), 0, len(long.norm)
    short_tokens = _item_tokens(index, short)
    long_tokens = _item_tokens(index, long)
    short_span = _map_alignment(short_tokens, s_lo, s_hi)
    long_span = _map_alignment(long_tokens, l_lo, l_hi)
    if short_span is None or long_span is None:
        return None
    short_text = _slice_item_text(index, short, short_span)
    long_text = _slice_item_text(index, long, long_span)
    need = MIN_SHARED_CONTENT
    if short.free or long.free:
        # A reader tagged this span on purpose: a short tag needs what content it has.
        need = min(need, max(1, len(content_words(short_text))))
    if len(shared_content_words(short_text, long_text)) < need:
        return None
    decision = _Decision(
        x=short,
        y=long,
        score=round(score, 1),
        method=method,
        x_match=short_span,
        y_match=long_span,
        x_cover=_covered_parts(index, short, s_lo, s_hi),
        y_cover=_covered_parts(index, long, l_lo, l_hi),
        evidence=score * (s_hi - s_lo) / 100,
    )
    return decision


def longest_common_run(xw: list[str], yw: list[str]) -> tuple[int, int, int]:
    """(length, start in xw, start in yw) of the longest run of words both share."""
    positions: dict[str, list[int]] = defaultdict(list)
    for j, word in enumerate(yw):
        positions[word].append(j)
    best = (0, 0, 0)
    previous: dict[int, int] = {}
    for i, word in enumerate(xw):
        current: dict[int, int] = {}
        for j in positions.get(word, ()):
            run = current[j] = previous.get(j - 1, 0) + 1
            if run > best[0]:
                best = (run, i - run + 1, j - run + 1)
        previous = current
    return best


def _passage(index: Index, x: _Item, y: _Item) -> _Decision | None:
    """The longest verbatim run of words the two sides share, if it is a statement.

    For a statement each outlet cut differently: neither side contains the other, so
    `ratio` and `partial_ratio` both miss it, yet they share a long passage word for word.
    """
    xw, yw = x.norm.split(" "), y.norm.split(" ")
    length, xi, yj = longest_common_run(xw, yw)
    if length < PASSAGE_MIN_WORDS or length >= TRIMMED_RUN * min(len(xw), len(yw)):
        # A run that is most of the shorter side makes it a trimmed copy: `ratio` and
        # `partial_ratio` judge those, and the threshold must not be bypassed here.
        return None
    x_tokens, y_tokens = _item_tokens(index, x), _item_tokens(index, y)
    x_span = (x_tokens[xi][0], x_tokens[xi + length - 1][1])
    y_span = (y_tokens[yj][0], y_tokens[yj + length - 1][1])
    x_text, y_text = _slice_item_text(index, x, x_span), _slice_item_text(index, y, y_span)
    # A run of words, not whole sentences: a name with its title and a stock phrase
    # ("Ursula von der Leyen, speaking at a news conference in Brussels") share none.
    if len(shared_content_words(x_text, y_text, STOCK_WORDS)) < MIN_SHARED_CONTENT:
        return None
    chars = len(" ".join(xw[xi : xi + length]))
    return _Decision(
        x=x, y=y, score=100.0, method="trimmed", x_match=x_span, y_match=y_span,
        x_cover=[chars], y_cover=[chars], evidence=float(chars),
    )  # fmt: skip


def _slice_item_text(index: Index, item: _Item, span: tuple[int, int]) -> str:
    """The item's original text between two document offsets."""
    pieces = []
    for p in item.parts:
        unit = index.units[p]
        lo, hi = max(span[0], unit.start), min(span[1], unit.end)
        if lo < hi:
            pieces.append(unit.text[lo - unit.start : hi - unit.start])
    return " ".join(pieces)


def _resolve(decisions: list[_Decision]) -> list[Match]:
    """Keep a joined pair of sentences only where the match spans both halves and
    explains more text than either half alone; then it replaces those halves' matches.
    """
    by_parts = {_parts_key(d): d for d in decisions if len(d.x.parts) == len(d.y.parts) == 1}
    dropped: set[tuple[tuple[int, ...], ...]] = set()
    kept_joined: set[int] = set()
    for d in decisions:
        if len(d.x.parts) == len(d.y.parts) == 1:
            continue
        multi, single, cover = (d.x, d.y, d.x_cover) if len(d.x.parts) > 1 else (
            d.y, d.x, d.y_cover
        )  # fmt: skip
        halves = [tuple(sorted(((part,), single.parts))) for part in multi.parts]
        best_half = max((by_parts[h].evidence for h in halves if h in by_parts), default=0.0)
        if min(cover) < MERGE_MIN_PART or d.evidence <= best_half:
            continue
        kept_joined.add(id(d))
        dropped.update(halves)
    matches: dict[str, Match] = {}
    for d in decisions:
        if len(d.x.parts) > 1 or len(d.y.parts) > 1:
            if id(d) not in kept_joined:
                continue
        elif _parts_key(d) in dropped:
            continue
        match = _to_match(d)
        previous = matches.get(match.pair_key)
        if previous is None or match.score > previous.score:
            matches[match.pair_key] = match
    return list(matches.values())


def _parts_key(d: _Decision) -> tuple[tuple[int, ...], ...]:
    return tuple(sorted((d.x.parts, d.y.parts)))


def _to_match(d: _Decision) -> Match:
    sides = [
        Side(item.doc, item.start, item.end, item.annotation_id, span[0], span[1])
        for item, span in ((d.x, d.x_match), (d.y, d.y_match))
    ]
    sides.sort(key=lambda s: s.key)
    return Match(a=sides[0], b=sides[1], score=d.score, method=d.method)
