"""What an outside user found moving annotations between two databases through the
tools' formats: a cleared note travels, a file read in the wrong unit or with the
wrong --from is refused by what it is, the same words are one annotation whatever
id a copy carries, and unreadable input is a one-line error with its place."""

from __future__ import annotations

import json
import os
import shutil

import pytest

from store import open_store, update_annotation
from tests.exchange.test_tool_formats import sidenote
from tests.exchange_data import ENVOY, MULTISCRIPT, POST, add_doc, link, tag


@pytest.fixture
def first(tmp_path):
    """A quote with a note and a speaker, a claim, and a confirmed link."""
    path = tmp_path / "first.db"
    with open_store(path) as store:
        envoy = add_doc(store, ENVOY, title="Envoy", url="https://example.org/envoy")
        post = add_doc(store, POST, title="Post", url="https://example.org/post")
        quote = tag(store, envoy, "resiliency force", note="his words", speaker="Kellogg")
        other = tag(store, post, "resiliency force", "quote")
        link(store, quote, other, status="confirmed", score=100.0, method="exact")
        tag(store, envoy, "Russia has repeatedly warned", "claim")
    return path


def rows(path) -> list[tuple]:
    with open_store(path) as store:
        return store.db.execute(
            'SELECT id, doc_id, start, "end", label, note, speaker, annotator, created_at, '
            "updated_at FROM annotations ORDER BY id"
        ).fetchall()


def counts(path) -> tuple[int, int]:
    with open_store(path) as store:
        return (
            store.db.execute("SELECT count(*) FROM annotations").fetchone()[0],
            store.db.execute("SELECT count(*) FROM links").fetchone()[0],
        )


def the_quote(path) -> str:
    with open_store(path) as store:
        return store.db.execute("SELECT id FROM annotations WHERE note != ''").fetchone()[0]


def error_line(result) -> str:
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and "internal error" not in lines[0], result.stderr
    return lines[0]


# -- a newer copy with an empty note or speaker clears them --------------------


@pytest.mark.parametrize("tool", ["doccano", "prodigy", "w3c", "label-studio"])
def test_a_note_and_speaker_cleared_later_are_cleared_by_the_import(first, tmp_path, tool):
    second = tmp_path / "second.db"
    shutil.copy(first, second)
    quote = the_quote(first)
    with open_store(first) as store:
        update_annotation(store, quote, note="", speaker="")
    exported = tmp_path / f"out.{tool}"
    sidenote(first, "export", "--format", tool, "-o", str(exported))
    done = sidenote(second, "import-annotations", "--from", tool, str(exported))
    assert "1 updated" in done.output
    assert rows(second) == rows(first)
    # Both copies now agree, so the lossless format finds nothing to change.
    lossless = tmp_path / "all.jsonl"
    sidenote(first, "export", "-o", str(lossless))
    assert "0 updated" in sidenote(second, "import-annotations", str(lossless)).output


# -- Label Studio carries the times --------------------------------------------


def test_label_studio_brings_back_each_annotations_times(first, tmp_path):
    exported = tmp_path / "ls.json"
    sidenote(first, "export", "--format", "label-studio", "-o", str(exported))
    second = tmp_path / "second.db"
    sidenote(second, "import-annotations", "--from", "label-studio", str(exported))
    assert rows(second) == rows(first)


def test_a_label_studio_file_with_a_newer_edit_updates_the_older_copy(first, tmp_path):
    second = tmp_path / "second.db"
    shutil.copy(first, second)
    with open_store(first) as store:
        update_annotation(store, the_quote(first), note="checked against the video")
    exported = tmp_path / "ls.json"
    sidenote(first, "export", "--format", "label-studio", "-o", str(exported))
    done = sidenote(second, "import-annotations", "--from", "label-studio", str(exported))
    assert "1 updated" in done.output
    assert rows(second) == rows(first)


# -- doccano: the unit is checked ------------------------------------------------


def test_doccano_in_code_points_read_as_utf16_is_refused_by_its_text(tmp_path):
    db = tmp_path / "a.db"
    with open_store(db) as store:
        tag(store, add_doc(store, MULTISCRIPT), "北京欢迎你", "claim", note="n")
    exported = tmp_path / "cp.jsonl"
    sidenote(db, "export", "--format", "doccano", "--offsets", "codepoints", "-o", str(exported))
    other = tmp_path / "b.db"
    bad = sidenote(other, "import-annotations", "--from", "doccano", str(exported), code=1)
    line = error_line(bad)
    assert line.startswith(f"sidenote: {exported}:1: span ")
    assert "not '北京欢迎你'" in line and "see --offsets" in line
    assert counts(other) == (0, 0)


def test_a_doccano_span_of_white_space_only_is_refused(tmp_path):
    path = tmp_path / "d.jsonl"
    path.write_text(json.dumps({"text": "One line.\n\nAnother.", "label": [[9, 11, "claim"]]}))
    bad = sidenote(tmp_path / "a.db", "import-annotations", "--from", "doccano", str(path), code=1)
    assert error_line(bad) == (
        f"sidenote: {path}:1: span 9:11 (utf16) holds only white space '\\n\\n'"
    )


# -- the same words and label are one annotation, whatever the id ----------------


def test_jsonl_copies_under_new_ids_are_listed_again_and_add_nothing(first, tmp_path):
    exported = tmp_path / "all.jsonl"
    sidenote(first, "export", "-o", str(exported))
    quote = next(
        json.loads(line)
        for line in exported.read_text("utf-8").splitlines()
        if json.loads(line).get("note")
    )
    copies = tmp_path / "copies.jsonl"
    copies.write_text("".join(json.dumps({**quote, "id": f"x{i}"}) + "\n" for i in range(50)))
    before = counts(first)
    done = sidenote(first, "import-annotations", str(copies))
    assert "50 listed again" in done.output and "0 added" in done.output
    assert counts(first) == before  # no copy, and no second link from the copies' links


def test_a_prodigy_span_with_another_id_on_the_same_words_is_listed_again(first, tmp_path):
    exported = tmp_path / "p.jsonl"
    sidenote(first, "export", "--format", "prodigy", "-o", str(exported))
    tasks = [json.loads(line) for line in exported.read_text("utf-8").splitlines()]
    for task in tasks:
        for span in task["spans"]:
            span["id"] = "other-" + span["id"]
    exported.write_text("".join(json.dumps(t) + "\n" for t in tasks))
    before = counts(first)
    done = sidenote(first, "import-annotations", "--from", "prodigy", str(exported))
    assert "3 listed again" in done.output
    assert counts(first) == before


def test_a_jsonl_record_with_shifted_offsets_says_its_text_does_not_match(first, tmp_path):
    exported = tmp_path / "all.jsonl"
    sidenote(first, "export", "-o", str(exported))
    record = json.loads(exported.read_text("utf-8").splitlines()[0])
    shifted = tmp_path / "shifted.jsonl"
    start, end = record["start"] + 1, record["end"] + 1
    shifted.write_text(json.dumps({**record, "start": start, "end": end}) + "\n")
    line = error_line(sidenote(first, "import-annotations", str(shifted), code=1))
    assert line.startswith(f"sidenote: {shifted}:1: span {start}:{end} holds ")
    assert "the text does not match the article" in line and "already used" not in line


# -- unreadable input ------------------------------------------------------------


@pytest.mark.parametrize("tool", ["sidenote", "doccano", "label-studio", "brat"])
def test_a_link_loop_is_a_one_line_error(tmp_path, tool):
    os.symlink(tmp_path / "loop2", tmp_path / "loop1")
    os.symlink(tmp_path / "loop1", tmp_path / "loop2")
    loop = tmp_path / "loop1"
    bad = sidenote(tmp_path / "a.db", "import-annotations", "--from", tool, str(loop), code=1)
    assert error_line(bad) == f"sidenote: {loop}: cannot read (too many levels of symbolic links)"


@pytest.mark.parametrize("tool", ["sidenote", "doccano", "label-studio"])
def test_bytes_that_are_not_utf8_are_placed_by_line_and_byte(tmp_path, tool):
    path = tmp_path / "bin.jsonl"
    path.write_bytes(b'{"text": "ok",\n"label": "ab\xff\xfe"}\n')
    bad = sidenote(tmp_path / "a.db", "import-annotations", "--from", tool, str(path), code=1)
    assert error_line(bad) == (
        f"sidenote: {path}:2: not UTF-8 text (byte 13 of the line, byte 28 of the file)"
    )


# -- a file given with the wrong --from ---------------------------------------------


@pytest.mark.parametrize(
    ("written", "read_as", "looks_like"),
    [
        ("prodigy", "doccano", "a Prodigy task"),
        ("documents", "doccano", "a Sidenote documents line"),
        ("doccano", "prodigy", "a doccano line"),
        ("doccano", "documents", "a doccano line"),
        ("documents", "prodigy", "a Sidenote documents line"),
        ("prodigy", "documents", "a Prodigy task"),
    ],
)
def test_a_file_of_another_tool_is_refused_by_what_it_looks_like(
    first, tmp_path, written, read_as, looks_like
):
    exported = tmp_path / f"a.{written}"
    sidenote(first, "export", "--format", written, "-o", str(exported))
    other = tmp_path / "b.db"
    bad = sidenote(other, "import-annotations", "--from", read_as, str(exported), code=1)
    line = error_line(bad)
    assert line.startswith(f"sidenote: {exported}:1: expected ")
    assert f"this looks like {looks_like}" in line and f"(--from {written})" in line
    assert counts(other) == (0, 0)


def test_a_negative_offset_is_called_negative(tmp_path):
    path = tmp_path / "d.jsonl"
    path.write_text(json.dumps({"text": "One line.", "label": [[-3, 5, "claim"]]}) + "\n")
    bad = sidenote(tmp_path / "a.db", "import-annotations", "--from", "doccano", str(path), code=1)
    assert error_line(bad) == f"sidenote: {path}:1: start must not be negative, not -3"


def test_brat_read_in_the_wrong_unit_names_the_option(tmp_path):
    db = tmp_path / "a.db"
    with open_store(db) as store:
        tag(store, add_doc(store, MULTISCRIPT), "Cafe\u0301 owners", "claim")
    folder = tmp_path / "brat"
    sidenote(db, "export", "--format", "brat", "--offsets", "utf16", "-o", str(folder))
    bad = sidenote(tmp_path / "b.db", "import-annotations", "--from", "brat", str(folder), code=1)
    line = error_line(bad)
    assert ".ann:T1: " in line and "(offsets counted in codepoints; see --offsets)" in line
