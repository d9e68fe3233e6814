"""`sidenote link` counts each link it finds once, as new, already stored or rejected
earlier, and those counts agree with what `sidenote links` lists afterwards."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner

from tui.cli.main import cli

from .conftest import SEEDS

STRING_METHODS = ("exact", "trimmed", "reworded", "passage")
SENTENCE = "The minister promised to cut the fuel tax by next spring."


class Cli:
    def __init__(self, db: Path) -> None:
        self.db = db

    def __call__(self, *args: str) -> str:
        result = CliRunner().invoke(cli, ["--db", str(self.db), *args])
        assert result.exit_code == 0, result.output
        return result.output

    def link(self) -> dict[str, int]:
        """The counts `link --no-meaning` prints: found, each method, new, kept, rejected."""
        out = self("link", "--no-meaning")
        counts = {"found": int(re.search(r"(\d+) links? found", out).group(1))}
        for method in STRING_METHODS:
            counts[method] = int(re.search(rf"^  {method} +(\d+)$", out, re.M).group(1))
        summary = re.search(r"^(\d+) new, (\d+) already stored", out, re.M)
        counts["new"], counts["kept"] = int(summary.group(1)), int(summary.group(2))
        rejected = re.search(r"(\d+) rejected earlier", out)
        counts["rejected"] = int(rejected.group(1)) if rejected else 0
        return counts

    def links(self) -> list[dict]:
        out = self("links", "--format", "jsonl")
        return [json.loads(line) for line in out.splitlines()]


def check_three_runs(run: Cli) -> int:
    """Link, link again, reject one link and link again; the counts must match the
    links listed after each run. Returns how many links the corpus has."""
    first = run.link()
    rows = run.links()
    assert rows, "the corpus must have a repeated statement"
    assert all(row["method"] in STRING_METHODS for row in rows)
    assert first["found"] == first["new"] == len(rows)
    assert first["kept"] == first["rejected"] == 0
    assert sum(first[method] for method in STRING_METHODS) == len(rows)
    assert Counter(row["method"] for row in rows) == Counter(
        {method: first[method] for method in STRING_METHODS if first[method]}
    )

    second = run.link()
    assert run.links() == rows
    assert second["found"] == second["kept"] == len(rows)
    assert second["new"] == second["rejected"] == 0

    run("links", "reject", rows[0]["id"])
    third = run.link()
    after = run.links()
    assert len(after) == len(rows)
    assert Counter(row["status"] for row in after)["rejected"] == 1
    assert third["found"] == len(rows)
    assert third["rejected"] == 1
    assert third["kept"] == len(rows) - 1
    assert third["new"] == 0
    return len(rows)


def write(folder: Path, name: str, *paragraphs: str) -> Path:
    path = folder / name
    path.write_text("\n\n".join(paragraphs) + "\n", encoding="utf-8")
    return path


def test_a_repeated_pair_found_as_sentence_and_as_annotation_is_one_link(tmp_path):
    """The same sentence in two articles, annotated whole in one and in part in the
    other: the sentences and the annotations match on the same places, which is
    one link, found once."""
    run = Cli(tmp_path / "s.sqlite")
    a = write(tmp_path, "a.txt", "The council met on Tuesday evening.", SENTENCE, "Nobody agreed.")
    b = write(tmp_path, "b.txt", "Markets fell sharply in early trading.", SENTENCE, "Calm.")
    run("import", str(a), str(b))
    ids = [line.split()[0] for line in run("docs").splitlines()]
    run("annotate", ids[0], "--label", "claim", "--quote", SENTENCE)
    run("annotate", ids[1], "--label", "claim", "--quote", "promised to cut the fuel tax")
    assert check_three_runs(run) == 1


@pytest.mark.parametrize("tag_quotes", [False, True], ids=["sentences", "quotes-tagged"])
def test_the_bundled_corpus_counts_match_the_links_listed(tmp_path, tag_quotes):
    run = Cli(tmp_path / "c.sqlite")
    run("import", str(SEEDS))
    if tag_quotes:
        for line in run("docs").splitlines():
            run("annotate", line.split()[0], "--quotes")
    check_three_runs(run)
