"""Ours → a tool's shape → a second database → ours again gives the same annotations
(text, offsets, label, speaker, note, annotator, times) on the emoji, CJK, RTL and CRLF
articles; importing the same file into the database it came from changes nothing."""

from __future__ import annotations

import json

import pytest

from store import open_store, update_annotation
from tests.exchange.test_tool_formats import RTL, SPANS, sidenote
from tests.exchange_data import ENVOY, MULTISCRIPT, add_doc, tag


@pytest.fixture
def db(tmp_path):
    """Every span with a note and an annotator, quotes with a speaker."""
    path = tmp_path / "first.db"
    with open_store(path) as store:
        docs = {
            MULTISCRIPT: add_doc(store, MULTISCRIPT, title="Multi", source="Wire"),
            RTL: add_doc(store, RTL, title="RTL", source="Al"),
            ENVOY: add_doc(store, ENVOY, title="Envoy", url="https://example.org/envoy"),
        }
        for n, (text, quote, label) in enumerate(SPANS):
            speaker = {"speaker": "Kellogg \u05e9\u05e8"} if label == "quote" else {}
            tag(store, docs[text], quote, label, note=f"n\u00f6te {n} \U0001d11e",
                annotator="ana", **speaker)  # fmt: skip
    return path


def annotation_lines(db, tmp_path, name: str) -> list[dict]:
    out = tmp_path / f"{name}.jsonl"
    sidenote(db, "export", "-o", str(out))
    records = [json.loads(line) for line in out.read_text("utf-8").splitlines()]
    return sorted((r for r in records if "a" not in r), key=lambda r: r["id"])


def events(db) -> int:
    with open_store(db) as store:
        return store.db.execute("SELECT count(*) FROM events").fetchone()[0]


@pytest.mark.parametrize("tool", ["w3c", "doccano", "prodigy"])
def test_a_round_trip_into_a_second_database_gives_the_same_annotations(db, tmp_path, tool):
    exported = tmp_path / f"{tool}.out"
    sidenote(db, "export", "--format", tool, "-o", str(exported))
    second = tmp_path / "second.db"
    if tool == "w3c":
        # W3C carries no article text: the articles come first, from `documents`
        # (which brings the spans too, without notes, speakers or times).
        articles = tmp_path / "documents.jsonl"
        sidenote(db, "export", "--format", "documents", "-o", str(articles))
        sidenote(second, "import-annotations", "--from", "documents", str(articles))
    done = sidenote(second, "import-annotations", "--from", tool, str(exported))
    assert "kept" not in done.output
    original = annotation_lines(db, tmp_path, "first")
    assert all(r["note"] and r["annotator"] for r in original)
    assert sum(bool(r["speaker"]) for r in original) == 3
    assert annotation_lines(second, tmp_path, "second") == original
    # Again, into either database: nothing changes, not even the change log.
    for target in (second, db):
        before = events(target)
        again = sidenote(target, "import-annotations", "--from", tool, str(exported))
        assert f"{len(SPANS)} unchanged" in again.output
        assert events(target) == before
    assert annotation_lines(db, tmp_path, "first-again") == original


def test_w3c_finds_its_quotes_in_articles_whose_line_ends_were_converted(db, tmp_path):
    """`sidenote import` stores CRLF articles with LF line ends (same article id): the
    W3C positions count the CRLF text, so the quote selector places each span."""
    exported = tmp_path / "anno.jsonld"
    sidenote(db, "export", "--format", "w3c", "-o", str(exported))
    articles = tmp_path / "documents.jsonl"
    sidenote(db, "export", "--format", "documents", "-o", str(articles))
    second = tmp_path / "second.db"
    sidenote(second, "import", str(articles))
    done = sidenote(second, "import-annotations", "--from", "w3c", str(exported))
    assert f"{len(SPANS)} added" in done.output
    with open_store(second) as store:
        rows = store.db.execute(
            'SELECT a.text, a.start, a."end", d.text, a.label, a.note, a.speaker '
            "FROM annotations a JOIN documents d ON d.id = a.doc_id"
        ).fetchall()
    assert all(text == article[start:end] for text, start, end, article, *_ in rows)
    lf = {(q.replace("\r\n", "\n"), label) for _, q, label in SPANS}
    assert {(r[0], r[4]) for r in rows} == lf
    original = annotation_lines(db, tmp_path, "first")
    assert {(r[5], r[6]) for r in rows} == {(r["note"], r["speaker"]) for r in original}


def test_an_edited_copy_is_not_replaced_by_an_older_fuller_one(db, tmp_path):
    """The fuller copy wins only over one nobody edited: a note a reader cleared
    after the export stays cleared."""
    exported = tmp_path / "anno.jsonld"
    sidenote(db, "export", "--format", "w3c", "-o", str(exported))
    with open_store(db) as store:
        first = store.db.execute("SELECT id FROM annotations ORDER BY id LIMIT 1").fetchone()[0]
        update_annotation(store, first, note="")
    done = sidenote(db, "import-annotations", "--from", "w3c", str(exported))
    assert "1 kept (database copy newer)" in done.output
    with open_store(db) as store:
        assert store.annotation(first).note == ""
