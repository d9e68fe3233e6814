"""Accepting an echo from the command line, as the outside user did on the bundled
corpus: the new annotation, `spread`, `report` and `search` agree on one span."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from tui.cli.main import cli

from .conftest import SEEDS

MAINICHI = "d1477ab7147860cc"
JAPAN_TODAY = "fc1fd47365bdf21b"


@pytest.fixture
def run(tmp_path):
    db = tmp_path / "cli.db"

    def invoke(*args: str):
        return CliRunner().invoke(cli, ["--db", str(db), *args])

    return invoke


def ok(result) -> str:
    assert result.exit_code == 0, result.output
    return result.stdout


def test_accepting_the_ledes_echo_shows_japan_today_once_everywhere(run, tmp_path):
    ok(run("import", str(SEEDS)))
    ok(run("link", "--no-meaning"))
    lede = ok(run("show", MAINICHI)).split(" Trump envoy Steve Witkoff")[0]
    ok(run("annotate", MAINICHI, "--span", f"0:{len(lede)}", "--label", "quote",
           "--speaker", "U.S. official"))  # fmt: skip
    ok(run("link", "--no-meaning"))
    rows = [json.loads(line) for line in ok(run("links", "--format", "jsonl")).splitlines()]
    link = next(r for r in rows if {r["a"]["doc_id"], r["b"]["doc_id"]} == {MAINICHI, JAPAN_TODAY}
                and 0 in (r["a"]["start"], r["b"]["start"]) and r["method"] == "trimmed")
    ok(run("links", "accept", link["id"]))

    spread = json.loads(ok(run("spread", link["id"], "--json")))
    japan = [m for m in spread["members"] if m["doc_id"] == JAPAN_TODAY]
    assert len(japan) == 1 and japan[0]["label"] == "quote"
    assert japan[0]["speaker"] == "Steve Witkoff"
    text = ok(run("show", JAPAN_TODAY))
    start = text.index("Special U.S. envoy Steve Witkoff said")
    end = text.index("the 3 1/2-year war.", start) + len("the 3 1/2-year war.")
    assert (japan[0]["start"], japan[0]["end"]) == (start, end)

    report = tmp_path / "brief.md"
    ok(run("report", link["id"], "--output", str(report)))
    assert report.read_text().count(f"Article: `{JAPAN_TODAY}`, characters {start}\u2013{end}") == 1
    assert report.read_text().count(f"Article: `{JAPAN_TODAY}`") == 1

    groups = [json.loads(line) for line in ok(run("search", "security guarantee", "--json"))
              .splitlines()]  # fmt: skip
    found = next(g for g in groups if g.get("cluster") == spread["id"])
    places = [(a["start"], a["end"]) for a in found["appearances"] if a["doc_id"] == JAPAN_TODAY]
    assert places == [(start, end)]
