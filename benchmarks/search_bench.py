"""Search latency over a large annotated database (target: median ≤ 20 ms at 1,000,000).

    .venv/bin/python benchmarks/search_bench.py [--annotations 1000000] [--rebuild] [--runs 3]

The database is built once (see annotation_corpus.py; build time printed) and kept
in /tmp, then a mix of queries runs against it in a fresh process state: exact
words (rare and common), phrases, typos (the fallback), hostile strings, and
filtered searches. Each query is timed separately; each type gets its median and
p95 over all its queries and runs. The first search of a process that needs typo
correction loads the vocabulary into memory; that one-time cost is measured first
and printed on its own line.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import annotation_corpus  # noqa: E402

from store import open_store  # noqa: E402
from store.search import search  # noqa: E402

EXACT = [
    "Kellogg",
    "ceasefire",
    "sovereignty",
    "troops",
    "Ukraine",
    "Putin",
    "Zelensky",
    "tariff",
    "Istanbul",
    "guarantees",
    "Bermuda",
    "Kurdistan",
    "Alaska",
    "Macron",
    "peacekeeping",
    "oil",
    "security",
    "said",
    "the",
    "Europe",
]
PHRASES = [
    '"resiliency force"',
    '"security guarantees"',
    '"coalition of the willing"',
    '"Donald Trump"',
    '"Article 5"',
    '"parallel government"',
    '"Vladimir Putin"',
    '"the war in Ukraine"',
    "resiliency force",
    "NATO troops Ukraine",
]
TYPOS = [
    "resilency force",
    "sovereignity",
    "Zelenskyy Putn",
    "cesefire talks",
    "Kelog said",
    "peacekeping",
    "guarentees",
    "Bermuda triangel",
    "Kurdistn oil",
    "Istambul talks",
]
HOSTILE = [
    '"',
    "AND",
    "OR NOT",
    "NEAR(",
    "(((",
    "*",
    "' OR 1=1 --",
    "🙂",
    "北京",
    "a" * 500,
    'force" AND "',
    "\x1b[31m",
    "-",
    "col:x",
    "^troops",
]


def _filtered() -> list[tuple[str, dict]]:
    return [
        ("troops", {"label": "claim"}),
        ("ceasefire", {"source": "Reuters"}),
        ("resiliency", {"linked": True}),
        ("Putin", {"label": "quote", "linked": True}),
        ("Kellogg", {"source": "RT"}),
    ]


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def lexicon_words(n: int) -> list[str]:
    """Some rare pseudo-words of the corpus: exact single-word searches with few hits."""
    rng = random.Random(5)
    words = annotation_corpus.lexicon(rng, annotation_corpus.LEXICON)
    return [
        words[(r * 7919) % len(words)] for r in (3, 17, 40, 90, 150, 400, 900, 2000, 5000, 9000)
    ][:n]


def run_once(path: Path) -> tuple[dict[str, list[float]], float]:
    store = open_store(path)
    times: dict[str, list[float]] = {}
    queries = (
        [("exact", q, {}) for q in EXACT + lexicon_words(10)]
        + [("phrase", q, {}) for q in PHRASES]
        + [("typo", q, {}) for q in TYPOS]
        + [("hostile", q, {}) for q in HOSTILE]
        + [("filtered", q, f) for q, f in _filtered()]
    )
    # The first search that needs typo correction loads the vocabulary into
    # memory, once per process: timed on its own, then every query is timed warm.
    start = time.perf_counter()
    groups = search(store, "resilency force")
    first_typo = (time.perf_counter() - start) * 1000
    assert groups and "resiliency" in groups[0].statement, groups[:1]
    for kind, query, filters in queries:
        start = time.perf_counter()
        search(store, query, **filters)
        times.setdefault(kind, []).append((time.perf_counter() - start) * 1000)
    store.close()
    return times, first_typo


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--annotations", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--rebuild", action="store_true")
    args = parser.parse_args()
    path = Path(f"/tmp/sidenote_search_bench_{args.annotations}.db")
    if args.rebuild or not path.exists():
        for leftover in path.parent.glob(path.name + "*"):
            leftover.unlink()
        timings = annotation_corpus.build(path, args.annotations, quiet=True)
        print(
            f"built {path.name}: {timings['annotations']:,} annotations, "
            f"{timings['documents']:,} articles, "
            f"{timings['links']:,} links in {timings['total_s']:.1f} s "
            f"(generate {timings['generate_s']:.1f}, insert + FTS {timings['insert_s']:.1f}, "
            f"vocabulary {timings['vocabulary_s']:.1f}); {path.stat().st_size / 1e6:,.0f} MB"
        )
    with open_store(path) as store:
        n = store.annotation_count()
        vocab = store.db.execute("SELECT count(*) FROM search_vocab").fetchone()[0]
    print(f"{n:,} annotations, vocabulary {vocab:,} words, {args.runs} runs\n")
    all_times: dict[str, list[float]] = {}
    firsts = []
    for _ in range(args.runs):
        times, first = run_once(path)
        firsts.append(first)
        for kind, values in times.items():
            all_times.setdefault(kind, []).extend(values)
    print(f"{'query type':<10} {'queries':>8} {'median ms':>10} {'p95 ms':>8} {'max ms':>8}")
    everything = []
    for kind in ("exact", "phrase", "typo", "hostile", "filtered"):
        values = all_times.get(kind, [])
        everything.extend(values)
        print(
            f"{kind:<10} {len(values):>8} {statistics.median(values):>10.1f} "
            f"{percentile(values, 95):>8.1f} {max(values):>8.1f}"
        )
    print(
        f"{'all':<10} {len(everything):>8} {statistics.median(everything):>10.1f} "
        f"{percentile(everything, 95):>8.1f} {max(everything):>8.1f}"
    )
    print(
        "\nfirst typo search of a process (loads the vocabulary): "
        f"median {statistics.median(firsts):.0f} ms"
    )


if __name__ == "__main__":
    main()
