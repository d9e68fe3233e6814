"""Export: every format keeps `text == document[start:end]` and says what it promises."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import jsonschema
import pytest

from store import InputError
from store.exchange import write
from store.exchange.formats import export_to_path, export_to_stream
from store.exchange.records import (
    RECORD_FIELDS,
    annotation_records,
    annotation_schema,
    document_records,
    jsonl_lines,
)
from tests.exchange_data import ENVOY, MULTISCRIPT, POST, add_doc, link, tag, utf16

MULTISCRIPT_QUOTES = [
    ("'resiliency force' \U0001f469\u200d\U0001f469\u200d\U0001f467", "quote"),
    ("北京欢迎你", "claim"),
    ("Cafe\u0301 owners shrugged \U0001f1fa\U0001f1e6.\r\n=SUM", "proposal"),
    ("=SUM(A1:A2)", "claim"),
    ("\U0001d11e\tends", "quote"),
]


@pytest.fixture
def multiscript(store):
    doc_id = add_doc(
        store, MULTISCRIPT, title="Multi ✓", source="Test Wire", url="https://example.org/a?b=1"
    )
    for quote, label in MULTISCRIPT_QUOTES:
        tag(store, doc_id, quote, label, note="a note\nover two lines", speaker="Kellogg")
    return doc_id


def jsonl(store, **filters) -> list[dict]:
    out = io.StringIO()
    export_to_stream(store, "jsonl", out, **filters)
    return [json.loads(line) for line in out.getvalue().splitlines()]


def test_jsonl_records_hold_the_exact_text_and_utf16_offsets(store, multiscript):
    records = jsonl(store)
    assert len(records) == len(MULTISCRIPT_QUOTES)
    assert {r["text"] for r in records} == {q for q, _ in MULTISCRIPT_QUOTES}
    for record in records:
        assert list(record) == list(RECORD_FIELDS)
        assert record["text"] == MULTISCRIPT[record["start"] : record["end"]]
        assert record["utf16_start"] == utf16(MULTISCRIPT, record["start"])
        assert record["utf16_end"] == utf16(MULTISCRIPT, record["end"])
        assert record["doc_title"] == "Multi ✓" and record["source"] == "Test Wire"
        assert record["links"] == [] and record["cluster"] is None


def test_utf16_offsets_slice_the_text_as_javascript_would(store, multiscript):
    encoded = MULTISCRIPT.encode("utf-16-le")
    for record in jsonl(store):
        units = encoded[2 * record["utf16_start"] : 2 * record["utf16_end"]]
        assert units.decode("utf-16-le") == record["text"]


def test_every_jsonl_record_validates_against_the_shipped_schema(store, multiscript):
    validator = jsonschema.Draft202012Validator(annotation_schema())
    validator.check_schema(annotation_schema())
    for record in jsonl(store):
        validator.validate(record)


def test_schema_rejects_a_record_with_a_wrong_label(store, multiscript):
    record = jsonl(store)[0] | {"label": "opinion"}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(record, annotation_schema())


def test_links_and_cluster_name_the_other_side(store):
    envoy, post = add_doc(store, ENVOY, source="RT"), add_doc(store, POST, source="Newsweek")
    a = tag(store, envoy, "'resiliency force.'")
    b = tag(store, post, "resiliency force in support")
    confirmed = link(store, a, b, status="confirmed", cluster="c1", score=91.5)
    sentence = POST.index("The Kremlin")
    rejected = link(
        store, a, (post, sentence, len(POST)), status="rejected", cluster="c1", score=40.0
    )
    by_id = {r["id"]: r for r in jsonl(store)}
    to_b = {
        "link_id": confirmed,
        "annotation_id": b.id,
        "doc_id": post,
        "start": b.start,
        "end": b.end,
        "score": 91.5,
        "method": "reworded",
        "status": "confirmed",
    }
    to_sentence = {
        "link_id": rejected,
        "annotation_id": None,
        "doc_id": post,
        "start": sentence,
        "end": len(POST),
        "score": 40.0,
        "method": "reworded",
        "status": "rejected",
    }
    expected_a = sorted([to_b, to_sentence], key=lambda e: e["start"])
    assert by_id[a.id]["links"] == expected_a
    assert by_id[b.id]["links"] == [
        {
            "link_id": confirmed,
            "annotation_id": a.id,
            "doc_id": envoy,
            "start": a.start,
            "end": a.end,
            "score": 91.5,
            "method": "reworded",
            "status": "confirmed",
        }
    ]
    assert by_id[a.id]["cluster"] == by_id[b.id]["cluster"] == "c1"


def test_label_and_document_filters(store, multiscript):
    other = add_doc(store, ENVOY)
    tag(store, other, "resiliency force", "claim")
    assert {r["label"] for r in jsonl(store, label="claim")} == {"claim"}
    assert len(jsonl(store, label="claim")) == 3
    assert {r["doc_id"] for r in jsonl(store, doc=other)} == {other}
    assert {r["doc_id"] for r in jsonl(store, doc=other[:6])} == {other}
    with pytest.raises(InputError, match="unknown label 'opinion'"):
        jsonl(store, label="opinion")


def test_documents_format_gives_spans_that_slice_the_text(store, multiscript):
    add_doc(store, ENVOY)  # no annotations: not exported
    [document] = list(document_records(store))
    assert set(document) == {"id", "title", "source", "url", "text", "spans"}
    assert document["text"] == MULTISCRIPT
    assert sorted(document["text"][s["start"] : s["end"]] for s in document["spans"]) == sorted(
        q for q, _ in MULTISCRIPT_QUOTES
    )
    assert {s["label"] for s in document["spans"]} == {"quote", "claim", "proposal"}


def test_documents_format_survives_a_json_round_trip_with_crlf(store, multiscript, tmp_path):
    path = tmp_path / "docs.jsonl"
    assert export_to_path(store, "documents", path) == 1
    document = json.loads(path.read_text("utf-8").splitlines()[0])
    assert "\r\n" in document["text"] and document["text"] == MULTISCRIPT


def test_csv_opens_as_utf8_with_bom_and_defuses_formulas(store, multiscript, tmp_path):
    path = tmp_path / "out.csv"
    assert export_to_path(store, "csv", path) == len(MULTISCRIPT_QUOTES)
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    assert list(rows[0]) == list(RECORD_FIELDS)
    texts = {row["text"] for row in rows}
    assert "'=SUM(A1:A2)" in texts  # shown as text by spreadsheets, never evaluated
    assert "北京欢迎你" in texts
    assert any(
        row["text"] == "Cafe\u0301 owners shrugged \U0001f1fa\U0001f1e6.\r\n=SUM" for row in rows
    )
    assert all(row["note"] == "a note\nover two lines" for row in rows)


def test_brat_folder_offsets_are_code_points_of_the_txt_file(store, multiscript, tmp_path):
    folder = tmp_path / "brat"
    assert export_to_path(store, "brat", folder) == len(MULTISCRIPT_QUOTES)
    assert (folder / "annotation.conf").read_text("utf-8").count("\nclaim\n") == 1
    txt = (folder / f"{multiscript}.txt").read_bytes().decode("utf-8")
    assert txt == MULTISCRIPT  # CRLF kept: brat counts the file's characters
    lines = (folder / f"{multiscript}.ann").read_text("utf-8").splitlines()
    spans = [line for line in lines if line.startswith("T")]
    assert len(spans) == len(MULTISCRIPT_QUOTES)
    for line in spans:
        _tid, kind_offsets, shown = line.split("\t", 2)
        kind, offsets = kind_offsets.split(" ", 1)
        fragments = [tuple(map(int, f.split())) for f in offsets.split(";")]
        assert kind in {"claim", "quote", "proposal"}
        assert shown == " ".join(txt[a:b] for a, b in fragments)
        assert all("\n" not in txt[a:b] and "\r" not in txt[a:b] for a, b in fragments)
    crossing = [line for line in spans if ";" in line]
    assert len(crossing) == 1 and "proposal" in crossing[0]
    notes = [line for line in lines if line.startswith("#")]
    assert notes and all("a note over two lines (speaker: Kellogg)" in n for n in notes)


def test_brat_refuses_a_folder_that_is_not_empty(store, multiscript, tmp_path):
    (tmp_path / "keep.txt").write_text("mine")
    with pytest.raises(InputError, match="not empty"):
        export_to_path(store, "brat", tmp_path)
    assert [p.name for p in tmp_path.iterdir()] == ["keep.txt"]


def test_a_failed_export_leaves_no_file_behind(store, multiscript, tmp_path, monkeypatch):
    target = tmp_path / "out.jsonl"
    target.write_text("previous export\n")
    real_lines = write.jsonl_lines

    def failing(*args, **kwargs):
        for number, line in enumerate(real_lines(*args, **kwargs)):
            if number == 2:
                raise OSError(28, "No space left on device")
            yield line

    monkeypatch.setattr(write, "jsonl_lines", failing)
    monkeypatch.setattr(write, "WRITE_BATCH", 1)  # the first lines do reach the temp file
    with pytest.raises(OSError):
        export_to_path(store, "jsonl", target, force=True)
    assert target.read_text() == "previous export\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.jsonl"]


def test_unknown_format_and_missing_folder_are_one_line_errors(store, multiscript, tmp_path):
    with pytest.raises(InputError, match="unknown format 'xml'"):
        export_to_path(store, "xml", tmp_path / "x")
    with pytest.raises(InputError, match="does not exist"):
        export_to_path(store, "jsonl", tmp_path / "missing" / "x.jsonl")
    with pytest.raises(InputError, match="writes a folder"):
        export_to_stream(store, "brat", io.StringIO())


def test_records_stream_lazily(store, multiscript):
    records = annotation_records(store)
    first = next(records)
    assert first["doc_id"] == multiscript
    records.close()
    # The read snapshot ended with the generator: writing works again at once.
    tag(store, multiscript, "Music")


def test_schema_ships_inside_the_package():
    import importlib.resources

    schema = importlib.resources.files("store.exchange").joinpath("annotation_schema.json")
    text = schema.read_text("utf-8")
    assert json.loads(text)["required"] == ["id", "doc_id", "label", "start", "end", "text"]
    assert (
        Path(__file__)
        .resolve()
        .parents[2]
        .joinpath("pyproject.toml")
        .read_text()
        .count('"store.exchange" = ["*.json"]')
        == 1
    )


def test_the_fast_jsonl_writer_gives_exactly_what_json_dumps_gives(store, multiscript):
    other = add_doc(store, ENVOY, title='Quotes "inside" \\ and \x1b escape', source="RT")
    a = tag(store, other, "resiliency force", "claim", note="\u2028 odd\tspaces", speaker="")
    b = tag(store, multiscript, "北京欢迎你", "quote")
    link(store, a, b, status="confirmed", cluster='c"1', score=87.25)
    expected = [json.dumps(r, ensure_ascii=False) + "\n" for r in annotation_records(store)]
    assert list(jsonl_lines(store)) == expected
    assert list(jsonl_lines(store, label="claim")) == [
        json.dumps(r, ensure_ascii=False) + "\n" for r in annotation_records(store, label="claim")
    ]
