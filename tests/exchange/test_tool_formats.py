"""Exports in each tool's own shape, read by that tool's parser where it installs
from PyPI (spaCy, pybrat for brat, label-studio-converter), else checked against the
tool's documented shape (doccano, Prodigy, W3C musts); each sliced the tool's way
(UTF-16 for doccano) on emoji, ZWJ, CJK, RTL and CRLF text, and imported back."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from store import open_store
from store.exchange.tools_write import LABEL_STUDIO_CONFIG
from tests.exchange_data import ENVOY, MULTISCRIPT, add_doc, tag
from tui.cli.main import cli

RTL = 'قال الوزير: «سنرسل قوات حفظ السلام». ואז אמר השר: "נשלח כוחות" מחר.\r\nסוף.'
SPANS = [
    (MULTISCRIPT, "'resiliency force' \U0001f469\u200d\U0001f469\u200d\U0001f467", "quote"),
    (MULTISCRIPT, "北京欢迎你", "claim"),
    (MULTISCRIPT, "Cafe\u0301 owners shrugged \U0001f1fa\U0001f1e6", "proposal"),
    (MULTISCRIPT, "\U0001d11e\tends the piece", "claim"),
    (RTL, "«سنرسل قوات حفظ السلام»", "quote"),
    (RTL, '"נשלח כוחות" מחר.\r\nסוף', "claim"),
    (ENVOY, "resiliency force", "quote"),
]


def sidenote(db, *args: str, code: int = 0):
    result = CliRunner().invoke(cli, ["--db", str(db), *args])
    assert result.exit_code == code, result.output
    return result


@pytest.fixture
def db(tmp_path):
    path = tmp_path / "first.db"
    with open_store(path) as store:
        docs = {
            MULTISCRIPT: add_doc(store, MULTISCRIPT, title="Multi", source="Wire"),
            RTL: add_doc(store, RTL, title="RTL", source="Al"),
            ENVOY: add_doc(store, ENVOY, title="Envoy", url="https://example.org/envoy"),
        }
        for text, quote, label in SPANS:
            extra = {"note": "n\u00f6te", "speaker": "Kellogg"} if label == "quote" else {}
            tag(store, docs[text], quote, label, **extra)
    return path


def annotations(path) -> set[tuple]:
    with open_store(path) as store:
        rows = store.db.execute(
            'SELECT a.doc_id, a.start, a."end", a.label, a.text, d.title FROM annotations a '
            "JOIN documents d ON d.id = a.doc_id"
        ).fetchall()
    return {tuple(r) for r in rows}


def notes(path) -> set[tuple]:
    with open_store(path) as store:
        return set(store.db.execute("SELECT text, note, speaker FROM annotations").fetchall())


def utf16_slice(text: str, start: int, end: int) -> str:
    """JavaScript's text.slice(start, end)."""
    return text.encode("utf-16-le")[2 * start : 2 * end].decode("utf-16-le")


EXPECTED = {(quote, label) for _, quote, label in SPANS}


def round_trip(
    db, tmp_path, tool: str, exported, *extra: str, carries_notes=True, carries_titles=True
):
    second = tmp_path / f"second-{tool}.db"
    first = sidenote(second, "import-annotations", "--from", tool, str(exported), *extra)
    assert "7 records: 7 added" in first.output
    if carries_titles:
        assert annotations(second) == annotations(db)
    else:  # brat: a title is derived from the text
        assert {a[:5] for a in annotations(second)} == {a[:5] for a in annotations(db)}
    if carries_notes:
        assert notes(second) == notes(db)
    before = annotations(second)
    again = sidenote(second, "import-annotations", "--from", tool, str(exported), *extra)
    assert "7 unchanged" in again.output
    assert annotations(second) == before
    # Back into the database it came from: the same annotations, nothing added.
    sidenote(db, "import-annotations", "--from", tool, str(exported), *extra)
    assert len(annotations(db)) == len(SPANS)


def test_doccano_counts_utf16_and_comes_back(db, tmp_path):
    out = tmp_path / "doccano.jsonl"
    sidenote(db, "export", "--format", "doccano", "-o", str(out))
    found = set()
    for line in out.read_text("utf-8").splitlines():
        example = json.loads(line)
        # doccano's documented sequence-labelling import: text + label [[start, end, label]]
        assert {"id", "text", "label"} <= set(example)
        for start, end, label in example["label"]:
            found.add((utf16_slice(example["text"], start, end), label))
    assert found == EXPECTED
    round_trip(db, tmp_path, "doccano", out)


def test_doccano_with_code_point_offsets_needs_the_same_unit_back(db, tmp_path):
    out = tmp_path / "doccano-cp.jsonl"
    sidenote(db, "export", "--format", "doccano", "--offsets", "codepoints", "-o", str(out))
    for line in out.read_text("utf-8").splitlines():
        example = json.loads(line)
        for start, end, _ in example["label"]:
            assert example["text"][start:end] in {q for q, _ in EXPECTED}
    round_trip(db, tmp_path, "doccano", out, "--offsets", "codepoints")


def test_byte_offsets_slice_the_utf8_text_and_come_back(db, tmp_path):
    out = tmp_path / "prodigy-bytes.jsonl"
    sidenote(db, "export", "--format", "prodigy", "--offsets", "bytes", "-o", str(out))
    found = set()
    for line in out.read_text("utf-8").splitlines():
        task = json.loads(line)
        raw = task["text"].encode("utf-8")
        for span in task["spans"]:
            found.add((raw[span["start"] : span["end"]].decode("utf-8"), span["label"]))
    assert found == EXPECTED
    round_trip(db, tmp_path, "prodigy", out, "--offsets", "bytes")


def test_an_offset_inside_a_character_is_refused_with_file_and_line(tmp_path):
    out = tmp_path / "split.jsonl"
    # UTF-16 offset 1 is between the two halves of the emoji.
    out.write_text(json.dumps({"text": "\U0001f600 ok", "label": [[1, 5, "claim"]]}) + "\n")
    bad = sidenote(tmp_path / "s.db", "import-annotations", "--from", "doccano", str(out), code=1)
    assert bad.output.startswith(f"sidenote: {out}:1: ") and "inside a character" in bad.output


def test_label_studio_converter_reads_the_tasks(db, tmp_path):
    from label_studio_converter import Converter

    out = tmp_path / "tasks.json"
    sidenote(db, "export", "--format", "label-studio", "-o", str(out))
    converter = Converter(LABEL_STUDIO_CONFIG, str(tmp_path), download_resources=False)
    found, speakers = set(), 0
    for item in converter.iter_from_json_file(str(out)):
        text = item["input"]["text"]
        for value in item["output"]["label"]:
            assert text[value["start"] : value["end"]] == value["text"]
            found.add((value["text"], value["labels"][0]))
        speakers += len(item["output"].get("speaker", []))
    assert found == EXPECTED
    assert speakers == 3
    round_trip(db, tmp_path, "label-studio", out)


def test_prodigy_tasks_come_back(db, tmp_path):
    out = tmp_path / "prodigy.jsonl"
    sidenote(db, "export", "--format", "prodigy", "-o", str(out))
    found = set()
    for line in out.read_text("utf-8").splitlines():
        task = json.loads(line)
        assert set(task) == {"text", "spans", "meta"}
        for span in task["spans"]:
            assert task["text"][span["start"] : span["end"]] == span["text"]
            found.add((span["text"], span["label"]))
    assert found == EXPECTED
    round_trip(db, tmp_path, "prodigy", out)


def test_brat_folder_reads_in_pybrat_and_comes_back(db, tmp_path):
    from pybrat.parser import BratParser

    out = tmp_path / "brat"
    sidenote(db, "export", "--format", "brat", "-o", str(out))
    assert (out / "annotation.conf").is_file() and (out / "visual.conf").is_file()
    found = set()
    for example in BratParser(error="raise").parse(out):
        raw = (out / f"{example.id}.txt").read_bytes().decode("utf-8")
        for entity in example.entities:
            pieces = [raw[s.start : s.end] for s in entity.spans]
            assert " ".join(pieces) == entity.mention
            whole = raw[entity.spans[0].start : entity.spans[-1].end]
            found.add((whole, entity.type))
    assert found == EXPECTED
    round_trip(db, tmp_path, "brat", out, carries_titles=False)


def test_spacy_docbin_holds_every_span(db, tmp_path):
    import spacy
    from spacy.tokens import DocBin

    out = tmp_path / "out.spacy"
    sidenote(db, "export", "--format", "spacy", "-o", str(out))
    docs = list(DocBin().from_disk(out).get_docs(spacy.blank("xx").vocab))
    exact, spans = set(), 0
    for doc in docs:
        for span in doc.user_data["sidenote"]["spans"]:
            assert doc.text[span["start"] : span["end"]] == span["text"]
            assert doc.char_span(span["start"], span["end"], alignment_mode="expand") is not None
            exact.add((span["text"], span["label"]))
        for span in doc.spans["sidenote"]:
            spans += 1
            assert any(q in span.text for q, label in EXPECTED if label == span.label_)
    assert exact == EXPECTED and spans == len(SPANS)


def test_w3c_collection_meets_the_musts_and_comes_back(db, tmp_path):
    out = tmp_path / "anno.jsonld"
    sidenote(db, "export", "--format", "w3c", "-o", str(out))
    collection = json.loads(out.read_text("utf-8"))
    assert "http://www.w3.org/ns/anno.jsonld" in collection["@context"]
    assert collection["type"] == "AnnotationCollection"
    items = collection["first"]["items"]
    assert collection["total"] == len(items) == len(SPANS)
    with open_store(db) as store:
        texts = {d: store.document(d).text for d, *_ in annotations(db)}
    found = set()
    for item in items:
        assert item["type"] == "Annotation" and item["id"] and item["target"]
        target = item["target"]
        quote, position = target["selector"]
        assert quote["type"] == "TextQuoteSelector" and position["type"] == "TextPositionSelector"
        source = target["source"]["id"]
        if source.startswith("https://"):
            assert source == "https://example.org/envoy"
        doc = (target.get("scope") or source).rsplit(":", 1)[-1]
        assert texts[doc][position["start"] : position["end"]] == quote["exact"]
        found.add((quote["exact"], item["body"][0]["value"]))
    assert found == EXPECTED
    # W3C carries no article text: the articles must be in the second database.
    second = tmp_path / "second-w3c.db"
    with open_store(db) as source, open_store(second) as target:
        for doc_id, text in texts.items():
            document = source.document(doc_id)
            add_doc(target, text, title=document.title, url=document.url)
    sidenote(second, "import-annotations", "--from", "w3c", str(out))
    assert annotations(second) == annotations(db)
    lines = tmp_path / "anno.jsonl"
    sidenote(db, "export", "--format", "w3c", "--lines", "-o", str(lines))
    assert len(lines.read_text("utf-8").splitlines()) == len(SPANS)


def test_documents_come_back(db, tmp_path):
    out = tmp_path / "documents.jsonl"
    sidenote(db, "export", "--format", "documents", "-o", str(out))
    round_trip(db, tmp_path, "documents", out, carries_notes=False)


def test_a_span_that_does_not_hold_its_text_refuses_the_file(db, tmp_path):
    out = tmp_path / "prodigy.jsonl"
    sidenote(db, "export", "--format", "prodigy", "-o", str(out))
    lines = out.read_text("utf-8").splitlines()
    task = json.loads(lines[-1])
    task["spans"][-1]["start"] += 1
    lines[-1] = json.dumps(task, ensure_ascii=False)
    out.write_text("\n".join(lines) + "\n", "utf-8")
    second = tmp_path / "second.db"
    bad = sidenote(second, "import-annotations", "--from", "prodigy", str(out), code=1)
    assert bad.output.startswith(f"sidenote: {out}:{len(lines)}: ")
    with open_store(second) as store:
        assert store.db.execute("SELECT count(*) FROM documents").fetchone()[0] == 0


def test_unknown_labels_are_refused_by_name_or_mapped(tmp_path):
    out = tmp_path / "ner.jsonl"
    out.write_text(
        json.dumps({"text": "Kellogg met Macron in Paris.", "label": [[12, 18, "PER"]]}) + "\n"
    )
    db = tmp_path / "ner.db"
    bad = sidenote(db, "import-annotations", "--from", "doccano", str(out), code=1)
    assert "unknown label 'PER'" in bad.output and "--map PER=claim" in bad.output
    sidenote(db, "import-annotations", "--from", "doccano", str(out), "--map", "PER=quote")
    assert {(r[3], r[4]) for r in annotations(db)} == {("quote", "Macron")}
