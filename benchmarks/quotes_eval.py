"""The quote finder against hand-labelled quotes: span precision/recall and speakers, by shape.

    .venv/bin/python benchmarks/quotes_eval.py [--misses]

Labels: tests/fixtures/quotes/seeds_gold.json (every quotation in the bundled articles,
as stored after import) and handmade_gold.json (a few sentences per attribution shape).
A found quote matches a labelled one at 70% overlap or more. --misses lists every quote
not found, every wrong speaker and every found quote that is not labelled.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from store import open_store  # noqa: E402
from store.corpus import bundled_seed_paths  # noqa: E402
from store.importing.ingest import import_paths  # noqa: E402
from store.quotes.evaluation import Score, evaluate  # noqa: E402

FIXTURES = ROOT / "tests" / "fixtures" / "quotes"


def seed_documents() -> list[tuple[str, str, list[dict]]]:
    """(doc id, stored text, labels) for every bundled article."""
    gold = json.loads((FIXTURES / "seeds_gold.json").read_text(encoding="utf-8"))
    with open_store(":memory:") as store:
        import_paths(store, bundled_seed_paths())
        return [
            (d["doc_id"], store.document_text(d["doc_id"]), d["quotes"]) for d in gold["documents"]
        ]


def handmade_documents() -> list[tuple[str, str, list[dict]]]:
    gold = json.loads((FIXTURES / "handmade_gold.json").read_text(encoding="utf-8"))
    return [(f"case {n}", c["text"], c["quotes"]) for n, c in enumerate(gold["cases"], 1)]


def table(title: str, total: Score, by_shape: dict[str, Score]) -> list[str]:
    lines = [
        f"### {title}",
        "",
        "| shape | quotes | found (recall) | speaker right |",
        "|---|---:|---:|---:|",
    ]
    for shape, s in sorted(by_shape.items()):
        lines.append(
            f"| {shape} | {s.labelled} | {s.found} ({s.recall:.2f}) | "
            f"{s.speaker_right}/{s.found} ({s.speaker_accuracy:.2f}) |"
        )
    lines.append(
        f"| **all** | {total.labelled} | {total.found} ({total.recall:.2f}) | "
        f"{total.speaker_right}/{total.found} ({total.speaker_accuracy:.2f}) |"
    )
    lines += [
        "",
        f"Span precision {total.precision:.2f} ({total.predicted_right} of {total.predicted} found "
        f"quotes are labelled), recall {total.recall:.2f}, speaker accuracy "
        f"{total.speaker_accuracy:.2f}.",
        "",
    ]
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--misses", action="store_true", help="List every error.")
    args = parser.parse_args()
    for title, documents in (
        ("Bundled articles", seed_documents()),
        ("Hand-made cases", handmade_documents()),
    ):
        total, by_shape = evaluate(documents)
        print("\n".join(table(title, total, by_shape)))
        if args.misses:
            print("\n".join(f"- {m}" for m in total.misses) + "\n")


if __name__ == "__main__":
    main()
