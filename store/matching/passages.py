"""Passage alignment over whole articles: a statement wherever it sits. Pure: no database.

Its size is one job's: the five steps below, each a few small functions.

Sentence units only meet when they line up sentence against sentence. A quote inside a
reporter's sentence, a copy stripped of its punctuation that runs into the next
sentence, a copy trimmed and reworded at once, a statement one outlet split in two: the
units differ too much for unit-against-unit scores, yet the words are there. This stage
works as text-reuse detectors do (passim, BLAST):

1. **Seeds**: every word 4-gram of every article (its sentences read end to end, page
   furniture left out), kept when it is found in at least 2 and at most `seed_cap`
   articles. A 4-gram stays rare where bigrams of the same common words do not, so a
   statement made of common words still has seeds in a large corpus; stock phrases
   recur in many articles and lose theirs.
2. **Chains**: the seeds two articles share, taken in order, are chained while they
   stay near one diagonal (position in one article minus position in the other) and
   close to each other; a chain needs `MIN_SEEDS` seeds (a shared run of 5 words, or
   two 4-grams).
3. **Alignment**: the chain's region, widened by `MARGIN` words each side, is aligned
   word by word (`rapidfuzz.distance.Levenshtein.opcodes` on word ids). Blocks of equal
   words separated by at most `JOIN_GAP` changed words form one passage (the changed
   words of a rewording); a single word at either end counts only when it follows a
   one-for-one substitution and is not a stop word. Chains of one pair of articles
   that overlap are merged first, so one statement is aligned once.
4. **Ends**: a sentence piece at an end with fewer than `PIECE_MIN_RARE` rare words is
   cut (a stock phrase ending one sentence before a chance match of the next one's
   opening), and so are stop words beyond a quotation mark or a full stop, and an
   article or preposition left last.
5. **Decision**: at least `MIN_MATCHED` equal words, a score (2 x equal words / both
   spans' words, 0-100) of at least `MIN_SCORE`, `MIN_RARE` equal words outside stop
   words and stock 4-grams, and `MIN_CONTENT` shared content words outside stop
   words, names and the agencies' stock phrases.

Unit matches (`verify`) link most statements already: `without_covered` keeps only the
passages no unit match covers, and `refined` gives a unit match the words of a passage
that covers it as its aligned parts.

A passage link's sides are the aligned words, from the first word's start to the last
word's end (document offsets): a quote inside a longer sentence links just the quoted
words, and a passage over two sentences touches both.
"""

from __future__ import annotations

import re
from array import array
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from itertools import groupby

import numpy as np
from rapidfuzz.distance import Levenshtein

from .normalise import CONTINUOUS_RANGES, STOCK_WORDS, fold, processed
from .units import Match, Side, Unit

METHOD = "passage"
SEED_WORDS = 4
SEED_CAP_MIN = 8
SEED_CAP_FRACTION = 0.001
SEED_CAP_MAX = 200
"""A 4-gram in more articles than max(SEED_CAP_MIN, SEED_CAP_FRACTION * articles), at most
SEED_CAP_MAX, is a stock phrase or a name with its title, not a statement's."""
STOCK_FRACTION = 0.01
"""A 4-gram in more than this share of the articles (and more than a seed's cap) is a
stock phrase's: its words do not count toward MIN_RARE."""
MIN_SEEDS = 2
CHAIN_GAP = 12
"""Seeds further apart than this many words (in the first article) start a new chain."""
DIAGONAL_SLACK = 4
"""Words inserted or dropped between two seeds of one chain (the diagonal's drift)."""
MARGIN = 8
JOIN_GAP = 3
"""Changed, added or dropped words allowed between two blocks of equal words."""
MIN_MATCHED = 8
MIN_RARE = 3
"""Equal words a passage needs that are not stop words and lie outside every stock
4-gram (STOCK_FRACTION): a stock phrase running into a name or the next sentence ("in
remarks that drew criticism from the White House. The") has a rare seed or two at the
join but few such words."""
MIN_SCORE = 75.0
MIN_CONTENT = 2
PIECE_MIN_RARE = 2
SNAP_WORDS = 3
"""Stop words at most this many at an end of a passage are cut where a quotation mark or
a sentence end separates them from the rest."""
PAIR_BATCH = 1_000_000
"""Seed pairs are produced in passes of about this many (bounds memory)."""

Chain = tuple[int, int, int, int]  # a_lo, a_hi, b_lo, b_hi: flat positions, end exclusive
_DANGLING = frozenset(
    "the a an of to in on at for with from by and or but as into about than".split()
)
_BOUNDARY = re.compile(r'["\u201c\u201d\u201e\u00ab\u00bb.!?;:]')
_MIX = (np.uint64(0x9E3779B97F4A7C15), np.uint64(0xC2B2AE3D27D4EB4F), np.uint64(0x165667B19E3779F9))


def seed_cap(articles: int) -> int:
    return int(min(SEED_CAP_MAX, max(SEED_CAP_MIN, SEED_CAP_FRACTION * articles)))


@dataclass(frozen=True, slots=True)
class Passage:
    """Two aligned spans, in flat word positions [lo, hi) of two articles."""

    a_doc: int
    a_lo: int
    a_hi: int
    b_doc: int
    b_lo: int
    b_hi: int
    matched: int
    score: float
    rare: int  # equal words that are not stop words and lie outside stock 4-grams
    pairs: tuple[tuple[int, int], ...]  # the equal words, flat positions in a and b


class PassageIndex:
    """Every article's words end to end, and the postings of its rare 4-grams.

    Built from sentence units (a unit with `seq`); a document's sentences are read in
    `seq` order. Word ids come from the caller's vocabulary, shared with the bigram index.
    """

    def __init__(self, units: Sequence[Unit], norms: Sequence[str], vocab: dict[str, int]):
        by_doc: dict[str, list[int]] = defaultdict(list)
        for i, unit in enumerate(units):
            if unit.seq is not None:
                by_doc[unit.doc].append(i)
        self.names = list(by_doc)
        self.code = {name: d for d, name in enumerate(self.names)}
        self.units = units
        self.doc_units: list[list[int]] = []
        ids = array("i")  # C ints: a million sentences are some 20 million words
        opens = array("q")
        first = [0]
        for name in self.names:
            members = sorted(by_doc[name], key=lambda i: units[i].seq or 0)
            self.doc_units.append(members)
            for i in members:
                opens.append(len(ids))
                if norms[i]:
                    ids.extend(vocab.setdefault(t, len(vocab)) for t in norms[i].split(" "))
            first.append(len(ids))
        self.first = np.array(first, dtype=np.int64)
        self.opens = np.zeros(len(ids) + 1, dtype=bool)  # a sentence's first word
        self.opens[np.frombuffer(opens, dtype=np.int64)] = True
        self.words = np.frombuffer(ids, dtype=np.int32).copy()
        del ids
        self.doc_of = np.repeat(np.arange(len(self.names), dtype=np.int32), np.diff(self.first))
        self._tokens: dict[int, np.ndarray] = {}
        self._capitals: dict[int, np.ndarray] = {}
        self._unit_starts: dict[int, list[int]] = {}
        self._chains_of: dict[int, tuple[list[Chain], list[int]]] = {}
        self._of_pair: dict[int, dict[int, list[Match]]] = {}  # article -> pair -> matches
        self.cap = seed_cap(len(self.names))
        self._short_ids = frozenset(i for w, i in vocab.items() if len(w) < 3 and not w.isdigit())
        self._dangling_ids = frozenset(vocab[w] for w in _DANGLING if w in vocab)
        keys, positions = self._seeds()
        self.keys, self.positions = keys, positions
        self._position_order: tuple[np.ndarray, np.ndarray] | None = None

    # -- seeds -----------------------------------------------------------------------

    def _seed_keys(self) -> tuple[np.ndarray, np.ndarray]:
        """Hash of the 4-gram starting at each flat position that has one in its article,
        computed in blocks so that a million sentences need no gigabyte of temporaries."""
        n = len(self.words) - SEED_WORDS + 1
        if n <= 0:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int32)
        keys = np.empty(n, dtype=np.uint64)
        block = 1 << 21
        for lo in range(0, n, block):
            hi = min(n, lo + block)
            w = self.words[lo : hi + SEED_WORDS - 1].astype(np.uint64)
            h = w[: hi - lo] * _MIX[0]
            for k in range(1, SEED_WORDS):
                h ^= h >> np.uint64(29)
                h *= _MIX[k % 3]
                h += w[k : k + hi - lo]
            keys[lo:hi] = h
        inside = np.flatnonzero(self.doc_of[:n] == self.doc_of[SEED_WORDS - 1 :]).astype(np.int32)
        return keys[inside].view(np.int64), inside

    def _seeds(self) -> tuple[np.ndarray, np.ndarray]:
        """Postings (key, flat position) of the 4-grams found in 2..cap articles, by key;
        marks `stock` the words covered by a 4-gram found in more."""
        keys, pos = self._seed_keys()
        self.stock = np.zeros(len(self.words), dtype=bool)
        order = np.argsort(keys, kind="stable")  # positions stay in order within a key
        keys = keys[order]
        pos = pos[order]
        del order
        if not len(keys):
            return keys, pos
        # Most 4-grams are found once: only those found again matter from here on.
        again = keys[1:] == keys[:-1]
        repeated = np.r_[again, False] | np.r_[False, again]
        del again
        keys, pos = keys[repeated], pos[repeated]
        del repeated
        if not len(keys):
            return keys, pos
        docs = self.doc_of[pos]
        new_key = np.r_[True, keys[1:] != keys[:-1]]
        new_doc = new_key | np.r_[True, docs[1:] != docs[:-1]]
        del docs
        starts = np.flatnonzero(new_key)
        del new_key
        size = np.diff(np.r_[starts, len(keys)])
        df = np.add.reduceat(new_doc.astype(np.int32), starts)
        del new_doc, starts
        # Repeats inside one article count toward the size: a phrase an article says
        # many times over is its own refrain, not a statement shared with others.
        common = np.repeat((df > self.cap) | (size > 2 * self.cap), size)
        # A word inside a 4-gram found in many articles belongs to a stock phrase (or a
        # name with its title): what a passage matches there says nothing about a shared
        # statement. Many is more than a seed's cap: in a large corpus of common words,
        # a statement's own 4-grams recur by chance in a few more articles than the cap.
        stock_cap = max(self.cap, STOCK_FRACTION * len(self.names))
        stock = np.repeat((df > stock_cap) | (size > 2 * stock_cap), size)
        starts_at = np.zeros(len(self.words) + SEED_WORDS, dtype=bool)
        starts_at[pos[stock]] = True
        del stock
        for k in range(SEED_WORDS):
            self.stock[k:] |= starts_at[: len(self.words) - k]
        keep = np.repeat(df >= 2, size) & ~common
        return keys[keep], pos[keep]

    def _run(self, key: int) -> np.ndarray:
        lo = np.searchsorted(self.keys, key, "left")
        hi = np.searchsorted(self.keys, key, "right")
        return self.positions[lo:hi]

    # -- seed pairs and chains -----------------------------------------------------------

    def _seed_pair_blocks(self) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        """(a, b) flat positions of the same seed in two articles, a's article first, in
        blocks of whole first articles holding about PAIR_BATCH pairs each.

        A pair of articles lies in one block, so each block is chained and aligned on
        its own: in a corpus of common words a million sentences share tens of millions
        of seed pairs, and holding them all at once (with the chain step's sort keys)
        cost gigabytes.
        """
        keys, pos = self.keys, self.positions
        if not len(keys):
            return
        docs = self.doc_of[pos]
        new_key = np.r_[True, keys[1:] != keys[:-1]]
        run_end = np.repeat(np.r_[np.flatnonzero(new_key)[1:], len(keys)],
                            np.diff(np.r_[np.flatnonzero(new_key), len(keys)]))  # fmt: skip
        # A key's postings are in position order, so one article's are contiguous and
        # its partners in later articles are the rest of the key's run.
        new_group = new_key | np.r_[True, docs[1:] != docs[:-1]]
        del new_key
        group_starts = np.flatnonzero(new_group)
        later = np.repeat(np.r_[group_starts[1:], len(keys)],
                          np.diff(np.r_[group_starts, len(keys)]))  # fmt: skip
        del new_group, group_starts
        partners = run_end - later
        del run_end
        per_doc = np.cumsum(np.bincount(docs, weights=partners, minlength=len(self.names)))
        marks = np.arange(PAIR_BATCH, per_doc[-1] + PAIR_BATCH, PAIR_BATCH)
        ends = np.minimum(np.searchsorted(per_doc, marks, "right") + 1, len(self.names))
        cuts = np.unique(np.r_[0, ends, len(self.names)])
        by_position, sorted_positions = self._by_position()
        for d_lo, d_hi in zip(cuts[:-1].tolist(), cuts[1:].tolist(), strict=True):
            lo, hi = np.searchsorted(sorted_positions, self.first[[d_lo, d_hi]]).tolist()
            mine = by_position[lo:hi]
            count = partners[mine]
            mine, count = mine[count > 0], count[count > 0]
            total = int(count.sum())
            if not total:
                continue
            a = np.repeat(pos[mine], count)
            second = np.repeat(later[mine], count) + (
                np.arange(total) - np.repeat(np.cumsum(count) - count, count)
            )
            yield a, pos[second]

    def _chains(self, a: np.ndarray, b: np.ndarray) -> list[Chain]:
        """Regions (a_lo, a_hi, b_lo, b_hi) of chained seeds, flat positions, end exclusive."""
        return self._paired_chains(a, b)[0]

    def _paired_chains(self, a: np.ndarray, b: np.ndarray) -> tuple[list[Chain], list[int]]:
        """The chains, and the pair of articles each joins (a code), sorted by pair."""
        if not len(a):
            return [], []
        da, db = self.doc_of[a], self.doc_of[b]
        diagonal = (b - self.first[db]) - (a - self.first[da])
        order = np.lexsort((b, a, db, da))
        a, b, da, db, diagonal = a[order], b[order], da[order], db[order], diagonal[order]
        brk = np.ones(len(a), dtype=bool)
        brk[1:] = (
            (da[1:] != da[:-1]) | (db[1:] != db[:-1]) | (a[1:] - a[:-1] > CHAIN_GAP)
            | (np.abs(diagonal[1:] - diagonal[:-1]) > DIAGONAL_SLACK)
        )  # fmt: skip
        chain = np.cumsum(brk) - 1
        seeds = np.bincount(chain)
        starts = np.flatnonzero(brk)
        a_lo = np.minimum.reduceat(a, starts)
        a_hi = np.maximum.reduceat(a, starts) + SEED_WORDS
        b_lo = np.minimum.reduceat(b, starts)
        b_hi = np.maximum.reduceat(b, starts) + SEED_WORDS
        good = seeds >= MIN_SEEDS
        chains = list(
            zip(
                a_lo[good].tolist(),
                a_hi[good].tolist(),
                b_lo[good].tolist(),
                b_hi[good].tolist(),
                strict=True,
            )  # fmt: skip
        )
        return _merged(chains, (da[starts] * len(self.names) + db[starts])[good].tolist())

    # -- alignment ------------------------------------------------------------------------

    def _align(self, a_lo: int, a_hi: int, b_lo: int, b_hi: int,
               stop_ids: frozenset[int]) -> Passage | None:  # fmt: skip
        """The aligned passage around a chain's region, or None."""
        da, db = int(self.doc_of[a_lo]), int(self.doc_of[b_lo])
        wa_lo = max(int(self.first[da]), a_lo - MARGIN)
        wa_hi = min(int(self.first[da + 1]), a_hi + MARGIN)
        wb_lo = max(int(self.first[db]), b_lo - MARGIN)
        wb_hi = min(int(self.first[db + 1]), b_hi + MARGIN)
        xs, ys = self.words[wa_lo:wa_hi].tolist(), self.words[wb_lo:wb_hi].tolist()
        blocks = [
            (op.src_start, op.dest_start, op.src_end - op.src_start)
            for op in Levenshtein.opcodes(xs, ys)
            if op.tag == "equal"
        ]
        if not blocks:
            return None
        segments: list[list[tuple[int, int, int]]] = [[blocks[0]]]
        for block in blocks[1:]:
            x, y, n = segments[-1][-1]
            if max(block[0] - x - n, block[1] - y - n) <= JOIN_GAP:
                segments[-1].append(block)
            else:
                segments.append([block])
        core_lo, core_hi = a_lo - wa_lo, a_hi - wa_lo
        best: list[tuple[int, int, int]] | None = None
        for segment in segments:
            segment = _trim(segment, xs, stop_ids)
            if not segment:
                continue
            lo, hi = segment[0][0], segment[-1][0] + segment[-1][2]
            if hi <= core_lo or lo >= core_hi:
                continue
            if best is None or sum(n for *_, n in segment) > sum(n for *_, n in best):
                best = segment
        if best is None:
            return None
        pairs = [(wa_lo + x + k, wb_lo + y + k) for x, y, n in best for k in range(n)]
        pairs = self._without_stock_pieces(pairs, stop_ids)
        if not pairs:
            return None
        matched = len(pairs)
        (a_first, b_first), (a_last, b_last) = pairs[0], pairs[-1]
        score = 200.0 * matched / ((a_last - a_first + 1) + (b_last - b_first + 1))
        rare = sum(1 for x, _ in pairs if self._rare(x, stop_ids))
        return Passage(da, a_first, a_last + 1, db, b_first, b_last + 1, matched,
                       round(score, 1), rare, tuple(pairs))  # fmt: skip

    def _rare(self, x: int, stop_ids: frozenset[int]) -> bool:
        return not self.stock[x] and int(self.words[x]) not in stop_ids

    def _without_stock_pieces(self, pairs: list[tuple[int, int]],
                              stop_ids: frozenset[int]) -> list[tuple[int, int]]:  # fmt: skip
        """The aligned word pairs without a sentence piece at either end that has fewer
        than PIECE_MIN_RARE rare words: a passage may run over a sentence boundary (a
        statement split in two, a copy without its full stop), but a stock phrase that
        ends the sentence before a chance match of the next one's opening is no part
        of a statement."""
        pieces: list[list[tuple[int, int]]] = []
        for pair in pairs:
            x, y = pair
            if not pieces or self.opens[x] or self.opens[y]:
                pieces.append([])
            pieces[-1].append(pair)

        def weak(piece: list[tuple[int, int]]) -> bool:
            return sum(1 for x, _ in piece if self._rare(x, stop_ids)) < PIECE_MIN_RARE

        while len(pieces) > 1 and weak(pieces[0]):
            pieces.pop(0)
        while len(pieces) > 1 and weak(pieces[-1]):
            pieces.pop()
        return [pair for piece in pieces for pair in piece]

    # -- offsets and text --------------------------------------------------------------------

    def tokens(self, d: int) -> np.ndarray:
        """(start, end) document offsets of article `d`'s words, in flat order."""
        cached = self._tokens.get(d)
        if cached is None:
            cached = self._tokens[d] = self._article_tokens(d)
        return cached

    def _article_tokens(self, d: int) -> np.ndarray:
        """The words of the article's sentences read as one text, as `token_spans` finds
        them in each sentence: `processed` maps each code point to one and the joining
        line break to a space, so a word never runs across two sentences. One pass over
        the article, not one per sentence: the reader's echoes of a sentence align the
        passages of every article that shares its seeds."""
        units = [self.units[i] for i in self.doc_units[d]]
        joined = fold("\n".join(unit.text for unit in units))  # `processed` folds too: once
        plain = np.frombuffer(processed(joined).encode("utf-32-le"), dtype=np.uint32)
        word = np.r_[False, plain != ord(" "), False]
        # Each character of a script written without spaces is a word of its own.
        alone = np.zeros(len(plain) + 2, dtype=bool)
        for lo, hi in CONTINUOUS_RANGES:
            alone[1:-1] |= (plain >= lo) & (plain <= hi)
        starts = np.flatnonzero(word[1:-1] & (~word[:-2] | alone[1:-1] | alone[:-2]))
        ends = np.flatnonzero(word[1:-1] & (~word[2:] | alone[1:-1] | alone[2:])) + 1
        lengths = np.fromiter((len(unit.text) + 1 for unit in units), np.int64, len(units))
        offsets = np.cumsum(lengths) - lengths  # where each sentence starts in `joined`
        owner = np.searchsorted(offsets, starts, "right") - 1
        shift = np.array([unit.start for unit in units], dtype=np.int64)[owner] - offsets[owner]
        folded = np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32)[starts]
        capitals = (folded >= ord("A")) & (folded <= ord("Z"))
        for k in np.flatnonzero(folded >= 128).tolist():
            capitals[k] = chr(int(folded[k])).isupper()
        self._capitals[d] = capitals
        return np.stack([starts + shift, ends + shift], axis=1).astype(np.int64)

    def _forms(self, d: int, lo: int, hi: int) -> dict[int, bool]:
        """Each word of flat positions [lo, hi) -> whether it is capitalised everywhere
        there (as `normalise.shared_content_words` reads a text, on word ids)."""
        self.tokens(d)
        base = int(self.first[d])
        forms: dict[int, bool] = {}
        ids = self.words[lo:hi].tolist()
        capitals = self._capitals[d][lo - base : hi - base].tolist()
        for word, capital in zip(ids, capitals, strict=True):
            forms[word] = forms.get(word, True) and capital
        return forms

    def _shared_content(self, passage: Passage, a: tuple[int, int], b: tuple[int, int],
                        stop_ids: frozenset[int]) -> set[int]:  # fmt: skip
        """Words both sides carry that are not stop or stock-phrase words, not names
        (capitalised everywhere in both) and not one or two letters (unless digits)."""
        forms_a = self._forms(passage.a_doc, *a)
        forms_b = self._forms(passage.b_doc, *b)
        return {
            w
            for w in forms_a.keys() & forms_b.keys()
            if w not in stop_ids and w not in self._short_ids and not (forms_a[w] and forms_b[w])
        }

    def span(self, d: int, lo: int, hi: int) -> tuple[int, int]:
        """Document offsets of flat word positions [lo, hi) of article `d`."""
        tokens = self.tokens(d)
        base = int(self.first[d])
        return int(tokens[lo - base, 0]), int(tokens[hi - 1 - base, 1])

    def text(self, d: int, start: int, end: int) -> str:
        """The article's text between two offsets (its sentences joined by a space)."""
        members = self.doc_units[d]
        starts = self._unit_starts.get(d)
        if starts is None:
            starts = self._unit_starts[d] = [self.units[i].start for i in members]
        pieces = []
        for i in members[max(0, bisect_right(starts, start) - 1) :]:
            unit = self.units[i]
            if unit.start >= end:
                break
            lo, hi = max(start, unit.start), min(end, unit.end)
            if lo < hi:
                pieces.append(unit.text[lo - unit.start : hi - unit.start])
        return " ".join(pieces)

    # -- decisions ---------------------------------------------------------------------------

    def _decide(self, passage: Passage | None, stop_ids: frozenset[int]) -> Match | None:
        if passage is None or passage.matched < MIN_MATCHED or passage.score < MIN_SCORE:
            return None
        if passage.rare < MIN_RARE:
            return None
        pairs = self._snapped(passage, stop_ids)
        (a_lo, b_lo), (a_hi, b_hi) = pairs[0], pairs[-1]
        shared = self._shared_content(passage, (a_lo, a_hi + 1), (b_lo, b_hi + 1), stop_ids)
        if len(shared) < MIN_CONTENT:
            return None
        a = self.span(passage.a_doc, a_lo, a_hi + 1)
        b = self.span(passage.b_doc, b_lo, b_hi + 1)
        sides = sorted(
            (Side(self.names[passage.a_doc], *a, None, *a),
             Side(self.names[passage.b_doc], *b, None, *b)),
            key=lambda s: s.key,
        )  # fmt: skip
        return Match(a=sides[0], b=sides[1], score=passage.score, method=METHOD)

    def _snapped(self, passage: Passage, stop_ids: frozenset[int]) -> list[tuple[int, int]]:
        """The equal words without stop words at either end that lie beyond a quotation
        mark or a sentence's end in either article: the "on" of `... the draft
        agreement" on Tuesday` matches the "on" of `the draft agreement on prisoners` by
        chance, and a quote's link ends where the quote does."""
        docs = (passage.a_doc, passage.b_doc)
        pairs = list(passage.pairs)
        pairs = self._cut_end(pairs, docs, stop_ids)
        pairs = self._cut_end(pairs[::-1], docs, stop_ids)[::-1]
        # Where the alignment stops, the next words differ: an article or preposition
        # left at the end belongs to a phrase the two articles do not share.
        dangling = self._dangling_ids
        while len(pairs) > 1 and int(self.words[pairs[-1][0]]) in dangling:
            pairs.pop()
        return pairs

    def _cut_end(self, pairs: list[tuple[int, int]], docs: tuple[int, int],
                 stop_ids: frozenset[int]) -> list[tuple[int, int]]:  # fmt: skip
        """`pairs` without the stop words at its end (at most SNAP_WORDS) that a mark
        separates from the word before them; `pairs` may be given reversed."""
        for _ in range(SNAP_WORDS):
            cut = None
            for k in range(len(pairs) - 1, max(0, len(pairs) - 1 - SNAP_WORDS), -1):
                if int(self.words[pairs[k][0]]) not in stop_ids:
                    break
                if self._marked(docs, pairs[k - 1], pairs[k]):
                    cut = k
            if cut is None:
                break
            pairs = pairs[:cut]
        return pairs

    def _marked(self, docs: tuple[int, int], one: tuple[int, int], other: tuple[int, int]) -> bool:
        """Whether a quotation mark or a sentence's end lies between two aligned words in
        either article; not inside "U.S." or "3.5", where no space is."""
        for k, d in enumerate(docs):
            x, y = sorted((one[k], other[k]))
            gap = self.between(d, x, y)
            if _BOUNDARY.search(gap) and any(c.isspace() for c in gap):
                return True
        return False

    def between(self, d: int, x: int, y: int) -> str:
        """The text between flat words x and y (x before y) of article `d`."""
        tokens = self.tokens(d)
        base = int(self.first[d])
        return self.text(d, int(tokens[x - base, 1]), int(tokens[y - base, 0]))

    def _passages(self, chains: list[Chain], vocab: dict[str, int]) -> list[Match]:
        return [m for found in self._passages_by_pair(chains, vocab).values() for m in found]

    def _passages_by_pair(
        self, chains: list[Chain], vocab: dict[str, int]
    ) -> dict[int, list[Match]]:
        """The passage matches of the chains, by pair of articles (the code `_paired_chains`
        gives), in the order the chains' pairs come. The chains of one pair must be
        adjacent (`_paired_chains` sorts them by pair): each pair's alignments are
        decided and dropped before the next pair's, since a corpus of common words
        aligns millions of chance chains."""
        stop_ids = frozenset(vocab[w] for w in STOCK_WORDS if w in vocab)
        by_pair: dict[int, list[Match]] = {}
        docs = self.doc_of
        for (a_doc, b_doc), run in groupby(chains, key=lambda c: (docs[c[0]], docs[c[2]])):
            group = [
                p
                for p in (self._align(*chain, stop_ids) for chain in run)
                if p is not None and p.matched >= MIN_MATCHED
            ]
            if not group:
                continue
            matches = by_pair[int(a_doc) * len(self.names) + int(b_doc)] = []
            # Chains of one statement (a rewording breaks its seeds in two) align to
            # overlapping passages: the one with the most equal words stands for them.
            group.sort(key=lambda p: (-p.matched, -p.score, p.a_lo))
            kept: list[Passage] = []
            for p in group:
                if any(p.a_lo < k.a_hi and k.a_lo < p.a_hi and p.b_lo < k.b_hi and k.b_lo < p.b_hi
                       for k in kept):  # fmt: skip
                    continue
                kept.append(p)
                match = self._decide(p, stop_ids)
                if match is not None:
                    matches.append(match)
        return by_pair

    def all_matches(self, vocab: dict[str, int]) -> list[Match]:
        """Every passage match of the corpus, one block of articles at a time."""
        found: list[Match] = []
        for a, b in self._seed_pair_blocks():
            chains = self._chains(a, b)
            del a, b
            found.extend(self._passages(chains, vocab))
        return found

    def matches_of(
        self, doc: str, vocab: dict[str, int], near: tuple[int, int] | None = None
    ) -> list[Match]:
        """Every passage match with one side in `doc`: the same as `all_matches` gives.

        With `near` (document offsets [start, end) in `doc`), at least every match whose
        side in `doc` overlaps that range, in the same order: only the pairs of
        articles with a chain whose aligned window reaches the range are aligned, each
        pair whole (overlapping passages of one pair decide which of them stands). The
        reader asks for one sentence at a time; the article's chains and each pair's
        passages are kept for its next sentences.
        """
        d = self.code.get(doc)
        if d is None:
            return []
        chains, pairs = self._doc_chains(d, vocab)
        done = self._of_pair.setdefault(d, {})
        wanted = set(pairs)
        if near is not None:
            wanted = {pair for chain, pair in zip(chains, pairs, strict=True)
                      if pair not in done and self._reaches(d, chain, near)}  # fmt: skip
        todo = [(chain, pair) for chain, pair in zip(chains, pairs, strict=True)
                if pair in wanted and pair not in done]  # fmt: skip
        found = self._passages_by_pair([chain for chain, _ in todo], vocab)
        for _, pair in todo:
            done[pair] = found.get(pair, [])
        return [m for pair in dict.fromkeys(pairs) if pair in done for m in done[pair]]

    def _reaches(self, d: int, chain: Chain, near: tuple[int, int]) -> bool:
        """Whether the window `_align` reads around the chain, on article `d`'s side,
        overlaps the document offsets `near`: a passage lies inside its window."""
        lo, hi = (chain[0], chain[1]) if int(self.doc_of[chain[0]]) == d else (chain[2], chain[3])
        base = int(self.first[d])
        w_lo = max(base, lo - MARGIN)
        w_hi = min(int(self.first[d + 1]), hi + MARGIN)
        tokens = self.tokens(d)
        return int(tokens[w_lo - base, 0]) < near[1] and near[0] < int(tokens[w_hi - 1 - base, 1])

    def _doc_chains(self, d: int, vocab: dict[str, int]) -> tuple[list[Chain], list[int]]:
        """The chains of every pair of articles with one side in article `d` (kept)."""
        cached = self._chains_of.get(d)
        if cached is None:
            cached = self._chains_of[d] = self._find_doc_chains(d)
        return cached

    def _find_doc_chains(self, d: int) -> tuple[list[Chain], list[int]]:
        lo, hi = int(self.first[d]), int(self.first[d + 1])
        by_position, sorted_positions = self._by_position()
        inside = np.searchsorted(sorted_positions, [lo, hi])
        where = by_position[inside[0] : inside[1]]
        if not len(where):
            return [], []
        # Every posting of each of this article's seeds, against the seed's own place.
        keys = self.keys[where]
        first = np.searchsorted(self.keys, keys, "left")
        counts = np.searchsorted(self.keys, keys, "right") - first
        total = int(counts.sum())
        own = np.repeat(self.positions[where], counts)
        other = self.positions[
            np.repeat(first, counts)
            + np.arange(total)
            - np.repeat(np.cumsum(counts) - counts, counts)
        ]
        keep = (other < lo) | (other >= hi)
        own, other = own[keep], other[keep]
        if not len(own):
            return [], []
        swap = self.doc_of[other] < d
        a, b = np.where(swap, other, own), np.where(swap, own, other)
        return self._paired_chains(a, b)

    def prepare(self) -> None:
        """Build now what answering for one article would build on first need."""
        self._by_position()

    def _by_position(self) -> tuple[np.ndarray, np.ndarray]:
        """Posting indices in position order, and the positions so ordered (built once)."""
        if self._position_order is None:
            order = np.argsort(self.positions, kind="stable")
            self._position_order = (order, self.positions[order])
        return self._position_order


def _merged(chains: list[Chain], pairs: list[int]) -> tuple[list[Chain], list[int]]:
    """Chains of one pair of articles whose regions overlap or nearly touch on both sides,
    merged: a phrase an article repeats interleaves seeds of other diagonals and breaks
    one statement's chain in two, and two windows would each see half of it. Returns
    the chains sorted by pair, and each one's pair."""
    out: list[Chain] = []
    out_pairs: list[int] = []
    last_pair = -1
    for pair, chain in sorted(zip(pairs, chains, strict=True)):
        if out and pair == last_pair:
            a_lo, a_hi, b_lo, b_hi = out[-1]
            near = (
                chain[0] <= a_hi + CHAIN_GAP
                and chain[2] <= b_hi + CHAIN_GAP
                and (b_lo <= chain[3] + CHAIN_GAP)
            )
            drift = abs((chain[2] - chain[0]) - (b_lo - a_lo)) <= DIAGONAL_SLACK
            if near and drift:
                out[-1] = (a_lo, max(a_hi, chain[1]), min(b_lo, chain[2]), max(b_hi, chain[3]))
                continue
        out.append(chain)
        out_pairs.append(pair)
        last_pair = pair
    return out, out_pairs


def _trim(segment: list[tuple[int, int, int]], xs: list[int],
          stop_ids: frozenset[int]) -> list[tuple[int, int, int]]:  # fmt: skip
    """Drop single equal words at the ends of a segment unless they follow a one-for-one
    substitution and carry content: the margins of the window match by chance."""
    segment = list(segment)
    while len(segment) > 1:
        x, y, n = segment[0]
        nx, ny, _ = segment[1]
        gap_x, gap_y = nx - x - n, ny - y - n
        if n == 1 and (gap_x != gap_y or xs[x] in stop_ids):
            segment.pop(0)
            continue
        break
    while len(segment) > 1:
        x, y, n = segment[-1]
        px, py, pn = segment[-2]
        gap_x, gap_y = x - px - pn, y - py - pn
        if n == 1 and (gap_x != gap_y or xs[x] in stop_ids):
            segment.pop()
            continue
        break
    return segment


def without_covered(passages: list[Match], matches: list[Match]) -> list[Match]:
    """Passage matches whose statement no unit match links already.

    A unit match covers a passage when it joins the same two articles and each of its
    aligned parts overlaps the passage's side in that article by at least half of the
    shorter of the two: the statement is linked, and one link per statement is enough.
    """
    by_docs: dict[tuple[str, str], list[Match]] = defaultdict(list)
    for m in matches:
        by_docs[(m.a.doc, m.b.doc)].append(m)
        by_docs[(m.b.doc, m.a.doc)].append(m)
    kept = []
    for p in passages:
        if not any(_covers(m, p) for m in by_docs.get((p.a.doc, p.b.doc), ())):
            kept.append(p)
    return kept


def refined(matches: list[Match], passages: list[Match]) -> list[Match]:
    """Unit matches whose aligned parts are a passage's, where one covers them.

    The unit scorers align characters inside whole sentences, so an aligned part may
    stop a word short or take in the attribution around a quote; a passage aligns
    words. Where a passage covers a unit match (not an exact one) and lies inside its
    sides, the match keeps its sides, score and method and takes the passage's words
    as its aligned parts: what the app highlights and `accept` tags.
    """
    by_docs: dict[tuple[str, str], list[Match]] = defaultdict(list)
    for p in passages:
        by_docs[(p.a.doc, p.b.doc)].append(p)
    out = []
    for m in matches:
        best = None
        if m.method != "exact":
            for p in by_docs.get((m.a.doc, m.b.doc), ()):
                inside = all(
                    s.start <= t.match_start and t.match_end <= s.end
                    for s, t in zip((m.a, m.b), (p.a, p.b), strict=True)
                )
                if inside and _covers(m, p) and (best is None or p.score > best.score):
                    best = p
        if best is None:
            out.append(m)
            continue
        a, b = (
            replace(side, match_start=t.match_start, match_end=t.match_end)
            for side, t in zip((m.a, m.b), (best.a, best.b), strict=True)
        )
        out.append(replace(m, a=a, b=b))
    return out


def _covers(m: Match, p: Match) -> bool:
    sides = (m.a, m.b) if m.a.doc == p.a.doc else (m.b, m.a)
    return all(_overlaps(s, t) for s, t in zip(sides, (p.a, p.b), strict=True))


def _overlaps(s: Side, t: Side) -> bool:
    common = min(s.match_end, t.match_end) - max(s.match_start, t.match_start)
    shorter = min(s.match_end - s.match_start, t.match_end - t.match_start)
    return common > 0 and 2 * common >= shorter
