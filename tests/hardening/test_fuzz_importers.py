"""Fuzzing the JSONL and HTML importers with hypothesis.

Whatever the file holds, `sidenote import` either imports it whole or refuses it
with one line naming the file (and, for JSONL, the line), and a refused file
leaves the database exactly as it was.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from store import open_store
from store.documents import NewDocument, add_document
from store.importing.ingest import import_paths

from .checks import assert_consistent, digest
from .strategies import AWKWARD, hostile_text

FUZZ = settings(deadline=None, max_examples=120, suppress_health_check=[HealthCheck.too_slow])
HTML = settings(deadline=None, max_examples=50, suppress_health_check=[HealthCheck.too_slow])

json_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(min_value=10**20, max_value=10**400),
    st.floats(allow_nan=True, allow_infinity=True),
    hostile_text(max_pieces=8),
)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)
FIELDS = ["text", "title", "source", "url", "published", "id", "extra"]
records = st.one_of(
    st.dictionaries(st.sampled_from(FIELDS), json_values, max_size=6),
    st.fixed_dictionaries(
        {"text": hostile_text()}, optional={k: json_values for k in FIELDS if k != "text"}
    ),
    json_values,
)


def line_of(record: object, damage: int) -> str:
    """A JSONL line for `record`, sometimes damaged the way real files are."""
    try:
        text = json.dumps(record, ensure_ascii=damage % 2 == 0)
    except (ValueError, RecursionError):
        text = "{}"
    if damage == 3:
        return text[: len(text) // 2]  # truncated
    if damage == 5:
        return text.replace('"', "'")  # not JSON quotes
    return text


@FUZZ
@given(
    lines=st.lists(st.tuples(records, st.integers(0, 7)), min_size=1, max_size=6),
    newline=st.sampled_from(["\n", "\r\n"]),
)
def test_jsonl_files_import_whole_or_not_at_all(lines, newline, figures_count):
    figures_count("jsonl files")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "fuzz.jsonl"
        path.write_text(
            newline.join(line_of(r, d) for r, d in lines) + newline,
            encoding="utf-8",
            errors="surrogatepass",
        )
        with open_store(Path(folder) / "s.db") as store:
            with store.transaction() as db:
                add_document(db, NewDocument(text="Already here. Must stay.", title="old"))
            before = digest(store.path)
            report = import_paths(store, [path])
            if report.errors:
                assert len(report.errors) == 1
                message = report.errors[0]
                assert message.startswith(f"{path}: ") and "\n" not in message
                assert digest(store.path) == before
            else:
                good = [r for r, d in lines if isinstance(r, dict)]
                assert report.added + report.unchanged == len(good)
            assert_consistent(store.db.conn)


def html_page(draw_parts: list[tuple[str, str]]) -> str:
    body = "".join(f"<{tag}>{text}</{tag}>" for tag, text in draw_parts)
    return f"<!doctype html><html><head><title>T</title></head><body>{body}</body></html>"


tags = st.sampled_from(
    [
        "p",
        "div",
        "h1",
        "h2",
        "article",
        "span",
        "li",
        "script",
        "style",
        "nav",
        "footer",
        "blockquote",
        "pre",
        "td",
    ]
)
html_text = st.one_of(
    hostile_text(max_pieces=12),
    st.sampled_from(AWKWARD),
    st.sampled_from(
        [
            "<p>",
            "</div>",
            "<![CDATA[x]]>",
            "<!--",
            "&#xD800;",
            "&nbsp;",
            "<b>bold</i>",
            "<img src=x onerror=1>",
        ]
    ),
)


@HTML
@given(
    page=st.one_of(
        st.lists(st.tuples(tags, html_text), max_size=12).map(html_page),
        hostile_text(max_pieces=20),
    )
)
def test_html_files_import_or_are_refused_cleanly(page, figures_count):
    figures_count("html files")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "fuzz.html"
        path.write_text(page, encoding="utf-8", errors="surrogatepass")
        with open_store(Path(folder) / "s.db") as store:
            before = digest(store.path)
            report = import_paths(store, [path])
            if report.errors:
                assert len(report.errors) == 1
                assert report.errors[0].startswith(f"{path}: ") and "\n" not in report.errors[0]
                assert digest(store.path) == before
            else:
                assert report.added >= 1
            assert_consistent(store.db.conn)
