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
from .hits import rows_reached
from .query import Match, match_of, parse_query, typing_last_word
from .results import DEFAULT_LIMIT
from .trigrams import catch_up_quietly

SNIPPET_TOKENS = 12  # words of text around the match
# In the trigram index a token is three characters, one per character of the text.
TRIGRAM_SNIPPET_TOKENS = 40
AROUND = 30  # characters either side of a match read without an index
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
    match = match_of(terms)
    if not match.plain:
        reach = catch_up_quietly(store)
        if reach != "indexed":
            match = match.read_in_text(reach)
    if match.trigrams is None and match.contains:
        return _read_in_text(store, match, source, limit)
    sql, params = _indexed(match, source)
    params.append(limit)
    rows = store.db.execute(sql, params).fetchall()
    return [_located(store, *row) for row in rows]


def _indexed(match: Match, source: str | None) -> tuple[str, list]:
    """The query through an index with a snippet: the word index (`documents_fts`),
    or the trigram index (`documents_trigram`) for text in a script without spaces,
    narrowed by the other parts of the match. The limit is left as the last `?`."""
    index, tokens = "documents_fts", SNIPPET_TOKENS
    params: list[object] = [match.words]
    where = []
    if match.trigrams is not None:
        index, tokens = "documents_trigram", TRIGRAM_SNIPPET_TOKENS
        params = [match.trigrams]
        if match.words is not None:
            where.append("d.rowid IN (SELECT rowid FROM documents_fts WHERE documents_fts MATCH ?)")
            params.append(match.words)
    for text in match.contains:
        where.append("(instr(lower(d.text), ?) OR instr(lower(d.title), ?))")
        params += [text, text]
    sql = (
        "SELECT d.rowid AS rowid, d.id AS id, d.title AS title, d.source AS source, "
        f"snippet({index}, 1, '{_OPEN}', '{_CLOSE}', '', {tokens}) AS snippet "
        f"FROM {index} JOIN documents d ON d.rowid = {index}.rowid "
        f"WHERE {index} MATCH ?"
    )
    sql += "".join(f" AND {condition}" for condition in where)
    if source:
        sql += " AND d.source = ? COLLATE NOCASE"
        params.append(source)
    sql += f" ORDER BY {index}.rowid DESC LIMIT ?"
    return sql, params


def _read_in_text(
    store: Store, match: Match, source: str | None, limit: int
) -> list[ArticleMatch]:
    """Articles holding substrings too short for the trigram index (one or two
    characters of Chinese, say): the articles in that index (only they can hold
    them) are read, newest first, until `limit` are found; the match is the first
    substring's first place in the text."""
    first = match.contains[0]
    where = [rows_reached(match.reach, "documents", "rowid")]
    where += ["(instr(lower(text), ?) OR instr(lower(title), ?))"] * len(match.contains)
    params: list[object] = [first]
    for text in match.contains:
        params += [text, text]
    if match.words is not None:
        where.append("rowid IN (SELECT rowid FROM documents_fts WHERE documents_fts MATCH ?)")
        params.append(match.words)
    if source:
        where.append("source = ? COLLATE NOCASE")
        params.append(source)
    params.append(limit)
    rows = store.db.execute(
        f"SELECT id, title, source, text, instr(lower(text), ?) FROM documents "
        f"WHERE {' AND '.join(where)} ORDER BY rowid DESC LIMIT ?",
        params,
    ).fetchall()
    found = []
    for doc_id, title, outlet, text, at in rows:
        if not at:  # only the title holds it: the text's beginning
            found.append(ArticleMatch(doc_id, title, outlet, None, None, "", "", text[:AROUND]))
            continue
        start, end = at - 1, at - 1 + len(first)
        found.append(ArticleMatch(
            doc_id, title, outlet, start, end,
            text[max(0, start - AROUND) : start], text[start:end], text[end : end + AROUND],
        ))
    return found


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
