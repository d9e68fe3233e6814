"""`sidenote export / import-annotations / review / annotate / search` as a user types them."""

from __future__ import annotations

import json
import sqlite3

import pytest
from click.testing import CliRunner

from store import open_store
from tests.exchange_data import ENVOY, MULTISCRIPT, POST, add_doc
from tui.cli.main import cli


@pytest.fixture
def run(tmp_path):
    db = tmp_path / "cli.db"
    with open_store(db) as store:
        ids = {
            "envoy": add_doc(
                store, ENVOY, title="Envoy", source="RT", url="https://example.org/envoy"
            ),
            "post": add_doc(store, POST, title="Post", source="Newsweek"),
            "multi": add_doc(store, MULTISCRIPT, title="Multi \x1b[31mred", source="Wire"),
        }

    def invoke(*args: str):
        return CliRunner().invoke(cli, ["--db", str(db), *args])

    invoke.db = db
    invoke.ids = ids
    return invoke


def count(db, table: str = "annotations") -> int:
    with sqlite3.connect(db) as conn:
        return conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


def one_line_error(result, *parts: str) -> None:
    assert result.exit_code == 1, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("sidenote: "), result.output
    for part in parts:
        assert part in lines[0], lines[0]
    assert "Traceback" not in result.output


def test_annotate_by_quote_and_by_span_prints_the_annotation(run):
    envoy = run.ids["envoy"]
    result = run(
        "annotate",
        envoy[:6],
        "--label",
        "quote",
        "--quote",
        "'resiliency force.'",
        "--speaker",
        "Kellogg",
        "--json",
    )
    assert result.exit_code == 0, result.output
    record = json.loads(result.output)
    assert record["text"] == "'resiliency force.'" == ENVOY[record["start"] : record["end"]]
    assert record["speaker"] == "Kellogg" and record["label"] == "quote"
    result = run(
        "annotate", envoy, "--label", "claim", "--span", f"{record['start']}:{record['end']}"
    )
    assert (
        result.exit_code == 0
        and "claim" in result.output
        and "'resiliency force.'" in result.output
    )
    assert count(run.db) == 2


def test_annotate_picks_the_nth_occurrence(run):
    post = run.ids["post"]
    result = run(
        "annotate", post, "--label", "claim", "--quote", "Kellogg", "--occurrence", "2", "--json"
    )
    record = json.loads(result.output)
    assert record["start"] == POST.index("Kellogg", POST.index("Kellogg") + 1)


@pytest.mark.parametrize(
    "args, parts",
    [
        (["--quote", "not in the article"], ["is not in the text"]),
        (["--quote", "Kellogg", "--occurrence", "9"], ["occurs 2 times"]),
        (["--span", "0:99999"], ["outside the document"]),
        (["--span", "9:3"], ["empty or reversed"]),
        (["--span", "a:b"], ["--span", "START:END"]),
        ([], ["exactly one of --span"]),
        (["--span", "0:3", "--quote", "Kel"], ["exactly one of --span"]),
    ],
)
def test_annotate_errors_are_one_line_and_change_nothing(run, args, parts):
    one_line_error(run("annotate", run.ids["post"], "--label", "claim", *args), *parts)
    assert count(run.db) == 0


def test_annotate_refuses_a_span_that_splits_a_grapheme(run):
    start = MULTISCRIPT.index("Cafe\u0301") + 4  # between e and its accent
    one_line_error(
        run("annotate", run.ids["multi"], "--label", "claim", "--span", f"0:{start}"),
        "splits a character",
    )
    one_line_error(
        run("annotate", run.ids["multi"], "--label", "opinion", "--span", "0:3"), "unknown label"
    )
    one_line_error(run("annotate", "ffffffff", "--label", "claim", "--span", "0:3"), "no document")


def test_export_to_stdout_file_and_folder(run, tmp_path):
    run("annotate", run.ids["multi"], "--label", "quote", "--quote", "北京欢迎你")
    run("annotate", run.ids["envoy"], "--label", "claim", "--quote", "Russia has repeatedly warned")
    out = run("export")
    assert out.exit_code == 0
    records = [json.loads(line) for line in out.stdout.splitlines()]
    assert {r["text"] for r in records} == {"北京欢迎你", "Russia has repeatedly warned"}
    assert "Exported 2 annotations." in out.stderr
    assert run("export", "--label", "quote", "--format", "w3c", "--lines").stdout.count("\n") == 1
    collection = json.loads(run("export", "--format", "w3c").stdout)
    assert collection["type"] == "AnnotationCollection" and collection["total"] == 2
    target = tmp_path / "a.csv"
    assert run("export", "--format", "csv", "-o", str(target)).exit_code == 0
    assert target.read_bytes().startswith(b"\xef\xbb\xbf")
    folder = tmp_path / "brat"
    assert run("export", "--format", "brat", "-o", str(folder)).exit_code == 0
    assert (folder / f"{run.ids['multi']}.txt").read_bytes() == MULTISCRIPT.encode("utf-8")
    docs = run("export", "--format", "documents", "--doc", run.ids["envoy"])
    [doc] = [json.loads(line) for line in docs.stdout.splitlines()]
    assert (
        doc["text"][doc["spans"][0]["start"] : doc["spans"][0]["end"]]
        == "Russia has repeatedly warned"
    )


def test_export_errors(run, tmp_path):
    one_line_error(run("export", "--format", "xml"), "unknown format 'xml'")
    one_line_error(run("export", "--format", "brat"), "writes a folder")
    one_line_error(run("export", "-o", str(tmp_path / "no" / "x.jsonl")), "does not exist")
    one_line_error(run("export", "--label", "opinion"), "unknown label")


def test_import_annotations_round_trip_and_bad_file(run, tmp_path):
    run(
        "annotate",
        run.ids["multi"],
        "--label",
        "quote",
        "--quote",
        "\U0001d11e\tends",
        "--note",
        "tab",
    )
    run("annotate", run.ids["post"], "--label", "claim", "--quote", "resiliency force")
    exported = run("export").stdout
    path = tmp_path / "a.jsonl"
    path.write_text(exported, "utf-8")
    fresh = tmp_path / "fresh.db"
    with open_store(fresh) as store:
        add_doc(store, MULTISCRIPT, title="Multi \x1b[31mred", source="Wire")
        add_doc(store, POST, title="Post", source="Newsweek")
    first = CliRunner().invoke(cli, ["--db", str(fresh), "import-annotations", str(path), "--json"])
    assert first.exit_code == 0, first.output
    assert json.loads(first.stdout)["added"] == 2
    again = CliRunner().invoke(cli, ["--db", str(fresh), "export"])
    assert again.stdout == exported

    bad = tmp_path / "bad.jsonl"
    lines = exported.splitlines()
    bad.write_text(
        lines[0] + "\n" + json.dumps(json.loads(lines[1]) | {"label": "opinion"}) + "\n", "utf-8"
    )
    before = count(fresh)
    result = CliRunner().invoke(cli, ["--db", str(fresh), "import-annotations", str(bad)])
    one_line_error(result, f"{bad}:2:", "unknown label 'opinion'")
    assert count(fresh) == before


def test_review_lists_places_and_discards(run, tmp_path):
    envoy = run.ids["envoy"]
    record = json.loads(
        run(
            "annotate", envoy, "--label", "quote", "--quote", "'resiliency force.'", "--json"
        ).stdout
    )
    gone = json.loads(
        run("annotate", envoy, "--label", "claim", "--quote", "Germany, the UK", "--json").stdout
    )
    path = tmp_path / "a.jsonl"
    path.write_text(run("export").stdout, "utf-8")
    fresh = tmp_path / "fresh.db"
    rewritten = ENVOY.replace("'resiliency force.'", "'reassurance force.'").replace(
        "Germany, the UK", "Italy"
    )
    with open_store(fresh) as store:
        add_doc(store, rewritten, title="Envoy", source="RT", url="https://example.org/envoy")

    def fresh_run(*args):
        return CliRunner().invoke(cli, ["--db", str(fresh), *args])

    result = fresh_run("import-annotations", str(path))
    assert result.exit_code == 0 and "2 to review" in result.output
    listing = fresh_run("review")
    assert "'resiliency force.'" in listing.stdout and "'reassurance force.'" in listing.stdout
    assert "2 annotations to review" in listing.stderr
    items = [json.loads(line) for line in fresh_run("review", "--json").stdout.splitlines()]
    assert {i["id"] for i in items} == {record["id"], gone["id"]}

    placed = fresh_run("review", "place", record["id"])
    assert placed.exit_code == 0, placed.output
    start = rewritten.index("'reassurance")
    end = start + len("'reassurance force.'")
    assert f"{start}:{end}" in placed.output
    assert fresh_run("review", "discard", gone["id"]).exit_code == 0
    assert fresh_run("review", "--json").stdout == ""
    one_line_error(fresh_run("review", "discard", gone["id"]), "already resolved")
    with open_store(fresh) as store:
        assert [a.text for a in store.annotations()] == ["'reassurance force.'"]


def test_search_prints_groups_and_json(run):
    run(
        "annotate",
        run.ids["envoy"],
        "--label",
        "quote",
        "--quote",
        "'resiliency force.'",
        "--speaker",
        "Kellogg",
    )
    run("annotate", run.ids["post"], "--label", "quote", "--quote", "resiliency force in support")
    result = run("search", "resilency", "force")
    assert result.exit_code == 0
    assert "showing results for: resiliency force" in result.stderr
    assert "RT" in result.stdout and "Newsweek" in result.stdout
    groups = [
        json.loads(line) for line in run("search", "resiliency", "--json").stdout.splitlines()
    ]
    assert {g["appearances"][0]["source"] for g in groups} == {"RT", "Newsweek"}
    assert run("search", "--source", "rt", "resiliency", "--json").stdout.count("\n") == 1


def test_search_shows_article_text_literally(run):
    run("annotate", run.ids["multi"], "--label", "claim", "--quote", "北京欢迎你")
    result = run("search", "北京")
    assert "\x1b" not in result.stdout and "␛[31mred" in result.stdout


def test_search_articles_finds_words_nobody_annotated_with_their_place(run):
    result = run("search", "--articles", "legitimate", "targets")
    assert result.exit_code == 0, result.output
    title_line, snippet_line = result.stdout.splitlines()
    start = ENVOY.index("legitimate targets")
    assert title_line.split() == ["Envoy", "RT", run.ids["envoy"], f"{start}:{start + 18}"]
    assert "foreign troops as [legitimate targets]." in snippet_line
    [record] = [
        json.loads(line)
        for line in run("search", "--articles", "--json", "legitimate targets").stdout.splitlines()
    ]
    assert record["doc_id"] == run.ids["envoy"]
    assert ENVOY[record["start"] : record["end"]] == record["match"] == "legitimate targets"
    # The title is data: its escape code is shown, never sent to the terminal.
    shown = run("search", "--articles", "formula").stdout
    assert "\x1b" not in shown and "␛[31mred" in shown and "[formula]" in shown
    kellogg = run("search", "--articles", "--source", "newsweek", "Kellogg", "--json").stdout
    assert [json.loads(line)["doc_id"] for line in kellogg.splitlines()] == [run.ids["post"]]
    refused = run("search", "--articles", "--label", "claim", "troops")
    assert refused.exit_code == 1 and refused.stdout == ""
    assert refused.stderr == (
        "sidenote: --label: annotations only: it does not apply to --articles\n"
    )


@pytest.mark.parametrize("query", ['"', "AND", "(", "*", "NEAR(", "'--", "\x00"])
def test_search_accepts_hostile_queries(run, query):
    result = run("search", query)
    assert result.exit_code == 0 and "Traceback" not in result.output
