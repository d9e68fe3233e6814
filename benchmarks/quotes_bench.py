"""How long find_quotes takes: the longest bundled article and a 1 MB article.

    .venv/bin/python benchmarks/quotes_bench.py [--runs 7]

The 1 MB article repeats the bundled articles' text (all their quote shapes) until it
is 1,000,000 characters. Each size is timed --runs times; the table gives the medians of
the wall-clock time and of the process's CPU time. On a busy machine the wall clock also
counts the time spent waiting for a core; the CPU time is the finder's own cost.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from store import open_store  # noqa: E402
from store.corpus import bundled_seed_paths  # noqa: E402
from store.importing.ingest import import_paths  # noqa: E402
from store.quotes import find_quotes  # noqa: E402


def timed(text: str, runs: int) -> tuple[float, float, int]:
    """Median wall-clock ms, median CPU ms and the number of quotes found."""
    wall: list[float] = []
    cpu: list[float] = []
    count = 0
    for _ in range(runs):
        started, started_cpu = time.perf_counter(), time.process_time()
        count = len(find_quotes(text))
        wall.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
    return statistics.median(wall) * 1000, statistics.median(cpu) * 1000, count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    with open_store(":memory:") as store:
        import_paths(store, bundled_seed_paths())
        texts = [store.document_text(i) for i in store.document_ids()]
    longest = max(texts, key=len)
    corpus = "\n".join(texts)
    big = (corpus * (1_000_000 // len(corpus) + 1))[:1_000_000]
    print("| article | characters | quotes | median ms | median CPU ms |")
    print("|---|---:|---:|---:|---:|")
    for name, text in (("longest bundled", longest), ("1 MB", big)):
        ms, cpu_ms, count = timed(text, args.runs)
        print(f"| {name} | {len(text):,} | {count:,} | {ms:.1f} | {cpu_ms:.1f} |")


if __name__ == "__main__":
    main()
