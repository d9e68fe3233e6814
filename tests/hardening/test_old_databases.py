"""Databases made by earlier releases of Sidenote upgrade on open, after a backup.

The files in tests/fixtures/old_databases/ were made by the code of those releases
(README.txt there says which commit and command made each), never by today's steps:
a schema step edited after it shipped would go unnoticed by a database built from
the edited steps. Each file is upgraded on a copy; every earlier schema version
must have one, so a new step comes with a file of the release before it.
"""

from __future__ import annotations

import contextlib
import re
import shutil
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from store import StoreError, open_store, redo, undo
from store.db.migrations import SCHEMA_VERSION, STEP_NAMES, migrations
from store.importing.ingest import import_paths
from tui.cli.main import cli

from .checks import assert_consistent, digest
from .conftest import SEEDS

OLD_DATABASES = Path(__file__).resolve().parents[1] / "fixtures" / "old_databases"
RELEASES = sorted(OLD_DATABASES.glob("v*.sidenote-db"))
TABLES = ("documents", "sentences", "annotations", "events", "history", "links")


def user_version(path: Path) -> int:
    with contextlib.closing(sqlite3.connect(path)) as conn:
        return conn.execute("PRAGMA user_version").fetchone()[0]


def make_old_database(path: Path, version: int) -> dict[str, list]:
    """A copy at `path` of the database a release of schema `version` made; returns
    its rows, read before anything opens it."""
    release = next(r for r in RELEASES if r.name.startswith(f"v{version}-"))
    shutil.copyfile(release, path)
    return {table: table_rows(path, table) for table in TABLES}


def table_rows(path: Path, table: str) -> list[tuple]:
    with contextlib.closing(sqlite3.connect(path)) as conn:
        return sorted(map(tuple, conn.execute(f"SELECT * FROM {table}").fetchall()))


def applied(path: Path) -> list[str]:
    with contextlib.closing(sqlite3.connect(path)) as conn:
        return [r[0] for r in conn.execute("SELECT name FROM _sqlite_migrations ORDER BY id")]


def test_every_earlier_schema_version_has_a_database_made_by_its_release():
    assert {user_version(r) for r in RELEASES} == set(range(1, SCHEMA_VERSION)), (
        "add a database made by the release before the new step: see "
        "tests/fixtures/old_databases/README.txt"
    )
    for release in RELEASES:
        version = user_version(release)
        assert release.name.startswith(f"v{version}-")
        assert applied(release) == STEP_NAMES[:version], release.name


@pytest.mark.parametrize("release", RELEASES, ids=lambda r: r.stem)
def test_an_earlier_database_upgrades_after_a_backup_and_keeps_its_data(
    tmp_path, release, figures_count
):
    figures_count("old databases upgraded")
    version = user_version(release)
    path = tmp_path / "old.db"
    shutil.copyfile(release, path)
    data = {table: table_rows(path, table) for table in TABLES}
    with open_store(path) as store:
        assert store.db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        quote, claim = sorted(store.annotations(), key=lambda a: a.label.value, reverse=True)
        assert (quote.label.value, quote.note, quote.speaker) == (
            "quote", "made before the upgrade", "S"
        )
        assert claim.label.value == "claim"
        # The link made then still joins the two annotations, and what later steps
        # added works on it: its text is searchable (link_texts, m002).
        [link] = store.db.execute(
            "SELECT a_annotation_id, b_annotation_id, status, method FROM links"
        ).fetchall()
        assert link == (quote.id, claim.id, "confirmed", "reworded")
        (a_text,) = store.db.execute("SELECT a_text FROM link_texts").fetchone()
        assert a_text == quote.text
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


@pytest.mark.parametrize("release", RELEASES, ids=lambda r: r.stem)
def test_undo_after_an_upgrade_moves_the_history_the_old_release_wrote(tmp_path, release):
    """Undo survives restarts, so it survives an upgrade: the last change made by the
    old release (linking two statements) is undone, then redone."""
    path = tmp_path / "old.db"
    shutil.copyfile(release, path)
    with open_store(path) as store:
        change = undo(store)
        assert change is not None and change.description == "link two statements"
        assert store.db.execute("SELECT count(*) FROM links").fetchone() == (0,)
        assert redo(store) is not None
        assert store.db.execute("SELECT count(*) FROM links").fetchone() == (1,)
    assert_consistent(path)


def schema(path: Path) -> dict[str, object]:
    """What makes two databases the same schema: every table, index, trigger and view
    as its SQL (whitespace folded), and the settings stored in each FTS5 table's
    config (such as `automerge`), which change how the table is written."""
    with contextlib.closing(sqlite3.connect(path)) as conn:
        objects = {
            f"{kind} {name}": re.sub(r"\s+", " ", sql).strip()
            for kind, name, sql in conn.execute(
                "SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL"
            )
        }
        configs = {
            name: sorted(conn.execute(f'SELECT k, v FROM "{name}"').fetchall())
            for (name,) in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE '%\\_config' "
                "ESCAPE '\\' ORDER BY name"
            )
        }
    return {"objects": objects, "fts5 config": configs}


@pytest.mark.parametrize("release", RELEASES, ids=lambda r: r.stem)
def test_an_upgraded_database_has_the_schema_of_a_new_one(tmp_path, release):
    """An upgrade ends where a new database starts, whichever release made the file:
    a step edited after it shipped shows up here as a difference."""
    path = tmp_path / "old.db"
    shutil.copyfile(release, path)
    open_store(path).close()
    fresh = tmp_path / "fresh.db"
    open_store(fresh).close()
    upgraded, new = schema(path), schema(fresh)
    assert upgraded["objects"] == new["objects"]
    assert upgraded["fts5 config"] == new["fts5 config"]


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
