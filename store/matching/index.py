"""The n-gram index over units and candidate generation (blocking). Pure: no database.

Its size is one job's: the index and the candidates it yields.

Never compare all pairs: exact repeats meet in a hash of the normalised text; other
candidates must share at least two word bigrams that are not common (a bigram in more
than `df_cap` units is dropped: stock phrases live there); annotations too short for
two bigrams are blocked by character 4-grams instead.
"""

from __future__ import annotations

import math
from array import array
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from .normalise import normalise
from .passages import PassageIndex, refined, without_covered
from .units import MIN_WORDS, Match, Progress, Unit, eligible
from .verify import DEFAULT_THRESHOLD, verify_pairs

DF_CAP_MIN = 50
DF_CAP_FRACTION = 0.001
DF_CAP_MAX = 200
"""A bigram in more units than max(DF_CAP_MIN, DF_CAP_FRACTION * units), at most DF_CAP_MAX,
is too common to block on (stock phrases)."""
CHAR_GRAM = 4
SHORT_GRAM_SHARE = 0.8
"""A short annotation's candidates contain at least this share of its informative 4-grams."""
MIN_INFORMATIVE_GRAMS = 4
EXACT_MAX_DOCS = 100
PAIR_BATCH = 2_000_000
"""Candidate pairs are counted in passes of about this many (bounds memory at ~0.15 GB)."""


def df_cap(units: int) -> int:
    return int(min(DF_CAP_MAX, max(DF_CAP_MIN, DF_CAP_FRACTION * units)))


def _gram_codes(norm: str) -> set[int]:
    """Character 4-grams of a normalised text as 32-bit codes (same as `_gram_array`)."""
    codes = [ord(ch) & 0xFFFF for ch in norm]
    return {
        (codes[i] * 0x9E3779B1 + codes[i + 1] * 0x85EBCA77 + codes[i + 2] * 0xC2B2AE3D
         + codes[i + 3]) & 0xFFFFFFFF
        for i in range(len(codes) - CHAR_GRAM + 1)
    }  # fmt: skip


def _gram_array(chars: np.ndarray) -> np.ndarray:
    c = chars.astype(np.uint64) & np.uint64(0xFFFF)
    h = (
        c[:-3] * np.uint64(0x9E3779B1)
        + c[1:-2] * np.uint64(0x85EBCA77)
        + c[2:-1] * np.uint64(0xC2B2AE3D)
        + c[3:]
    )
    return (h & np.uint64(0xFFFFFFFF)).astype(np.uint32)


@dataclass
class _Postings:
    """Sorted (key, unit) pairs; a key's units are one contiguous run."""

    keys: np.ndarray
    units: np.ndarray

    @classmethod
    def build(cls, keys: np.ndarray, units: np.ndarray) -> _Postings:
        """Sort by key; units must arrive in increasing order, and stay so within a key."""
        order = np.argsort(keys, kind="stable")
        keys = keys[order]
        units = units[order]
        del order
        if len(keys):
            keep = np.ones(len(keys), dtype=bool)
            keep[1:] = (keys[1:] != keys[:-1]) | (units[1:] != units[:-1])
            keys, units = keys[keep], units[keep]
        return cls(keys, units)

    def run(self, key: int) -> np.ndarray:
        lo = np.searchsorted(self.keys, key, "left")
        hi = np.searchsorted(self.keys, key, "right")
        return self.units[lo:hi]

    def df(self, key: int) -> int:
        return int(
            np.searchsorted(self.keys, key, "right") - np.searchsorted(self.keys, key, "left")
        )


class Index:
    """Units in comparison form with the structures blocking needs.

    Built once for a corpus; `extend` adds units (annotations, new documents) without
    rebuilding what is there: each call adds a segment to the bigram index. A
    document's sentences must arrive in one call (that is how sentence neighbours,
    for joining split statements, are found). Per-unit facts live in compact arrays,
    so a million units fit in a few hundred megabytes.
    """

    def __init__(self) -> None:
        self.units: list[Unit] = []
        self.norms: list[str] = []
        self.vocab: dict[str, int] = {}
        self.docs: dict[str, int] = {}
        self._words = array("i")
        self._doc = array("i")
        self._active = array("b")  # eligible for linking
        self._hash = array("q")  # hash of the normalised text: exact repeats
        self._next = array("q")  # the following sentence's unit, or -1
        self._prev = array("q")
        self.short: list[int] = []  # eligible units blocked by character grams
        self.segments: list[_Postings] = []
        self.long_units = 0  # units in the bigram index: what df_cap is relative to
        self._views: dict[str, np.ndarray] = {}  # per-unit columns as numpy, grown in place
        self._valid: dict[str, int] = {}  # rows of each view that are current
        self._by_span: dict[tuple[str, int, int], int] | None = None
        self._by_hash: tuple[np.ndarray, np.ndarray, int] | None = None
        self._bigrams: dict[int, np.ndarray] = {}
        self._segment_units: list[int] = []  # units each segment indexes
        self._marks: list[int] = [0]  # unit counts after each `extend`: where truncate may cut
        self._chars: dict[int, _Postings] = {}  # character grams per segment, built lazily
        self._short_grams: dict[int, set[int]] = {}
        self._passages: PassageIndex | None = None
        self._free: list[int] = []  # units that are not sentences (annotations)

    # -- building ----------------------------------------------------------------

    @classmethod
    def build(cls, units: Iterable[Unit], progress: Progress | None = None) -> Index:
        index = cls()
        index.extend(units, progress)
        return index

    def __len__(self) -> int:
        return len(self.units)

    def extend(self, units: Iterable[Unit], progress: Progress | None = None) -> range:
        """Add units; returns their ids. A span already present is not added twice."""
        first = len(self.units)
        vocab = self.vocab
        flat = array("i")  # word ids of the bigram-indexed units, end to end
        lengths = array("i")
        owners = array("i")
        sequence: dict[tuple[int, int], int] = {}
        units = list(units)
        known = self._span_map() if first else {}
        total = len(units)
        for n, unit in enumerate(units):
            span = (unit.doc, unit.start, unit.end)
            if span in known:
                continue
            known[span] = i = len(self.units)
            norm = normalise(unit.text)
            words = norm.count(" ") + 1 if norm else 0
            doc = self.docs.setdefault(unit.doc, len(self.docs))
            ok = eligible(unit, words, len(norm))
            self.units.append(unit)
            self.norms.append(norm)
            self._words.append(words)
            self._doc.append(doc)
            self._active.append(ok)
            self._hash.append(hash(norm))
            if ok and unit.seq is not None:
                sequence[(doc, unit.seq)] = i
            if not ok:
                continue
            if words < MIN_WORDS:
                self.short.append(i)
                continue
            flat.extend(vocab.setdefault(t, len(vocab)) for t in norm.split(" "))
            lengths.append(words)
            owners.append(i)
            if progress and n % 20000 == 0:
                progress(n, total)
        for i in range(first, len(self.units)):
            unit = self.units[i]
            key = (self._doc[i], unit.seq) if unit.seq is not None else None
            own = key is not None and sequence.get(key) == i
            self._next.append(sequence.get((key[0], key[1] + 1), -1) if own and key else -1)
            self._prev.append(sequence.get((key[0], key[1] - 1), -1) if own and key else -1)
        if flat:
            self.segments.append(_bigram_postings(flat, lengths, owners))
            self._segment_units.append(len(owners))
            self.long_units += len(owners)
        self._short_grams.clear()
        self._note_added(first)
        self._marks.append(len(self.units))
        if progress:
            progress(total, total)
        return range(first, len(self.units))

    def _note_added(self, first: int) -> None:
        """Record the annotations among the units from `first` on, and drop the passage
        index when sentences came (it is built again on first need)."""
        added = range(first, len(self.units))
        self._free.extend(j for j in added if self.units[j].seq is None)
        if any(self.units[j].seq is not None for j in added):
            self._passages = None

    def truncate(self, count: int) -> None:
        """Forget the units added after the first `count` (which must be the size the
        index had after some `extend`): how the app drops changed annotations or a
        temporary query without rebuilding the corpus."""
        if count >= len(self.units):
            return
        if count not in self._marks:
            raise ValueError(f"cannot truncate to {count}: not the end of an extend")
        if any(unit.seq is not None for unit in self.units[count:]):
            self._passages = None
        if self._by_span is not None:
            for unit in self.units[count:]:
                self._by_span.pop((unit.doc, unit.start, unit.end), None)
        del self.units[count:], self.norms[count:]
        for column in (self._words, self._doc, self._active, self._hash, self._next, self._prev):
            del column[count:]
        self.short = [s for s in self.short if s < count]
        self._free = [j for j in self._free if j < count]
        while self.segments and int(self.segments[-1].units.min()) >= count:
            self._chars.pop(len(self.segments) - 1, None)
            self.segments.pop()
            self.long_units -= self._segment_units.pop()
        self._marks = [m for m in self._marks if m <= count]
        self._bigrams = {k: v for k, v in self._bigrams.items() if k < count}
        self._short_grams.clear()
        # The views keep their first `count` rows: the app adds and drops a unit on
        # every echoes call, and rebuilding per-unit columns of the whole corpus each
        # time cost more than the matching itself.
        self._valid = {name: min(rows, count) for name, rows in self._valid.items()}
        if self._by_hash is not None and count < self._by_hash[2]:
            self._by_hash = None

    def _span_map(self) -> dict[tuple[str, int, int], int]:
        if self._by_span is None:
            self._by_span = {(u.doc, u.start, u.end): i for i, u in enumerate(self.units)}
        return self._by_span

    def find(self, doc: str, start: int, end: int) -> int | None:
        """The id of the unit with exactly this span, if indexed."""
        return self._span_map().get((doc, start, end))

    def prepare(self) -> None:
        """Build now what the first `matches_for` would build on first need (the passage
        index, the columns verification reads, the order of exact repeats), so that a
        worker can do it ahead of the reader's first call."""
        self.passages().prepare()
        self.norm_array()
        self.length_array()
        self.next_array()
        self._hash_order()

    def passages(self) -> PassageIndex:
        """The whole-article passage index over the sentences, built on first need."""
        if self._passages is None:
            self._passages = PassageIndex(self.units, self.norms, self.vocab)
        return self._passages

    def _column(self, name: str, dtype: type, rows: Callable[[int, int], np.ndarray]) -> np.ndarray:
        """A per-unit column as a numpy array, brought up to date by computing only the
        rows added since (`rows(lo, hi)`); its storage grows with room to spare."""
        n = len(self.units)
        view = self._views.get(name)
        valid = self._valid.get(name, 0)
        if view is None or valid < n:
            if view is None or len(view) < n:
                grown = np.empty(n + n // 8 + 16, dtype=dtype)
                if view is not None:
                    grown[:valid] = view[:valid]
                view = self._views[name] = grown
            view[valid:n] = rows(valid, n)
            self._valid[name] = n
        return view[:n]

    def _view(self, name: str, source: array, dtype: type) -> np.ndarray:
        return self._column(name, dtype, lambda lo, hi: np.array(source[lo:hi], dtype=dtype))

    def doc_array(self) -> np.ndarray:
        return self._view("doc", self._doc, np.int64)

    def next_array(self) -> np.ndarray:
        return self._view("next", self._next, np.int64)

    def next_of(self, i: int) -> int | None:
        j = self._next[i]
        return None if j < 0 else j

    def prev_of(self, i: int) -> int | None:
        j = self._prev[i]
        return None if j < 0 else j

    def norm_array(self) -> np.ndarray:
        """Normalised texts as a numpy object array, for gathering many at once."""

        def rows(lo: int, hi: int) -> np.ndarray:
            out = np.empty(hi - lo, dtype=object)
            out[:] = self.norms[lo:hi]
            return out

        return self._column("norms", object, rows)

    def length_array(self) -> np.ndarray:
        return self._column(
            "lengths",
            np.float64,
            lambda lo, hi: np.fromiter(
                (len(t) for t in self.norms[lo:hi]), dtype=np.float64, count=hi - lo
            ),
        )

    # -- blocking ------------------------------------------------------------------

    def cap(self) -> int:
        return df_cap(self.long_units)

    def unit_bigrams(self, i: int) -> np.ndarray:
        """The distinct bigram keys of unit `i`."""
        cached = self._bigrams.get(i)
        if cached is None:
            cached = self._bigrams[i] = self.text_bigrams(self.norms[i])
        return cached

    def text_bigrams(self, norm: str) -> np.ndarray:
        ids = [self.vocab.get(t, -1) for t in norm.split(" ")] if norm else []
        keys = {(a << 32) | b for a, b in zip(ids, ids[1:], strict=False) if a >= 0 and b >= 0}
        return np.array(sorted(keys), dtype=np.int64)

    def same_text(self, i: int) -> list[int]:
        """Eligible units whose normalised text equals unit `i`'s."""
        hashes, sorted_hashes, order, sorted_upto = self._hash_order()
        h = self._hash[i]
        lo = np.searchsorted(sorted_hashes, h, "left")
        hi = np.searchsorted(sorted_hashes, h, "right")
        found = order[lo:hi].tolist()
        found += (np.flatnonzero(hashes[sorted_upto:] == h) + sorted_upto).tolist()
        return [j for j in found if self._active[j] and self.norms[j] == self.norms[i]]

    def _hash_order(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
        hashes = self._view("hash", self._hash, np.int64)
        if self._by_hash is None:
            # Sorted over the first extend's units (the corpus); the few added after it
            # (annotations, the app's temporary span) are scanned, so adding or dropping
            # one does not sort the corpus again.
            sorted_upto = self._marks[1] if len(self._marks) > 1 else len(self.units)
            order = np.argsort(hashes[:sorted_upto], kind="stable")
            self._by_hash = (hashes[:sorted_upto][order], order, sorted_upto)
        return (hashes, *self._by_hash)

    def candidates_of(self, i: int, cap: int) -> dict[int, int]:
        """Units in other documents that `i` must be compared with, and how many
        uncommon bigrams each shares with it (the same counts `all_candidate_pairs` gives)."""
        found: dict[int, int] = {}
        counts: dict[int, int] = defaultdict(int)
        if self._words[i] >= MIN_WORDS:
            # Each key's run in each segment, found for all keys in one call per
            # segment (the reader's echoes ask this for one unit at a time, and one
            # search per key and segment cost more than the counting); the counts are
            # made in the same order as key by key, so `found` keeps its order.
            keys = self.unit_bigrams(i)
            bounds = [(seg.units, seg.keys.searchsorted(keys, "left").tolist(),
                       seg.keys.searchsorted(keys, "right").tolist()) for seg in self.segments]
            for k in range(len(keys)):
                if sum(hi[k] - lo[k] for _, lo, hi in bounds) > cap:
                    continue
                for units, lo, hi in bounds:
                    for j in units[lo[k] : hi[k]].tolist():
                        counts[j] += 1
            found.update((j, c) for j, c in counts.items() if c >= 2)
            found.update((j, 0) for j in self._short_hits_for_long(i))
        else:
            found.update((j, 0) for j in self._short_candidates([i])[i])
        same = self.same_text(i)
        if len({self._doc[j] for j in same}) <= EXACT_MAX_DOCS:
            for j in same:
                found.setdefault(j, counts[j] if counts.get(j, 0) >= 2 else 0)
        doc = self._doc[i]
        return {j: c for j, c in found.items() if self._doc[j] != doc and self._active[j]}

    def _exact_codes(self, n: int) -> np.ndarray:
        """Pair codes of units with the same normalised text in different documents."""
        hashes = self._view("hash", self._hash, np.int64)
        active = np.flatnonzero(self._view("active", self._active, np.int8))
        h = hashes[active]
        if len(h) < 2:
            return np.zeros(0, dtype=np.int64)
        order = np.argsort(h, kind="stable")
        h, members = h[order], active[order]
        repeated = np.r_[False, h[1:] == h[:-1]] | np.r_[h[:-1] == h[1:], False]
        groups: dict[str, list[int]] = defaultdict(list)
        for j in members[repeated].tolist():
            groups[self.norms[j]].append(j)
        codes = []
        for group in groups.values():
            docs = {self._doc[j] for j in group}
            if len(docs) < 2 or len(docs) > EXACT_MAX_DOCS:
                continue
            for x, a in enumerate(group):
                for b in group[x + 1 :]:
                    if self._doc[a] != self._doc[b]:
                        codes.append(min(a, b) * n + max(a, b))
        return np.array(codes, dtype=np.int64)

    def all_candidate_pairs(self, cap: int) -> tuple[np.ndarray, np.ndarray]:
        """Every candidate pair of the corpus as an (n, 2) array, smaller id first, and
        how many uncommon bigrams each pair shares."""
        n = max(len(self.units), 1)
        doc_codes = self.doc_array()
        exact = self._exact_codes(n)
        codes: list[np.ndarray] = [exact]
        shared: list[np.ndarray] = [np.zeros(len(exact), dtype=np.int64)]
        if self.segments:
            seg = self.segments[0] if len(self.segments) == 1 else _merge(self.segments)
            bigram_codes, counts = _pairs_sharing_two(seg, cap, doc_codes, n)
            codes.append(bigram_codes)
            shared.append(counts)
        shorts = self._short_candidates(self.short)
        extra = np.array(
            [min(s, j) * n + max(s, j) for s, js in shorts.items() for j in js], dtype=np.int64
        )
        codes.append(extra)
        shared.append(np.zeros(len(extra), dtype=np.int64))
        all_codes, all_shared = np.concatenate(codes), np.concatenate(shared)
        order = np.argsort(all_codes, kind="stable")
        all_codes, all_shared = all_codes[order], all_shared[order]
        if not len(all_codes):
            return np.zeros((0, 2), dtype=np.int64), np.zeros(0, dtype=np.int64)
        firsts = np.flatnonzero(np.r_[True, all_codes[1:] != all_codes[:-1]])
        merged = all_codes[firsts]
        most = np.maximum.reduceat(all_shared, firsts)
        pairs = np.stack([merged // n, merged % n], axis=1)
        keep = doc_codes[pairs[:, 0]] != doc_codes[pairs[:, 1]]
        return pairs[keep], most[keep]

    # -- character-gram fallback for short annotations -----------------------------

    def _char_index(self) -> list[_Postings]:
        """Character 4-gram postings of each segment's units, built on first need."""
        for number, segment in enumerate(self.segments):
            if number not in self._chars:
                self._chars[number] = _char_postings(self.norms, np.unique(segment.units))
        return [self._chars[number] for number in range(len(self.segments))]

    def _gram_df(self, gram: int) -> int:
        return sum(post.df(gram) for post in self._char_index())

    def informative_grams(self, i: int) -> set[int]:
        """A short unit's 4-grams that are not too common to block on."""
        cached = self._short_grams.get(i)
        if cached is None:
            cap = self.cap()
            cached = {g for g in _gram_codes(self.norms[i]) if self._gram_df(g) <= cap}
            self._short_grams[i] = cached
        return cached

    def _short_need(self, grams: set[int]) -> int:
        return math.ceil(SHORT_GRAM_SHARE * len(grams))

    def _short_candidates(self, shorts: Sequence[int]) -> dict[int, set[int]]:
        result: dict[int, set[int]] = {}
        for s in shorts:
            grams = self.informative_grams(s)
            found: set[int] = set()
            if len(grams) >= MIN_INFORMATIVE_GRAMS:
                counts: dict[int, int] = defaultdict(int)
                for gram in grams:
                    for post in self._char_index():
                        for j in post.run(gram).tolist():
                            counts[j] += 1
                need = self._short_need(grams)
                found = {j for j, c in counts.items() if c >= need}
            for other in self.short:
                if other != s and (self._short_pair(s, other) or self._short_pair(other, s)):
                    found.add(other)
            result[s] = found
        return result

    def _short_pair(self, s: int, other: int) -> bool:
        """Two short annotations: block on their grams directly."""
        grams = self.informative_grams(s)
        if len(grams) < MIN_INFORMATIVE_GRAMS:
            return False
        return len(grams & _gram_codes(self.norms[other])) >= self._short_need(grams)

    def _short_hits_for_long(self, i: int) -> set[int]:
        """Short annotations whose grams unit `i` contains (the reverse of the fallback)."""
        if not self.short:
            return set()
        grams = _gram_codes(self.norms[i])
        hits = set()
        for s in self.short:
            informative = self.informative_grams(s)
            if len(informative) >= MIN_INFORMATIVE_GRAMS and len(
                informative & grams
            ) >= self._short_need(informative):
                hits.add(s)
        return hits

    # -- matching --------------------------------------------------------------------

    def matches_for(self, i: int, threshold: float = DEFAULT_THRESHOLD) -> list[Match]:
        """Every match that touches unit `i`, exactly as `link_units` would decide it:
        the unit matches that hold it, and the passage matches that overlap it."""
        unit = self.units[i]
        found = self._unit_matches_for(i, threshold)
        # The passages that matter: those overlapping the unit, and those that may
        # refine a unit match, which lie inside its side here (maybe two sentences).
        near = [(s.start, s.end) for m in found for s in (m.a, m.b) if s.doc == unit.doc]
        near.append((unit.start, unit.end))
        reach = (min(lo for lo, _ in near), max(hi for _, hi in near))
        everywhere = self.passages().matches_of(unit.doc, self.vocab, reach)
        passages = [
            p
            for p in everywhere
            if any(s.doc == unit.doc and s.start < unit.end and unit.start < s.end
                   for s in (p.a, p.b))  # fmt: skip
        ]
        kept: list[Match] = []
        if passages:
            # `link_units` drops a passage that a unit match covers; the unit matches
            # that could cover it hold a unit of this article the passage overlaps.
            nearby: dict[str, Match] = {m.pair_key: m for m in found}
            for j in self._units_overlapping(unit.doc, passages):
                if j != i:
                    nearby.update((m.pair_key, m) for m in self._unit_matches_for(j, threshold))
            kept = without_covered(passages, list(nearby.values()))
        return refined(found, everywhere) + kept

    def _units_overlapping(self, doc: str, passages: list[Match]) -> list[int]:
        spans = [(s.start, s.end) for p in passages for s in (p.a, p.b) if s.doc == doc]
        d = self.passages().code[doc]
        free = [j for j in self._free if self.units[j].doc == doc]
        candidates = [*self.passages().doc_units[d], *free]
        return [
            j
            for j in candidates
            if any(self.units[j].start < end and start < self.units[j].end for start, end in spans)
        ]

    def _unit_matches_for(self, i: int, threshold: float) -> list[Match]:
        if not self._active[i]:
            return []
        cap = self.cap()
        mine = self.candidates_of(i, cap)
        pairs: dict[tuple[int, int], int] = {(min(i, j), max(i, j)): c for j, c in mine.items()}
        # Joined sentences: (i + its neighbour, j) needs the neighbour's pair with j;
        # (i, j + next(j)) needs (i, next(j)), which `mine` already holds.
        for neighbour in (self.next_of(i), self.prev_of(i)):
            if neighbour is not None:
                theirs = self.candidates_of(neighbour, cap)
                for j in mine.keys() & theirs.keys():
                    pairs[(min(neighbour, j), max(neighbour, j))] = theirs[j]
        keys = sorted(pairs)
        arr = np.array(keys, dtype=np.int64).reshape(-1, 2)
        shared = np.array([pairs[k] for k in keys], dtype=np.int64)
        unit = self.units[i]
        return [
            m
            for m in verify_pairs(self, arr, shared, threshold)
            if any(
                side.doc == unit.doc and side.start <= unit.start and unit.end <= side.end
                for side in (m.a, m.b)
            )
        ]


def _char_postings(norms: list[str], units: np.ndarray) -> _Postings:
    keys, owners = [], []
    for chunk in np.array_split(units, max(1, len(units) // 50000)):
        if not len(chunk):
            continue
        texts = [norms[i] for i in chunk.tolist()]
        lens = np.array([len(t) + 1 for t in texts], dtype=np.int64)
        chars = np.frombuffer(("\n".join(texts) + "\n").encode("utf-32-le"), dtype=np.uint32)
        grams = _gram_array(chars)
        keys.append(grams.astype(np.int64))
        owners.append(np.repeat(chunk.astype(np.int64), lens)[: len(grams)])
    if not keys:
        return _Postings(np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64))
    return _Postings.build(np.concatenate(keys), np.concatenate(owners))


def _bigram_postings(flat: array, lengths: array, owners: array) -> _Postings:
    # A bigram's key is (first word id << 32) | second word id: stable as the vocabulary grows.
    ids = np.frombuffer(flat, dtype=np.int32).astype(np.int64)
    owner = np.repeat(np.frombuffer(owners, dtype=np.int32), np.frombuffer(lengths, dtype=np.int32))
    same = owner[:-1] == owner[1:]
    keys = ((ids[:-1] << 32) | ids[1:])[same]
    del ids
    units = owner[:-1][same]
    del owner, same
    return _Postings.build(keys, units)


def _merge(segments: list[_Postings]) -> _Postings:
    return _Postings.build(
        np.concatenate([s.keys for s in segments]), np.concatenate([s.units for s in segments])
    )


def _pairs_sharing_two(
    seg: _Postings, cap: int, doc_codes: np.ndarray, n: int, batch: int = PAIR_BATCH
) -> tuple[np.ndarray, np.ndarray]:
    """Pair codes (a * n + b, a < b) of units in different documents sharing >= 2 keys,
    with how many keys each pair shares.

    Keys found in more than `cap` units are skipped. A key's units are sorted, so the
    pairs whose smaller unit lies in a range of ids can be produced on their own: the
    work goes in passes over ranges holding about `batch` pairs each, and every pass
    counts its pairs completely. Memory stays bounded however many pairs there are.
    """
    keys, units = seg.keys, seg.units
    empty = np.zeros(0, dtype=np.int64)
    if not len(keys):
        return empty, empty
    starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]])
    sizes = np.diff(np.r_[starts, len(keys)])
    valid = (sizes >= 2) & (sizes <= cap)
    starts, sizes = starts[valid], sizes[valid]
    if not len(starts):
        return empty, empty
    # Every posting of a kept key, and how many later postings of the same key follow it.
    group_of = np.repeat(np.arange(len(starts)), sizes)
    offsets = np.arange(len(group_of)) - np.repeat(np.cumsum(sizes) - sizes, sizes)
    positions = starts[group_of] + offsets
    partners = (starts + sizes)[group_of] - positions - 1
    del group_of
    owner = units[positions]
    per_unit = np.cumsum(np.bincount(owner, weights=partners, minlength=n))
    cuts = np.searchsorted(per_unit, np.arange(batch, per_unit[-1] + batch, batch), "right")
    bounds = np.unique(np.r_[0, cuts, n])
    codes_out, counts_out = [], []
    for lo, hi in zip(bounds[:-1].tolist(), bounds[1:].tolist(), strict=True):
        chosen = (owner >= lo) & (owner < hi) & (partners > 0)
        first_pos, count = positions[chosen], partners[chosen]
        total = int(count.sum())
        if not total:
            continue
        first = np.repeat(first_pos, count)
        second = first + 1 + (np.arange(total) - np.repeat(np.cumsum(count) - count, count))
        a, b = units[first].astype(np.int64), units[second].astype(np.int64)
        del first, second
        keep = doc_codes[a] != doc_codes[b]
        codes = a[keep] * n + b[keep]
        del a, b, keep
        codes.sort()
        if not len(codes):
            continue
        firsts = np.flatnonzero(np.r_[True, codes[1:] != codes[:-1]])
        counts = np.diff(np.r_[firsts, len(codes)])
        twice = counts >= 2
        codes_out.append(codes[firsts[twice]])
        counts_out.append(counts[twice])
    if not codes_out:
        return empty, empty
    return np.concatenate(codes_out), np.concatenate(counts_out)
