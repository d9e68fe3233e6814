"""Full-text search over the articles themselves (`documents_fts`: title and text).

The statements search (`statements.search`) finds what readers annotated or
linked; this finds every article that mentions the words, annotated or not, and
where in its text: each result carries the match's offsets, so the app can open
the article at it. The query is read as for statements (`query.parse_query`):
quoted words, phrases, a trailing `*` for a prefix, no operators.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass

from ..db.connection import Store
from .query import fts_query, parse_query, typing_last_word
from .results import DEFAULT_LIMIT

SNIPPET_TOKENS = 12  # words of text around the match
# Marks FTS5 puts around a matched word in the snippet; import drops C0 controls
# from articles, so they cannot be the article's own characters.
_OPEN, _CLOSE = "\x02", "\x03"
_MARKED = re.compile(f"(?P<gap>[^{_OPEN}]*){_OPEN}(?P<word>[^{_CLOSE}]*){_CLOSE}")
# What may stand between two marked words of one run: spaces and punctuation.
_JOINER = re.compile(r"[\W_]*")
_WORDS = re.compile(r"\w+")


@dataclass(frozen=True)
class ArticleMatch:
    """An article that holds the query's words, and where in its text they match best."""

    doc_id: str
    title: str
    source: str  # the outlet
    start: int | None  # the match in the article's text; None when only the title matched
    end: int | None
    before: str  # the text just before the match (the snippet is before + match + after)
    match: str  # == text[start:end]; empty when only the title matched
    after: str

    def as_dict(self) -> dict:
        return asdict(self)


def search_articles(
    store: Store,
    query: str,
    *,
    source: str | None = None,
    limit: int = DEFAULT_LIMIT,
    as_you_type: bool = False,
) -> list[ArticleMatch]:
    """Articles whose title or text holds every word of `query`, newest first.

    Newest imported first, not by FTS5's bm25 `rank`: bm25 reads every match of
    every word before it can order them, and a common word is in every article,
    so a search box that searches on each key would wait on it; walking the index
    from its end stops after `limit` articles.

    `source` keeps articles from that outlet (case-insensitive); `as_you_type`
    also matches words that begin with the last word, as in `statements.search`.
    """
    terms = parse_query(query)
    if not terms or limit <= 0:
        return []
    if as_you_type:
        terms = typing_last_word(query, terms)
    sql = (
        "SELECT d.rowid AS rowid, d.id AS id, d.title AS title, d.source AS source, "
        f"snippet(documents_fts, 1, '{_OPEN}', '{_CLOSE}', '', {SNIPPET_TOKENS}) AS snippet "
        "FROM documents_fts JOIN documents d ON d.rowid = documents_fts.rowid "
        "WHERE documents_fts MATCH ?"
    )
    params: list[object] = [fts_query(terms)]
    if source:
        sql += " AND d.source = ? COLLATE NOCASE"
        params.append(source)
    sql += " ORDER BY documents_fts.rowid DESC LIMIT ?"
    params.append(limit)
    rows = store.db.execute(sql, params).fetchall()
    return [_located(store, *row) for row in rows]


def _best_run(snippet: str) -> tuple[int, int] | None:
    """Where the longest run of marked words lies in the unmarked snippet.

    FTS5 marks every word of the query wherever it occurs, "the" as much as
    "patrolling"; where several marked words follow one another (nothing but
    spaces or punctuation between), the query was found as typed: that run is the
    match. On a tie the first run; with no mark (only the title matched), None.
    """
    runs: list[tuple[int, int, int]] = []  # (marked words, start, end) in the plain text
    plain_at = 0
    for piece in _MARKED.finditer(snippet):
        start = plain_at + len(piece["gap"])
        plain_at = start + len(piece["word"])
        words = len(_WORDS.findall(piece["word"])) or 1
        if runs and _JOINER.fullmatch(piece["gap"]):  # follows the previous marked word
            count, run_start, _ = runs[-1]
            runs[-1] = (count + words, run_start, plain_at)
        else:
            runs.append((words, start, plain_at))
    if not runs:
        return None
    _, start, end = max(runs, key=lambda run: (run[0], -run[1]))
    return start, end


def _located(
    store: Store, rowid: int, doc_id: str, title: str, source: str, snippet: str
) -> ArticleMatch:
    """The best marked run of the snippet, placed in the article's text.

    The snippet is a stretch of the text with marks around matched words; the
    stretch without its marks is found in the text, so the match's offsets are
    offsets in the article, whatever FTS5 folded or stemmed to match it.
    """
    plain = snippet.replace(_OPEN, "").replace(_CLOSE, "")
    run = _best_run(snippet)
    if run is None:  # only the title matched: the text's beginning
        return ArticleMatch(doc_id, title, source, None, None, "", "", plain)
    row = store.db.execute(
        "SELECT instr(text, ?) FROM documents WHERE rowid = ?", [plain, rowid]
    ).fetchone()
    at = row[0] if row else 0
    if not at:  # the text held a mark of its own: show the snippet, open at the top
        return ArticleMatch(doc_id, title, source, None, None, "", "", plain)
    first, last = run
    start = at - 1 + first
    return ArticleMatch(
        doc_id, title, source, start, at - 1 + last, plain[:first], plain[first:last], plain[last:]
    )
