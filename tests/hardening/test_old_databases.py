"""Databases made by earlier versions of Sidenote upgrade on open, after a backup.

An "earlier version" is built the way it really was: only the schema steps it
knew (`migrations.apply(db, stop_before=...)`), its `user_version`, and data
written by the code of the time (documents, sentences, annotations, events,
links). Every earlier version is tried, so a new schema step is covered the
day it is added.
"""

from __future__ import annotations

import contextlib
import sqlite3
import uuid
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlite_utils import Database

from store import StoreError, create_annotation, open_store
from store.history import change_group
from store.db import Store, utc_now
from store.importing.ingest import import_paths
from store.db.migrations import SCHEMA_VERSION, STEP_NAMES, migrations
from tui.cli.main import cli

from .checks import assert_consistent, digest
from .conftest import SEEDS

EARLIER = list(range(1, len(STEP_NAMES)))  # versions that knew the first N steps


def make_old_database(path: Path, version: int) -> dict[str, list]:
    """A database as Sidenote schema `version` left it, with data; returns the data."""
    db = Database(str(path))
    db.execute("PRAGMA journal_mode = WAL")
    migrations.apply(db, stop_before=STEP_NAMES[version])
    db.execute(f"PRAGMA user_version = {version}")
    old = Store(db, str(path))  # the store of the time: no migrations on open
    assert import_paths(old, [SEEDS]).ok
    first, second = old.document_ids()[:2]
    a = old.sentences(first)[0]
    made = create_annotation(old, first, a.start, a.end, "quote", note="kept", speaker="S")
    b = old.sentences(second)[0]
    now, link_id = utc_now(), str(uuid.uuid4())
    with change_group(old, "link") as group:
        group.set_state(
            "link",
            link_id,
            {
                "id": link_id,
                "pair_key": f"{first}|{second}",
                "a_doc_id": first,
                "a_start": a.start,
                "a_end": a.end,
                "a_annotation_id": made.id,
                "b_doc_id": second,
                "b_start": b.start,
                "b_end": b.end,
                "b_annotation_id": None,
                "a_match_start": None,
                "a_match_end": None,
                "b_match_start": None,
                "b_match_end": None,
                "score": 91.0,
                "method": "reworded",
                "status": "confirmed",
                "cluster": "c",
                "created_at": now,
                "updated_at": now,
            },
        )
    data = {
        table: sorted(map(tuple, db.execute(f"SELECT * FROM {table}").fetchall()))
        for table in ("documents", "sentences", "annotations", "events", "history", "links")
    }
    db.close()
    return data


def table_rows(path: Path, table: str) -> list[tuple]:
    with contextlib.closing(sqlite3.connect(path)) as conn:
        return sorted(map(tuple, conn.execute(f"SELECT * FROM {table}").fetchall()))


def applied(path: Path) -> list[str]:
    with contextlib.closing(sqlite3.connect(path)) as conn:
        return [r[0] for r in conn.execute("SELECT name FROM _sqlite_migrations ORDER BY id")]


@pytest.mark.parametrize("version", EARLIER)
def test_an_earlier_database_upgrades_after_a_backup_and_keeps_its_data(
    tmp_path, version, figures_count
):
    figures_count("old databases upgraded")
    path = tmp_path / "old.db"
    data = make_old_database(path, version)
    with open_store(path) as store:
        assert store.db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        annotation = store.annotations()[0]
        assert annotation.note == "kept"
        # What the new steps add works on the old data (m002: linked text is searchable).
        if "link_texts" in store.db.table_names():
            (a_text,) = store.db.execute("SELECT a_text FROM link_texts").fetchone()
            assert a_text == annotation.text
    assert applied(path) == STEP_NAMES
    for table, rows in data.items():
        assert table_rows(path, table) == rows, table
    assert_consistent(path)

    backup = path.with_name(f"old.db.backup-v{version}")
    assert backup.exists()
    assert applied(backup) == STEP_NAMES[:version]
    with contextlib.closing(sqlite3.connect(backup)) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert conn.execute("PRAGMA user_version").fetchone() == (version,)
    for table, rows in data.items():
        assert table_rows(backup, table) == rows, table

    # Opening again neither upgrades nor backs up again.
    open_store(path).close()
    assert sorted(p.name for p in tmp_path.iterdir() if "backup" in p.name) == [backup.name]


def test_an_upgrade_that_fails_half_way_leaves_the_old_version_intact(tmp_path, monkeypatch):
    """The upgrade is one transaction: a failure in a step (or a crash) changes nothing,
    and the next open upgrades cleanly."""
    path = tmp_path / "old.db"
    data = make_old_database(path, 1)
    real_apply = migrations.apply

    def apply_then_fail(db, **kwargs):
        real_apply(db, **kwargs)
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(migrations, "apply", apply_then_fail)
    with pytest.raises(StoreError, match="disk I/O error"):
        open_store(path)
    monkeypatch.undo()
    assert applied(path) == STEP_NAMES[:1]
    with contextlib.closing(sqlite3.connect(path)) as conn:
        assert conn.execute("PRAGMA user_version").fetchone() == (1,)
    for table, rows in data.items():
        assert table_rows(path, table) == rows
    open_store(path).close()
    assert applied(path) == STEP_NAMES


def test_a_newer_database_is_refused_with_one_line_and_left_alone(tmp_path):
    path = tmp_path / "new.db"
    with open_store(path) as store:
        assert import_paths(store, [SEEDS]).ok
    with contextlib.closing(sqlite3.connect(path)) as conn:
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
        conn.commit()
    before = digest(path)
    for command in (["docs"], ["import", str(SEEDS)], ["undo"]):
        result = CliRunner().invoke(cli, ["--db", str(path), *command])
        assert result.exit_code == 1
        assert result.stderr == (
            f"sidenote: {path}: made by a newer Sidenote (schema {SCHEMA_VERSION + 1}, this "
            f"version knows {SCHEMA_VERSION}); upgrade Sidenote to open it\n"
        )
    assert digest(path) == before
    assert not list(tmp_path.glob("*.backup-*"))
