"""Mass deletion guard: deleting an article asks first and can always be undone.

`store.deletion.delete_document` removes an article with its sentences,
annotations and links in one change group; `undo` puts every row back as it was.
`sidenote delete` refuses without --yes when annotations would go.
"""

from __future__ import annotations

import json
import uuid

import pytest
from click.testing import CliRunner

from store import StoreError, create_annotation, delete_annotation, open_store, redo, undo
from store.db import utc_now
from store.deletion import delete_document, deletion_summary
from store.documents import NewDocument, add_document
from store.history import change_group, history
from store.importing.ingest import import_paths
from tui.cli.main import cli

from .checks import assert_consistent, digest
from .conftest import SEEDS

TABLES = ("documents", "sentences", "annotations", "links", "positions")


def rows(store) -> dict[str, list]:
    """Every row of the tables an article spans (documents with their rowid: it
    is the library's order)."""
    out = {}
    for table in TABLES:
        key = "rowid, *" if table == "documents" else "*"
        out[table] = [
            tuple(r) for r in store.db.execute(f"SELECT {key} FROM {table} ORDER BY 1, 2")
        ]
    out["library order"] = store.document_ids()
    return out


def add_link(
    store, a: tuple[str, int, int, str | None], b: tuple[str, int, int, str | None]
) -> str:
    now = utc_now()
    link_id = str(uuid.uuid4())
    row = {
        "id": link_id,
        "pair_key": f"{a[0]}:{a[1]}:{a[2]}|{b[0]}:{b[1]}:{b[2]}",
        "a_doc_id": a[0],
        "a_start": a[1],
        "a_end": a[2],
        "a_annotation_id": a[3],
        "b_doc_id": b[0],
        "b_start": b[1],
        "b_end": b[2],
        "b_annotation_id": b[3],
        "a_match_start": None,
        "a_match_end": None,
        "b_match_start": None,
        "b_match_end": None,
        "score": 97.5,
        "method": "trimmed",
        "status": "confirmed",
        "cluster": "c1",
        "created_at": now,
        "updated_at": now,
    }
    with change_group(store, "link") as group:
        group.set_state("link", link_id, row)
    return link_id


@pytest.fixture
def library(tmp_path):
    path = tmp_path / "lib.db"
    with open_store(path) as store:
        assert import_paths(store, [SEEDS]).ok
        yield store


def annotate(store, doc_id: str, count: int) -> list[str]:
    """Tag the first `count` sentences of a document."""
    made = []
    for i, sentence in enumerate(store.sentences(doc_id)[:count]):
        label = ("claim", "quote", "proposal")[i % 3]
        made.append(
            create_annotation(
                store, doc_id, sentence.start, sentence.end, label, note=f"note {i}", speaker="S"
            ).id
        )
    return made


def test_undo_restores_the_article_its_sentences_annotations_and_links_exactly(library):
    store = library
    target, other = store.document_ids()[1], store.document_ids()[3]
    annotations = annotate(store, target, 5)
    annotate(store, other, 2)
    s_a, s_b = store.sentences(target)[0], store.sentences(other)[0]
    add_link(store, (target, s_a.start, s_a.end, annotations[0]), (other, s_b.start, s_b.end, None))
    store.set_position(target, 4)
    before = rows(store)

    sentences = len(store.sentences(target))
    summary = delete_document(store, target)
    assert (summary.annotations, summary.links, summary.sentences) == (5, 1, sentences)
    assert target not in store.document_ids()
    assert [a.doc_id for a in store.annotations()] == [other, other]
    assert store.db.execute("SELECT count(*) FROM links").fetchone()[0] == 0
    assert (
        store.db.execute("SELECT count(*) FROM sentences WHERE doc_id = ?", [target]).fetchone()[0]
        == 0
    )

    change = undo(store)
    assert change.description == summary.description and change.doc_id == target
    assert rows(store) == before
    assert_consistent(store.path)
    word = max(store.document(target).title.split(), key=len).strip(".,:;'‘’\"")
    found = store.db.execute(
        "SELECT d.id FROM documents_fts f JOIN documents d ON d.rowid = f.rowid "
        "WHERE documents_fts MATCH ?",
        [json.dumps(word)],
    ).fetchall()
    assert (target,) in found  # searchable again

    redo(store)
    assert target not in store.document_ids()
    undo(store)
    assert rows(store) == before


def test_one_deletion_is_one_undo_step_and_survives_a_restart(library):
    store, path = library, library.path
    target = store.document_ids()[0]
    annotate(store, target, 3)
    before = rows(store)
    steps = store.db.execute("SELECT count(*) FROM history").fetchone()[0]
    delete_document(store, target)
    assert store.db.execute("SELECT count(*) FROM history").fetchone()[0] == steps + 1
    store.close()
    with open_store(path) as reopened:
        assert undo(reopened) is not None
        assert rows(reopened) == before


def test_undo_after_the_article_was_imported_again(library):
    """Deleted, then the same file imported again (same id): undo brings the
    annotations back onto it."""
    store = library
    target = store.document_ids()[2]
    made = annotate(store, target, 2)
    delete_document(store, target)
    assert import_paths(store, [SEEDS]).added == 1
    undo(store)
    assert [a.id for a in store.annotations(target)] == made
    assert_consistent(store.path)


def test_a_document_with_annotations_cannot_be_removed_behind_the_log(library):
    store = library
    target = store.document_ids()[0]
    annotate(store, target, 1)
    before = digest(store.path)
    refused = pytest.raises(StoreError, match="still has annotations")
    with refused, change_group(store, "sloppy") as group:
        group.set_state("document", target, None)
    assert digest(store.path) == before


def test_summary_counts_what_would_go(library):
    store = library
    target = store.document_ids()[4]
    annotate(store, target, 4)
    summary = deletion_summary(store, target)
    assert (summary.annotations, summary.links) == (4, 0)
    assert summary.sentences == len(store.sentences(target))
    assert "4 annotations" in summary.description


# -- the command line -----------------------------------------------------------


@pytest.fixture
def run(library):
    def invoke(*args: str):
        return CliRunner().invoke(cli, ["--db", library.path, *args])

    return invoke


def test_cli_delete_refuses_without_yes_and_changes_nothing(library, run):
    target = library.document_ids()[0]
    annotate(library, target, 3)
    before = digest(library.path)
    result = run("delete", target[:6])
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and "3 annotations" in lines[0] and "--yes" in lines[0]
    assert result.stdout == ""
    assert digest(library.path) == before


def test_cli_delete_with_yes_then_undo_restores(library, run):
    target = library.document_ids()[0]
    annotate(library, target, 3)
    before = rows(library)
    deleted = run("delete", target, "--yes")
    assert deleted.exit_code == 0, deleted.output
    assert "with 3 annotations" in deleted.stdout and "sidenote undo" in deleted.stdout
    assert target not in library.document_ids()

    logged = run("history", "--limit", "4")
    first = logged.stdout.splitlines()[0]
    assert first.split()[3:5] == ["delete", "document"]
    records = [json.loads(line) for line in run("history", "--json", "-n", "4").stdout.splitlines()]
    assert [r["entity"] for r in records] == ["document", "annotation", "annotation", "annotation"]
    assert records[0]["before"]["id"] == target and records[0]["after"] is None

    undone = run("undo")
    assert undone.exit_code == 0 and undone.stdout.startswith('Undone: delete article "')
    assert rows(library) == before
    assert run("redo").stdout.startswith("Redone: delete article")
    assert target not in library.document_ids()


def test_cli_delete_without_annotations_needs_no_confirmation(library, run):
    target = library.document_ids()[1]
    result = run("delete", target)
    assert result.exit_code == 0 and "with 0 annotations" in result.stdout
    assert target not in library.document_ids()


def test_cli_undo_and_redo_with_nothing_to_do(tmp_path):
    db = str(tmp_path / "empty.db")
    assert CliRunner().invoke(cli, ["--db", db, "undo"]).stdout == "Nothing to undo.\n"
    assert CliRunner().invoke(cli, ["--db", db, "redo"]).stdout == "Nothing to redo.\n"
    assert CliRunner().invoke(cli, ["--db", db, "history"]).stdout == "No changes yet.\n"


def test_cli_delete_unknown_article_is_one_line(run):
    result = run("delete", "0000nothere")
    assert result.exit_code == 1
    assert result.stderr == "sidenote: no document with id '0000nothere'\n"


def test_cli_history_shows_text_from_the_database_as_data(tmp_path):
    """Control characters in stored text (here an ANSI escape) are shown escaped."""
    path = tmp_path / "esc.db"
    with open_store(path) as store:
        with store.transaction() as db:
            doc_id, _ = add_document(
                db, NewDocument(text="Red \x1b[31malert\x1b[0m here.", title="T")
            )
        create_annotation(store, doc_id, 0, 14, "claim", note="n")
    result = CliRunner().invoke(cli, ["--db", str(path), "history"])
    assert result.exit_code == 0
    assert "\x1b" not in result.stdout and "\u241b[31m" in result.stdout  # ␛[31m
    assert len(result.stdout.splitlines()) == 1
    with open_store(path) as store:
        assert len(history(store)) == 1


def test_undoing_an_annotation_deletion_gives_its_links_back(library):
    """The schema unhooks links from a deleted annotation (ON DELETE SET NULL);
    that must go through the log, or undo would restore the annotation alone."""
    store = library
    first, second = store.document_ids()[:2]
    a, b = store.sentences(first)[0], store.sentences(second)[0]
    mine = create_annotation(store, first, a.start, a.end, "quote")
    theirs = create_annotation(store, second, b.start, b.end, "quote")
    link_id = add_link(store, (first, a.start, a.end, mine.id), (second, b.start, b.end, theirs.id))
    linked = rows(store)["links"]
    delete_annotation(store, theirs.id)
    refs = store.db.execute(
        "SELECT a_annotation_id, b_annotation_id FROM links WHERE id = ?", [link_id]
    ).fetchone()
    assert tuple(refs) == (mine.id, None)
    change = undo(store)
    assert (change.doc_id, change.start) == (second, b.start)  # shown where the annotation was
    assert rows(store)["links"] == linked
    redo(store)
    undo(store)
    assert rows(store)["links"] == linked
    assert_consistent(store.path)
