"""Linking benchmark: blocking + rapidfuzz (ours) against exhaustive `cdist(ratio)`.

    .venv/bin/python benchmarks/linking_bench.py                      # 1k and 10k, ~2 min
    .venv/bin/python benchmarks/linking_bench.py --sizes 20000        # the 5%-of-time target
    .venv/bin/python benchmarks/linking_bench.py --sizes 100000 --echoes   # latency in a store
    .venv/bin/python benchmarks/linking_bench.py --sizes 1000000      # the 5 min / 3 GB target

Corpora come from `corpus_gen.py` (Markov filler trained on the seeds, planted statement
families). For each size it prints, per arm: recall and precision against the planted
truth, recall relative to the exhaustive arm, wall time, peak memory, and the latency of
matching one unit against the corpus (`Index.matches_for`, what `echoes` runs). With
`--echoes` it also builds a SQLite store of the corpus and times `store.links.echoes`.

Peak memory is the process's peak resident set size while the arm runs (Linux
`VmHWM`, reset before each arm), so it includes the corpus already in memory.
Exhaustive runs up to `--exhaustive-max` sentences; above that its time is
extrapolated as n^2 from the largest size measured.
"""

from __future__ import annotations

import argparse
import gc
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from rapidfuzz import fuzz, process

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from corpus_gen import Corpus, generate  # noqa: E402

from store.matching.linking import DEFAULT_THRESHOLD, Index, link_units, normalise  # noqa: E402


def reset_peak() -> bool:
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return True
    except OSError:
        return False


def peak_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def score(found: set[tuple[int, int]], corpus: Corpus, truth: set, related: set) -> tuple:
    tp = len(found & truth)
    fp = len(found - related)  # links inside a family that overlap too little are neither
    recall = tp / len(truth) if truth else 1.0
    precision = tp / (tp + fp) if tp + fp else 1.0
    return recall, precision, tp, fp


def ours(corpus: Corpus, threshold: float) -> tuple[set, float, float]:
    gc.collect()
    reset_peak()
    began = time.perf_counter()
    matches = link_units(corpus.units, threshold=threshold)
    seconds = time.perf_counter() - began
    memory = peak_mb()
    by_doc: dict[str, list[tuple[int, int, int]]] = {}
    for i, u in enumerate(corpus.units):
        by_doc.setdefault(u.doc, []).append((u.start, u.end, i))
    found = set()
    for m in matches:
        # A side may be two sentences joined (a statement one outlet split): count each.
        for x in _units_in(m.a, by_doc):
            for y in _units_in(m.b, by_doc):
                found.add((min(x, y), max(x, y)))
    return found, seconds, memory


def _units_in(side, by_doc: dict) -> list[int]:
    return [i for s, e, i in by_doc[side.doc] if side.start <= s and e <= side.end]


def exhaustive(corpus: Corpus, threshold: float) -> tuple[set, float, float]:
    gc.collect()
    reset_peak()
    began = time.perf_counter()
    norms = [normalise(u.text) for u in corpus.units]
    docs = np.array([u.doc for u in corpus.units])
    found = set()
    rows = 1000
    for lo in range(0, len(norms), rows):
        matrix = process.cdist(
            norms[lo : lo + rows], norms, scorer=fuzz.ratio, score_cutoff=threshold,
            dtype=np.uint8, workers=-1,
        )  # fmt: skip
        r, c = np.nonzero(matrix)
        r = r + lo
        keep = (r < c) & (docs[r] != docs[c])
        found.update(zip(r[keep].tolist(), c[keep].tolist(), strict=True))
    return found, time.perf_counter() - began, peak_mb()


def latency(corpus: Corpus, threshold: float, calls: int) -> tuple[float, float, float]:
    """Build time of the index, then median and 95th percentile of one unit's matching."""
    began = time.perf_counter()
    index = Index.build(corpus.units)
    build = time.perf_counter() - began
    rng = random.Random(1)
    planted = list(corpus.planted)
    picks = [rng.choice(planted) if k % 2 else rng.randrange(len(corpus.units))
             for k in range(calls)]  # fmt: skip
    times = []
    for i in picks:
        began = time.perf_counter()
        index.matches_for(i, threshold)
        times.append((time.perf_counter() - began) * 1000)
    times.sort()
    return build, statistics.median(times), times[int(len(times) * 0.95) - 1]


def store_latency(corpus: Corpus, calls: int) -> tuple[float, float, float, int]:
    """`echoes` in a real store: cold (builds the cache), then median and p95 in ms."""
    from store import NewDocument, add_document, open_store
    from store.links import echoes

    folder = tempfile.mkdtemp(prefix="sidenote-bench-")
    store = open_store(Path(folder) / "bench.db")
    by_doc: dict[str, list[str]] = {}
    for unit in corpus.units:
        by_doc.setdefault(unit.doc, []).append(unit.text)
    with store.transaction() as db:
        for doc, texts in by_doc.items():
            # One sentence a line, so the store's sentences are the corpus's units.
            add_document(db, NewDocument(text="\n".join(texts), title=doc, source="bench"))
    # Half the calls on random stored sentences, half on planted statements (which have
    # echoes to verify and store; where the store split them differently they are free spans).
    sentences = list(
        store.db.execute('SELECT doc_id, start, "end" FROM sentences ORDER BY random() LIMIT ?',
                         [calls // 2 + 1])  # fmt: skip
    )
    ids = dict(store.db.execute("SELECT title, id FROM documents").fetchall())
    rng = random.Random(2)
    for i in rng.sample(sorted(corpus.planted), min(calls - calls // 2, len(corpus.planted))):
        unit = corpus.units[i]
        sentences.append((ids[unit.doc], unit.start, unit.end))
    count = store.db.execute("SELECT count(*) FROM sentences").fetchone()[0]
    began = time.perf_counter()
    echoes(store, *sentences[0])
    cold = time.perf_counter() - began
    times = []
    for doc, start, end in sentences[1:]:
        began = time.perf_counter()
        echoes(store, doc, start, end)
        times.append((time.perf_counter() - began) * 1000)
    times.sort()
    store.close()
    return cold, statistics.median(times), times[int(len(times) * 0.95) - 1], count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="1000,10000", help="comma-separated sentence counts")
    parser.add_argument("--exhaustive-max", type=int, default=20000)
    parser.add_argument("--threshold", type=float, default=DEFAULT_THRESHOLD)
    parser.add_argument("--seed", type=int, default=3)
    parser.add_argument("--calls", type=int, default=200, help="incremental calls to time")
    parser.add_argument("--echoes", action="store_true", help="also time echoes() in a store")
    parser.add_argument("--repeat", type=int, default=1, help="runs of our arm (median time)")
    args = parser.parse_args()
    sizes = [int(s.replace("_", "")) for s in args.sizes.split(",")]

    header = (
        f"{'sentences':>9} {'arm':<10} {'recall':>6} {'prec.':>6} {'rel.rec':>7} "
        f"{'time s':>8} {'peak MB':>8} {'1-unit ms (med/p95)':>20}"
    )
    print(f"threshold {args.threshold:g}, seed {args.seed}, 2 workers\n{header}")
    last_exhaustive: tuple[int, float] | None = None
    for size in sizes:
        began = time.perf_counter()
        corpus = generate(size, seed=args.seed)
        truth, related = corpus.truth(), corpus.related()
        made = time.perf_counter() - began
        ex_found = None
        if size <= args.exhaustive_max:
            ex_found, ex_time, ex_mem = exhaustive(corpus, args.threshold)
            last_exhaustive = (size, ex_time)
            r, p, _, _ = score(ex_found, corpus, truth, related)
            print(f"{size:>9} {'exhaustive':<10} {r:6.3f} {p:6.3f} {1:7.3f} {ex_time:8.1f} "
                  f"{ex_mem:8.0f} {'-':>20}")  # fmt: skip
        elif last_exhaustive:
            n0, t0 = last_exhaustive
            ex_time = t0 * (size / n0) ** 2
            print(f"{size:>9} {'exhaustive':<10} {'':>6} {'':>6} {'':>7} {ex_time:8.0f}~ "
                  f"{'':>8} {'(extrapolated n^2)':>20}")  # fmt: skip
        else:
            ex_time = None
        runs = [ours(corpus, args.threshold) for _ in range(max(1, args.repeat))]
        found, _, memory = runs[0]
        seconds = statistics.median(run[1] for run in runs)
        r, p, tp, fp = score(found, corpus, truth, related)
        relative = "-"
        if ex_found is not None:
            ex_true = ex_found & truth
            relative = f"{len(found & ex_true) / len(ex_true):.3f}" if ex_true else "-"
        build, median, p95 = latency(corpus, args.threshold, args.calls)
        share = f"  ({seconds / ex_time:.1%} of exhaustive)" if ex_time else ""
        print(f"{size:>9} {'ours':<10} {r:6.3f} {p:6.3f} {relative:>7} {seconds:8.1f} "
              f"{memory:8.0f} {median:9.1f} / {p95:7.1f}{share}")  # fmt: skip
        times = ", ".join(f"{run[1]:.1f}" for run in runs)
        print(f"{'':>9}   truth pairs {len(truth)}, found {tp}, false {fp}; our times {times} s; "
              f"corpus made in {made:.0f} s; index for one-unit matching built in {build:.1f} s")
        if args.echoes:
            cold, med, p95s, count = store_latency(corpus, args.calls)
            print(f"{'':>9}   echoes() in a store of {count} sentences: first call {cold:.1f} s "
                  f"(builds the cache), then median {med:.1f} ms, p95 {p95s:.1f} ms")  # fmt: skip
        sys.stdout.flush()
        del corpus
        gc.collect()


if __name__ == "__main__":
    main()
