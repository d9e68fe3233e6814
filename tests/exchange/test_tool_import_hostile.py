"""Hostile files for `import-annotations --from TOOL`: each is refused with one line
naming the file and the place, or imported as the tool meant it, never half-read."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from store import open_store
from tui.cli.main import cli

TEXT = "Officials said the plan would cost 5 billion dollars. Critics disagreed strongly."
HUGE = "9" * 5000


def run(db: Path, *args: str):
    return CliRunner().invoke(cli, ["--db", str(db), *args])


def refused(db: Path, *args: str) -> str:
    result = run(db, *args)
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output and "internal error" not in result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    return lines[0]


def imported(db: Path, *args: str) -> str:
    result = run(db, *args)
    assert result.exit_code == 0, result.output
    return result.output


def spans(db: Path) -> list[tuple[int, int, str, str]]:
    with open_store(db) as store:
        rows = store.db.execute(
            'SELECT start, "end", label, text FROM annotations ORDER BY start, "end", label'
        ).fetchall()
    return [tuple(r) for r in rows]


@pytest.fixture
def db(tmp_path) -> Path:
    return tmp_path / "s.db"


def write(tmp_path: Path, name: str, content: str) -> Path:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    return path


def brat(tmp_path: Path, folder: str, files: dict[str, str]) -> Path:
    root = tmp_path / folder
    for name, content in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(content, encoding="utf-8")
    return root


# -- 1. a number too long for Python's int() ---------------------------------------


MARK = 123456789  # replaced by HUGE in the file's text


def huge(record: dict) -> str:
    return json.dumps(record).replace(str(MARK), HUGE)


W3C_TARGET = {"source": "https://ex.org/a", "selector": {"type": "TextPositionSelector"}}


@pytest.mark.parametrize(
    ("tool", "content"),
    [
        ("doccano", huge({"text": TEXT, "label": [[0, MARK, "claim"]]})),
        ("prodigy", huge({"text": TEXT, "spans": [{"start": 0, "end": MARK, "label": "claim"}]})),
        ("documents", huge({"text": TEXT, "spans": [{"start": MARK, "end": 9, "label": "x"}]})),
        ("w3c", huge({"id": "urn:x:1", "type": "Annotation", "target": W3C_TARGET, "n": MARK})),
    ],
    ids=["doccano", "prodigy", "documents", "w3c"],
)
def test_a_huge_number_is_one_line_with_its_line(db, tmp_path, tool, content):
    path = write(tmp_path, f"{tool}.jsonl", content + "\n")
    assert refused(db, "import-annotations", "--from", tool, str(path)) == (
        f"sidenote: {path}:1: number with 5000 digits is out of range"
    )


def test_a_huge_number_in_label_studio_json(db, tmp_path):
    task = {"data": {"text": TEXT}, "annotations": [{"result": [{"id": "r1", "type": "labels",
            "value": {"start": 0, "end": 0, "labels": ["claim"]}}]}]}  # fmt: skip
    path = write(tmp_path, "ls.json", json.dumps([task]).replace('"end": 0', f'"end": {HUGE}'))
    assert refused(db, "import-annotations", "--from", "label-studio", str(path)) == (
        f"sidenote: {path}: number with 5000 digits is out of range"
    )


def test_a_huge_offset_in_brat(db, tmp_path):
    root = brat(tmp_path, "b", {"x.txt": TEXT, "x.ann": f"T1\tclaim 0 {HUGE}\tOfficials\n"})
    assert refused(db, "import-annotations", "--from", "brat", str(root)) == (
        f"sidenote: {root / 'x.ann'}:T1: number with 5000 digits is out of range"
    )


# -- 2. W3C bodies and targets in the other shapes the model allows -------------------


def w3c_line(db: Path, **fields) -> str:
    from tests.exchange_data import add_doc

    with open_store(db) as store:
        doc_id = add_doc(store, TEXT, title="Plan")
    target = {
        "source": f"urn:sidenote:doc:{doc_id}",
        "selector": {"type": "TextPositionSelector", "start": 0, "end": 9},
    }
    record = {"id": "urn:x:1", "type": "Annotation", "body": "claim", "target": target}
    record.update(fields)
    return json.dumps(record) + "\n"


def test_w3c_body_as_a_string_is_the_tag(db, tmp_path):
    path = write(tmp_path, "w.jsonl", w3c_line(db))
    assert "1 records: 1 added" in imported(db, "import-annotations", "--from", "w3c", str(path))
    assert spans(db) == [(0, 9, "claim", "Officials")]


def test_w3c_one_target_in_an_array_is_read(db, tmp_path):
    line = w3c_line(db)
    record = json.loads(line)
    record["target"] = [record["target"]]
    path = write(tmp_path, "w.jsonl", json.dumps(record) + "\n")
    imported(db, "import-annotations", "--from", "w3c", str(path))
    assert spans(db) == [(0, 9, "claim", "Officials")]


def test_w3c_target_as_a_string_says_what_is_wrong(db, tmp_path):
    path = write(tmp_path, "w.jsonl", w3c_line(db, target="urn:sidenote:doc:x"))
    line = refused(db, "import-annotations", "--from", "w3c", str(path))
    assert line.startswith(f"sidenote: {path}:urn:x:1: the target is only an address")
    assert "TextPositionSelector" in line


def test_w3c_two_targets_are_refused_by_count(db, tmp_path):
    path = write(tmp_path, "w.jsonl", w3c_line(db, target=[{}, {}]))
    assert refused(db, "import-annotations", "--from", "w3c", str(path)) == (
        f"sidenote: {path}:urn:x:1: 2 targets; Sidenote reads one target per Annotation"
    )


# -- 3. brat discontinuous spans ---------------------------------------------------


def test_brat_discontinuous_span_leaving_words_out_is_refused(db, tmp_path):
    root = brat(
        tmp_path, "b", {"x.txt": "Alpha beta gamma.", "x.ann": "T1\tclaim 0 5;11 16\tAlpha gamma\n"}
    )
    assert refused(db, "import-annotations", "--from", "brat", str(root)) == (
        f"sidenote: {root / 'x.ann'}:T1: discontinuous span 0 5;11 16 leaves out ' beta ' "
        "(a Sidenote span is one piece; split it into one annotation per piece)"
    )
    assert not db.exists() or spans(db) == []


def test_brat_span_split_at_a_line_break_is_one_span(db, tmp_path):
    root = brat(
        tmp_path,
        "b",
        {"x.txt": "Alpha beta\ngamma.", "x.ann": "T1\tclaim 6 10;11 16\tbeta gamma\n"},
    )
    imported(db, "import-annotations", "--from", "brat", str(root))
    assert spans(db) == [(6, 16, "claim", "beta\ngamma")]


# -- 4. brat collections in subfolders ---------------------------------------------


def test_brat_reads_subfolders_pairing_files_per_folder(db, tmp_path):
    root = brat(
        tmp_path,
        "b",
        {
            "a.txt": "One two three.",
            "a.ann": "T1\tclaim 0 3\tOne\n",
            "sub/a.txt": "Four five six.",  # the same name in another folder: its own pair
            "sub/a.ann": "T1\tquote 5 9\tfive\n",
            "sub/deep/c.txt": "Deep down here.",
            "sub/deep/c.ann": "T1\tclaim 0 4\tDeep\n",
        },
    )
    (root / "sub" / "deep" / "e.txt").symlink_to(root / "a.txt")  # a link to a regular file
    (root / "sub" / "deep" / "e.ann").write_text("T1\tproposal 4 7\ttwo\n", encoding="utf-8")
    output = imported(db, "import-annotations", "--from", "brat", str(root))
    assert "4 records: 4 added" in output
    assert spans(db) == [
        (0, 3, "claim", "One"),
        (0, 4, "claim", "Deep"),
        (4, 7, "proposal", "two"),
        (5, 9, "quote", "five"),
    ]


def test_brat_text_linked_to_a_fifo_is_refused(db, tmp_path):
    import os

    root = brat(tmp_path, "b", {"x.ann": "T1\tclaim 0 3\tOne\n"})
    os.mkfifo(tmp_path / "fifo")
    (root / "x.txt").symlink_to(tmp_path / "fifo")
    assert refused(db, "import-annotations", "--from", "brat", str(root)) == (
        f"sidenote: {root / 'x.txt'}: not a regular file (a link to a FIFO)"
    )


# -- 5. one id on two spans ----------------------------------------------------------


def region(rid: str, start: int, end: int, label: str = "claim") -> dict:
    value = {"start": start, "end": end, "text": TEXT[start:end], "labels": [label]}
    return {"id": rid, "from_name": "label", "to_name": "text", "type": "labels", "value": value}


def test_label_studio_region_id_on_two_spans_is_refused(db, tmp_path):
    task = {
        "data": {"text": TEXT},
        "annotations": [{"result": [region("dup", 0, 9)]}, {"result": [region("dup", 10, 14)]}],
    }
    path = write(tmp_path, "ls.json", json.dumps([task]))
    assert refused(db, "import-annotations", "--from", "label-studio", str(path)) == (
        f"sidenote: {path}:dup: id 'dup' twice in the file"
    )


def test_label_studio_same_region_from_two_annotators_is_one(db, tmp_path):
    task = {
        "data": {"text": TEXT},
        "annotations": [{"result": [region("r", 0, 9)]}, {"result": [region("r", 0, 9)]}],
    }
    path = write(tmp_path, "ls.json", json.dumps([task]))
    imported(db, "import-annotations", "--from", "label-studio", str(path))
    assert spans(db) == [(0, 9, "claim", "Officials")]


def test_prodigy_span_id_on_two_spans_is_refused(db, tmp_path):
    record = {
        "text": TEXT,
        "spans": [
            {"id": "X", "start": 0, "end": 9, "label": "claim"},
            {"id": "X", "start": 10, "end": 14, "label": "claim"},
        ],
    }
    path = write(tmp_path, "p.jsonl", json.dumps(record) + "\n")
    assert refused(db, "import-annotations", "--from", "prodigy", str(path)) == (
        f"sidenote: {path}:1: id 'X' twice in the file"
    )


def test_brat_annotation_id_twice_is_refused(db, tmp_path):
    root = brat(
        tmp_path, "b", {"x.txt": TEXT, "x.ann": "T1\tclaim 0 9\tOfficials\nT1\tquote 10 14\tsaid\n"}
    )
    assert refused(db, "import-annotations", "--from", "brat", str(root)) == (
        f"sidenote: {root / 'x.ann'}:T1: id 'T1' twice in the file"
    )


# -- 6. two labels on one span -------------------------------------------------------


def test_doccano_claim_and_quote_on_one_span_are_both_kept(db, tmp_path):
    record = {"text": TEXT, "label": [[0, 9, "quote"], [0, 9, "claim"]]}
    path = write(tmp_path, "d.jsonl", json.dumps(record) + "\n")
    assert "2 records: 2 added" in imported(
        db, "import-annotations", "--from", "doccano", str(path)
    )
    assert spans(db) == [(0, 9, "claim", "Officials"), (0, 9, "quote", "Officials")]
    again = imported(db, "import-annotations", "--from", "doccano", str(path))
    assert "2 records: 0 added, 0 updated, 2 unchanged" in again


def test_brat_same_label_twice_is_one_annotation_and_said(db, tmp_path):
    ann = "T1\tclaim 0 9\tOfficials\nT2\tclaim 0 9\tOfficials\nT3\tquote 0 9\tOfficials\n"
    root = brat(tmp_path, "b", {"x.txt": TEXT, "x.ann": ann})
    output = imported(db, "import-annotations", "--from", "brat", str(root))
    assert "2 records: 2 added" in output
    assert "1 listed again (same label on the same words) kept once" in output
    assert spans(db) == [(0, 9, "claim", "Officials"), (0, 9, "quote", "Officials")]


# -- 7. a span starting on a combining mark ------------------------------------------


def test_span_starting_on_a_combining_mark_is_refused(db, tmp_path):
    text = "They met at the e\u0301cole at noon."
    start = text.index("\u0301")
    record = {"text": text, "label": [[start, start + 5, "claim"]]}
    path = write(tmp_path, "d.jsonl", json.dumps(record) + "\n")
    assert refused(
        db, "import-annotations", "--from", "doccano", "--offsets", "codepoints", str(path)
    ) == (
        f"sidenote: {path}:1: span {start}:{start + 5} (codepoints) starts inside a character "
        "(offsets counted in codepoints; see --offsets)"
    )


# -- 8. a paginated W3C collection ---------------------------------------------------


def test_w3c_collection_with_more_pages_is_refused(db, tmp_path):
    annotation = json.loads(w3c_line(db))
    collection = {
        "id": "http://ex/c",
        "type": "AnnotationCollection",
        "total": 2,
        "first": {"id": "http://ex/c/p1", "type": "AnnotationPage", "next": "http://ex/c/p2",
                  "items": [annotation]},
    }  # fmt: skip
    path = write(tmp_path, "w.json", json.dumps(collection))
    assert refused(db, "import-annotations", "--from", "w3c", str(path)) == (
        f"sidenote: {path}: collection has more pages (next http://ex/c/p2): total 2, 1 here"
    )
    assert spans(db) == []


# -- 9. rejected, cancelled, unsupported; --map twice -------------------------------


@pytest.mark.parametrize("answer", ["reject", "ignore"])
def test_prodigy_rejected_or_ignored_task_is_skipped_and_counted(db, tmp_path, answer):
    tasks = [
        {"text": TEXT, "spans": [{"start": 0, "end": 9, "label": "claim"}], "answer": answer},
        {"text": TEXT, "spans": [{"start": 10, "end": 14, "label": "quote"}], "answer": "accept"},
    ]
    path = write(tmp_path, "p.jsonl", "".join(json.dumps(t) + "\n" for t in tasks))
    output = imported(db, "import-annotations", "--from", "prodigy", str(path))
    assert "1 records: 1 added" in output
    assert f"1 skipped (Prodigy task answered '{answer}')" in output
    assert spans(db) == [(10, 14, "quote", "said")]


def test_label_studio_cancelled_annotation_is_skipped_and_counted(db, tmp_path):
    task = {
        "data": {"text": TEXT},
        "annotations": [
            {"was_cancelled": True, "result": [region("c", 0, 9)]},
            {"result": [region("k", 10, 14, "quote")]},
        ],
    }
    path = write(tmp_path, "ls.json", json.dumps([task]))
    output = imported(db, "import-annotations", "--from", "label-studio", str(path))
    assert "1 skipped (Label Studio annotation cancelled)" in output
    assert spans(db) == [(10, 14, "quote", "said")]


def test_label_studio_only_unsupported_results_names_them(db, tmp_path):
    result = {"id": "h1", "type": "hypertextlabels", "value": {"startOffset": 0, "endOffset": 5}}
    task = {"data": {"text": TEXT}, "annotations": [{"result": [result]}]}
    path = write(tmp_path, "ls.json", json.dumps([task]))
    assert refused(db, "import-annotations", "--from", "label-studio", str(path)) == (
        f"sidenote: {path}: no annotations in this file; it holds only results Sidenote "
        "does not read (hypertextlabels; Sidenote reads 'labels')"
    )


def test_one_label_mapped_two_ways_is_refused(db, tmp_path):
    path = write(tmp_path, "d.jsonl", json.dumps({"text": TEXT, "label": [[0, 9, "CLAIM"]]}) + "\n")
    args = ["--map", "CLAIM=claim", "--map", "CLAIM=quote"]
    assert refused(db, "import-annotations", "--from", "doccano", *args, str(path)) == (
        "sidenote: --map: CLAIM is mapped twice (claim and quote)"
    )


# -- a read-only command on a database that is not there ------------------------------


@pytest.mark.parametrize("command", [["export"], ["stats"], ["search", "plan"], ["statements"]])
def test_read_only_command_on_a_missing_database_creates_nothing(tmp_path, command):
    missing = tmp_path / "nonexist.sqlite"
    assert refused(missing, *command) == f"sidenote: --db {missing}: no such database"
    assert list(tmp_path.iterdir()) == []
