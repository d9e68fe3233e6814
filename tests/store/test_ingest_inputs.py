"""Every kind of file the importer meets, good and bad."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from store.files import reading as files
from store.importing.ingest import import_paths

ARTICLE = (
    "Envoy outlines a resiliency force for Ukraine\n"
    "The envoy said on Friday that allied troops could take over zones of responsibility.\n"
    "He added that no U.S. troops would be involved.\n"
)


def write(path: Path, content: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def test_a_text_file_becomes_a_document_with_its_headline(store, tmp_path):
    report = import_paths(store, [write(tmp_path / "a.txt", ARTICLE)])
    assert report.ok and report.added == 1
    document = store.document(report.documents[0].id)
    assert document.title == "Envoy outlines a resiliency force for Ukraine"
    assert document.text.startswith("The envoy said on Friday")


def test_reimporting_identical_content_adds_nothing(store, tmp_path):
    path = write(tmp_path / "a.txt", ARTICLE)
    import_paths(store, [path])
    again = import_paths(store, [path, write(tmp_path / "copy" / "b.txt", ARTICLE)])
    assert again.added == 0 and again.unchanged == 2
    assert store.document_count() == 1


def test_the_same_article_gets_the_same_id_in_two_databases(tmp_path):
    from store import open_store

    path = write(tmp_path / "a.txt", ARTICLE)
    with open_store(":memory:") as one, open_store(":memory:") as two:
        first, second = import_paths(one, [path]), import_paths(two, [path])
        assert first.documents[0].id == second.documents[0].id


def test_folders_are_walked_recursively(store, tmp_path):
    write(tmp_path / "news" / "one.txt", ARTICLE)
    markdown = "# Second story here today\n\nIt is a [linked](http://x) text.\n"
    write(tmp_path / "news" / "deep" / "two.md", markdown)
    write(tmp_path / "news" / "notes.pdf", b"%PDF-1.4")
    report = import_paths(store, [tmp_path / "news"])
    assert report.ok and report.added == 2
    md = next(d for d in report.documents if d.file.endswith("two.md"))
    assert store.document(md.id).title == "Second story here today"
    assert store.document(md.id).text == "It is a linked text."


def test_jsonl_articles_keep_their_metadata(store, tmp_path):
    lines = [
        {"text": "First article body.\r\nSecond line.", "title": "One", "source": "Wire",
         "url": "https://example.org/1", "published": "2025-05-01"},
        {"text": "Another body without a title, long enough to name it."},
    ]
    path = write(tmp_path / "a.jsonl", "\n".join(json.dumps(x) for x in lines) + "\n")
    report = import_paths(store, [path])
    assert report.ok and report.added == 2
    first = store.document(report.documents[0].id)
    assert (first.title, first.source, first.url, first.published) == (
        "One", "Wire", "https://example.org/1", "2025-05-01")
    assert first.text == "First article body.\nSecond line."
    assert json.loads(first.origin)["line"] == 1
    assert store.document(report.documents[1].id).title.startswith("Another body")


def test_html_pages_give_their_main_text(store, tmp_path):
    html = """<html><head><title>Summit ends without a deal | Example Post</title>
    <meta property="og:site_name" content="Example Post"></head><body>
    <nav><a href="/">Home</a> | <a href="/world">World</a></nav>
    <article><h1>Summit ends without a deal</h1>
    <p>Leaders left the summit on Sunday without agreeing on a ceasefire, officials said.</p>
    <p>The talks are expected to resume in Geneva next month, according to two diplomats.</p>
    </article><footer>Share this article. Subscribe to our newsletter.</footer></body></html>"""
    report = import_paths(store, [write(tmp_path / "page.html", html)])
    assert report.ok, report.errors
    document = store.document(report.documents[0].id)
    assert document.source == "Example Post"
    assert "Leaders left the summit on Sunday" in document.text
    assert "Home" not in document.text and "Subscribe" not in document.text


def test_cp1252_is_read_with_a_warning_and_encoding_overrides(store, tmp_path):
    path = write(tmp_path / "old.txt", "Café talks “resume” today in Paris.\n".encode("cp1252"))
    report = import_paths(store, [path])
    assert report.ok and any("old.txt" in w and "cp1252" in w for w in report.warnings)
    assert "Café talks “resume” today" in store.document(report.documents[0].id).text
    latin1 = write(tmp_path / "l1.txt", "Gr\xfc\xdfe aus Wien.\n".encode("latin-1"))
    forced = import_paths(store, [latin1], encoding="latin-1")
    assert forced.ok and not forced.warnings


BAD_INPUTS = {
    "missing": (lambda d: d / "nope.txt", "no such file or folder"),
    "binary": (
        lambda d: write(d / "img.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" * 20),
        "binary file",
    ),
    "empty": (lambda d: write(d / "empty.txt", ""), "file is empty"),
    "blank": (lambda d: write(d / "blank.txt", "\n   \n\n"), "file is empty"),
    "nothing to import": (
        lambda d: write(d / "box" / "a.pdf", b"%PDF").parent,
        "nothing to import",
    ),
    "unsupported": (lambda d: write(d / "a.docx", b"PK"), "unsupported file type"),
    "malformed jsonl": (
        lambda d: write(d / "bad.jsonl", '{"text": "good line"}\n{"text": oops}\n'),
        "line 2: not valid JSON",
    ),
    "jsonl without text": (
        lambda d: write(d / "t.jsonl", '{"title": "x"}\n'),
        "line 1: 'text' is missing",
    ),
    "jsonl wrong type": (
        lambda d: write(d / "w.jsonl", '{"text": 5}\n'),
        "line 1: 'text' must be a string",
    ),
    "jsonl surrogate": (
        lambda d: write(d / "s.jsonl", '{"text": "bad \\ud800 half"}\n'),
        "surrogate",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD_INPUTS))
def test_bad_input_is_one_line_naming_the_file_and_changes_nothing(store, tmp_path, case):
    make, problem = BAD_INPUTS[case]
    target = make(tmp_path)
    report = import_paths(store, [target])
    assert len(report.errors) == 1
    message = report.errors[0]
    assert "\n" not in message and problem in message and str(target) in message
    assert store.document_count() == 0


def test_unreadable_file_is_reported(store, tmp_path, monkeypatch):
    # Tests may run as root, which reads anything: simulate the permission error.
    path = write(tmp_path / "locked.txt", ARTICLE)
    real = files.open_regular

    def deny(opened: Path):
        if opened == path:
            raise PermissionError(13, "Permission denied")
        return real(opened)

    monkeypatch.setattr(files, "open_regular", deny)
    report = import_paths(store, [path])
    assert report.errors == [f"{path}: cannot read file (permission denied)"]


def test_good_files_import_beside_bad_ones(store, tmp_path):
    good = write(tmp_path / "good.txt", ARTICLE)
    bad = write(tmp_path / "bad.jsonl", '{"text": "fine"}\nnot json\n')
    report = import_paths(store, [bad, good, tmp_path / "missing.md"])
    assert report.added == 1 and len(report.errors) == 2
    assert store.document_count() == 1
