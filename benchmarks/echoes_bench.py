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

`--meaning` times what a tag runs in the app's worker, `store.links.meaning_echoes`,
on `--meaning-calls` new spans (a picked sentence less its first word, so that no
vector is stored for it: each call embeds its span for real, on one thread), and the
string `echoes` of the same spans. The corpus's sentence vectors are synthetic: 1,000
sentences are embedded for real, and every other sentence gets the normalised sum of
two of those vectors and some noise (embedding 100,000 sentences takes about an hour
here), so cosines keep the real model's spread and the kNN, the cut and the
candidates' own neighbours do the work they would. Their warm-up (`warm_meaning`:
the encoder loaded and every vector read into memory) is timed apart.
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

import numpy as np  # noqa: E402
from corpus_gen import generate  # noqa: E402

from store import NewDocument, add_document, open_store  # noqa: E402
from store.links import echoes, meaning_echoes, sentence_units, warm  # noqa: E402
from store.matching import meaning  # noqa: E402
from store.meaning_links import ensure_vectors, warm_meaning  # noqa: E402

REAL_VECTORS = 1_000


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


def store_vectors(path: Path, seed: int) -> None:
    """Sentence vectors for every sentence: REAL_VECTORS real, the rest synthetic."""
    store = open_store(path)
    if store.setting("bench_vectors"):
        store.close()
        return
    encoder = meaning.load_encoder()
    texts = list(dict.fromkeys(unit.text for unit in sentence_units(store)))
    rng = np.random.default_rng(seed)
    real_rows = rng.choice(len(texts), min(REAL_VECTORS, len(texts)), replace=False)
    began = time.perf_counter()
    real, _ = ensure_vectors(store, [texts[i] for i in real_rows], encoder)
    print(f"{len(real_rows)} sentences embedded in {time.perf_counter() - began:.0f} s")
    taken = set(int(i) for i in real_rows)
    rows = []
    for i, text in enumerate(texts):
        if i in taken:
            continue
        a, b = rng.integers(0, len(real), 2)
        vector = real[a] + real[b] + rng.normal(0, 0.02, real.shape[1]).astype(np.float32)
        vector /= np.linalg.norm(vector)
        rows.append((meaning.text_key(text), encoder.name, encoder.dim,
                     vector.astype("<f2").tobytes()))
    with store.transaction() as db:
        db.conn.executemany(
            "INSERT OR IGNORE INTO sentence_vectors (text_sha, model, dim, vector) "
            "VALUES (?, ?, ?, ?)", rows)  # fmt: skip
        store.set_setting("bench_vectors", True)
    store.close()


def new_spans(store, calls: int) -> list[tuple[str, int, int]]:
    """Picked sentences less their first word: spans without a stored vector."""
    spans = []
    for doc, start, end in picks(store, calls):
        text = store.document(doc).text[start:end]
        cut = text.find(" ")
        if 0 < cut < len(text) - 1:
            spans.append((doc, start + cut + 1, end))
    return spans


def run_meaning(path: Path, calls: int) -> dict[str, float | list[float]]:
    store = open_store(path)
    spans = new_spans(store, calls)
    began = time.perf_counter()
    warm_meaning(store, lambda: sentence_units(store))
    result: dict[str, float | list[float]] = {"warmup": time.perf_counter() - began}
    warm(store)  # the string index too, as the app warms both (not counted above)
    result["rows"] = float(store.db.execute("SELECT count(*) FROM sentence_vectors").fetchone()[0])
    meaning_times, meaning_cpu, string_times, found = [], [], [], 0
    for span in spans:
        began = time.perf_counter()
        echoes(store, *span)
        string_times.append((time.perf_counter() - began) * 1000)
        began, cpu = time.perf_counter(), time.process_time()
        answer = meaning_echoes(store, *span)
        meaning_times.append((time.perf_counter() - began) * 1000)
        meaning_cpu.append((time.process_time() - cpu) * 1000)
        found += sum(e.method == meaning.METHOD for e in answer or [])
    store.close()
    result.update(meaning=meaning_times, meaning_cpu=meaning_cpu, strings=string_times,
                  found=float(found))
    return result


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
    parser.add_argument("--meaning", action="store_true",
                        help="time meaning_echoes (a tag's worker) instead, on new spans")
    parser.add_argument("--meaning-calls", type=int, default=100)
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="sidenote-echoes-"))
    source = args.db or folder / "corpus.db"
    if not source.exists():
        began = time.perf_counter()
        build_store(source, args.sentences, args.seed)
        print(f"store built in {time.perf_counter() - began:.0f} s: {source}")
    if args.meaning:
        store_vectors(source, args.seed)
        meaning_table(folder, source, args.repeat, args.meaning_calls)
        if not args.db:
            shutil.rmtree(folder)
        return
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


def meaning_table(folder: Path, source: Path, repeat: int, calls: int) -> None:
    runs = []
    for run in range(repeat):
        copy = folder / f"meaning{run}.db"
        shutil.copyfile(source, copy)
        runs.append(run_meaning(copy, calls))
        copy.unlink()
        r = runs[-1]
        print(f"run {run + 1}: {r['rows']:.0f} vectors, warm-up {r['warmup']:.1f} s, "
              f"{len(r['meaning'])} spans: meaning median {statistics.median(r['meaning']):.0f} "
              f"ms, p95 {percentile(r['meaning'], 0.95):.0f} ms; strings median "
              f"{statistics.median(r['strings']):.1f} ms; {r['found']:.0f} meaning echoes")
        sys.stdout.flush()
    print("\n| new span, 1 call | warm-up s | median ms | p95 ms | first call ms |")
    print("|---|---:|---:|---:|---:|")
    for name, key in (("meaning_echoes() (embedding included)", "meaning"),
                      ("the same, CPU ms of the process", "meaning_cpu"),
                      ("echoes() (strings), same spans", "strings")):
        for k, r in enumerate(runs, 1):
            times = r[key]
            warmup = f"{r['warmup']:.1f}" if key == "meaning" else "-"
            print(f"| {name}, run {k} | {warmup} | {statistics.median(times):.1f} | "
                  f"{percentile(times, 0.95):.1f} | {times[0]:.1f} |")


if __name__ == "__main__":
    main()
