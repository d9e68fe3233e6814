"""The trigram indexes kept current: queued rows whose text needs one are indexed.

Triggers (migration m009) queue every new or changed row of `annotations`,
`documents` and `link_texts` in `trigram_pending` and take changed or deleted rows
out of the `*_trigram` indexes. Here the queue is read and the rows whose text holds
a character of a script without spaces (`query.needs_trigrams`, one regular
expression pass) are indexed; the others only leave the queue. Deciding here, not
in a trigger, keeps imports fast: SQLite's `GLOB` over a character class reads a
whole article far more slowly than a regular expression (docs/search.md).

Searches that need the trigram indexes catch up first; the app's warm-up does too,
so the queue stays short. A database opened read-only cannot catch up: the search
then reads the queued rows' text instead (`catch_up_quietly` says how far to look).

Which characters need the index is a rule (`RULE`, kept in `settings`): when it
grows (symbols such as 𝄞 joined it), rows dropped from the queue under the older
rule are queued again once, so an existing database finds them too.
"""

from __future__ import annotations

from ..db.connection import Store
from ..errors import StoreError
from .query import needs_trigrams

# Content table -> (trigram index, rowid column, indexed columns), as in migration m009.
SOURCES: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "annotations": ("annotations_trigram", "rowid", ("text", "note", "speaker")),
    "documents": ("documents_trigram", "rowid", ("title", "text")),
    "link_texts": ("link_texts_trigram", "link_rowid", ("a_text", "b_text")),
}
BATCH = 2000
# The rule `query.needs_trigrams` applies, as stored in `settings` under RULE_KEY.
RULE_KEY = "trigram_rule"
RULE = "scripts without spaces, and symbols (So)"


def rule_is_current(store: Store) -> bool:
    """Whether the queue was drained under today's `needs_trigrams`."""
    return store.setting(RULE_KEY) == RULE


def catch_up(store: Store) -> int:
    """Index the queued rows that need a trigram index, in one transaction; returns
    how many were indexed."""
    current = rule_is_current(store)
    if current and store.db.execute("SELECT 1 FROM trigram_pending LIMIT 1").fetchone() is None:
        return 0
    indexed = 0
    with store.transaction() as db:
        if not current:
            for source, (index, key, _) in SOURCES.items():
                db.execute(
                    "INSERT OR IGNORE INTO trigram_pending (source, row) "
                    f"SELECT ?, {key} FROM {source} "
                    f"WHERE {key} NOT IN (SELECT id FROM {index}_docsize)",
                    [source],
                )
            store.set_setting(RULE_KEY, RULE)
        for source, (index, key, columns) in SOURCES.items():
            listed = ", ".join(columns)
            cursor = db.execute(
                f"SELECT c.{key}, {', '.join(f'c.{c}' for c in columns)} FROM trigram_pending p "
                f"JOIN {source} c ON c.{key} = p.row WHERE p.source = ?",
                [source],
            )
            while rows := cursor.fetchmany(BATCH):
                wanted = [r for r in rows if any(needs_trigrams(v or "") for v in r[1:])]
                marks = ", ".join("?" * (len(columns) + 1))
                db.conn.executemany(
                    f"INSERT INTO {index} (rowid, {listed}) VALUES ({marks})", wanted
                )
                indexed += len(wanted)
            db.execute("DELETE FROM trigram_pending WHERE source = ?", [source])
    return indexed


def catch_up_quietly(store: Store) -> str:
    """Catch up without waiting long for a lock, as the vocabulary does: a search
    must not hang on a writer, nor fail on a file it may only read. Returns which
    rows a search must look at (`query.Match.reach`): "indexed" when the index is
    current; when it could not catch up (read-only, or another writer holds the
    lock), "queued" (the index and the queued rows) or, if the queue predates the
    current rule, "all"."""
    if store.readonly:
        failed = True
    else:
        timeout = store.db.execute("PRAGMA busy_timeout").fetchone()[0]
        store.db.execute("PRAGMA busy_timeout = 200")
        failed = False
        try:
            catch_up(store)
        except StoreError:
            failed = True  # the lock stayed taken: read the queue instead, below
        finally:
            store.db.execute(f"PRAGMA busy_timeout = {int(timeout)}")
    if not failed:
        return "indexed"
    if not rule_is_current(store):
        return "all"
    queued = store.db.execute("SELECT 1 FROM trigram_pending LIMIT 1").fetchone()
    return "indexed" if queued is None else "queued"
