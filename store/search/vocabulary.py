"""The typo fallback's vocabulary: every distinct word of annotations and linked
statements, kept in the database (`search_vocab`) and, per store, in memory.

When FTS5 finds nothing, each word that is not in the vocabulary is widened to the
vocabulary words within a small edit distance (`rapidfuzz.distance.Levenshtein`,
in memory, over words of similar length only), and the query runs again.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from dataclasses import dataclass

from rapidfuzz import process
from rapidfuzz.distance import Indel, Levenshtein

from ..db.connection import Store
from ..errors import StoreError
from .query import words_of
from .trigrams import catch_up_quietly

ALTERNATIVES = 3  # vocabulary words tried per unknown word
CLOSE_WORDS = 12  # vocabulary words weighed to choose them
FREQUENCY_CAP = 20000  # annotations counted per candidate word
VOCAB_MIN_LENGTH = 3
VOCAB_MAX_LENGTH = 40
CACHE_KEY = "search.vocabulary"


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


class Vocabulary:
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


def best_corrections(store: Store, vocabulary: Vocabulary, word: str) -> list[str]:
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
    # Counting is one index query per word: done only for the words that tie.
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


@dataclass
class _Loaded:
    """A store's vocabulary in memory, with the high-water marks it was read at.

    One tuple, replaced whole: a search thread and the app's warm-up may read it
    while the other replaces it."""

    current: tuple[int, Vocabulary] | None = None


def vocabulary(store: Store) -> Vocabulary:
    """The in-memory vocabulary, reloaded only after `refresh_vocabulary` added words."""
    # Another program may hold the write lock (or the file is read-only): then
    # search with the vocabulary as it is; it catches up on the next search.
    with contextlib.suppress(StoreError):
        _refresh_quietly(store)
    version = store.db.execute("SELECT coalesce(sum(value), 0) FROM search_vocab_state").fetchone()[
        0
    ]
    loaded = store.cache(CACHE_KEY, _Loaded)
    current = loaded.current
    if current is None or current[0] != version:
        current = loaded.current = (version, Vocabulary(store))
    return current[1]


def warm_up(store: Store) -> None:
    """Catch up and load the typo vocabulary now (e.g. in a worker when the app
    starts), so the first search that needs it does not pay for it; index the rows
    queued for the trigram indexes too."""
    vocabulary(store)
    catch_up_quietly(store)


def _refresh_quietly(store: Store) -> None:
    """Refresh without waiting long for a lock: a search must not hang on a writer."""
    timeout = store.db.execute("PRAGMA busy_timeout").fetchone()[0]
    store.db.execute("PRAGMA busy_timeout = 200")
    try:
        refresh_vocabulary(store)
    finally:
        store.db.execute(f"PRAGMA busy_timeout = {int(timeout)}")
