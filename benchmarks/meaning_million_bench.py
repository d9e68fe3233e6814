"""The large-corpus meaning stage, end to end, on generated text (up to a million sentences).

    HF_HUB_OFFLINE=1 .venv/bin/python benchmarks/meaning_million_bench.py \\
        [--sentences 1000000] [--e5-limit 0] [--out result.json]

Real sentences, real encoders: the corpus is `benchmarks/echo_corpus.py`'s generator
(news-like articles with planted echoes: verbatim copies, embedded quotes, stripped
copies, trimmed+reworded copies, split statements, same-topic pairs), split into
sentences by the importer's splitter. Then the stage of `store/matching/static.py`,
each part timed (wall and CPU):

1. static vectors of every sentence (WordLlama);
2. the HNSW index of them (`neighbours.VectorIndex`, one thread, as the stage builds it);
3. every row's 10 nearest in other articles from the index (`ann_other_docs`);
4. the words of every sentence (`meaning.Context`, IDF) and the static cut;
5. candidate pairs (`static.candidate_pairs`);
6. e5 vectors of the rows in candidate pairs and of the fixed sample for the cuts
   (`--e5-limit N` embeds only the first N candidate rows and projects the rest, for
   a machine too busy to embed them all; the table says so);
7. the verdicts (`static.rerank` -> `meaning.judge_pair`);

then one new article of 30 sentences without re-embedding anything old: its static
vectors, added to the index, its own lists from the index, the old lists it enters
(exact), its candidate pairs, e5 for its candidate rows, verdicts. Peak memory is the
process's VmHWM; the load average is printed beside the figures. Planted statements
give a check of what the candidates hold: of the planted places that are whole
sentences of their own and have a partner elsewhere, how many pairs are candidates.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))
import echo_corpus  # noqa: E402

from store.importing.sentences import split_sentences  # noqa: E402
from store.matching import meaning, neighbours, static  # noqa: E402

K = 10
NEW = 30


class Clock:
    def __init__(self, name: str, table: dict) -> None:
        self.name, self.table = name, table

    def __enter__(self) -> Clock:
        self.wall, self.cpu = time.perf_counter(), time.process_time()
        print(f"{time.strftime('%H:%M:%S')} {self.name} ...", file=sys.stderr, flush=True)
        return self

    def __exit__(self, *_: object) -> None:
        wall = time.perf_counter() - self.wall
        cpu = time.process_time() - self.cpu
        self.table[self.name] = [round(wall, 2), round(cpu, 2)]
        print(f"  {wall:.1f} s wall / {cpu:.1f} s CPU, load {os.getloadavg()[0]:.1f}",
              file=sys.stderr, flush=True)  # fmt: skip


def vm_hwm_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def corpus(sentences: int) -> tuple[list[str], np.ndarray, list[str], np.ndarray, list]:
    """(texts, article of each row, the new article's texts, its article id, planted)."""
    made = echo_corpus.generate(sentences + 60, seed=7)
    names = sorted(made.docs)
    new_doc = next(d for d in reversed(names) if len(split_sentences(made.docs[d])) >= NEW)
    texts: list[str] = []
    docs: list[int] = []
    spans: dict[str, list[tuple[int, int, int]]] = {}
    new_texts: list[str] = []
    for number, name in enumerate(names):
        text = made.docs[name]
        for start, end in split_sentences(text):
            if name == new_doc:
                new_texts.append(text[start:end])
                continue
            spans.setdefault(name, []).append((start, end, len(texts)))
            texts.append(text[start:end])
            docs.append(number)
    planted: dict[int, set[int]] = {}
    for place in made.places:  # a planted place may run over a sentence's edge
        for start, end, row in spans.get(place.doc, []):
            if start < place.end and place.start < end:
                planted.setdefault(place.statement, set()).add(row)
    groups = [rows for rows in planted.values() if len(rows) > 1]
    return texts, np.asarray(docs), new_texts[:NEW], np.asarray([len(names)]), groups


def run(sentences: int, e5_limit: int) -> dict:  # noqa: C901, PLR0915 - one step after another
    out: dict = {"times": {}, "load_start": os.getloadavg()}
    times = out["times"]
    with Clock("generate (not part of the stage)", times):
        texts, docs, new_texts, new_doc, groups = corpus(sentences)
    n = len(texts)
    out["sentences"] = n
    out["articles"] = len(set(docs.tolist()))
    cand = static.CandidateParams()
    rules = meaning.Params()
    encoder = static.load_static_encoder()
    e5 = meaning.load_encoder()

    with Clock("static vectors", times):
        vectors = meaning.embed(texts, encoder)
    keys = np.array([neighbours.key_of(meaning.text_key(t)) for t in texts], dtype=np.uint64)
    with Clock("index build", times):
        index = neighbours.VectorIndex.build(keys, vectors, static.STATIC_MODEL)
    with Clock("kNN of every row", times):
        top_i, top_s = neighbours.ann_other_docs(index, vectors, keys, docs, K)
    with Clock("words (Context, IDF) and static cut", times):
        ctx = meaning.Context(docs, texts)
        idf = meaning.Idf.fit(ctx.terms)
        (close_cut,) = meaning.cross_doc_percentiles(vectors, docs, [cand.close_percentile])
    with Clock("candidate pairs", times):
        pairs = static.candidate_pairs(top_i, top_s, close_cut, ctx, idf, cand, rules)
    cand_rows = np.unique(pairs)
    out["candidate_pairs"] = len(pairs)
    out["candidate_rows"] = len(cand_rows)
    pair_set = set(map(tuple, pairs.tolist()))
    planted_pairs = {(min(a, b), max(a, b)) for g in groups for a in g for b in g
                     if a != b and docs[a] != docs[b]}  # fmt: skip
    out["planted_pairs"] = len(planted_pairs)
    out["planted_pairs_in_candidates"] = len(planted_pairs & pair_set)

    sample = static.sample_rows(docs, cand.sample)
    with Clock("e5 of the cut sample", times):
        sample_vectors = meaning.embed([texts[r] for r in sample], e5)
        cuts = meaning.corpus_cuts(sample_vectors, docs[sample], rules)
    todo = np.setdiff1d(cand_rows, sample)
    limited = e5_limit and len(todo) > e5_limit
    with Clock("e5 of candidate rows", times):
        done = todo[:e5_limit] if limited else todo
        done_vectors = meaning.embed([texts[r] for r in done], e5)
    if limited:
        scale = len(todo) / len(done)
        wall, cpu = times["e5 of candidate rows"]
        times["e5 of candidate rows"] = [round(wall * scale, 2), round(cpu * scale, 2)]
        out["e5_projected_from"] = int(len(done))
    out["e5_rows"] = int(len(todo))
    rows = np.concatenate([sample, done])
    order = np.argsort(rows)
    rows, e5_vectors = rows[order], np.concatenate([sample_vectors, done_vectors])[order]
    usable = pairs[np.isin(pairs, rows).all(axis=1)]
    with Clock("verdicts", times):
        ranked = static.rerank(usable, rows, e5_vectors, ctx, idf, cuts, rules)
    out["default"] = sum(s.tier == "default" for s in ranked)
    out["more"] = len(ranked) - out["default"]
    default = {(s.a, s.b) for s in ranked if s.tier == "default"}
    out["default_planted"] = len(default & planted_pairs)
    out["peak_mb_stage"] = vm_hwm_mb()

    # -- one new article, nothing old embedded again --------------------------------------
    new_times: dict = {}
    out["new_article"] = new_times
    with Clock("new: static vectors", new_times):
        new_vectors = meaning.embed(new_texts, encoder)
    new_keys = np.array([neighbours.key_of(meaning.text_key(t)) for t in new_texts],
                        dtype=np.uint64)  # fmt: skip
    all_vectors = np.concatenate([vectors, new_vectors])
    all_keys = np.concatenate([keys, new_keys])
    all_docs = np.concatenate([docs, np.repeat(new_doc, len(new_texts))])
    new_rows = np.arange(n, n + len(new_texts))
    with Clock("new: index add", new_times):
        added = index.add(new_keys, new_vectors)
    new_times["added"] = added
    with Clock("new: its lists + the old lists it enters", new_times):
        lists_i = np.concatenate([top_i, np.full((len(new_texts), K), -1)])
        lists_s = np.concatenate([top_s, np.full((len(new_texts), K), -np.inf, np.float32)])
        lists_i[new_rows], lists_s[new_rows] = neighbours.ann_other_docs(
            index, all_vectors, all_keys, all_docs, K, only=new_rows
        )
        entries = neighbours.entering(all_vectors, all_docs, new_rows, top_s[:, -1])
        changed = neighbours.insert_neighbours(lists_i, lists_s, entries)
    new_times["lists_changed"] = len(changed)
    all_texts = [*texts, *new_texts]
    with Clock("new: its words, candidate pairs", new_times):
        ctx.extend(np.repeat(new_doc, len(new_texts)).tolist(), new_texts)
        # Pairs with a new sentence on one side: an old pair's standing changes only by
        # a place in its lists, and it has been judged already.
        new_pairs = static.candidate_pairs(lists_i, lists_s, close_cut, ctx, idf, cand,
                                           rules, touching=new_rows)  # fmt: skip
    need = np.setdiff1d(np.unique(new_pairs), rows)
    with Clock("new: e5 of its candidate rows", new_times):
        need_vectors = meaning.embed([all_texts[r] for r in need], e5)
    new_times["e5_rows"] = int(len(need))
    have_rows = np.concatenate([rows, need])
    order = np.argsort(have_rows)
    have_rows, have_vectors = have_rows[order], np.concatenate([e5_vectors, need_vectors])[order]
    with Clock("new: verdicts", new_times):
        new_ranked = static.rerank(new_pairs, have_rows, have_vectors, ctx, idf, cuts, rules)
    new_times["pairs"] = len(new_pairs)
    new_times["default"] = sum(s.tier == "default" for s in new_ranked)
    out["peak_mb"] = vm_hwm_mb()
    out["load_end"] = os.getloadavg()
    return out


def table(out: dict) -> str:
    lines = [
        f"{out['sentences']:,} sentences in {out['articles']:,} articles; load average "
        f"{out['load_start'][0]:.1f} at start, {out['load_end'][0]:.1f} at end (2 cores)",
        "| part | wall s | CPU s |",
        "|---|---:|---:|",
    ]
    stage = 0.0, 0.0
    for name, (wall, cpu) in out["times"].items():
        note = ""
        if name == "e5 of candidate rows" and "e5_projected_from" in out:
            note = f" (projected from {out['e5_projected_from']:,} of {out['e5_rows']:,})"
        elif name == "e5 of candidate rows":
            note = f" ({out['e5_rows']:,} sentences)"
        lines.append(f"| {name}{note} | {wall:,.1f} | {cpu:,.1f} |")
        if not name.startswith("generate"):
            stage = stage[0] + wall, stage[1] + cpu
    lines.append(f"| **total (the stage)** | **{stage[0]:,.1f}** | **{stage[1]:,.1f}** |")
    lines += [
        "",
        f"candidate pairs {out['candidate_pairs']:,} over {out['candidate_rows']:,} sentences "
        f"({100 * out['candidate_rows'] / out['sentences']:.1f}%); planted cross-article "
        f"pairs among candidates {out['planted_pairs_in_candidates']:,}/{out['planted_pairs']:,}; "
        f"default suggestions {out['default']:,} ({out['default_planted']:,} planted pairs), "
        f"more tier {out['more']:,}; peak memory {out['peak_mb_stage']:,.0f} MB "
        f"(after the new article {out['peak_mb']:,.0f} MB)",
        "",
        "| a new article of 30 sentences | wall s | CPU s |",
        "|---|---:|---:|",
    ]
    for name, value in out["new_article"].items():
        if isinstance(value, list):
            lines.append(f"| {name.removeprefix('new: ')} | {value[0]:.2f} | {value[1]:.2f} |")
    extra = out["new_article"]
    lines.append(
        f"\nnew article: {extra['added']} texts added to the index, {extra['lists_changed']} "
        f"old lists changed, {extra['pairs']} candidate pairs, {extra['e5_rows']} sentences "
        f"embedded with e5, {extra['default']} default suggestions"
    )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sentences", type=int, default=1_000_000)
    parser.add_argument("--e5-limit", type=int, default=0,
                        help="embed at most this many candidate rows with e5 and project")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    out = run(args.sentences, args.e5_limit)
    if args.out:
        args.out.write_text(json.dumps(out, indent=1), encoding="utf-8")
    print(table(out))


if __name__ == "__main__":
    main()
