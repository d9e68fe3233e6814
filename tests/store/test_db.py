"""The database file: schema, pragmas, versions, and refusing what it cannot open."""

from __future__ import annotations

import sqlite3

import pytest

from store import StoreError, open_store
from store.db.migrations import SCHEMA_VERSION, STEP_NAMES
from store.documents import NewDocument, add_document


def test_migrations_are_recorded_once(tmp_path):
    path = tmp_path / "s.db"
    open_store(path).close()
    open_store(path).close()
    with sqlite3.connect(path) as conn:
        names = [r[0] for r in conn.execute("SELECT name FROM _sqlite_migrations ORDER BY id")]
        assert names == STEP_NAMES
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION


def test_file_database_uses_wal_and_foreign_keys(tmp_path):
    with open_store(tmp_path / "s.db") as store:
        assert store.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert store.db.execute("PRAGMA foreign_keys").fetchone()[0] == 1


def test_interface_tables_exist(store):
    tables = set(store.db.table_names())
    assert {"documents", "sentences", "annotations", "events", "links"} <= tables
    columns = {c.name for c in store.db["documents"].columns}
    assert columns >= {"id", "title", "source", "url", "published", "text", "sha256", "origin",
                       "imported_at"}
    columns = {c.name for c in store.db["annotations"].columns}
    assert columns >= {"id", "doc_id", "start", "end", "label", "text", "prefix", "suffix", "note",
                       "speaker", "annotator", "created_at", "updated_at"}


def test_document_text_is_searchable_as_soon_as_it_is_stored(store):
    with store.transaction() as db:
        add_document(db, NewDocument(text="Troops may deploy west of the Dnieper.", title="T"))
    hits = list(store.db.query(
        "SELECT rowid FROM documents_fts WHERE documents_fts MATCH 'dnieper'"))
    assert len(hits) == 1


def test_a_failed_transaction_leaves_nothing(store):
    with pytest.raises(RuntimeError), store.transaction() as db:
        add_document(db, NewDocument(text="Half an import.", title="T"))
        raise RuntimeError("disk full")
    assert store.document_count() == 0


def test_newer_schema_is_refused(tmp_path):
    path = tmp_path / "s.db"
    open_store(path).close()
    with sqlite3.connect(path) as conn:
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    with pytest.raises(StoreError, match="newer Sidenote"):
        open_store(path)


def test_a_file_that_is_not_a_database_is_refused(tmp_path):
    path = tmp_path / "notes.db"
    path.write_text("just some notes\n")
    with pytest.raises(StoreError, match="not an SQLite file"):
        open_store(path)


def test_a_missing_folder_is_reported(tmp_path):
    with pytest.raises(StoreError, match="does not exist"):
        open_store(tmp_path / "nowhere" / "s.db")


def test_the_reading_position_and_the_link_threshold_outlive_the_session(tmp_path):
    """`sidenote read` opens where the reader left off, and the app scores echoes
    with the threshold of the last `sidenote link`: both are settings on disk."""
    from store.links import relink, threshold_for

    path = tmp_path / "s.db"
    with open_store(path) as store:
        with store.transaction() as db:
            doc_id, _ = add_document(db, NewDocument(text="One. Two. Three.", title="T"))
        store.set_position(doc_id, 2)
        relink(store, threshold=91)
    with open_store(path) as store:
        assert store.last_document() == doc_id and store.position(doc_id) == 2
        assert threshold_for(store) == 91.0
