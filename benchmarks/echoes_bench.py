"""Echoes latency in a store: `store.links.echoes` per call, and the warm-up before it.

    .venv/bin/python benchmarks/echoes_bench.py                          # 100,000 sentences
    .venv/bin/python benchmarks/echoes_bench.py --db /tmp/e.db --repeat 3  # keep the store
    .venv/bin/python benchmarks/echoes_bench.py --db /tmp/e.db --profile   # where time goes
    .venv/bin/python benchmarks/echoes_bench.py --db /tmp/e.db --dump a.json  # every echo

The corpus is `corpus_gen.py`'s (Markov filler, planted statement families), stored one
sentence a line so that the store's sentences are the corpus's units (the importer's
segmenter re-splits a few). `--db` keeps the store for the next run; every run works
on a fresh copy of it, so suggestions stored by one run do not change the next.

Each run: `warm` (what the app runs in a worker at start: the unit and passage
indexes), then `--calls` calls of `echoes`, half on random stored sentences, half on
planted statements (which have echoes to verify and store). It prints the warm-up time
and the median and 95th percentile of one call, per run and as medians over runs.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import pstats
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from corpus_gen import generate  # noqa: E402

from store import NewDocument, add_document, open_store  # noqa: E402
from store.links import echoes, warm  # noqa: E402


def build_store(path: Path, sentences: int, seed: int) -> None:
    corpus = generate(sentences, seed=seed)
    store = open_store(path)
    by_doc: dict[str, list[str]] = {}
    for unit in corpus.units:
        by_doc.setdefault(unit.doc, []).append(unit.text)
    with store.transaction() as db:
        for doc, texts in by_doc.items():
            add_document(db, NewDocument(text="\n".join(texts), title=doc, source="bench"))
    planted = sorted(corpus.planted)
    rows = [(corpus.units[i].doc, corpus.units[i].start, corpus.units[i].end) for i in planted]
    store.set_setting("bench_planted", rows)
    store.close()


def picks(store, calls: int) -> list[tuple[str, int, int]]:
    """Half random stored sentences, half planted statements (fixed by the seed)."""
    rng = random.Random(2)
    sentences = store.db.execute('SELECT doc_id, start, "end" FROM sentences ORDER BY doc_id, idx')
    sentences = sentences.fetchall()
    chosen = [tuple(s) for s in rng.sample(sentences, calls // 2)]
    ids = dict(store.db.execute("SELECT title, id FROM documents").fetchall())
    planted = store.setting("bench_planted", [])
    for doc, start, end in rng.sample(planted, min(calls - calls // 2, len(planted))):
        chosen.append((ids[doc], start, end))
    rng.shuffle(chosen)
    return chosen


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, int(len(ordered) * q) - 1)]


def run_strings(
    path: Path, calls: int, profile: bool, dump: Path | None = None
) -> tuple[float, list[float], int]:
    store = open_store(path)
    count = store.db.execute("SELECT count(*) FROM sentences").fetchone()[0]
    spans = picks(store, calls)
    began = time.perf_counter()
    warm(store)
    warmup = time.perf_counter() - began
    profiler = cProfile.Profile() if profile else None
    times, answers = [], []
    for span in spans:
        if profiler:
            profiler.enable()
        began = time.perf_counter()
        found = echoes(store, *span)
        times.append((time.perf_counter() - began) * 1000)
        if profiler:
            profiler.disable()
        answers.append([list(span), [_echo_fields(store, echo) for echo in found]])
    store.close()
    if dump is not None:
        dump.write_text(json.dumps(answers, indent=0))
    if profiler:
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(35)
    return warmup, times, count


def _echo_fields(store, echo) -> list:
    """What an echo says, without the link's random id: for comparing two versions."""
    this = store.document(echo.doc_id).title
    return [this, echo.start, echo.end, echo.match_start, echo.match_end, echo.method,
            echo.score, echo.status, echo.this_start, echo.this_end]  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sentences", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=3)
    parser.add_argument("--calls", type=int, default=400)
    parser.add_argument("--repeat", type=int, default=3, help="runs (fresh copy of the store)")
    parser.add_argument("--db", type=Path, help="keep the generated store here and reuse it")
    parser.add_argument("--profile", action="store_true", help="cProfile the calls")
    parser.add_argument("--dump", type=Path, help="write every echo returned (first run) as JSON")
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="sidenote-echoes-"))
    source = args.db or folder / "corpus.db"
    if not source.exists():
        began = time.perf_counter()
        build_store(source, args.sentences, args.seed)
        print(f"store built in {time.perf_counter() - began:.0f} s: {source}")
    rows = []
    for run in range(args.repeat):
        copy = folder / f"run{run}.db"
        shutil.copyfile(source, copy)
        dump = args.dump if run == 0 else None
        warmup, times, count = run_strings(copy, args.calls, args.profile, dump)
        rows.append((warmup, statistics.median(times), percentile(times, 0.95), times[0]))
        copy.unlink()
        print(f"run {run + 1}: {count} sentences, warm-up {warmup:.1f} s, {len(times)} calls: "
              f"median {rows[-1][1]:.1f} ms, p95 {rows[-1][2]:.1f} ms, "
              f"first {rows[-1][3]:.1f} ms")  # fmt: skip
        sys.stdout.flush()
    print("\n| echoes() | warm-up s | median ms | p95 ms | first call ms |")
    print("|---|---:|---:|---:|---:|")
    for k, (warmup, median, p95, first) in enumerate(rows, 1):
        print(f"| run {k} | {warmup:.1f} | {median:.1f} | {p95:.1f} | {first:.1f} |")
    print(f"| median of {len(rows)} | {statistics.median(r[0] for r in rows):.1f} | "
          f"{statistics.median(r[1] for r in rows):.1f} | "
          f"{statistics.median(r[2] for r in rows):.1f} | "
          f"{statistics.median(r[3] for r in rows):.1f} |")  # fmt: skip
    if not args.db:
        shutil.rmtree(folder)


if __name__ == "__main__":
    main()
