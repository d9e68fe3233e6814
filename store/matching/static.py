"""Candidates for the meaning stage of a large corpus, from a static sentence encoder.

Pure: vectors and texts, no database. The meaning stage's encoder (multilingual-e5-small
in `meaning`) reads a handful to a few dozen sentences a second on two cores: a day or
more for a million sentences. A static encoder (one vector per token, averaged) reads
thousands a second, and is good enough to say which sentences *might* be rewordings of
each other, though not which are (its own default list on the bundled corpus is mostly
same-topic pairs: docs/meaning.md). So past `LARGE_FROM` sentences the stage runs in
two steps:

1. every sentence gets a static vector (kept like e5's, so each is embedded once), its
   nearest neighbours in other articles come from the HNSW index (`neighbours`), and
   `candidate_pairs` keeps the pairs that are each other's near neighbours and that the
   words do not already rule out (`meaning.judge_pair`'s text tests);
2. e5 embeds only the sentences in those pairs (kept too) and `rerank` gives each pair
   the verdict `meaning.suggest` would: e5 cosine, mutual place, the corpus's cuts
   (from e5 vectors of a fixed sample of sentences), words, speakers, figures, quotes.

Below `LARGE_FROM` none of this runs: small corpora keep the exact e5 ranking, whose
suggestions on the bundled corpus were read one by one.

The static model is WordLlama "l2_supercat" (256 dimensions, the `wordllama` package,
MIT). Its files are read from the installed package's own folder; its loader is not
used, because it looks for the tokenizer in a cache folder first and then tries the
network.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from . import meaning, neighbours

STATIC_MODEL = "wordllama-l2_supercat-256/wordllama-0.4.0.post1"
"""Static vectors are stored under this name: another release means other vectors."""

LARGE_FROM = neighbours.EXACT_UP_TO
"""Sentences above which the meaning stage takes its candidates from static vectors.
The same size at which the neighbour search leaves exact search: below it, e5 for
every sentence is what a corpus of that size can afford."""

_TOKENIZER = "tokenizers/l2_supercat_tokenizer_config.json"
_WEIGHTS = "weights/l2_supercat_256.safetensors"
_POOL_ROWS = 256  # sentences pooled at a time: their token vectors stay in cache
_TOKENIZE_ROWS = 8_192  # sentences tokenized at a time (on the tokenizer's threads)
_RULES = meaning.Params()


class StaticEncoder:
    """WordLlama's token table averaged over a sentence's tokens, unit length."""

    name = STATIC_MODEL

    def __init__(self) -> None:
        spec = importlib.util.find_spec("wordllama")
        if spec is None or spec.origin is None:
            raise meaning.EncoderUnavailable("the large-corpus meaning stage needs wordllama")
        try:
            from safetensors import safe_open
            from tokenizers import Tokenizer
        except ImportError as error:
            raise meaning.EncoderUnavailable(f"wordllama: {error}") from error
        root = Path(spec.origin).parent
        try:
            self._tokenizer = Tokenizer.from_file(str(root / _TOKENIZER))
            with safe_open(str(root / _WEIGHTS), framework="numpy") as weights:
                table = weights.get_tensor("embedding.weight")
        except (OSError, RuntimeError, ValueError, KeyError) as error:
            raise meaning.EncoderUnavailable(f"wordllama: {error}") from error
        self._tokenizer.no_padding()
        self._tokenizer.no_truncation()
        # float32 once: gathering float16 rows and converting them per batch costs more
        # than the tokenizer itself.
        self._table = np.ascontiguousarray(table, dtype=np.float32)
        self.dim = int(self._table.shape[1])

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        # A tokenizer's encoding of a sentence is a few kilobytes of Python objects:
        # a million at once would be gigabytes, so a batch at a time.
        for lo in range(0, len(texts), _TOKENIZE_ROWS):
            batch = list(texts[lo : lo + _TOKENIZE_ROWS])
            out[lo : lo + len(batch)] = self._pooled(batch)
        return meaning.unit_rows(out)

    def _pooled(self, texts: list[str]) -> np.ndarray:
        """The mean token vector of each text (zero for a text without tokens)."""
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        encoded = self._tokenizer.encode_batch(texts, add_special_tokens=False)
        vocabulary = self._table.shape[0]
        for lo in range(0, len(encoded), _POOL_ROWS):
            chunk = [e.ids for e in encoded[lo : lo + _POOL_ROWS]]
            lengths = np.fromiter(map(len, chunk), dtype=np.int64, count=len(chunk))
            ids = np.fromiter((t for ids in chunk for t in ids), dtype=np.int64,
                              count=int(lengths.sum()))  # fmt: skip
            np.clip(ids, 0, vocabulary - 1, out=ids)
            filled = np.flatnonzero(lengths)  # an empty text stays zero: nobody's neighbour
            if not len(filled):
                continue
            starts = np.concatenate(([0], np.cumsum(lengths)[:-1]))[filled]
            sums = np.add.reduceat(self._table[ids], starts, axis=0)
            out[lo + filled] = sums / lengths[filled, None]
        return out


def load_static_encoder() -> StaticEncoder:
    """The static encoder, or EncoderUnavailable saying what to install."""
    return StaticEncoder()


def available() -> bool:
    """Whether the large-corpus path can run (wordllama and its readers are installed)."""
    return all(importlib.util.find_spec(name) is not None
               for name in ("wordllama", "tokenizers", "safetensors"))  # fmt: skip


@dataclass(frozen=True)
class CandidateParams:
    """The knobs of the candidate step (docs/meaning.md, "A large corpus")."""

    k: int = 10  # static neighbours per sentence; a pair: one in the other's first k
    # ...and, when the words give no evidence, each within the other's first `close`
    # (the counterpart of e5's cosine-only path, which needs no shared words).
    close: int = 3
    # ...and their static cosine at least this percentile of cross-article pairs': a
    # first neighbour is common (a third of all rows have a mutual one), a very close
    # one is not.
    close_percentile: float = 99.5
    # At most this share of the corpus's sentences goes to e5, the best pairs first
    # (static cosine + shared rare words): what bounds e5's work on a corpus whose
    # neighbours share rare words everywhere (measured: docs/meaning.md).
    share: float = 0.2
    sample: int = 2_000  # sentences e5 embeds for the corpus's cosine cuts


def candidate_pairs(
    top_i: np.ndarray,
    top_s: np.ndarray,
    close_cut: float,
    ctx: meaning.Context,
    idf: meaning.Idf,
    params: CandidateParams = CandidateParams(),
    rules: meaning.Params = _RULES,
    touching: np.ndarray | None = None,
) -> np.ndarray:
    """Pairs of rows (a < b, one per line, sorted) worth embedding with e5.

    `top_i`, `top_s` are each row's cross-article static neighbours and their cosines,
    best first (-1: none); `close_cut` is the `params.close_percentile` of the corpus's
    cross-article static cosines (`meaning.cross_doc_percentiles`). A pair is kept when
    one is among the other's first `params.k` (the static order is rougher than e5's,
    so one side is enough), neither is a fragment, no text test refuses it (different
    speakers, figures, quotations), and the words give the evidence the default tier
    needs, or else the two are each within the other's first `params.close` and at
    least `close_cut` alike (e5's cosine-only path needs no words, so a close pair must
    reach it). Every test here is one `judge_pair` applies later and none depends on
    the e5 vector: a pair dropped by them is one e5 could not make a default suggestion.
    `touching`: only pairs with a side among these rows (a new article, and the rows
    whose lists it entered).
    """
    n = top_i.shape[0]
    width = min(params.k, top_i.shape[1])
    rows = np.repeat(np.arange(n, dtype=np.int64), width)
    others = top_i[:, :width].reshape(-1).astype(np.int64)
    places = np.tile(np.arange(width, dtype=np.int64), n)
    sims = top_s[:, :width].reshape(-1)
    keep = others >= 0
    if touching is not None:
        wanted = np.zeros(n, dtype=bool)
        wanted[np.asarray(touching, dtype=np.int64)] = True
        keep &= wanted[rows] | wanted[np.maximum(others, 0)]
    terms = np.asarray(ctx.own_terms)
    keep &= np.minimum(terms[rows], terms[np.maximum(others, 0)]) >= rules.min_terms
    rows, others, places, sims = rows[keep], others[keep], places[keep], sims[keep]
    if not len(rows):
        return np.zeros((0, 2), dtype=np.int64)
    a, b = np.minimum(rows, others), np.maximum(rows, others)
    keys, inverse = np.unique(a * n + b, return_inverse=True)
    forward = np.full(len(keys), width, dtype=np.int64)  # b's place among a's
    backward = np.full(len(keys), width, dtype=np.int64)
    ahead = rows == a
    np.minimum.at(forward, inverse[ahead], places[ahead])
    np.minimum.at(backward, inverse[~ahead], places[~ahead])
    cosine = np.full(len(keys), -np.inf, dtype=np.float32)
    np.maximum.at(cosine, inverse, sims)
    close = (np.maximum(forward, backward) < params.close) & (cosine >= close_cut)
    kept, scores = [], []
    for key, near, sim in zip(keys.tolist(), close.tolist(), cosine.tolist(), strict=True):
        i, j = divmod(key, n)
        lex = meaning.lexical_overlap(ctx.terms[i], ctx.terms[j], idf)
        evidence = near or meaning.words_agree(ctx, i, j, lex, rules)
        if evidence and not meaning.statements_differ(ctx, i, j):
            kept.append((i, j))
            scores.append(sim + lex)
    if not kept:
        return np.zeros((0, 2), dtype=np.int64)
    pairs = np.asarray(kept, dtype=np.int64)  # sorted: keys are
    if params.share >= 1.0:
        return pairs
    return _within_share(pairs, np.asarray(scores), int(params.share * n))


def _within_share(pairs: np.ndarray, scores: np.ndarray, most: int) -> np.ndarray:
    """The best pairs (by static cosine + shared words) whose sentences number at most
    `most`, in their original order."""
    chosen = np.zeros(len(pairs), dtype=bool)
    seen: set[int] = set()
    for at in np.argsort(-scores, kind="stable").tolist():
        a, b = pairs[at].tolist()
        grown = len(seen) + (a not in seen) + (b not in seen)
        if grown > most:
            continue
        seen.update((a, b))
        chosen[at] = True
    return pairs[chosen]


def sample_rows(doc_ids: Sequence[object] | np.ndarray, size: int, seed: int = 0) -> np.ndarray:
    """A fixed sample of rows (sorted) whose e5 vectors give the corpus's cosine cuts.

    The percentile cuts are a property of the corpus's cross-article pairs; a few
    thousand sentences give millions of such pairs, plenty for a 99.95th percentile.
    The same corpus gives the same sample, so the cuts do not move between runs and
    the sample's vectors, once embedded, are reused.
    """
    n = len(doc_ids)
    if n <= size:
        return np.arange(n, dtype=np.int64)
    return np.sort(np.random.default_rng(seed).choice(n, size=size, replace=False))


def rerank(
    pairs: np.ndarray,
    rows: np.ndarray,
    vectors: np.ndarray,
    ctx: meaning.Context,
    idf: meaning.Idf,
    cuts: tuple[float, float],
    rules: meaning.Params = _RULES,
) -> list[meaning.Suggestion]:
    """The e5 verdict on each candidate pair, ranked as `meaning.suggest` ranks.

    `vectors` are e5 unit rows for `rows` (sorted), which hold every row of `pairs`.
    A sentence's place among its neighbours is its place among its own candidate
    partners by e5 cosine, and a pair is judged only when each is within the other's
    first `rules.mutual`, as in `suggest`. `cuts` are `meaning.corpus_cuts` of the
    sample's vectors.
    """
    if not len(pairs):
        return []
    at = np.searchsorted(rows, pairs)
    cosines = np.einsum("ij,ij->i", vectors[at[:, 0]], vectors[at[:, 1]])
    partners: dict[int, list[tuple[float, int]]] = {}
    for (a, b), cosine in zip(pairs.tolist(), cosines.tolist(), strict=True):
        partners.setdefault(a, []).append((-cosine, b))
        partners.setdefault(b, []).append((-cosine, a))
    place: dict[tuple[int, int], int] = {}
    for row, found in partners.items():
        for r, (_, other) in enumerate(sorted(found)):
            place[(row, other)] = r
    found_pairs: list[meaning.Suggestion] = []
    for (a, b), cosine in zip(pairs.tolist(), cosines.tolist(), strict=True):
        ranks = (place[(a, b)], place[(b, a)])
        if max(ranks) >= rules.mutual:
            continue
        verdict = meaning.judge_pair(ctx, a, b, float(cosine), ranks, cuts, idf, rules)
        if verdict is not None:
            found_pairs.append(verdict)
    found_pairs.sort(key=lambda s: (s.tier != "default", -s.score, s.a, s.b))
    return found_pairs


__all__ = [
    "LARGE_FROM",
    "STATIC_MODEL",
    "CandidateParams",
    "StaticEncoder",
    "available",
    "candidate_pairs",
    "load_static_encoder",
    "rerank",
    "sample_rows",
]
