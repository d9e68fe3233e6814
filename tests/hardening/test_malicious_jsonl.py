"""Malicious JSONL through `sidenote import` and `sidenote import-annotations`.

Wrong types, huge numbers, offsets past the end, duplicate ids, deep nesting, a
million-character line: each is refused with one line naming the file and the
line, exit status 1, and the database is byte-for-byte what it was (a full dump
of every table compared before and after).
"""

from __future__ import annotations

import json
import tracemalloc
from datetime import datetime

import pytest
from click.testing import CliRunner

from store import InputError, create_annotation, open_store, undo
from store.exchange.read import FIELDS, import_annotations
from store.exchange.records import annotation_record
from store.importing.ingest import import_paths
from tests.exchange_data import ENVOY, POST, add_doc, tag
from tui.cli.main import cli

from .checks import assert_consistent, digest
from .conftest import SEEDS

MILLION = 1_000_000


@pytest.fixture(scope="module")
def library(tmp_path_factory):
    """A database with the seeds and one annotation, and a valid exported record."""
    path = tmp_path_factory.mktemp("malicious") / "lib.db"
    with open_store(path) as store:
        assert import_paths(store, [SEEDS]).ok
        doc_id = store.document_ids()[0]
        sentence = store.sentences(doc_id)[1]
        made = create_annotation(store, doc_id, sentence.start, sentence.end, "quote", note="n")
        record = annotation_record(store, made.id)
        length = len(store.document(doc_id).text)
    return {"path": path, "record": record, "doc_length": length}


def refuse(library, tmp_path, command: str, content: str, expected: str, figures_count) -> str:
    """Run the command on a file with `content`; it must refuse and change nothing.

    `expected` is `WHERE: PROBLEM`: the line must start with `sidenote: FILE` then
    WHERE (the two importers place the line number differently: `FILE: line 2: ...`
    for articles, `FILE:2: ...` for annotations, as compilers do), and contain
    PROBLEM.
    """
    figures_count(f"malicious {command}")
    path = tmp_path / "evil.jsonl"
    path.write_text(content, encoding="utf-8", errors="surrogatepass")
    before = digest(library["path"])
    result = CliRunner().invoke(cli, ["--db", str(library["path"]), command, str(path)])
    assert result.exit_code == 1, result.output
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    where, _, problem = expected.partition(": ")
    assert lines[0].startswith(f"sidenote: {path}{where}: ") and problem in lines[0], lines[0]
    assert "Traceback" not in result.output and "internal error" not in lines[0]
    assert digest(library["path"]) == before
    return lines[0]


def line(obj) -> str:
    return json.dumps(obj, ensure_ascii=False) + "\n"


ARTICLE_CASES = {
    "text is a number": (line({"text": 5}), ": line 1: 'text' must be a string"),
    "text is a list": (line({"text": ["a", "b"]}), ": line 1: 'text' must be a string"),
    "title is an object": (
        line({"text": "Fine text.", "title": {"a": 1}}),
        ": line 1: 'title' must be a string",
    ),
    "text is true": (line({"text": True}), ": line 1: 'text' must be a string"),
    "text is null": (line({"text": None}), ": line 1: 'text' is missing or empty"),
    "no text": (line({"title": "only a title"}), ": line 1: 'text' is missing or empty"),
    "a bare array": ("[1, 2, 3]\n", ": line 1: expected a JSON object"),
    "a bare string": ('"just text"\n', ": line 1: expected a JSON object"),
    "infinity": ('{"text": 1e999}\n', ": line 1: 'text' must be a string"),
    "NaN": ('{"text": NaN}\n', ": line 1: 'text' must be a string"),
    "a 5000-digit number": (
        '{"text": ' + "9" * 5000 + "}\n",
        ": line 1: a number with too many digits",
    ),
    "deep nesting": (
        '{"text": ' + "[" * 100_000 + "]" * 100_000 + "}\n",
        ": line 1: JSON nested too deeply",
    ),
    "good line then bad line": (
        line({"text": "A perfectly good article."}) + "{oops\n",
        ": line 2: not valid JSON",
    ),
    "truncated last line": (line({"text": "Good."}) + '{"text": "cut', ": line 2: not valid JSON"),
    "a million-character broken line": (
        '{"text": "' + "x" * MILLION + "\n",
        ": line 1: not valid JSON",
    ),
    "surrogate in url": (
        '{"text": "Fine.", "url": "http://a/\\ud800"}\n',
        ": line 1: invalid Unicode (an unpaired surrogate) in 'url'",
    ),
}


@pytest.mark.parametrize("content, expected", ARTICLE_CASES.values(), ids=ARTICLE_CASES.keys())
def test_malicious_article_jsonl_is_refused_and_changes_nothing(
    library, tmp_path, content, expected, figures_count
):
    refuse(library, tmp_path, "import", content, expected, figures_count)


def test_a_million_character_article_imports_in_bounded_memory(tmp_path, figures_count):
    """Memory, not time: a bound that holds however busy the machine is. It leaves
    the import several times what it needs; a copy of the text per word or per
    sentence would break it."""
    figures_count("malicious import")
    words = ("claim quote proposal envoy " * (MILLION // 26 + 1))[:MILLION]
    path = tmp_path / "long.jsonl"
    path.write_text(line({"text": words, "title": "one very long line"}))
    db = tmp_path / "long.db"
    tracemalloc.start()
    try:
        result = CliRunner().invoke(cli, ["--db", str(db), "import", str(path)])
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert result.exit_code == 0, result.output
    assert peak < 40 * MILLION, f"peak {peak / 1e6:.0f} MB"
    with open_store(db) as store:
        (doc_id,) = store.document_ids()
        assert store.document(doc_id).text == words.strip()
    assert_consistent(db)


def annotation_cases(record: dict, doc_length: int) -> dict[str, tuple[str, str]]:
    def variant(**changes) -> str:
        return line({**record, **changes})

    past = doc_length + 10

    def other_side(**changes) -> dict:
        return {"annotation_id": None, "doc_id": record["doc_id"], "start": 0, "end": 1,
                "score": 90.0, "status": "confirmed"} | changes  # fmt: skip

    return {
        "start is a string": (variant(start="0"), ":1: start must be a whole number, not a string"),
        "start is fractional": (variant(start=1.5), ":1: start must be a whole number"),
        "start is true": (variant(start=True), ":1: start must be a whole number"),
        "end is 1e308": (variant(end=1e308), ":1: end must be a whole number"),
        "start is 10**30": (
            variant(start=10**30, end=10**30 + len(record["text"])),
            ":1: out of range",
        ),
        "start is negative": (variant(start=-5), ":1: start -5 is out of range"),
        "offsets past the end": (
            variant(start=past, end=past + len(record["text"])),
            f":1: span {past}:{past + len(record['text'])} is past the end",
        ),
        "end before start": (
            variant(start=record["end"], end=record["start"]),
            f":1: span {record['end']}:{record['start']} is empty or reversed",
        ),
        "text does not fit the span": (variant(text=record["text"] + "!"), ":1: text has"),
        "unknown label": (variant(label="rumour"), ":1: unknown label 'rumour'"),
        "id is a number": (variant(id=123), ":1: id must be a string"),
        "empty id": (variant(id=""), ":1: id is empty"),
        "unknown document": (
            variant(doc_id="ffffffffffffffff", url="", doc_title="", source=""),
            ":1: document ffffffffffffffff is not in the database",
        ),
        "duplicate ids": (variant(id="dup-1") + variant(id="dup-1"), ":2: duplicate id 'dup-1'"),
        "unknown field": (variant(evil="x"), ":1: unknown field 'evil'"),
        "NaN score in links": (
            variant(
                links=[
                    {
                        "annotation_id": None,
                        "doc_id": record["doc_id"],
                        "score": "NaN",
                        "status": "confirmed",
                    }
                ]
            ),
            ":1: links[0].score must be a number",
        ),
        "a 5000-digit number": (
            line(record).replace(f'"start": {record["start"]}', '"start": ' + "9" * 5000),
            ":1: out of range",
        ),
        "deep nesting": (
            '{"id": ' + "[" * 100_000 + "]" * 100_000 + "}\n",
            ":1: nested too deeply",
        ),
        "escaped surrogate in the note": (
            json.dumps({**record, "note": "a\ud800b"}) + "\n",
            ":1: unpaired",
        ),
        "a file that is not UTF-8": (variant(note="a\ud800b"), ":1: not UTF-8"),
        "a million-character line": (
            variant(note="n" * MILLION),
            ":1: line longer than 500,000 characters",
        ),
        "good line then bad line": (variant(id="fresh-1") + "{oops\n", ":2: not valid JSON"),
        "not an object": ("[]\n", ":1: expected a JSON object"),
        "label is an object": (variant(label={}), ":1: label must be a string, not an object"),
        "label is a list": (variant(label=["quote"]), ":1: label must be a string, not an array"),
        "link score 1e308": (
            variant(links=[other_side(score=1e308)]),
            ":1: links[0].score must be a number from 0 to 100",
        ),
        "link score just over 100": (
            variant(links=[other_side(score=100.5)]),
            ":1: links[0].score must be a number from 0 to 100",
        ),
        "month 13, hour 99": (
            variant(updated="2025-13-45T99:99:99Z"),
            ":1: updated '2025-13-45T99:99:99Z' is not a real date and time",
        ),
        "29 February of a common year": (
            variant(created="2025-02-29T12:00:00Z"),
            ":1: created '2025-02-29T12:00:00Z' is not a real date and time",
        ),
        "a time past year 9999 in UTC": (
            variant(updated="9999-12-31T23:30:00-01:00"),
            ":1: updated '9999-12-31T23:30:00-01:00' is outside the years 1 to 9999",
        ),
        "an id that is another annotation's, on other words": (
            # Its own id on shifted offsets: the words there are not its text.
            variant(start=record["start"] + 1, end=record["end"] + 1),
            f":1: span {record['start'] + 1}:{record['end'] + 1} holds ",
        ),
        "the same, claiming to be newer": (
            variant(start=0, end=len(record["text"]), updated="2999-01-01T00:00:00.000Z"),
            ":1: the text does not match the article",
        ),
    }


def test_malicious_annotation_jsonl_is_refused_and_changes_nothing(
    library, tmp_path, figures_count
):
    cases = annotation_cases(library["record"], library["doc_length"])
    failures = []
    for name, (content, expected) in cases.items():
        try:
            refuse(library, tmp_path, "import-annotations", content, expected, figures_count)
        except AssertionError as error:
            failures.append(f"{name}: {str(error)[:300]}")
    assert not failures, "\n".join(failures)


HOSTILE_VALUES = [
    {}, [], {"a": 1}, ["quote"], None, True, False, 0, -1, 1.5, 1e308, -1e308, 2**63, -(2**63),
    "", " ", "x" * 300, "\x1b[31m", "NaN", "2025-13-45T99:99:99Z", "0001-01-01T00:00:00+01:00",
    "9999-12-31T23:59:59-01:00", "2024-02-29T00:00:00+23:59",
]  # fmt: skip


def test_hostile_values_in_any_field_are_stored_in_range_or_refused_in_one_line(
    tmp_path, figures_count
):
    """Every value above in every field of a record and of a link: the import either
    succeeds with everything stored in range, or is one `FILE:1:` line with nothing
    written. Never an internal error (a dict as the label was a TypeError)."""
    path = tmp_path / "f.jsonl"
    with open_store(":memory:") as store:
        envoy = add_doc(store, ENVOY, title="Envoy", url="https://example.org/envoy")
        post = add_doc(store, POST, title="Post")
        start = ENVOY.index("Fox Business")
        entry = {"link_id": "L", "score": 50, "status": "confirmed", "method": "exact"}
        entry["doc_id"], entry["annotation_id"] = post, tag(store, post, "The Kremlin").id
        entry["start"], entry["end"] = POST.index("The Kremlin"), POST.index("The Kremlin") + 11
        base = {"id": "z", "doc_id": envoy, "label": "claim", "start": start, "end": start + 12,
                "text": "Fox Business", "links": [entry]}  # fmt: skip
        records = [base | {name: value} for name in FIELDS for value in HOSTILE_VALUES]
        records += [base | {"links": [entry | {name: value}]} for name in entry
                    for value in HOSTILE_VALUES]  # fmt: skip
        events = store.db.execute("SELECT count(*) FROM events").fetchone()[0]
        problems = []
        for record in records:
            figures_count("hostile field values")
            path.write_text(json.dumps(record) + "\n", encoding="utf-8")
            try:
                import_annotations(store, path)
            except InputError as error:
                if not str(error).startswith(f"{path}:1: ") or "\n" in str(error):
                    problems.append(f"{record}: {error}")
                elif store.db.execute("SELECT count(*) FROM events").fetchone()[0] != events:
                    problems.append(f"{record}: refused but wrote")
                continue
            except Exception as error:  # the failure this test looks for, reported below
                problems.append(f"{record}: {type(error).__name__}: {error}")
                continue
            problems += [f"{record}: {problem}" for problem in _stored_out_of_range(store)]
            if store.db.execute("SELECT count(*) FROM events").fetchone()[0] != events:
                undo(store)
                events = store.db.execute("SELECT count(*) FROM events").fetchone()[0]
    assert not problems, "\n".join(problems[:10])


def _stored_out_of_range(store) -> list[str]:
    """Scores outside 0-100 and times that are not real UTC times, among what is stored."""
    problems = []
    for score, created, updated in store.db.execute(
        "SELECT l.score, a.created_at, a.updated_at FROM annotations a "
        "LEFT JOIN links l ON l.a_annotation_id = a.id OR l.b_annotation_id = a.id"
    ):
        if score is not None and not 0 <= score <= 100:
            problems.append(f"stored score {score}")
        for time_ in (created, updated):
            if not time_.endswith("Z") or not _real_time(time_):
                problems.append(f"stored time {time_}")
    return problems


def _real_time(value: str) -> bool:
    try:
        datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return False
    return True
