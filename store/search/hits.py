"""Candidates from the FTS indexes, ranked here: how closely they match the query.

Annotations are matched on text, note and speaker (`annotations_fts`), linked
statements on the text of both sides (`link_texts_fts`). At most the newest
`CANDIDATES` matches of each are read, then ranked: how closely a field matches
the query as typed (`fuzz.partial_ratio`), shorter texts first, newest first on
ties. So a word found in half a million annotations costs no more than a rare one.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from rapidfuzz import fuzz

from ..db.connection import Store
from .query import Match, fold_like_index

CANDIDATES = 300  # newest FTS matches read per source, then ranked, grouped, filtered


@dataclass(frozen=True)
class Hit:
    score: float  # relevance, higher is better (see `relevance`)
    similarity: float  # how closely the best field matches the query, 0-100
    kind: str  # "annotation" or "link"
    rowid: int


@dataclass(frozen=True)
class Filters:
    label: str | None = None
    source: str | None = None
    linked: bool = False


def _newest_matches(table: str) -> str:
    """The newest `?` matches of an FTS table, walking its index from the end.

    No `rank` (bm25): FTS5 computes bm25's document frequencies by reading every
    match of every term, which for a common word in a million annotations costs
    tens of milliseconds even under `LIMIT`. Reading the newest `CANDIDATES`
    matches and scoring them here costs under a millisecond. A query with fewer
    matches than that (most queries) has all of them ranked; for a very common
    word the best of the newest are shown.
    """
    return f"SELECT rowid FROM {table} WHERE {table} MATCH ? ORDER BY rowid DESC LIMIT ?"


def newest(
    match: Match, content: str, columns: tuple[str, ...], key: str = "rowid"
) -> tuple[str, list]:
    """SQL for the rowids of `content` that `match` finds, newest first, the limit
    left as the last `?`; and its other parameters.

    Words only: the word index alone (`_newest_matches`). With text in a script
    without spaces, the trigram index's matches, narrowed by the word index and by
    the short substrings (read in the text: `instr`, on SQLite's ASCII `lower`,
    since the scripts concerned have no case); only short substrings: the rows in
    the trigram index, newest first, until enough are found.
    """
    if match.plain:
        return _newest_matches(f"{content}_fts"), [match.words]
    # A row holding text in those scripts is in the trigram index (`trigrams.catch_up`):
    # its row list (`_docsize`) bounds the rows read for short substrings.
    where: list[str] = [rows_reached(match.reach, content, f"c.{key}")]
    params: list = []
    for index, query in ((f"{content}_trigram", match.trigrams), (f"{content}_fts", match.words)):
        if query is not None:
            where.append(f"c.{key} IN (SELECT rowid FROM {index} WHERE {index} MATCH ?)")
            params.append(query)
    for text in match.contains:
        where.append("(" + " OR ".join(f"instr(lower(c.{c}), ?)" for c in columns) + ")")
        params.extend([text] * len(columns))
    sql = (
        f"SELECT c.{key} AS rowid FROM {content} c WHERE {' AND '.join(where)} "
        f"ORDER BY c.{key} DESC LIMIT ?"
    )
    return sql, params


def rows_reached(reach: str, content: str, key: str) -> str:
    """SQL condition: `key` is a row of `content` that may hold text in a script
    without spaces (see `Match.reach`)."""
    indexed = f"{key} IN (SELECT id FROM {content}_trigram_docsize)"
    if reach == "queued":
        queued = f"SELECT row FROM trigram_pending WHERE source = '{content}'"
        return f"({indexed} OR {key} IN ({queued}))"
    return "1" if reach == "all" else indexed


def relevance(
    wanted: str, fields: Iterable[str | None], weights: Iterable[float]
) -> tuple[float, float]:
    """(score, similarity) of a candidate whose fields all contain the query's words.

    Similarity is the best `partial_ratio` of the query against a field (100 when a
    field holds the query as typed, words in order); the score also prefers short
    texts, which are about the query rather than mention it in passing.
    """
    best = 0.0
    length = 0
    for text, weight in zip(fields, weights, strict=True):
        if not text:
            continue
        length = max(length, len(text))
        if best >= 100 * weight:
            continue
        folded = text.casefold()
        if wanted not in folded:  # the common case is an exact hit: no fuzzy work
            folded = fold_like_index(text)
        similarity = 100.0 if wanted in folded else fuzz.partial_ratio(wanted, folded)
        best = max(best, weight * similarity)
    return best - min(10.0, length / 100), best


_ANNOTATION_WEIGHTS = (1.0, 0.9, 0.9)  # text, note, speaker
_LINK_WEIGHTS = (1.0, 1.0)


def _annotation_hits(
    store: Store, match: Match, wanted: str, filters: Filters, candidates: int
) -> list[Hit]:
    found, params = newest(match, "annotations", ("text", "note", "speaker"))
    sql = (
        f"SELECT a.rowid, a.text, a.note, a.speaker FROM ({found}) f "
        "JOIN annotations a ON a.rowid = f.rowid"
    )
    params.append(candidates)
    where = []
    if filters.source:
        sql += " JOIN documents d ON d.id = a.doc_id"
        where.append("d.source = ? COLLATE NOCASE")
        params.append(filters.source)
    if filters.label:
        where.append("a.label = ?")
        params.append(filters.label)
    if filters.linked:
        where.append(
            "(EXISTS (SELECT 1 FROM links l "
            "WHERE l.a_annotation_id = a.id AND l.status != 'rejected') "
            "OR EXISTS (SELECT 1 FROM links l "
            "WHERE l.b_annotation_id = a.id AND l.status != 'rejected'))"
        )
    if where:
        sql += " WHERE " + " AND ".join(where)
    hits = []
    for rowid, text, note, speaker in store.db.execute(sql, params):
        score, similarity = relevance(wanted, (text, note, speaker), _ANNOTATION_WEIGHTS)
        hits.append(Hit(score, similarity, "annotation", rowid))
    return hits


def _link_hits(
    store: Store, match: Match, wanted: str, filters: Filters, candidates: int
) -> list[Hit]:
    if filters.label:
        return []  # a label belongs to annotations; those are found by _annotation_hits
    found, params = newest(match, "link_texts", ("a_text", "b_text"), key="link_rowid")
    sql = (
        f"SELECT f.rowid, t.a_text, t.b_text FROM ({found}) f "
        "JOIN link_texts t ON t.link_rowid = f.rowid "
        "JOIN links l ON l.rowid = f.rowid WHERE l.status != 'rejected'"
    )
    params.append(candidates)
    if filters.source:
        sql += (
            " AND EXISTS (SELECT 1 FROM documents d WHERE d.id IN (l.a_doc_id, l.b_doc_id) "
            "AND d.source = ? COLLATE NOCASE)"
        )
        params.append(filters.source)
    hits = []
    for rowid, a_text, b_text in store.db.execute(sql, params):
        score, similarity = relevance(wanted, (a_text, b_text), _LINK_WEIGHTS)
        hits.append(Hit(score, similarity, "link", rowid))
    return hits


def hits(
    store: Store, match: Match, wanted: str, filters: Filters, candidates: int = CANDIDATES
) -> list[Hit]:
    """Candidates from annotations and linked statements, best first (newest on ties)."""
    found = _annotation_hits(store, match, wanted, filters, candidates)
    found += _link_hits(store, match, wanted, filters, candidates)
    found.sort(key=lambda h: -h.score)  # stable: equal scores stay newest first
    return found
