"""Importing keeps a tab at the start of a line (README: tabs are kept), without
changing the identity of an article already in the database."""

from __future__ import annotations

from store.documents import document_id
from store.importing.ingest import import_paths


def test_a_leading_tab_survives_a_text_import(store, tmp_path):
    page = tmp_path / "table.txt"
    page.write_bytes(
        b"Kellogg outlines the force in detail\r\n"
        b"\tIndented\tline of a table, kept as it is.\r\n"
        b"  \tSpaces before a tab go, the tab stays.\r\n"
        b"Last line.   \r\n"
    )
    assert import_paths(store, [page]).ok
    (row,) = store.db.execute("SELECT title, text FROM documents").fetchall()
    assert row[0] == "Kellogg outlines the force in detail"
    assert row[1] == (
        "\tIndented\tline of a table, kept as it is.\n"
        "\tSpaces before a tab go, the tab stays.\n"
        "Last line."
    )


def test_a_leading_tab_survives_a_jsonl_import(store, tmp_path):
    page = tmp_path / "articles.jsonl"
    page.write_text('{"title": "T", "text": "\\r\\n\\tIndented\\tline\\r\\n  second"}\n')
    assert import_paths(store, [page]).ok
    (text,) = store.db.execute("SELECT text FROM documents").fetchone()
    assert text == "\tIndented\tline\nsecond"


def test_an_article_stored_without_its_tab_keeps_its_id_and_text(store, tmp_path):
    """The id collapses white space, so re-importing an article first stored without
    its tab finds it (no duplicate) and leaves its text, and the annotations on it, alone."""
    old = "Kellogg outlines the force in detail\nIndented\tline of a table, kept."
    assert document_id(old) == document_id(
        "Kellogg outlines the force in detail\n\tIndented\tline of a table, kept."
    )
    first = tmp_path / "old.jsonl"
    first.write_text('{"title": "T", "text": "Indented\\tline of a table, kept."}\n')
    again = tmp_path / "new.jsonl"
    again.write_text('{"title": "T", "text": "\\tIndented\\tline of a table, kept."}\n')
    assert import_paths(store, [first]).ok
    assert import_paths(store, [again]).ok
    texts = [t for (t,) in store.db.execute("SELECT text FROM documents")]
    assert texts == ["Indented\tline of a table, kept."]
