"""Rank cross-article sentence pairs by meaning, for a person to accept or reject.

Prototype of the ranking half of the offline semantic stage (issue #13, deliverable 2).
No similarity threshold separates "the same statement in other words" from "the same
topic": two people's remarks that both mention security guarantees for Ukraine sit as
close as a wire lede and its rewrite. So nothing here decides; it orders. A pair is
offered by default only when

* each sentence is among the other's few nearest neighbours in *other* articles
  (mutual top-k: a sentence close to everything on the topic is nobody's best match),
* their cosine is above a high percentile of this corpus's own cross-article
  similarities (the scale of cosines differs between encoders and corpora), and
* they share rare content words or names, unless the cosine alone is in the very top
  of the corpus and each is the other's first neighbour (a reworded statement still
  shares its actors and its nouns; a mere topic neighbour shares the topic's common
  words, which are not rare), and
* neither is a fragment of a few words, whose statement lives in its neighbours.

Pairs that pass the first two tests but not the third are kept as the "show more" tier.
Pure numpy and stdlib: no database access, no imports from store/.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

#: Rows of the query block in the similarity product; bounds peak memory to
#: block * n * 4 bytes (4,096 x 100,000 -> 1.6 GB would be too much, 1,024 -> 400 MB).
BLOCK = 1024


def knn_other_docs(
    vectors: np.ndarray, doc_ids: np.ndarray, k: int = 10, block: int = BLOCK
) -> tuple[np.ndarray, np.ndarray]:
    """Top-k neighbours of every row among rows of other documents, by dot product.

    Returns (indices, similarities), each (n, k), best first. Exact: blocks of rows times
    the whole matrix, so memory stays at block x n floats whatever n is.
    """
    n = vectors.shape[0]
    k = min(k, max(n - 1, 1))
    top_i = np.empty((n, k), dtype=np.int64)
    top_s = np.empty((n, k), dtype=np.float32)
    mat = vectors.astype(np.float32, copy=False)
    for lo in range(0, n, block):
        hi = min(lo + block, n)
        sims = mat[lo:hi] @ mat.T
        sims[doc_ids[lo:hi, None] == doc_ids[None, :]] = -np.inf
        part = np.argpartition(-sims, k - 1, axis=1)[:, :k]
        vals = np.take_along_axis(sims, part, axis=1)
        order = np.argsort(-vals, axis=1, kind="stable")
        top_i[lo:hi] = np.take_along_axis(part, order, axis=1)
        top_s[lo:hi] = np.take_along_axis(vals, order, axis=1)
    return top_i, top_s


def cross_doc_percentiles(
    vectors: np.ndarray,
    doc_ids: np.ndarray,
    qs: Sequence[float],
    sample: int = 400_000,
    seed: int = 0,
) -> list[float]:
    """Percentiles of cosine over pairs of sentences from different articles.

    A fixed-seed sample of random pairs: the threshold is a property of the corpus and
    the encoder together, and needs no more precision than a few hundred thousand pairs
    give (at p99.9 that is ~400 pairs above the cut).
    """
    n = vectors.shape[0]
    rng = np.random.default_rng(seed)
    total = n * (n - 1) // 2
    if total <= sample:
        a, b = np.triu_indices(n, 1)
    else:
        a = rng.integers(0, n, sample)
        b = rng.integers(0, n, sample)
    keep = doc_ids[a] != doc_ids[b]
    a, b = a[keep], b[keep]
    sims = np.einsum("ij,ij->i", vectors[a], vectors[b])
    return [float(x) for x in np.percentile(sims, qs)]


# Words that carry no statement of their own: function words and reporting verbs.
STOPWORDS = frozenset(
    """a an the and or but if of to in on at by for with from as into onto over under about
    after before than then that this these those there here it its it's is are was were be
    been being has have had do does did not no nor so such can could would should will
    shall may might must he she they we you i me him her them us our their his your my
    who whom whose which what when where why how all any both each few more most other
    some own same very just also too only even still yet again ever up down out off
    said says say saying told tell tells added adding according stated stressed noted
    mr mrs ms one two three new last next week year years day days time""".split()  # noqa: SIM905
)

_WORD = re.compile(r"[\w'’-]+", re.UNICODE)


def _fold(text: str) -> str:
    return "".join(
        c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c)
    )


def content_terms(text: str) -> set[str]:
    """Content words as 6-letter prefixes: a cheap stem that also joins spellings.

    Prefixes make "Zelenskyy", "Zelenskiy" and "Zelensky" one term, and "negotiations",
    "negotiate" one term; the cost is some false joins, which only add to a score that
    ranks, never decides.
    """
    terms = set()
    for w in _WORD.findall(_fold(text).lower()):
        w = w.strip("'’-")
        if w.endswith(("'s", "’s")):
            w = w[:-2]
        if len(w) < 3 or w in STOPWORDS or w.isdigit():
            continue
        terms.add(w[:6])
    return terms


@dataclass(frozen=True)
class Idf:
    """Inverse document frequency of terms over the corpus's sentences."""

    weights: dict[str, float]
    default: float

    @classmethod
    def fit(cls, term_sets: Sequence[set[str]]) -> Idf:
        df = Counter(t for terms in term_sets for t in terms)
        n = max(len(term_sets), 1)
        return cls({t: math.log((n + 1) / (c + 1)) + 1.0 for t, c in df.items()},
                   math.log(n + 1) + 1.0)

    def __call__(self, term: str) -> float:
        return self.weights.get(term, self.default)


def lexical_overlap(a: set[str], b: set[str], idf: Idf) -> float:
    """IDF mass of the shared terms over the geometric mean of both sides' mass, in [0, 1].

    The geometric mean, not the smaller side: with the smaller side, a three-word
    fragment ("Only Ukraine can provide that.") that shares the corpus's main actor
    scores as high as a full rewording.
    """
    if not a or not b:
        return 0.0
    shared = sum(idf(t) for t in a & b)
    return shared / math.sqrt(sum(idf(t) for t in a) * sum(idf(t) for t in b))


@dataclass(frozen=True)
class Suggestion:
    """One proposed pair (a < b are row numbers) with what it was judged on."""

    a: int
    b: int
    cosine: float
    rank_ab: int  # b's place among a's cross-article neighbours (0 = first)
    rank_ba: int
    lexical: float
    tier: str  # "default" or "more"
    score: float


@dataclass(frozen=True)
class Params:
    """The knobs, with the defaults the benchmark settled on for the bundled corpus."""

    k: int = 10  # neighbours kept per sentence
    mutual: int = 3  # both within each other's first `mutual`, for the lexical tier
    mutual_strong: int = 1  # each other's first neighbour, for the cosine-only tier
    percentile: float = 99.5  # cosine at least this percentile of cross-article pairs
    strong_percentile: float = 99.95  # above this, no lexical evidence is needed
    min_lexical: float = 0.3  # shared rare-word mass needed below the strong cut
    # A sentence with fewer content words is a fragment ("That's the security
    # guarantee."): what it states depends on the sentences around it, so its nearest
    # neighbour is a topic, not a statement.
    min_terms: int = 4


def suggest(
    vectors: np.ndarray,
    doc_ids: Sequence[int] | np.ndarray,
    texts: Sequence[str],
    params: Params = Params(),
) -> list[Suggestion]:
    """Ranked cross-article pairs: the default tier first (best first), then "more"."""
    doc = np.asarray(doc_ids)
    top_i, _ = knn_other_docs(vectors, doc, params.k)
    cut, strong = cross_doc_percentiles(
        vectors, doc, [params.percentile, params.strong_percentile]
    )
    terms = [content_terms(t) for t in texts]
    idf = Idf.fit(terms)
    rank: dict[tuple[int, int], int] = {}
    for i in range(len(texts)):
        for r, j in enumerate(top_i[i, : params.mutual]):
            rank[(i, int(j))] = r
    found: list[Suggestion] = []
    for (i, j), r_ij in rank.items():
        if i >= j or (j, i) not in rank:
            continue
        if min(len(terms[i]), len(terms[j])) < params.min_terms:
            continue
        cos = float(vectors[i] @ vectors[j])
        if cos < cut:
            continue
        r_ji = rank[(j, i)]
        lex = lexical_overlap(terms[i], terms[j], idf)
        strong_pair = cos >= strong and max(r_ij, r_ji) < params.mutual_strong
        default = strong_pair or lex >= params.min_lexical
        # Order: how far above the corpus's own cut, plus the lexical evidence.
        score = (cos - cut) / max(1.0 - cut, 1e-6) + lex
        found.append(
            Suggestion(i, j, cos, r_ij, r_ji, lex, "default" if default else "more", score)
        )
    found.sort(key=lambda s: (s.tier != "default", -s.score))
    return found
