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
    db["annotations"].enable_fts(
        ["text", "note", "speaker"], create_triggers=True, tokenize=FTS_TOKENIZER
    )


SCHEMA_VERSION = len(STEP_NAMES)
