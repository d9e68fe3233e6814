"""Schema steps, applied in order when a database is opened.

One function per step, each in its own transaction (sqlite-utils `Migrations`).
A step is never edited once it has shipped: change the schema by adding a step.
Table and column names are part of Sidenote's interface: people open the file
in Datasette or `sqlite3`.
"""

from __future__ import annotations

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

migrations = Migrations("sidenote")
STEP_NAMES: list[str] = []


def step(fn):
    """Register a schema step (in definition order) and remember its name."""
    STEP_NAMES.append(fn.__name__)
    return migrations()(fn)

FTS_TOKENIZER = "porter unicode61 remove_diacritics 2"


@step
def m001_core(db: Database) -> None:
    db.executescript(
        """
        CREATE TABLE documents (
            id TEXT PRIMARY KEY,
            title TEXT NOT NULL DEFAULT '',
            source TEXT NOT NULL DEFAULT '',
            url TEXT NOT NULL DEFAULT '',
            published TEXT NOT NULL DEFAULT '',
            text TEXT NOT NULL,
            sha256 TEXT NOT NULL,
            origin TEXT NOT NULL DEFAULT '{}',
            imported_at TEXT NOT NULL
        );
        CREATE INDEX documents_sha256 ON documents(sha256);
        -- Finding the earlier version of a re-imported article (store/importing/versions.py).
        CREATE INDEX documents_title ON documents(title, source);
        CREATE INDEX documents_url ON documents(url);

        CREATE TABLE sentences (
            doc_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
            idx INTEGER NOT NULL,
            start INTEGER NOT NULL,
            "end" INTEGER NOT NULL,
            PRIMARY KEY (doc_id, idx)
        ) WITHOUT ROWID;

        CREATE TABLE annotations (
            id TEXT PRIMARY KEY,
            doc_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
            start INTEGER NOT NULL,
            "end" INTEGER NOT NULL,
            label TEXT NOT NULL CHECK (label IN ('claim', 'quote', 'proposal')),
            text TEXT NOT NULL,
            prefix TEXT NOT NULL DEFAULT '',
            suffix TEXT NOT NULL DEFAULT '',
            note TEXT NOT NULL DEFAULT '',
            speaker TEXT NOT NULL DEFAULT '',
            annotator TEXT NOT NULL DEFAULT '',
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            CHECK (start >= 0 AND "end" > start)
        );
        CREATE INDEX annotations_doc ON annotations(doc_id, start);

        -- Every change to an annotation (or link), in order. Never updated or deleted.
        CREATE TABLE events (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            at TEXT NOT NULL,
            group_id TEXT NOT NULL,
            action TEXT NOT NULL CHECK (action IN ('create', 'update', 'delete')),
            entity TEXT NOT NULL,
            entity_id TEXT NOT NULL,
            doc_id TEXT,
            before TEXT,
            after TEXT,
            actor TEXT NOT NULL DEFAULT '',
            origin TEXT NOT NULL DEFAULT 'user'
        );
        CREATE INDEX events_group ON events(group_id);
        CREATE INDEX events_entity ON events(entity, entity_id);
        CREATE TRIGGER events_no_update BEFORE UPDATE ON events
            BEGIN SELECT RAISE(ABORT, 'events is append-only'); END;
        CREATE TRIGGER events_no_delete BEFORE DELETE ON events
            BEGIN SELECT RAISE(ABORT, 'events is append-only'); END;

        -- The undo/redo stacks: one row per undoable group of events.
        CREATE TABLE history (
            group_id TEXT PRIMARY KEY,
            description TEXT NOT NULL DEFAULT '',
            state TEXT NOT NULL CHECK (state IN ('done', 'undone')),
            moved_at INTEGER NOT NULL
        );
        CREATE INDEX history_state ON history(state, moved_at);

        CREATE TABLE links (
            id TEXT PRIMARY KEY,
            pair_key TEXT NOT NULL UNIQUE,
            a_doc_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
            a_start INTEGER NOT NULL,
            a_end INTEGER NOT NULL,
            a_annotation_id TEXT REFERENCES annotations(id) ON DELETE SET NULL,
            b_doc_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
            b_start INTEGER NOT NULL,
            b_end INTEGER NOT NULL,
            b_annotation_id TEXT REFERENCES annotations(id) ON DELETE SET NULL,
            a_match_start INTEGER,
            a_match_end INTEGER,
            b_match_start INTEGER,
            b_match_end INTEGER,
            score REAL NOT NULL,
            method TEXT NOT NULL CHECK (method IN ('exact', 'trimmed', 'reworded')),
            status TEXT NOT NULL DEFAULT 'suggested'
                CHECK (status IN ('suggested', 'confirmed', 'rejected')),
            cluster TEXT NOT NULL DEFAULT '',
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );
        CREATE INDEX links_a ON links(a_doc_id, a_start);
        CREATE INDEX links_b ON links(b_doc_id, b_start);
        CREATE INDEX links_cluster ON links(cluster);
        CREATE INDEX links_status ON links(status);

        -- Annotations that could not be placed safely on a changed text.
        CREATE TABLE review (
            id TEXT PRIMARY KEY,
            doc_id TEXT NOT NULL,
            record TEXT NOT NULL,
            reason TEXT NOT NULL,
            best_start INTEGER,
            best_end INTEGER,
            best_score REAL,
            created_at TEXT NOT NULL,
            resolved_at TEXT
        );

        CREATE TABLE positions (
            doc_id TEXT PRIMARY KEY REFERENCES documents(id) ON DELETE CASCADE,
            sentence INTEGER NOT NULL,
            updated_at TEXT NOT NULL
        );

        CREATE TABLE settings (
            key TEXT PRIMARY KEY,
            value TEXT NOT NULL
        );
        """
    )
    db["documents"].enable_fts(["title", "text"], create_triggers=True, tokenize=FTS_TOKENIZER)
    # Merge the index segments that every imported file's transaction adds more
    # eagerly than FTS5's default (4): measured ~7% faster imports.
    db.execute("INSERT INTO documents_fts(documents_fts, rank) VALUES ('automerge', 8)")
    db["annotations"].enable_fts(
        ["text", "note", "speaker"], create_triggers=True, tokenize=FTS_TOKENIZER
    )


@step
def m002_search(db: Database) -> None:
    """What `store.search` needs to stay fast at a million annotations.

    - indexes to go from an annotation to its links (and to keep ON DELETE SET NULL
      from scanning `links` when an annotation is deleted);
    - `link_texts`: the text of both sides of every link, kept by triggers, with its
      own FTS index, so linked statements that nobody annotated can be found too;
    - `search_vocab`: every distinct word (case and accents folded, as FTS5's
      unicode61 tokenizer folds them) of annotations and linked statements: the
      bounded candidate set for typo correction. `search_vocab_state` remembers how
      far it has been filled (see store/search/query.py).
    """
    db.executescript(
        """
        CREATE INDEX IF NOT EXISTS links_a_annotation ON links(a_annotation_id);
        CREATE INDEX IF NOT EXISTS links_b_annotation ON links(b_annotation_id);

        CREATE TABLE link_texts (
            link_rowid INTEGER PRIMARY KEY,
            a_text TEXT NOT NULL,
            b_text TEXT NOT NULL
        );
        CREATE TRIGGER link_texts_insert AFTER INSERT ON links BEGIN
            INSERT OR REPLACE INTO link_texts (link_rowid, a_text, b_text) VALUES (
                new.rowid,
                coalesce((SELECT substr(text, new.a_start + 1, new.a_end - new.a_start)
                          FROM documents WHERE id = new.a_doc_id), ''),
                coalesce((SELECT substr(text, new.b_start + 1, new.b_end - new.b_start)
                          FROM documents WHERE id = new.b_doc_id), ''));
        END;
        CREATE TRIGGER link_texts_update
            AFTER UPDATE OF a_doc_id, a_start, a_end, b_doc_id, b_start, b_end ON links BEGIN
            UPDATE link_texts SET
                a_text = coalesce((SELECT substr(text, new.a_start + 1, new.a_end - new.a_start)
                                   FROM documents WHERE id = new.a_doc_id), ''),
                b_text = coalesce((SELECT substr(text, new.b_start + 1, new.b_end - new.b_start)
                                   FROM documents WHERE id = new.b_doc_id), '')
            WHERE link_rowid = new.rowid;
        END;
        CREATE TRIGGER link_texts_delete AFTER DELETE ON links BEGIN
            DELETE FROM link_texts WHERE link_rowid = old.rowid;
        END;
        INSERT INTO link_texts (link_rowid, a_text, b_text)
            SELECT l.rowid,
                   coalesce(substr(da.text, l.a_start + 1, l.a_end - l.a_start), ''),
                   coalesce(substr(db.text, l.b_start + 1, l.b_end - l.b_start), '')
            FROM links l
            LEFT JOIN documents da ON da.id = l.a_doc_id
            LEFT JOIN documents db ON db.id = l.b_doc_id;

        CREATE TABLE search_vocab (word TEXT PRIMARY KEY) WITHOUT ROWID;
        CREATE TABLE search_vocab_state (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
        """
    )
    db["link_texts"].enable_fts(["a_text", "b_text"], create_triggers=True, tokenize=FTS_TOKENIZER)


@step
def m003_drop_sha256_index(db: Database) -> None:
    """Drop the index on `documents.sha256`: no query of Sidenote looks a document up
    by it (ids come from the normalised text), and every imported article paid for
    it: one more page written at a random place per commit, ~3% of import time.
    The column stays."""
    db.execute("DROP INDEX IF EXISTS documents_sha256")



_OLD_METHODS = "CHECK (method IN ('exact', 'trimmed', 'reworded'))"
_NEW_METHODS = (
    "CHECK (method IN ('exact', 'trimmed', 'reworded', 'passage', 'reworded-meaning'))"
)


@step
def m004_meaning(db: Database) -> None:
    """What the meaning stage of linking needs.

    - `sentence_vectors`: one embedding per distinct sentence text (normalised, hashed)
      and model, so a sentence is embedded once ever: re-imports, new versions of an
      article and the same sentence in two outlets reuse it. Vectors are float16, `dim`
      values, little-endian.
    - `links.method` may be 'passage' (a statement aligned across whole articles) or
      'reworded-meaning' (the same statement in other words). SQLite cannot alter a CHECK, so the
      table is rebuilt: same columns, same rowids (`link_texts` is keyed by them), its
      indexes and triggers recreated from their stored SQL. Statement by statement,
      not `executescript`, which would commit the upgrade's transaction half-way.
    """
    db.execute(
        """
        CREATE TABLE sentence_vectors (
            text_sha TEXT NOT NULL,
            model TEXT NOT NULL,
            dim INTEGER NOT NULL,
            vector BLOB NOT NULL,
            PRIMARY KEY (text_sha, model)
        ) WITHOUT ROWID
        """
    )
    (table_sql,) = db.execute(
        "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'links'"
    ).fetchone()
    if table_sql.count(_OLD_METHODS) != 1:
        raise RuntimeError("links.method: the CHECK to widen is not the one expected")
    others = [
        sql
        for (sql,) in db.execute(
            "SELECT sql FROM sqlite_master WHERE tbl_name = 'links' "
            "AND type IN ('index', 'trigger') AND sql IS NOT NULL ORDER BY type, name"
        )
    ]
    columns = ", ".join(f'"{c.name}"' for c in db["links"].columns)
    new_sql = table_sql.replace(_OLD_METHODS, _NEW_METHODS).replace(
        "CREATE TABLE links", "CREATE TABLE links_new", 1
    )
    db.execute(new_sql)
    db.execute(
        f"INSERT INTO links_new (rowid, {columns}) SELECT rowid, {columns} FROM links"
    )
    # Triggers go with the table, before its implicit DELETE, so none fires here.
    db.execute("DROP TABLE links")
    db.execute("ALTER TABLE links_new RENAME TO links")
    for sql in others:
        db.execute(sql)


@step
def m005_converge_edited_core(db: Database) -> None:
    """What `m001_core` gained after databases had already applied it, given to them.

    The two indexes that find an article's earlier version (by title and outlet, by
    URL) and FTS5's `automerge` of 8 on `documents_fts` were added to `m001_core`
    after it had shipped, so databases made before then never got them. Here they
    are made if missing, and a new database gets the same setting again, so every
    database ends with one schema whichever release made it.
    """
    db.execute("CREATE INDEX IF NOT EXISTS documents_title ON documents(title, source)")
    db.execute("CREATE INDEX IF NOT EXISTS documents_url ON documents(url)")
    db.execute("INSERT INTO documents_fts(documents_fts, rank) VALUES ('automerge', 8)")


@step
def m006_one_link_per_place_pair(db: Database) -> None:
    """Delete the duplicate suggestions that earlier releases stored.

    Two links between the same two articles whose places overlap on both sides carry
    one statement (a quote tagged inside a sentence linked again, the part a
    confirmed link tagged on the other side linked again). Linking now keeps one link
    per such pair of places; here the duplicates already stored go. A person's
    verdict is never deleted: of overlapping links a confirmed or rejected one
    stands, then the best-scored suggestion, then the oldest. Data only: the schema
    does not change. Self-contained, like every step, so later code cannot change it.
    """
    verdict_first = {"confirmed": 0, "rejected": 1, "suggested": 2}
    groups: dict[tuple[str, str], list[tuple]] = {}
    for row in db.execute(
        "SELECT id, status, score, created_at, a_doc_id, a_start, a_end, "
        "b_doc_id, b_start, b_end FROM links"
    ):
        link_id, status, score, created, *sides = row
        x, y = (sides[0], sides[1], sides[2]), (sides[3], sides[4], sides[5])
        x, y = (x, y) if x <= y else (y, x)
        rank = (verdict_first.get(status, 0), -score, created, link_id)
        groups.setdefault((x[0], y[0]), []).append((rank, status, x, y))
    doomed = []
    for rows in groups.values():
        standing: list[tuple] = []
        for rank, status, x, y in sorted(rows):
            overlaps = any(
                x[1] < sx[2] and sx[1] < x[2] and y[1] < sy[2] and sy[1] < y[2]
                for sx, sy in standing
            )
            if status == "suggested" and overlaps:
                doomed.append(rank[-1])
            else:
                standing.append((x, y))
    db.conn.executemany("DELETE FROM links WHERE id = ?", [(link_id,) for link_id in doomed])


@step
def m007_review_queue(db: Database) -> None:
    """The corpus-wide review queue (`store.review_queue`).

    - `review_marks`: what the reader did with a suggestion from the queue, kept across
      restarts: `skipped` (seen, left for later) or `judged` (accepted or rejected there).
      A mark goes with its link; a judged mark on a link that is a suggestion again (the
      verdict was undone) counts as not reviewed, so undo needs no bookkeeping here.
    - `links_queue`, `links_queue_method`: suggestions best first (or by method, then
      best first), read a page at a time without a sort.
    """
    db.executescript(
        """
        CREATE TABLE review_marks (
            link_id TEXT PRIMARY KEY REFERENCES links(id) ON DELETE CASCADE,
            mark TEXT NOT NULL CHECK (mark IN ('skipped', 'judged')),
            marked_at TEXT NOT NULL
        );
        CREATE INDEX links_queue ON links(status, score DESC, id);
        CREATE INDEX links_queue_method ON links(status, method, score DESC, id);
        """
    )


@step
def m008_done_marks(db: Database) -> None:
    """Articles the reader marked done in the library's worklist (`store.worklist`).

    A table of its own, not a column of `documents`: updating a document row fires
    its full-text triggers, which would index the whole article again on each mark.
    """
    db.executescript(
        """
        CREATE TABLE done_marks (
            doc_id TEXT PRIMARY KEY REFERENCES documents(id) ON DELETE CASCADE,
            done_at TEXT NOT NULL
        );
        """
    )


@step
def m009_views_and_trigram_search(db: Database) -> None:
    """Views for people who open the file in Datasette or `sqlite3`, and search inside
    scripts written without spaces.

    - `annotations_with_articles`: each annotation with its article's outlet, title,
      date and URL; `statement_places`: each place a statement (a cluster of links) is
      carried, with its wording and article; `statements`: one row per statement, its
      outlets and its places as JSON. Offsets are code points, end exclusive, and
      SQLite's `substr` counts code points, so `text` is the article's own slice.
    - `*_trigram`: FTS5 `trigram` indexes (external content, nothing copied) over the
      rows whose text holds a character of a script that `unicode61` cannot cut into
      words (Han, kana, Hangul, Thai, emoji...: it makes one token of a whole run).
      Which rows those are is decided in Python (`store.search.trigrams`), not by a
      trigger: SQLite's `GLOB` over a character class is slow enough on a whole
      article to slow imports (docs/search.md). Triggers only queue new and changed rows
      in `trigram_pending` (every row already there is queued here) and take a row
      out of the index when it changes or goes; search indexes the queued rows.
    """
    db.execute(
        "CREATE TABLE trigram_pending (source TEXT NOT NULL, row INTEGER NOT NULL, "
        "PRIMARY KEY (source, row)) WITHOUT ROWID"
    )
    indexes = {  # trigram table -> (content table, its rowid column, indexed columns)
        "annotations_trigram": ("annotations", "rowid", ("text", "note", "speaker")),
        "documents_trigram": ("documents", "rowid", ("title", "text")),
        "link_texts_trigram": ("link_texts", "link_rowid", ("a_text", "b_text")),
    }
    for name, (content, key, columns) in indexes.items():
        listed = ", ".join(columns)
        options = f"content='{content}', tokenize='trigram'"
        if key != "rowid":
            options += f", content_rowid='{key}'"
        db.execute(f"CREATE VIRTUAL TABLE {name} USING fts5({listed}, {options})")
        old = ", ".join([f"old.{key}", *(f"old.{c}" for c in columns)])
        indexed = f"EXISTS (SELECT 1 FROM {name}_docsize WHERE id = old.{key})"
        unindex = (
            f"INSERT INTO {name} ({name}, rowid, {listed}) VALUES ('delete', {old});"
        )
        queue = (
            "INSERT OR IGNORE INTO trigram_pending (source, row) "
            f"VALUES ('{content}', new.{key});"
        )
        unqueue = f"DELETE FROM trigram_pending WHERE source = '{content}' AND row = old.{key};"
        db.execute(f"CREATE TRIGGER {name}_ai AFTER INSERT ON {content} BEGIN {queue} END")
        db.execute(
            f"CREATE TRIGGER {name}_ad AFTER DELETE ON {content} BEGIN {unqueue} END"
        )
        db.execute(
            f"CREATE TRIGGER {name}_ad_indexed AFTER DELETE ON {content} WHEN {indexed} "
            f"BEGIN {unindex} END"
        )
        # The old values leave the index before the row changes (an external-content
        # index is told what to remove); the new ones are queued.
        db.execute(
            f"CREATE TRIGGER {name}_bu BEFORE UPDATE OF {listed} ON {content} WHEN {indexed} "
            f"BEGIN {unindex} END"
        )
        db.execute(
            f"CREATE TRIGGER {name}_au AFTER UPDATE OF {listed} ON {content} BEGIN {queue} END"
        )
        db.execute(
            f"INSERT INTO trigram_pending (source, row) SELECT '{content}', {key} FROM {content}"
        )

    db.execute(
        """
        CREATE VIEW annotations_with_articles AS
        SELECT a.id, a.label, a.text, a.speaker, d.source AS outlet, d.title, d.published,
               d.url, a.note, a.annotator, a.doc_id, a.start, a."end", a.created_at,
               a.updated_at
        FROM annotations a JOIN documents d ON d.id = a.doc_id
        """
    )
    db.execute(
        """
        CREATE VIEW statement_places AS
        WITH sides AS (
            SELECT cluster, a_doc_id AS doc_id, a_start AS start, a_end AS "end", status
            FROM links WHERE cluster != ''
            UNION ALL
            SELECT cluster, b_doc_id, b_start, b_end, status FROM links WHERE cluster != ''
        )
        SELECT s.cluster AS statement, s.doc_id, s.start, s."end",
               substr(d.text, s.start + 1, s."end" - s.start) AS text,
               d.source AS outlet, d.title, d.published, d.url,
               CASE min(CASE s.status WHEN 'confirmed' THEN 0 WHEN 'suggested' THEN 1
                                      ELSE 2 END)
                   WHEN 0 THEN 'confirmed' WHEN 1 THEN 'suggested' ELSE 'rejected'
               END AS status
        FROM sides s JOIN documents d ON d.id = s.doc_id
        GROUP BY s.cluster, s.doc_id, s.start, s."end"
        """
    )
    # An outlet is counted by name, any case; an article without one is its own
    # outlet. Places reached only by rejected links do not carry the statement. `text`
    # is a bare column beside the one min(): SQLite takes it from that row, so it is
    # the wording of a confirmed place when there is one.
    db.execute(
        """
        CREATE VIEW statements AS
        SELECT statement,
               text,
               min(status) AS status,
               count(DISTINCT coalesce(lower(nullif(outlet, '')), '#' || doc_id)) AS outlets,
               coalesce('[' || group_concat(DISTINCT CASE WHEN outlet != ''
                                            THEN json_quote(outlet) END) || ']', '[]')
                   AS outlet_names,
               count(DISTINCT doc_id) AS articles,
               count(*) AS places,
               json_group_array(json_object(
                   'doc_id', doc_id, 'start', start, 'end', "end", 'text', text,
                   'outlet', outlet, 'title', title, 'published', published, 'url', url,
                   'status', status
               )) AS members
        FROM statement_places
        WHERE status != 'rejected'
        GROUP BY statement
        """
    )


SCHEMA_VERSION = len(STEP_NAMES)
