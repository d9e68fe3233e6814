"""Hostile text through the importer and the annotation layer (hypothesis).

Arbitrary Unicode (surrogates, combining marks, right-to-left text, zero-width
joiners, emoji sequences, NUL and other controls, very long lines) must never
crash Sidenote: it is either imported, with every offset invariant intact, or
refused with a one-line InputError naming the file.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
import regex
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from store import InputError, create_annotation, open_store
from store.documents import NewDocument, add_document
from store.importing.ingest import DecodedFile, import_paths, parse, parse_page
from store.importing.pages import clean_line, clean_text, page_lines
from store.text import snap_to_graphemes

from .checks import assert_consistent, digest
from .strategies import hostile_text

INVISIBLE = (
    set("\u200b\u2060\ufeff\u00ad\r\x0b\x0c\x7f")
    | {chr(c) for c in range(0x20) if c not in (9, 10)}
    | {chr(c) for c in range(0x80, 0xA0)}
)
FAST = settings(deadline=None, max_examples=150, suppress_health_check=[HealthCheck.too_slow])
SLOW = settings(deadline=None, max_examples=60, suppress_health_check=[HealthCheck.too_slow])


def trimmed_but_for_leading_tabs(text: str) -> bool:
    """No white space at the end, and none at the start but tabs (the README: tabs are
    kept, so a tab that indents a line stays; spaces before it go)."""
    return text == text.rstrip() and (not text[:1].isspace() or text[0] == "\t")


def graphemes_bounds(text: str) -> set[int]:
    """Grapheme boundaries computed independently of store.text (whole-text \\X scan)."""
    return {m.start() for m in regex.finditer(r"\X", text, flags=regex.DOTALL)} | {len(text)}


@FAST
@given(raw=hostile_text(allow_surrogates=True))
def test_clean_text_never_raises_and_leaves_no_invisible_characters(raw, figures_count):
    figures_count("clean_text")
    cleaned = clean_text(raw)
    assert not (set(cleaned) & INVISIBLE)
    assert "\n\n\n" not in cleaned
    assert cleaned == cleaned.strip("\n")
    assert all(trimmed_but_for_leading_tabs(line) for line in cleaned.split("\n"))
    # Joiners belong to emoji sequences and scripts: they stay.
    assert cleaned.count("\u200d") == raw.count("\u200d")
    assert cleaned.count("\u200c") == raw.count("\u200c")
    assert clean_text(cleaned) == cleaned


@FAST
@given(raw=hostile_text(allow_surrogates=True))
def test_page_lines_point_back_into_the_raw_text(raw, figures_count):
    figures_count("page_lines")
    previous_end = 0
    for line in page_lines(raw):
        assert previous_end <= line.start <= line.end <= len(raw)
        assert line.text and line.text == clean_line(raw[line.start : line.end])
        assert "\n" not in line.text and "\r" not in line.text
        previous_end = line.end


@FAST
@given(raw=hostile_text(allow_surrogates=True))
def test_parsing_a_page_imports_it_or_refuses_it_cleanly(raw, figures_count):
    figures_count("parse")
    path = Path("hostile.txt")
    try:
        documents = parse(DecodedFile(path, raw))
    except InputError as error:
        assert str(error).startswith("hostile.txt: ") and "\n" not in str(error)
        if "surrogate" in str(error):
            assert any(0xD800 <= ord(c) <= 0xDFFF for c in raw)
        else:
            assert error.problem == "no article text in this file"
            assert not parse_page(raw, "hostile.txt")
        return
    assert documents
    for document in documents:
        assert document.text.strip() and trimmed_but_for_leading_tabs(document.text)
        assert not (set(document.text) & INVISIBLE)
        assert not any(0xD800 <= ord(c) <= 0xDFFF for c in document.text)
        start, end = document.origin["start"], document.origin["end"]
        assert 0 <= start <= end <= len(raw)


@SLOW
@given(raw=hostile_text(), suffix=st.sampled_from([".txt", ".md", ".jsonl", ".html"]))
def test_any_file_is_imported_whole_or_refused_with_one_line(raw, suffix, figures_count):
    """Through the real importer, from bytes on disk, into a real database."""
    figures_count("import " + suffix)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"input{suffix}"
        if suffix == ".jsonl":
            import json

            path.write_text(json.dumps({"text": raw, "title": raw[:20]}) + "\n")
        else:
            path.write_bytes(raw.encode("utf-8"))
        with open_store(Path(folder) / "s.db") as store:
            before = digest(store.path)
            report = import_paths(store, [path])
            if report.errors:
                assert len(report.errors) == 1
                assert report.errors[0].startswith(str(path) + ":")
                assert "\n" not in report.errors[0]
                assert digest(store.path) == before  # nothing half-written
            else:
                assert report.added >= 1
            assert_consistent(store.db.conn)


@FAST
@given(raw=hostile_text(max_pieces=25), data=st.data())
def test_any_span_is_stored_exactly_or_refused(raw, data, figures_count):
    """Offsets are code points; the stored text is document[start:end]; a span
    that splits a grapheme cluster (emoji sequence, letter + marks) is refused."""
    text = clean_text(raw)
    assume(text)
    figures_count("spans")
    with open_store(":memory:") as store:
        with store.transaction() as db:
            doc_id, _ = add_document(db, NewDocument(text=text, title="t"))
        bounds = graphemes_bounds(text)
        for _ in range(4):
            start = data.draw(st.integers(-3, len(text) + 3))
            end = data.draw(st.integers(-3, len(text) + 3))
            try:
                made = create_annotation(store, doc_id, start, end, "claim")
            except InputError:
                assert not (0 <= start < end <= len(text) and {start, end} <= bounds)
                continue
            assert 0 <= start < end <= len(text) and {start, end} <= bounds
            assert store.annotation(made.id).text == text[start:end]
        # Snapping any span outwards always gives a span that is accepted.
        start = data.draw(st.integers(0, len(text) - 1))
        end = data.draw(st.integers(start + 1, len(text)))
        s, e = snap_to_graphemes(text, start, end)
        assert s <= start and e >= end and {s, e} <= bounds
        assert create_annotation(store, doc_id, s, e, "quote").text == text[s:e]
        assert_consistent(store.db.conn)


@pytest.mark.parametrize(
    "raw, problem",
    [
        ('{"text": "caf\\udce9 bar"}\n', "line 1: invalid Unicode (an unpaired surrogate)"),
        (
            '{"text": "fine"}\n{"text": "\\ud83d alone"}\n',
            "line 2: invalid Unicode (an unpaired surrogate)",
        ),
        (
            '{"text": "ok", "title": "\\udfff"}\n',
            "line 1: invalid Unicode (an unpaired surrogate) in 'title'",
        ),
        ('{"text": "ok", "source": "a\\udfffb"}\n', "unpaired surrogate) in 'source'"),
    ],
)
def test_surrogates_in_jsonl_are_refused_with_the_line(tmp_path, raw, problem, figures_count):
    figures_count("surrogates")
    path = tmp_path / "s.jsonl"
    path.write_text(raw)
    with open_store(tmp_path / "s.db") as store:
        before = digest(store.path)
        report = import_paths(store, [path])
        assert report.errors and problem in report.errors[0] and str(path) in report.errors[0]
        assert digest(store.path) == before
