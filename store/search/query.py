"""Search annotations and linked statements, grouped by statement.

"Where else was this said, and by whom?" is one call: `search(store, query)`.

1. **FTS5 first.** The user's string is never handed to FTS5 as syntax: it is cut
   into words (double-quoted runs stay phrases, a trailing `*` asks for a prefix)
   and every word or phrase is quoted, so `AND`, `NEAR`, parentheses, stray quotes
   and any script are just text. Annotations are matched on text, note and speaker
   (`annotations_fts`), linked statements on the text of both sides
   (`link_texts_fts`). At most the newest `CANDIDATES` matches of each are read,
   then ranked here: how closely a field matches the query as typed
   (`fuzz.partial_ratio`), shorter texts first, newest first on ties. So a word
   found in half a million annotations costs no more than a rare one.
2. **Typo fallback.** When FTS5 finds nothing, each word that is not in the
   vocabulary (`search_vocab`: every distinct word of annotations and linked
   statements) is widened to the vocabulary words within a small edit distance
   (`rapidfuzz.distance.Levenshtein`, in memory, over words of similar length only),
   and the query runs again. If that still finds nothing, any word may match and
   candidates are re-ranked by `fuzz.partial_ratio` against the query.
3. **Grouped by statement.** A hit that belongs to a cluster of links is reported
   once for the cluster, with every article where the statement appears (outlet,
   title, span, label, and whether the link is confirmed or suggested). A hit with
   no links is its own group.
"""

from __future__ import annotations

import unicodedata
import weakref
from collections.abc import Iterable
from dataclasses import asdict, dataclass, replace

import regex
from rapidfuzz import fuzz, process
from rapidfuzz.distance import Indel, Levenshtein

from ..db.connection import Store
from ..errors import InputError, StoreError
from ..models import Label

DEFAULT_LIMIT = 50
CANDIDATES = 300  # newest FTS matches read per source, then ranked, grouped, filtered
PREFETCH = 100  # hits read together while grouping
FUZZY_MIN_SCORE = 75.0  # partial_ratio of the query against a candidate, relaxed search
MAX_QUERY_CHARS = 1000
MAX_TERMS = 16
MAX_APPEARANCES = 500  # per group: a stock sentence may be everywhere
ALTERNATIVES = 3  # vocabulary words tried per unknown word
CLOSE_WORDS = 12  # vocabulary words weighed to choose them
FREQUENCY_CAP = 20000  # annotations counted per candidate word

# A word as FTS5's unicode61 tokenizer sees one: letters, digits, marks, private use.
_WORD = regex.compile(r"[\p{L}\p{N}\p{M}\p{Co}]+")
# Scripts written without spaces: unicode61 makes one token of a whole run, so a
# word typed from the middle of it can only match as a prefix.
_UNSPACED = regex.compile(r"[\p{Han}\p{Hiragana}\p{Katakana}\p{Thai}\p{Lao}\p{Khmer}\p{Myanmar}]")
_CONTROL = regex.compile(r"[\p{Cc}\p{Cf}]")


# -- results ------------------------------------------------------------------


@dataclass(frozen=True)
class Appearance:
    """One place a statement appears: an annotation, or a side of a link."""

    doc_id: str
    title: str
    source: str  # the outlet
    start: int
    end: int
    text: str
    label: str | None  # the annotation's label; None for a span nobody annotated
    annotation_id: str | None
    status: str  # "confirmed" / "suggested" (best link touching it), or "annotated" (no link)
    matched: bool  # this is where the query matched


@dataclass(frozen=True)
class StatementGroup:
    """A statement, once, and every article where it appears."""

    key: str  # the cluster id, else the link id, else the (first) annotation id
    cluster: str | None
    statement: str
    appearances: tuple[Appearance, ...]
    score: float  # higher is better; comparable within one result list only
    fuzzy: bool  # found by the typo or relaxed fallback
    query: str  # the words searched for (after typo correction)

    @property
    def linked(self) -> bool:
        return any(a.status in ("confirmed", "suggested") for a in self.appearances)

    def as_dict(self) -> dict:
        data = asdict(self)
        data["appearances"] = [asdict(a) for a in self.appearances]
        data["linked"] = self.linked
        return data


# -- understanding the query --------------------------------------------------


@dataclass(frozen=True)
class Term:
    """A word or a quoted phrase of the query, already folded like the index."""

    words: tuple[str, ...]
    prefix: bool = False
    phrase: bool = False
    typing: bool = False  # the word being typed: itself, or any word it begins

    def fts(self, alternatives: Iterable[str] = ()) -> str:
        """This term as FTS5 syntax: always quoted, so it can never be an operator."""
        star = "*" if self.prefix or _UNSPACED.search(self.words[-1]) else ""
        main = '"' + " ".join(self.words) + '"' + star
        if self.typing:
            # The whole word goes through the stemmer ("forces" finds "force"); a
            # prefix does not, so both are asked for.
            main = f'({main} OR "{" ".join(self.words)}"*)'

        others = [f'"{word}"' for word in alternatives if word != self.words[0]]
        return main if not others else "(" + " OR ".join([main, *others]) + ")"


_MARKS = regex.compile(r"\p{Mn}+")


def fold(text: str) -> str:
    """Case and accents folded, as FTS5's `unicode61 remove_diacritics 2` folds them."""
    if text.isascii():
        return text.lower()
    return unicodedata.normalize(
        "NFC", _MARKS.sub("", unicodedata.normalize("NFD", text.casefold()))
    )


def words_of(text: str) -> list[str]:
    return _WORD.findall(fold(text))


def parse_query(query: str) -> list[Term]:
    """The terms of a user's query; anything that is not a word is dropped."""
    query = _CONTROL.sub(" ", query[:MAX_QUERY_CHARS])
    terms: list[Term] = []
    pieces = query.split('"')
    for i, piece in enumerate(pieces):
        # Odd pieces were between quotes (an unclosed quote runs to the end).
        if i % 2 == 1:
            words = tuple(words_of(piece))
            if words:
                terms.append(Term(words, prefix=piece.rstrip().endswith("*"), phrase=True))
            continue
        for chunk in piece.split():
            words = tuple(words_of(chunk))
            if words:
                terms.append(Term(words, prefix=chunk.endswith("*")))
    return terms[:MAX_TERMS]


def fts_query(
    terms: list[Term], alternatives: dict[int, list[str]] | None = None, *, any_term: bool = False
) -> str:
    alternatives = alternatives or {}
    parts = [term.fts(alternatives.get(i, ())) for i, term in enumerate(terms)]
    return (" OR " if any_term else " AND ").join(parts)


# -- the vocabulary for typo correction ---------------------------------------

VOCAB_MIN_LENGTH = 3
VOCAB_MAX_LENGTH = 40


def _vocabulary_words(texts: Iterable[str | None]) -> set[str]:
    """The distinct words of many texts: one fold and one regex pass over them all."""
    found = set(words_of("\n".join(t for t in texts if t)))
    return {w for w in found if VOCAB_MIN_LENGTH <= len(w) <= VOCAB_MAX_LENGTH and not w.isdigit()}


def _high_water(store: Store) -> dict[str, int]:
    db = store.db
    return {
        "annotations": db.execute("SELECT coalesce(max(rowid), 0) FROM annotations").fetchone()[0],
        "events": db.execute("SELECT coalesce(max(seq), 0) FROM events").fetchone()[0],
        "link_texts": db.execute("SELECT coalesce(max(link_rowid), 0) FROM link_texts").fetchone()[
            0
        ],
    }


def _state(store: Store) -> dict[str, int]:
    return dict(store.db.execute("SELECT name, value FROM search_vocab_state").fetchall())


def refresh_vocabulary(store: Store, *, batch: int = 20000) -> int:
    """Add the words of annotations, edits and links made since the last refresh.

    Incremental: it reads only rows past the high-water marks kept in
    `search_vocab_state`. Words of deleted annotations stay (a stale word only
    costs a query that finds nothing). Returns how many new words were added.
    """
    marks = _high_water(store)
    seen = _state(store)
    if all(seen.get(name, 0) >= value for name, value in marks.items()):
        return 0
    added = 0

    def flush(words: set[str]) -> None:
        nonlocal added
        before = store.db.conn.total_changes
        store.db.conn.executemany(
            "INSERT OR IGNORE INTO search_vocab (word) VALUES (?)", [(w,) for w in words]
        )
        added += store.db.conn.total_changes - before
        words.clear()

    with store.transaction() as db:
        pending: set[str] = set()
        queries = [
            ("SELECT text, note, speaker FROM annotations WHERE rowid > ?", "annotations"),
            (
                "SELECT json_extract(after, '$.text'), json_extract(after, '$.note'), "
                "json_extract(after, '$.speaker') FROM events "
                "WHERE seq > ? AND entity = 'annotation' AND after IS NOT NULL",
                "events",
            ),
            ("SELECT a_text, b_text FROM link_texts WHERE link_rowid > ?", "link_texts"),
        ]
        for sql, name in queries:
            cursor = db.execute(sql, [seen.get(name, 0)])
            while rows := cursor.fetchmany(1000):
                pending |= _vocabulary_words(text for row in rows for text in row)
                if len(pending) >= batch:
                    flush(pending)
        flush(pending)
        db.conn.executemany(
            "INSERT INTO search_vocab_state (name, value) VALUES (?, ?) "
            "ON CONFLICT(name) DO UPDATE SET value = excluded.value",
            list(marks.items()),
        )
    return added


class _Vocabulary:
    """The vocabulary in memory, bucketed so a typo is compared with few words.

    Edit distance ≤ 2 needs only words within two letters of the typed length, and
    a word with at most two edits nearly always keeps its first or its second
    letter: buckets keyed by (length, first letter) and (length, second letter)
    hold about a tenth of the vocabulary each time.
    """

    def __init__(self, store: Store) -> None:
        self.words: set[str] = set()
        self.by_first: dict[tuple[int, str], list[str]] = {}
        self.by_second: dict[tuple[int, str], list[str]] = {}
        for (word,) in store.db.execute("SELECT word FROM search_vocab"):
            self.words.add(word)
            self.by_first.setdefault((len(word), word[0]), []).append(word)
            self.by_second.setdefault((len(word), word[1:2]), []).append(word)

    def close_words(self, word: str) -> list[tuple[str, int]]:
        """(word, edits) of vocabulary words within 1 edit (4 letters) or 2 (longer)."""
        limit = 1 if len(word) <= 4 else 2
        found: dict[str, int] = {}
        for length in range(len(word) - limit, len(word) + limit + 1):
            for choices in (
                self.by_first.get((length, word[0])),
                self.by_second.get((length, word[1:2])),
            ):
                if not choices:
                    continue
                for match, distance, _ in process.extract(
                    word,
                    choices,
                    scorer=Levenshtein.distance,
                    score_cutoff=limit,
                    limit=CLOSE_WORDS,
                ):
                    found[match] = distance
        return sorted(found.items(), key=lambda item: (item[1], item[0]))[:CLOSE_WORDS]


def _frequency(store: Store, word: str) -> int:
    """How many annotations hold `word`, counted up to FREQUENCY_CAP (cheap)."""
    return store.db.execute(
        "SELECT count(*) FROM (SELECT rowid FROM annotations_fts WHERE annotations_fts "
        "MATCH ? LIMIT ?)",
        [f'"{word}"', FREQUENCY_CAP],
    ).fetchone()[0]


def best_corrections(store: Store, vocabulary: _Vocabulary, word: str) -> list[str]:
    """The likeliest words meant by a typo, best first.

    Fewest edits first; among equals, the word people annotate more often (a typo
    of a common word is likelier than an exact hit on a rare one: "kelog" is
    "kellogg", not the rarer "kalo"), then the one reached by adding or dropping
    letters rather than changing them (Indel distance), then the longer prefix in
    common.
    """
    close = vocabulary.close_words(word)

    def shared_prefix(candidate: str) -> int:
        n = 0
        while n < min(len(word), len(candidate)) and word[n] == candidate[n]:
            n += 1
        return n

    nearest = min((distance for _, distance in close), default=0)
    # Counting costs ~0.1 ms per 2,000 annotations: only for the words that tie.
    frequency = {w: _frequency(store, w) for w, distance in close if distance == nearest}
    ranked = sorted(
        close,
        key=lambda item: (
            item[1],
            -frequency.get(item[0], 0),
            Indel.distance(word, item[0]),
            -shared_prefix(item[0]),
            item[0],
        ),
    )
    return [w for w, _ in ranked[:ALTERNATIVES]]


_VOCABULARIES: weakref.WeakKeyDictionary[Store, tuple[int, _Vocabulary]] = (
    weakref.WeakKeyDictionary()
)


def _vocabulary(store: Store) -> _Vocabulary:
    """The in-memory vocabulary, reloaded only after `refresh_vocabulary` added words."""
    try:
        _refresh_quietly(store)
    except StoreError:
        # Another program holds the write lock (or the file is read-only): search
        # with the vocabulary as it is; it catches up on the next search.
        pass
    version = store.db.execute("SELECT coalesce(sum(value), 0) FROM search_vocab_state").fetchone()[
        0
    ]
    cached = _VOCABULARIES.get(store)
    if cached is None or cached[0] != version:
        cached = (version, _Vocabulary(store))
        _VOCABULARIES[store] = cached
    return cached[1]


def warm_up(store: Store) -> None:
    """Catch up and load the typo vocabulary now (e.g. in a worker when the app
    starts), so the first search that needs it does not pay for it (~150 ms at a
    million annotations)."""
    _vocabulary(store)


def _refresh_quietly(store: Store) -> None:
    """Refresh without waiting long for a lock: a search must not hang on a writer."""
    timeout = store.db.execute("PRAGMA busy_timeout").fetchone()[0]
    store.db.execute("PRAGMA busy_timeout = 200")
    try:
        refresh_vocabulary(store)
    finally:
        store.db.execute(f"PRAGMA busy_timeout = {int(timeout)}")


# -- running the query --------------------------------------------------------


@dataclass(frozen=True)
class _Hit:
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
            folded = fold(text)
        similarity = 100.0 if wanted in folded else fuzz.partial_ratio(wanted, folded)
        best = max(best, weight * similarity)
    return best - min(10.0, length / 100), best


_ANNOTATION_WEIGHTS = (1.0, 0.9, 0.9)  # text, note, speaker
_LINK_WEIGHTS = (1.0, 1.0)


def _annotation_hits(
    store: Store, match: str, wanted: str, filters: Filters, candidates: int
) -> list[_Hit]:
    sql = (
        f"SELECT a.rowid, a.text, a.note, a.speaker FROM ({_newest_matches('annotations_fts')}) f "
        "JOIN annotations a ON a.rowid = f.rowid"
    )
    params: list = [match, candidates]
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
    for rowid, *fields in store.db.execute(sql, params):
        score, similarity = relevance(wanted, fields, _ANNOTATION_WEIGHTS)
        hits.append(_Hit(score, similarity, "annotation", rowid))
    return hits


def _link_hits(
    store: Store, match: str, wanted: str, filters: Filters, candidates: int
) -> list[_Hit]:
    if filters.label:
        return []  # a label belongs to annotations; those are found by _annotation_hits
    sql = (
        f"SELECT f.rowid, t.a_text, t.b_text FROM ({_newest_matches('link_texts_fts')}) f "
        "JOIN link_texts t ON t.link_rowid = f.rowid "
        "JOIN links l ON l.rowid = f.rowid WHERE l.status != 'rejected'"
    )
    params: list = [match, candidates]
    if filters.source:
        sql += (
            " AND EXISTS (SELECT 1 FROM documents d WHERE d.id IN (l.a_doc_id, l.b_doc_id) "
            "AND d.source = ? COLLATE NOCASE)"
        )
        params.append(filters.source)
    hits = []
    for rowid, *fields in store.db.execute(sql, params):
        score, similarity = relevance(wanted, fields, _LINK_WEIGHTS)
        hits.append(_Hit(score, similarity, "link", rowid))
    return hits


def _hits(
    store: Store, match: str, wanted: str, filters: Filters, candidates: int = CANDIDATES
) -> list[_Hit]:
    """Candidates from annotations and linked statements, best first (newest on ties)."""
    hits = _annotation_hits(store, match, wanted, filters, candidates)
    hits += _link_hits(store, match, wanted, filters, candidates)
    hits.sort(key=lambda h: -h.score)  # stable: equal scores stay newest first
    return hits


# -- grouping -----------------------------------------------------------------

_STATUS_ORDER = {"confirmed": 0, "suggested": 1, "annotated": 2}


class _Grouper:
    """Turns hits into statement groups, reading each cluster once."""

    def __init__(self, store: Store, filters: Filters) -> None:
        self.db = store.db
        self.filters = filters
        self.groups: dict[str, StatementGroup] = {}
        self._docs: dict[str, tuple[str, str]] = {}
        self._labels: dict[str, str | None] = {}
        self._rows: dict[int, tuple] = {}
        self._links: dict[str, tuple[str, str] | None] = {}
        self._judged: set[str] = set()  # annotations with a rejected link
        self._link_rows: dict[int, tuple] = {}
        self._member_rows: dict[str, list[tuple]] = {}

    def load(self, doc_ids: Iterable[str], annotation_ids: Iterable[str | None]) -> None:
        """Titles, outlets and labels not read yet, in one query each."""
        docs = list({d for d in doc_ids if d not in self._docs})
        if docs:
            marks = ",".join("?" * len(docs))
            for doc_id, title, source in self.db.execute(
                f"SELECT id, title, source FROM documents WHERE id IN ({marks})", docs
            ):
                self._docs[doc_id] = (title, source)
        ids = list({a for a in annotation_ids if a is not None and a not in self._labels})
        if ids:
            marks = ",".join("?" * len(ids))
            for ann_id, label in self.db.execute(
                f"SELECT id, label FROM annotations WHERE id IN ({marks})", ids
            ):
                self._labels[ann_id] = label

    def doc(self, doc_id: str) -> tuple[str, str]:
        if doc_id not in self._docs:
            row = self.db.execute(
                "SELECT title, source FROM documents WHERE id = ?", [doc_id]
            ).fetchone()
            self._docs[doc_id] = (row[0], row[1]) if row else ("", "")
        return self._docs[doc_id]

    def label(self, annotation_id: str | None) -> str | None:
        if annotation_id is None:
            return None
        if annotation_id not in self._labels:
            row = self.db.execute(
                "SELECT label FROM annotations WHERE id = ?", [annotation_id]
            ).fetchone()
            self._labels[annotation_id] = row[0] if row else None
        return self._labels[annotation_id]

    def add(self, hit: _Hit, score: float, fuzzy: bool, query: str) -> None:
        if hit.kind == "annotation":
            self._add_annotation(hit.rowid, score, fuzzy, query)
        else:
            self._add_link(hit.rowid, score, fuzzy, query)

    def prefetch(self, hits: list[_Hit]) -> None:
        """Read a batch of hits, their articles, links and clusters in a few queries."""
        self._prefetch_annotations(hits)
        self._prefetch_links(hits)
        pairs = []
        for hit in hits:
            if hit.kind == "annotation":
                row = self._rows.get(hit.rowid)
                link = self._links.get(row[0]) if row else None
                if link:
                    pairs.append(link)
            elif hit.rowid in self._link_rows:
                link_id, cluster = self._link_rows[hit.rowid][:2]
                pairs.append((link_id, cluster))
        self.prefetch_members(pairs)

    def _prefetch_links(self, hits: list[_Hit]) -> None:
        rowids = [h.rowid for h in hits if h.kind == "link" and h.rowid not in self._link_rows]
        if not rowids:
            return
        marks = ",".join("?" * len(rowids))
        for rowid, *row in self.db.execute(
            "SELECT l.rowid, l.id, l.cluster, t.a_text, t.b_text FROM links l "
            f"JOIN link_texts t ON t.link_rowid = l.rowid WHERE l.rowid IN ({marks})",
            rowids,
        ):
            self._link_rows[rowid] = tuple(row)

    def _prefetch_annotations(self, hits: list[_Hit]) -> None:
        rowids = [h.rowid for h in hits if h.kind == "annotation" and h.rowid not in self._rows]
        if not rowids:
            return
        marks = ",".join("?" * len(rowids))
        ids = []
        for rowid, ann_id, doc_id, start, end, label, text, title, source in self.db.execute(
            'SELECT a.rowid, a.id, a.doc_id, a.start, a."end", a.label, a.text, d.title, d.source '
            f"FROM annotations a JOIN documents d ON d.id = a.doc_id WHERE a.rowid IN ({marks})",
            rowids,
        ):
            self._rows[rowid] = (ann_id, doc_id, start, end, label, text)
            self._docs[doc_id] = (title, source)
            self._labels[ann_id] = label
            self._links[ann_id] = None
            ids.append(ann_id)
        if not ids:
            return
        marks = ",".join("?" * len(ids))
        for a_id, b_id, link_id, cluster, status in self.db.execute(
            "SELECT a_annotation_id, b_annotation_id, id, cluster, status FROM links "
            f"WHERE a_annotation_id IN ({marks}) UNION ALL "
            "SELECT a_annotation_id, b_annotation_id, id, cluster, status FROM links "
            f"WHERE b_annotation_id IN ({marks})",
            ids + ids,
        ):
            for ann_id in (a_id, b_id):
                if ann_id in self._links and status == "rejected":
                    self._judged.add(ann_id)
                elif ann_id in self._links:
                    current = self._links[ann_id]
                    # Prefer a link that belongs to a cluster: it names the statement.
                    if (
                        current is None
                        or (cluster and not current[1])
                        or (cluster, link_id) > current[::-1]
                    ):
                        self._links[ann_id] = (link_id, cluster)

    def _add_annotation(self, rowid: int, score: float, fuzzy: bool, query: str) -> None:
        if rowid not in self._rows:
            self.prefetch([_Hit(0.0, 0.0, "annotation", rowid)])
        row = self._rows.get(rowid)
        if row is None:
            return
        ann_id, doc_id, start, end, label, text = row
        link = self._links.get(ann_id)
        title, source = self.doc(doc_id)
        hit = Appearance(doc_id, title, source, start, end, text, label, ann_id, "annotated", True)
        if link:
            key = link[1] or link[0]
        elif ann_id in self._judged:
            key = ann_id  # a reader rejected its links: it stands alone
        else:
            # Not linked (yet): the same words annotated in several articles are one
            # statement all the same.
            key = "words:" + " ".join(words_of(text))
            if key in self.groups:
                self._append(key, hit)
                return
        if key in self.groups:
            return
        members = self._members(link[0], link[1]) if link else []
        self._store(key, link[1] if link else None, text, hit, members, score, fuzzy, query)

    def _append(self, key: str, appearance: Appearance) -> None:
        group = self.groups[key]
        place = (appearance.doc_id, appearance.start, appearance.end)
        if all((a.doc_id, a.start, a.end) != place for a in group.appearances):
            self.groups[key] = replace(group, appearances=(*group.appearances, appearance))

    def _add_link(self, rowid: int, score: float, fuzzy: bool, query: str) -> None:
        if rowid not in self._link_rows:
            self._prefetch_links([_Hit(0.0, 0.0, "link", rowid)])
        row = self._link_rows.get(rowid)
        if row is None:
            return
        link_id, cluster, a_text, b_text = row
        key = cluster or link_id
        if key in self.groups:
            return
        members = self._members(link_id, cluster)
        words = query.split()
        a_score = fuzz.partial_ratio(" ".join(words), fold(a_text))
        b_score = fuzz.partial_ratio(" ".join(words), fold(b_text))
        statement = a_text if a_score >= b_score else b_text
        self._store(
            key,
            cluster or None,
            statement,
            None,
            members,
            score,
            fuzzy,
            query,
            matched_text=statement,
        )

    _MEMBER_COLUMNS = (
        "l.cluster, l.id, l.a_doc_id, l.a_start, l.a_end, l.a_annotation_id, t.a_text, "
        "l.b_doc_id, l.b_start, l.b_end, l.b_annotation_id, t.b_text, l.status "
        "FROM links l JOIN link_texts t ON t.link_rowid = l.rowid"
    )

    @staticmethod
    def _member_key(link_id: str, cluster: str) -> str:
        return f"c:{cluster}" if cluster else f"l:{link_id}"

    def prefetch_members(self, pairs: Iterable[tuple[str, str]]) -> None:
        """The live links of several clusters (or lone links), in one query."""
        clusters, singles = set(), set()
        for link_id, cluster in pairs:
            if self._member_key(link_id, cluster) not in self._member_rows:
                (clusters.add(cluster) if cluster else singles.add(link_id))
        if not clusters and not singles:
            return
        conditions, params = [], []
        for column, values in (("l.cluster", sorted(clusters)), ("l.id", sorted(singles))):
            if values:
                conditions.append(f"{column} IN ({','.join('?' * len(values))})")
                params += values
        for key in [f"c:{c}" for c in clusters] + [f"l:{i}" for i in singles]:
            self._member_rows[key] = []
        sql = " UNION ALL ".join(
            f"SELECT {self._MEMBER_COLUMNS} WHERE {condition} AND l.status != 'rejected'"
            for condition in conditions
        )
        for row in self.db.execute(sql, params):
            rows = self._member_rows[self._member_key(row[1], row[0])]
            if len(rows) < MAX_APPEARANCES:
                rows.append(row[2:])
        fresh = [self._member_rows[f"c:{c}"] for c in clusters]
        fresh += [self._member_rows[f"l:{i}"] for i in singles]
        self.load(
            (r[i] for rows in fresh for r in rows for i in (0, 5)),
            (r[i] for rows in fresh for r in rows for i in (3, 8)),
        )

    def _members(self, link_id: str, cluster: str) -> list[Appearance]:
        """Every side of every live link of the cluster (or of the one link)."""
        self.prefetch_members([(link_id, cluster)])
        sides: dict[tuple[str, int, int], dict] = {}
        for row in self._member_rows[self._member_key(link_id, cluster)]:
            status = row[10]
            for doc_id, start, end, ann_id, text in (row[0:5], row[5:10]):
                side = sides.setdefault(
                    (doc_id, start, end),
                    {"annotation_id": ann_id, "text": text, "status": status},
                )
                side["annotation_id"] = side["annotation_id"] or ann_id
                if _STATUS_ORDER[status] < _STATUS_ORDER[side["status"]]:
                    side["status"] = status
        members = []
        for (doc_id, start, end), side in sides.items():
            title, source = self.doc(doc_id)
            members.append(
                Appearance(
                    doc_id,
                    title,
                    source,
                    start,
                    end,
                    side["text"],
                    self.label(side["annotation_id"]),
                    side["annotation_id"],
                    side["status"],
                    False,
                )
            )
        return members

    def _store(
        self,
        key: str,
        cluster: str | None,
        statement: str,
        hit: Appearance | None,
        members: list[Appearance],
        score: float,
        fuzzy: bool,
        query: str,
        matched_text: str | None = None,
    ) -> None:
        appearances: dict[tuple[str, int, int], Appearance] = {}
        for member in members:
            appearances[(member.doc_id, member.start, member.end)] = member
        if hit is not None:
            place = (hit.doc_id, hit.start, hit.end)
            linked = appearances.get(place)
            status = linked.status if linked else "annotated"
            appearances[place] = replace(hit, status=status)
        elif matched_text is not None:
            for place, member in appearances.items():
                if member.text == matched_text:
                    appearances[place] = replace(member, matched=True)
                    break
        if self.filters.linked and not any(a.status != "annotated" for a in appearances.values()):
            return
        ordered = sorted(
            appearances.values(),
            key=lambda a: (
                not a.matched,
                _STATUS_ORDER[a.status],
                a.source.casefold(),
                a.title,
                a.doc_id,
                a.start,
            ),
        )
        public = hit.annotation_id if hit and key.startswith("words:") else key
        self.groups[key] = StatementGroup(
            public, cluster, statement, tuple(ordered), score, fuzzy, query
        )


# -- the entry point ----------------------------------------------------------


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
    if as_you_type and not query[-1:].isspace() and not terms[-1].phrase:
        terms[-1] = Term(terms[-1].words, prefix=False, typing=True)
    hits = _hits(store, fts_query(terms), _wanted(terms), filters)
    groups = _grouped(store, hits, filters, limit, False, _shown(terms))
    if groups:
        return groups
    return _fuzzy(store, terms, filters, limit)


def _wanted(terms: list[Term], replacements: dict[int, str] | None = None) -> str:
    """The query as plain folded words, to compare candidates with."""
    replacements = replacements or {}
    return " ".join(replacements.get(i, " ".join(t.words)) for i, t in enumerate(terms))


def _shown(terms: list[Term], replacements: dict[int, str] | None = None) -> str:
    replacements = replacements or {}
    out = []
    for i, term in enumerate(terms):
        words = " ".join(term.words) if i not in replacements else replacements[i]
        out.append(f'"{words}"' if term.phrase else words + ("*" if term.prefix else ""))
    return " ".join(out)


def _grouped(
    store: Store, hits: list[_Hit], filters: Filters, limit: int, fuzzy: bool, shown: str
) -> list[StatementGroup]:
    grouper = _Grouper(store, filters)
    for first in range(0, len(hits), PREFETCH):
        batch = hits[first : first + PREFETCH]
        grouper.prefetch(batch)
        for hit in batch:
            grouper.add(hit, round(hit.score, 2), fuzzy, shown)
            if len(grouper.groups) >= limit:
                return list(grouper.groups.values())
    return list(grouper.groups.values())


def _fuzzy(store: Store, terms: list[Term], filters: Filters, limit: int) -> list[StatementGroup]:
    """Typo correction over the vocabulary, then a relaxed any-word search."""
    vocabulary = _vocabulary(store)
    alternatives: dict[int, list[str]] = {}
    for i, term in enumerate(terms):
        word = term.words[0]
        if (
            len(term.words) == 1
            and not term.prefix
            and len(word) >= 4
            and word not in vocabulary.words
        ):
            close = best_corrections(store, vocabulary, word)
            if close:
                alternatives[i] = close
    best_guess = {i: words[0] for i, words in alternatives.items()}
    shown = _shown(terms, best_guess)
    wanted = _wanted(terms, best_guess)
    if alternatives:
        hits = _hits(store, fts_query(terms, alternatives), wanted, filters)
        groups = _grouped(store, hits, filters, limit, True, shown)
        if groups:
            return groups
    # Relaxed: any word may match; keep what resembles the whole query.
    if len(terms) < 2 and not alternatives:
        return []
    hits = _hits(store, fts_query(terms, alternatives, any_term=True), wanted, filters)
    close = [h for h in hits if h.similarity >= FUZZY_MIN_SCORE]
    return _grouped(store, close, filters, limit, True, shown)
