"""Finding the same statement in different documents. Pure functions: no database.

The pipeline (docs/linking.md explains each choice and the measurements behind it):

1. **Normalise** each unit (a sentence or an annotation): fold curly quotes and dashes,
   `rapidfuzz.utils.default_process`, collapse white space. Both steps map one code
   point to one code point, so an alignment found in the normalised text maps back
   to exact offsets in the document.
2. **Block**: never compare all pairs. Exact repeats meet in a hash of the normalised
   text. Other candidates must share at least two word bigrams that are not common
   (a bigram found in more than `df_cap` units is dropped from the index: that is
   where stock phrases such as "said on Sunday" live). Annotations too short to
   have two bigrams are blocked by character 4-grams instead.
3. **Verify** only the candidates with rapidfuzz `process.cpdist`: `ratio` when the
   two sides are about the same length (the same statement, maybe reworded),
   `partial_ratio` when one side is clearly shorter (a quote inside a longer
   sentence); `partial_ratio_alignment` records which part matched. Two sentences
   that share a verbatim passage of 12+ words, each cut differently by its outlet,
   are linked too. A match must also share at least three content words (not stop
   words, titles, days or names), so sentences built from the same stock phrases
   never link.
4. **Join split statements**: when one outlet writes a statement as one sentence and
   another splits it in two, the two adjacent sentences are compared as one span.
5. **Cluster** the matches with union-find; a cluster's id comes from its longest
   member, its representative.

`link_units` does it for a whole corpus; `Index` keeps the blocking structures so
one new unit can be matched against the corpus in milliseconds (`Index.matches_for`),
with exactly the decisions `link_units` would make.
"""

from __future__ import annotations

import hashlib
import math
import re
from array import array
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
from rapidfuzz import fuzz, process
from rapidfuzz.utils import default_process

Progress = Callable[[int, int], None]

# -- tunable decisions (docs/linking.md gives the measurements) --------------------

DEFAULT_THRESHOLD = 85.0
"""Lowest score (0-100) of two whole statements (`ratio`) for a suggestion."""
PARTIAL_MARGIN = 3.0
"""`partial_ratio` (a quote inside a longer sentence) needs the threshold plus this much:
on the synthetic benchmark, chance matches of a short sentence's opening words inside
an unrelated longer one score up to 87; true trimmed quotes mostly score 88 and more."""
MIN_WORDS = 6
"""A sentence with fewer normalised words is not linked: too little to be a statement."""
MIN_SHORT_WORDS = 3
MIN_SHORT_CHARS = 12
"""An annotation may be as short as this; below MIN_WORDS it is blocked by character 4-grams."""
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
"""Identical text in more documents than this is boilerplate, not a statement."""
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
PAIR_BATCH = 8_000_000
"""Candidate pairs are counted in passes of about this many (bounds memory at ~0.5 GB)."""

# -- normalisation ------------------------------------------------------------------

_FOLD = str.maketrans(
    {
        "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'",
        "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u2033": '"',
        "\u00ab": '"', "\u00bb": '"',
        "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-",
        "\u2015": "-", "\u2212": "-",
        "\u00a0": " ", "\u2009": " ", "\u202f": " ",
    }
)  # fmt: skip
_TOKEN = re.compile(r"\S+")


def fold(text: str) -> str:
    """Curly quotes and dashes to ASCII; one code point to one code point."""
    return text.translate(_FOLD)


def _processed(text: str) -> str:
    # default_process maps each code point to one code point, then strips the ends;
    # sentinels keep the ends, so offsets in the result are offsets in `text`.
    return default_process("a" + fold(text) + "a")[1:-1]


def normalise(text: str) -> str:
    """The comparison form: folded, `default_process`ed, single spaces."""
    return " ".join(_processed(text).split())


def token_spans(text: str) -> list[tuple[int, int]]:
    """Where each word of `normalise(text)` lies in `text` (offsets into `text`)."""
    return [(m.start(), m.end()) for m in _TOKEN.finditer(_processed(text))]


# -- content words: what a stock phrase lacks ---------------------------------------

_STOP = frozenset(
    """
    a about above after again against all almost also although am among an and another any
    are around as at away back be became because become been before being below between both
    but by can cannot could did do does doing done down during each either else even ever
    every few for from further get gets got had has have having he her here hers herself him
    himself his how however i if in including into is it its itself just least less like
    made make many may me might more most much must my myself near neither no nor not now of
    off on once one only onto or other others our ours ourselves out over own per rather
    same several shall she should since so some still such than that the their theirs them
    themselves then there these they this those though through thus to too toward towards
    under until up upon us very via was we well were what whatever when where whether which
    while who whom whose why will with within without would yet you your yours yourself
    yourselves s t d ll m re ve don didn doesn isn wasn aren weren won wouldn couldn
    shouldn
    said says say saying told tell tells telling added adds according asked asks wrote
    writes stated states reported reports reportedly announced claimed noted
    mr mrs ms dr gen president presidents minister ministers prime secretary chancellor
    official officials spokesperson spokesman spokeswoman envoy leader leaders chief head
    former deputy senior general
    monday tuesday wednesday thursday friday saturday sunday january february march april
    june july august september october november december today yesterday tomorrow week
    weeks weekend month months year years day days time last next earlier later ago
    """.split()
)


def _word_forms(text: str) -> dict[str, bool]:
    """Each word (lower case) of `text` -> whether every occurrence is capitalised."""
    forms: dict[str, bool] = {}
    for token in _processed_tokens_with_case(text):
        lower = token.lower()
        capital = token[:1].isupper()
        forms[lower] = forms.get(lower, True) and capital
    return forms


def _processed_tokens_with_case(text: str) -> list[str]:
    folded = fold(text)
    return [folded[s:e] for s, e in token_spans(text)]


def shared_content_words(a: str, b: str) -> set[str]:
    """Words both texts carry that are not stop words, titles, days, or names.

    A word counts as a name when it is capitalised everywhere in both texts; a
    sentence that only repeats "President Donald Trump said on Sunday" shares none.
    """
    forms_a, forms_b = _word_forms(a), _word_forms(b)
    shared = set()
    for word in forms_a.keys() & forms_b.keys():
        if word in _STOP or (len(word) < 3 and not word.isdigit()):
            continue
        if forms_a[word] and forms_b[word]:
            continue
        shared.add(word)
    return shared


def content_words(text: str) -> set[str]:
    """The content words of one text (names excluded when always capitalised)."""
    return shared_content_words(text, text)


# -- units and matches ----------------------------------------------------------------


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


# -- the index --------------------------------------------------------------------------


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
        self._views: dict[str, np.ndarray] = {}
        self._by_span: dict[tuple[str, int, int], int] | None = None
        self._by_hash: tuple[np.ndarray, np.ndarray] | None = None
        self._bigrams: dict[int, np.ndarray] = {}
        self._segment_units: list[int] = []  # units each segment indexes
        self._marks: list[int] = [0]  # unit counts after each `extend`: where truncate may cut
        self._chars: dict[int, _Postings] = {}  # character grams per segment, built lazily
        self._short_grams: dict[int, set[int]] = {}

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
        self._views.clear()
        self._by_hash = None
        self._marks.append(len(self.units))
        if progress:
            progress(total, total)
        return range(first, len(self.units))

    def truncate(self, count: int) -> None:
        """Forget the units added after the first `count` (which must be the size the
        index had after some `extend`): how the app drops changed annotations or a
        temporary query without rebuilding the corpus."""
        if count >= len(self.units):
            return
        if count not in self._marks:
            raise ValueError(f"cannot truncate to {count}: not the end of an extend")
        if self._by_span is not None:
            for unit in self.units[count:]:
                self._by_span.pop((unit.doc, unit.start, unit.end), None)
        del self.units[count:], self.norms[count:]
        for column in (self._words, self._doc, self._active, self._hash, self._next, self._prev):
            del column[count:]
        self.short = [s for s in self.short if s < count]
        while self.segments and int(self.segments[-1].units.min()) >= count:
            self._chars.pop(len(self.segments) - 1, None)
            self.segments.pop()
            self.long_units -= self._segment_units.pop()
        self._marks = [m for m in self._marks if m <= count]
        self._bigrams = {k: v for k, v in self._bigrams.items() if k < count}
        self._short_grams.clear()
        self._views.clear()
        self._by_hash = None

    def _span_map(self) -> dict[tuple[str, int, int], int]:
        if self._by_span is None:
            self._by_span = {(u.doc, u.start, u.end): i for i, u in enumerate(self.units)}
        return self._by_span

    def find(self, doc: str, start: int, end: int) -> int | None:
        """The id of the unit with exactly this span, if indexed."""
        return self._span_map().get((doc, start, end))

    def _view(self, name: str, source: array, dtype: type) -> np.ndarray:
        view = self._views.get(name)
        if view is None:
            view = self._views[name] = np.array(source, dtype=dtype)
        return view

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
        view = self._views.get("norms")
        if view is None:
            view = self._views["norms"] = np.array(self.norms, dtype=object)
        return view

    def length_array(self) -> np.ndarray:
        view = self._views.get("lengths")
        if view is None:
            view = self._views["lengths"] = np.fromiter(
                (len(t) for t in self.norms), dtype=np.float64, count=len(self.norms)
            )
        return view

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
        if self._by_hash is None:
            hashes = self._view("hash", self._hash, np.int64)
            order = np.argsort(hashes, kind="stable")
            self._by_hash = (hashes[order], order)
        sorted_hashes, order = self._by_hash
        h = self._hash[i]
        lo = np.searchsorted(sorted_hashes, h, "left")
        hi = np.searchsorted(sorted_hashes, h, "right")
        return [
            j for j in order[lo:hi].tolist() if self._active[j] and self.norms[j] == self.norms[i]
        ]

    def candidates_of(self, i: int, cap: int) -> dict[int, int]:
        """Units in other documents that `i` must be compared with, and how many
        uncommon bigrams each shares with it (the same counts `all_candidate_pairs` gives)."""
        found: dict[int, int] = {}
        counts: dict[int, int] = defaultdict(int)
        if self._words[i] >= MIN_WORDS:
            for key in self.unit_bigrams(i).tolist():
                runs = [seg.run(key) for seg in self.segments]
                if sum(len(r) for r in runs) > cap:
                    continue
                for run in runs:
                    for j in run.tolist():
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
        """Every match that touches unit `i`, exactly as `link_units` would decide it."""
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
            for m in _verify_all(self, arr, shared, threshold)
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
    positions = starts[group_of] + (np.arange(len(group_of)) - np.repeat(np.cumsum(sizes) - sizes, sizes))
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


# -- verification ------------------------------------------------------------------------


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


def _verify_all(index: Index, pairs: np.ndarray, shared: np.ndarray, threshold: float,
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
    if len(shared_content_words(x_text, y_text)) < MIN_SHARED_CONTENT:
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


# -- clustering --------------------------------------------------------------------------


def cluster(matches: Sequence[Match]) -> list[Match]:
    """Union-find over spans; each match gets the id of its cluster's longest span."""
    parent: dict[tuple[str, int, int], tuple[str, int, int]] = {}

    def find(x: tuple[str, int, int]) -> tuple[str, int, int]:
        parent.setdefault(x, x)
        root = x
        while parent[root] != root:
            root = parent[root]
        while parent[x] != root:
            parent[x], x = root, parent[x]
        return root

    for m in matches:
        ra, rb = find((m.a.doc, m.a.start, m.a.end)), find((m.b.doc, m.b.start, m.b.end))
        if ra != rb:
            parent[ra] = rb
    best: dict[tuple[str, int, int], tuple[str, int, int]] = {}
    for span in list(parent):
        root = find(span)
        current = best.get(root)
        if current is None or _longer(span, current):
            best[root] = span
    out = []
    for m in matches:
        rep = best[find((m.a.doc, m.a.start, m.a.end))]
        out.append(
            Match(a=m.a, b=m.b, score=m.score, method=m.method, cluster=cluster_id(*rep))
        )
    return out


def _longer(span: tuple[str, int, int], other: tuple[str, int, int]) -> bool:
    length, other_length = span[2] - span[1], other[2] - other[1]
    if length != other_length:
        return length > other_length
    return span < other


# -- the whole corpus ----------------------------------------------------------------------


def link_units(
    units: Iterable[Unit] | Index,
    *,
    threshold: float = DEFAULT_THRESHOLD,
    progress: Progress | None = None,
) -> list[Match]:
    """Every match in a corpus, clustered. `progress(done, total)` counts per mille."""
    report = _stages(progress)
    index = units if isinstance(units, Index) else Index.build(units, report(0, 400))
    pairs, shared = index.all_candidate_pairs(index.cap())
    blocked = report(400, 500)
    if blocked:
        blocked(1, 1)
    matches = _verify_all(index, pairs, shared, threshold, report(500, 1000))
    return cluster(sorted(matches, key=lambda m: m.pair_key))


def _stages(progress: Progress | None) -> Callable[[int, int], Progress | None]:
    def stage(lo: int, hi: int) -> Progress | None:
        if progress is None:
            return None

        def report(done: int, total: int) -> None:
            progress(lo + (hi - lo) * done // max(total, 1), 1000)

        return report

    return stage
