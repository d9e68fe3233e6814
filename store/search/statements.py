"""`search(store, query)`: statements matching a query, grouped, best first.

1. **FTS5 first** (`query`, `hits`): every word of the query, quoted; candidates
   ranked by how closely they match the query as typed.
2. **Typo fallback** (`vocabulary`): when FTS5 finds nothing, each unknown word is
   widened to the vocabulary words a few edits away and the query runs again. If
   that still finds nothing, any word may match and candidates are kept when they
   resemble the whole query (`fuzz.partial_ratio`).
3. **Grouped by statement** (`group`).
"""

from __future__ import annotations

from ..db.connection import Store
from ..errors import InputError
from ..models import Label
from .group import Grouper
from .hits import Filters, Hit, hits
from .query import Term, match_of, parse_query, shown_query, typing_last_word, wanted_words
from .results import DEFAULT_LIMIT, StatementGroup
from .trigrams import catch_up_quietly
from .vocabulary import best_corrections, vocabulary

FUZZY_MIN_SCORE = 75.0  # partial_ratio of the query against a candidate, relaxed search


def search(
    store: Store,
    query: str,
    *,
    label: str | None = None,
    source: str | None = None,
    linked: bool = False,
    limit: int = DEFAULT_LIMIT,
    as_you_type: bool = False,
) -> list[StatementGroup]:
    """Statements matching `query`, best first, at most `limit` groups.

    Any string is accepted; one with no words (empty, only punctuation) finds
    nothing. `label` keeps annotations with that label; `source` keeps matches
    in articles from that outlet (case-insensitive); `linked` keeps statements
    that have at least one confirmed or suggested link. `as_you_type` (for a
    search box that searches on every key) also matches words that begin with
    the last word, unless the query ends with a space.
    """
    if label is not None and label not in Label.__members__:
        raise InputError("--label", f"unknown label {label!r} (use claim, quote or proposal)")
    filters = Filters(label, source or None, linked)
    terms = parse_query(query)
    if not terms or limit <= 0:
        return []
    if as_you_type:
        terms = typing_last_word(query, terms)
    match = match_of(terms)
    if any(term.substring for term in terms):
        reach = catch_up_quietly(store)
        if reach != "indexed":
            match = match.read_in_text(reach)
    found = hits(store, match, wanted_words(terms), filters)
    groups = _grouped(store, found, filters, limit, fuzzy=False, shown=shown_query(terms))
    if groups:
        return groups
    return _fuzzy(store, terms, filters, limit)


def _grouped(
    store: Store, found: list[Hit], filters: Filters, limit: int, *, fuzzy: bool, shown: str
) -> list[StatementGroup]:
    return Grouper(store, filters, fuzzy=fuzzy, query=shown).group(found, limit)


def _corrections(store: Store, terms: list[Term]) -> dict[int, list[str]]:
    """Vocabulary words to try for each word the vocabulary does not hold, by term."""
    known = vocabulary(store)
    alternatives: dict[int, list[str]] = {}
    for i, term in enumerate(terms):
        word = term.words[0]
        if term.substring:
            continue  # text as typed, found anywhere in a run: no word to correct
        if len(term.words) == 1 and not term.prefix and len(word) >= 4 and word not in known.words:
            close = best_corrections(store, known, word)
            if close:
                alternatives[i] = close
    return alternatives


def _fuzzy(store: Store, terms: list[Term], filters: Filters, limit: int) -> list[StatementGroup]:
    """Typo correction over the vocabulary, then a relaxed any-word search."""
    alternatives = _corrections(store, terms)
    best_guess = {i: words[0] for i, words in alternatives.items()}
    shown = shown_query(terms, best_guess)
    wanted = wanted_words(terms, best_guess)
    if alternatives:
        found = hits(store, match_of(terms, alternatives), wanted, filters)
        groups = _grouped(store, found, filters, limit, fuzzy=True, shown=shown)
        if groups:
            return groups
    # Relaxed: any word may match; keep what resembles the whole query.
    if sum(not t.substring for t in terms) < 2 and not alternatives:
        return []
    found = hits(store, match_of(terms, alternatives, any_term=True), wanted, filters)
    close = [h for h in found if h.similarity >= FUZZY_MIN_SCORE]
    return _grouped(store, close, filters, limit, fuzzy=True, shown=shown)
