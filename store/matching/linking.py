"""Finding the same statement in different documents: the whole pipeline. Pure: no database.

The stages, each in its own module (docs/linking.md explains each choice and the
measurements behind it):

1. **Normalise** (`normalise`) each unit (a sentence or an annotation): fold curly
   quotes and dashes, `rapidfuzz.utils.default_process`, collapse white space. Every
   step maps one code point to one code point, so an alignment found in the
   normalised text maps back to exact offsets in the document.
2. **Block** (`index`): never compare all pairs. Exact repeats meet in a hash of the
   normalised text. Other candidates must share at least two word bigrams that are
   not common (a bigram found in more than `df_cap` units is dropped from the index:
   that is where stock phrases such as "said on Sunday" live). Annotations too short
   to have two bigrams are blocked by character 4-grams instead.
3. **Verify** (`verify`) only the candidates with rapidfuzz `process.cpdist`: `ratio`
   when the two sides are about the same length, `partial_ratio` when one side is
   clearly shorter; two sentences that share a verbatim passage of 12+ words are
   linked too; two adjacent sentences are read as one for a statement one outlet
   split. A match must share at least three content words (not stop words, titles,
   days or names), so sentences built from the same stock phrases never link.
4. **Passages** (`passages`): statements that do not line up sentence against
   sentence (a quote inside a reporter's sentence, a copy without punctuation running
   into the next sentence, a trimmed and reworded copy) are found over whole
   articles: rare word 4-grams shared by two articles seed a region, the region is
   aligned word by word, and the link's sides are the aligned words.
5. **Cluster** (`cluster`) the matches with union-find; a cluster's id comes from its
   longest member, its representative.

`link_units` does it for a whole corpus; `Index` keeps the blocking structures so
one new unit can be matched against the corpus in milliseconds (`Index.matches_for`),
with exactly the decisions `link_units` would make.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from .cluster import cluster
from .index import Index, df_cap
from .normalise import content_words, fold, normalise, shared_content_words, token_spans
from .passages import refined, without_covered
from .units import Match, Progress, Side, Unit, cluster_id, eligible, pair_key, span_key
from .verify import DEFAULT_THRESHOLD, longest_common_run, partial_threshold, verify_pairs


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
    matches = verify_pairs(index, pairs, shared, threshold, report(500, 900))
    del pairs, shared  # before the passage index takes its share of memory
    passages = index.passages().all_matches(index.vocab)
    matches = refined(matches, passages) + without_covered(passages, matches)
    finish = report(900, 1000)
    if finish:
        finish(1, 1)
    return cluster(sorted(matches, key=lambda m: m.pair_key))


def _stages(progress: Progress | None) -> Callable[[int, int], Progress | None]:
    def stage(lo: int, hi: int) -> Progress | None:
        if progress is None:
            return None

        def report(done: int, total: int) -> None:
            progress(lo + (hi - lo) * done // max(total, 1), 1000)

        return report

    return stage


__all__ = [
    "DEFAULT_THRESHOLD",
    "Index",
    "Match",
    "Progress",
    "Side",
    "Unit",
    "cluster",
    "cluster_id",
    "content_words",
    "df_cap",
    "eligible",
    "fold",
    "link_units",
    "longest_common_run",
    "normalise",
    "pair_key",
    "partial_threshold",
    "shared_content_words",
    "span_key",
    "token_spans",
]
