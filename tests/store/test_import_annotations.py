"""import-annotations: lossless round trip, idempotent by id, all or nothing."""

from __future__ import annotations

import io
import json

import jsonschema
import pytest

from store import InputError, open_store, undo
from store.exchange.formats import export_to_stream
from store.exchange.read import FIELDS, RecordError, import_annotations, parse_record
from store.exchange.records import annotation_schema
from store.links import accept, echoes
from store.review import resolve_review, review_items
from tests.exchange_data import ENVOY, MULTISCRIPT, POST, add_doc, link, tag

ARTICLES = [
    (MULTISCRIPT, {"title": "Multi", "source": "Wire", "url": "https://example.org/multi"}),
    (ENVOY, {"title": "Envoy", "source": "RT", "url": "https://example.org/envoy"}),
    (POST, {"title": "Post", "source": "Newsweek", "url": ""}),
]


def fill(store) -> dict[str, str]:
    ids = {}
    for text, fields in ARTICLES:
        ids[fields["title"]] = add_doc(store, text, **fields)
    return ids


def export_jsonl(store) -> list[dict]:
    """The annotation records of a `jsonl` export. The link records that end it are
    left out: these tests restore links from the annotations' `links` lists (a file
    written before link records existed); tests/exchange/test_jsonl_lossless.py
    covers the link records."""
    out = io.StringIO()
    export_to_stream(store, "jsonl", out)
    records = [json.loads(line) for line in out.getvalue().splitlines()]
    return [r for r in records if "label" in r]


def write(path, records) -> None:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), "utf-8")


@pytest.fixture
def annotated(store):
    ids = fill(store)
    multi, envoy, post = ids["Multi"], ids["Envoy"], ids["Post"]
    tag(
        store,
        multi,
        "'resiliency force' \U0001f469\u200d\U0001f469\u200d\U0001f467",
        "quote",
        note="emoji\r\nnote",
        speaker="Kellogg",
    )
    tag(store, multi, "北京欢迎你", "claim")
    tag(store, multi, "Cafe\u0301 owners shrugged \U0001f1fa\U0001f1e6.\r\n=SUM", "proposal")
    a = tag(store, envoy, "'resiliency force.'", "quote", speaker="Kellogg")
    b = tag(store, post, "resiliency force in support", "quote")
    link(store, a, b, status="confirmed", cluster="s1")
    link(store, a, (post, POST.index("The Kremlin"), len(POST)), status="rejected", score=41.0)
    return store


def test_export_import_export_gives_the_same_records(annotated, tmp_path):
    first = export_jsonl(annotated)
    path = tmp_path / "out.jsonl"
    write(path, first)
    with open_store(":memory:") as fresh:
        fill(fresh)
        report = import_annotations(fresh, path)
        assert report.as_dict()["added"] == len(first) and not report.review
        assert export_jsonl(fresh) == first
        for record in export_jsonl(fresh):
            document = fresh.document(record["doc_id"]).text
            assert document[record["start"] : record["end"]] == record["text"]


def test_importing_twice_changes_nothing(annotated, tmp_path):
    path = tmp_path / "out.jsonl"
    write(path, export_jsonl(annotated))
    with open_store(":memory:") as fresh:
        fill(fresh)
        import_annotations(fresh, path)
        events = fresh.db.execute("SELECT count(*) FROM events").fetchone()[0]
        again = import_annotations(fresh, path)
        assert again.as_dict()["unchanged"] == again.records and not again.added
        assert fresh.db.execute("SELECT count(*) FROM events").fetchone()[0] == events


def test_a_newer_record_updates_and_an_older_one_is_kept(annotated, tmp_path):
    record = export_jsonl(annotated)[0]
    newer = record | {"note": "edited elsewhere", "updated": "2999-01-01T00:00:00.000Z"}
    older = record | {"note": "stale", "updated": "2000-01-01T00:00:00.000Z"}
    write(tmp_path / "new.jsonl", [newer])
    write(tmp_path / "old.jsonl", [older])
    assert import_annotations(annotated, tmp_path / "new.jsonl").updated == [record["id"]]
    assert annotated.annotation(record["id"]).note == "edited elsewhere"
    assert import_annotations(annotated, tmp_path / "old.jsonl").kept_newer == [record["id"]]
    assert annotated.annotation(record["id"]).note == "edited elsewhere"


def test_the_import_is_one_undoable_change(annotated, tmp_path):
    path = tmp_path / "out.jsonl"
    write(path, export_jsonl(annotated))
    with open_store(":memory:") as fresh:
        fill(fresh)
        import_annotations(fresh, path)
        assert fresh.annotation_count() == 5
        undo(fresh)
        assert fresh.annotation_count() == 0
        assert fresh.db.execute("SELECT count(*) FROM links").fetchone()[0] == 0


def test_a_changed_version_of_an_article_gets_its_annotations_reanchored(annotated, tmp_path):
    records = [r for r in export_jsonl(annotated) if r["doc_title"] == "Envoy"]
    path = tmp_path / "envoy.jsonl"
    write(path, records)
    edited = "Editor's note: updated on Wednesday.\n" + ENVOY.replace(
        "Russia has repeatedly warned", "Russia has warned"
    )
    with open_store(":memory:") as fresh:
        new_id = add_doc(fresh, edited, title="Envoy", source="RT", url="https://example.org/envoy")
        report = import_annotations(fresh, path)
        assert report.reanchored == [records[0]["id"]]
        moved = fresh.annotation(records[0]["id"])
        assert (
            moved.doc_id == new_id
            and moved.text == edited[moved.start : moved.end] == "'resiliency force.'"
        )


def test_an_unplaceable_annotation_goes_to_review_with_its_record(annotated, tmp_path):
    records = [r for r in export_jsonl(annotated) if r["doc_title"] == "Envoy"]
    path = tmp_path / "envoy.jsonl"
    write(path, records)
    rewritten = ENVOY.replace("'resiliency force.'", "'reassurance force.'")
    with open_store(":memory:") as fresh:
        new_id = add_doc(
            fresh, rewritten, title="Envoy", source="RT", url="https://example.org/envoy"
        )
        report = import_annotations(fresh, path)
        assert report.review == [records[0]["id"]] and fresh.annotation_count() == 0
        [item] = review_items(fresh)
        assert item.doc_id == new_id and item.text == "'resiliency force.'"
        assert item.record["note"] == records[0]["note"] and item.reason
        # Importing again does not duplicate the review item, nor revive a discarded one.
        import_annotations(fresh, path)
        assert len(review_items(fresh)) == 1
        resolve_review(fresh, item.id, accept=False)
        assert import_annotations(fresh, path).unchanged == [item.id]
        assert review_items(fresh) == [] and fresh.annotation_count() == 0


# The same statement whole in one article and trimmed in another: accepting the
# link tags only the matched part of the longer sentence, so the link's side there
# is longer than the annotation it names.
WHOLE = (
    "The talks in Paris lasted for more than four hours. “We are ready to send peacekeeping "
    "troops to Ukraine as soon as a ceasefire is signed, but only with American air cover and "
    "intelligence support,” the minister told reporters in Paris on Tuesday."
)
TRIMMED = (
    "'We are ready to send peacekeeping troops to Ukraine as soon as a ceasefire is signed,' "
    "the minister said. Markets in Europe closed slightly higher on Tuesday."
)
ECHOED = "send peacekeeping troops to Ukraine as soon as a ceasefire is signed"


def add_whole_and_trimmed(store) -> tuple[str, str]:
    return (
        add_doc(store, WHOLE, title="Whole", source="Alpha"),
        add_doc(store, TRIMMED, title="Trimmed", source="Beta"),
    )


@pytest.fixture
def accepted_trimmed(store):
    whole, trimmed = add_whole_and_trimmed(store)
    mine = tag(store, whole, ECHOED)
    found = echoes(store, whole, mine.start, mine.end, mine.id)
    echo = next(e for e in found if e.doc_id == trimmed)
    made = accept(store, echo.link_id)
    assert made is not None and (made.start, made.end) != (echo.start, echo.end)
    return store


def link_rows(store) -> list[tuple]:
    columns = (
        "id, pair_key, status, a_doc_id, a_start, a_end, a_annotation_id, "
        "b_doc_id, b_start, b_end, b_annotation_id"
    )
    return sorted(store.db.execute(f"SELECT {columns} FROM links ORDER BY id").fetchall())


def test_reimporting_an_accepted_trimmed_link_never_stores_it_twice(accepted_trimmed, tmp_path):
    store = accepted_trimmed
    before = link_rows(store)
    records = export_jsonl(store)
    assert len(before) == 1 and len(records) == 2
    # An export from before links carried their id, our export, and each side alone.
    legacy = [r | {"links": [{k: v for k, v in e.items() if k != "link_id"} for e in r["links"]]}
              for r in records]  # fmt: skip
    files = {"full": records, "legacy": legacy, "first": records[:1], "second": records[1:]}
    for name, content in files.items():
        write(tmp_path / f"{name}.jsonl", content)
        import_annotations(store, tmp_path / f"{name}.jsonl")
        assert link_rows(store) == before, name


def test_a_fresh_import_restores_a_trimmed_link_with_its_id_and_sides(accepted_trimmed, tmp_path):
    records = export_jsonl(accepted_trimmed)
    write(tmp_path / "out.jsonl", records)
    with open_store(":memory:") as fresh:
        add_whole_and_trimmed(fresh)
        import_annotations(fresh, tmp_path / "out.jsonl")
        import_annotations(fresh, tmp_path / "out.jsonl")
        assert link_rows(fresh) == link_rows(accepted_trimmed)
        assert export_jsonl(fresh) == records


GOOD = {"id": "r1", "doc_id": "DOC", "label": "claim", "start": 0, "end": 7, "text": "Kellogg"}
# (a whole line, or changes to GOOD, or a raw "start" value) -> the error's gist
BAD_LINES = [
    ("not json", "not valid JSON"),
    ("[1, 2]", "expected a JSON object, found an array"),
    ('{"id": "x"}', "missing field 'doc_id'"),
    ({"start": "3"}, "start must be a whole number, not a string"),
    ({"start": 1.5}, "start must be a whole number"),
    ({"start": True}, "start must be a whole number, not true/false"),
    ({"end": 99999999999999999999}, "out of range"),
    ({"start": -1}, "out of range"),
    ({"label": "opinion"}, "unknown label 'opinion'"),
    ({"label": {}}, "label must be a string, not an object"),
    ({"colour": "red"}, "unknown field 'colour'"),
    ({"text": "Kellogg!"}, "text has 8 characters but span"),
    ({"start": 5, "end": 5, "text": ""}, "text is empty"),
    ({"created": "yesterday"}, "created must be an ISO 8601"),
    ({"links": [{"doc_id": "x"}]}, "links[0] has no 'annotation_id'"),
    (
        {"links": [{"annotation_id": None, "doc_id": "x", "score": 1e308, "status": "confirmed"}]},
        "links[0].score must be a number from 0 to 100",
    ),
    ({"id": "x" * 201}, "id is longer than 200 characters"),
    ("start=1e400", "start must be a whole number"),
    ("start=NaN", "NaN is not a number"),
    ("start=" + "9" * 5000, "number with 5000 digits is out of range"),
    ("[" * 5000 + "]" * 5000, "JSON nested too deeply"),
    ({"text": "\ud800x" * 1, "end": 2}, "text holds an unpaired UTF-16 surrogate"),
]


def _line(bad, doc_id: str) -> str:
    if isinstance(bad, dict):
        return json.dumps(GOOD | {"doc_id": doc_id} | bad)
    if bad.startswith("start="):
        return json.dumps(GOOD | {"doc_id": doc_id, "start": 0}).replace(
            '"start": 0', '"start": ' + bad[6:]
        )
    return bad


@pytest.mark.parametrize("bad, message", BAD_LINES, ids=[m for _, m in BAD_LINES])
def test_a_bad_line_is_a_one_line_error_naming_file_and_line_and_nothing_is_written(
    store, tmp_path, bad, message
):
    doc_id = add_doc(store, "Kellogg spoke. " + ENVOY)
    path = tmp_path / "bad.jsonl"
    good = json.dumps(GOOD | {"doc_id": doc_id, "id": "good"})
    path.write_text(good + "\n\n" + _line(bad, doc_id) + "\n", "utf-8")
    with pytest.raises(InputError) as caught:
        import_annotations(store, path)
    assert str(caught.value).startswith(f"{path}:3: ")
    assert message in str(caught.value) and "\n" not in str(caught.value)
    assert store.annotation_count() == 0
    assert store.db.execute("SELECT count(*) FROM events").fetchone()[0] == 0


def test_duplicate_ids_unknown_documents_and_offsets_past_the_end(store, tmp_path):
    doc_id = add_doc(store, "Kellogg spoke.")
    path = tmp_path / "x.jsonl"
    record = GOOD | {"doc_id": doc_id}
    write(path, [record, record])
    with pytest.raises(InputError, match=r"x\.jsonl:2: duplicate id 'r1'"):
        import_annotations(store, path)
    write(path, [record | {"doc_id": "0123456789abcdef"}])
    with pytest.raises(
        InputError, match=r"x\.jsonl:1: document 0123456789abcdef is not in the database"
    ):
        import_annotations(store, path)
    write(path, [record | {"start": 100, "end": 107}])
    with pytest.raises(InputError, match=r"x\.jsonl:1: span 100:107 is past the end"):
        import_annotations(store, path)
    assert store.annotation_count() == 0


def test_a_million_character_line_is_refused_without_reading_it_whole(store, tmp_path):
    add_doc(store, "Kellogg spoke.")
    path = tmp_path / "huge.jsonl"
    path.write_text('{"id": "' + "x" * 1_000_000 + '"}\n', "utf-8")
    with pytest.raises(InputError, match=r"huge\.jsonl:1: line longer than 500,000 characters"):
        import_annotations(store, path)


def test_missing_empty_and_binary_files(store, tmp_path):
    with pytest.raises(InputError, match="no such file"):
        import_annotations(store, tmp_path / "nope.jsonl")
    (tmp_path / "empty.jsonl").write_text("\n\n")
    with pytest.raises(InputError, match="no annotations in this file"):
        import_annotations(store, tmp_path / "empty.jsonl")
    (tmp_path / "bin.jsonl").write_bytes(b"\xff\xfe\x00\x81garbage")
    with pytest.raises(InputError, match=r"bin\.jsonl:1: not UTF-8"):
        import_annotations(store, tmp_path / "bin.jsonl")


def test_the_importer_and_the_shipped_schema_agree(store):
    schema = annotation_schema()
    assert set(FIELDS) == set(schema["properties"])
    assert {n for n, (_, required, _) in FIELDS.items() if required} == set(schema["required"])
    validator = jsonschema.Draft202012Validator(schema)
    for bad, message in BAD_LINES:
        if "characters but span" in message or "surrogate" in message:
            continue  # rules JSON Schema cannot express (across fields; within strings)
        try:
            instance = json.loads(_line(bad, "DOC"))
        except (ValueError, RecursionError):
            continue  # not JSON Python reads: nothing for a schema to say
        try:
            parse_record(_line(bad, "DOC"))
            importer_says_ok = True
        except RecordError:
            importer_says_ok = False
        assert validator.is_valid(instance) == importer_says_ok, bad
    assert validator.is_valid(GOOD) and parse_record(json.dumps(GOOD))
