"""Echo benchmark: does a linker find each planted statement wherever it sits?

    .venv/bin/python benchmarks/echo_bench.py                        # 5k, 20k, 100k; 3 runs each
    .venv/bin/python benchmarks/echo_bench.py --sizes 5000 --repeat 1   # a quick look
    .venv/bin/python benchmarks/echo_bench.py --million --repeat 1   # adds the 1M time/memory run

Corpora come from `echo_corpus.py` (built from how news text behaves, not from how our
linker works): a `news` corpus whose vocabulary grows with its size, and a `common`
corpus of the same size whose ~2,000 words do not (the `common-words` arm), each
with every arm planted. Each run is a child process, so its peak resident memory
(`ru_maxrss`, the generated corpus included) is its own.

Scoring, per arm:
- **recall**: a planted place is found when a link joins it to another place of the
  same statement (each side must overlap a place by at least half of the shorter of
  the two spans: the link's aligned part and the place);
- **precision**: of the links touching the arm's places, the share whose two sides
  overlap places of the same statement. A false link is charged to every arm it
  touches; one touching no planted place is charged to `stock-phrase` when a side
  holds a stock phrase or dateline, else to `filler`. "all" counts every link once.

Times are per stage (making units = sentence segmentation, then linking), wall and
CPU (all threads), median over `--repeat` runs. "common bigrams" is the share of the
planted statements' word bigrams found in more than 0.1% of the corpus's sentences.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

from echo_corpus import (  # noqa: E402
    ARMS,
    NEGATIVE,
    EchoCorpus,
    Place,
    check,
    common_bigram_share,
    generate,
)

Span = tuple[str, int, int]  # doc, start, end (code points, end exclusive)
LinkSides = tuple[Span, Span]
Stages = dict[str, tuple[float, float]]  # stage -> (wall s, cpu s)


def run_linker(docs: dict[str, str], threshold: float | None) -> tuple[list[LinkSides], Stages]:
    """The one place that calls Sidenote's linker: re-point it when the linker moves.

    Units are made as `store.links.sentence_units` makes them for `sidenote link`
    (the importer's sentence segmenter, page furniture skipped), then the pure
    `link_units` links them: the unit stages and the passage alignment over whole
    articles (`store.matching.passages`), as `relink` does. A link's side is its
    aligned part (`match_start`, `match_end`), which is what the app highlights.
    """
    from store.importing.furniture import line_rule
    from store.importing.sentences import split_sentences
    from store.matching import DEFAULT_THRESHOLD, Unit, link_units

    stages: Stages = {}
    wall, cpu = time.perf_counter(), time.process_time()
    units = []
    for doc, text in docs.items():
        for idx, (start, end) in enumerate(split_sentences(text)):
            sentence = text[start:end]
            if line_rule(sentence) is None:
                units.append(Unit(doc, start, end, sentence, seq=idx))
    stages["units"] = (time.perf_counter() - wall, time.process_time() - cpu)
    wall, cpu = time.perf_counter(), time.process_time()
    matches = link_units(units, threshold=DEFAULT_THRESHOLD if threshold is None else threshold)
    stages["link"] = (time.perf_counter() - wall, time.process_time() - cpu)
    links = [
        ((m.a.doc, m.a.match_start, m.a.match_end), (m.b.doc, m.b.match_start, m.b.match_end))
        for m in matches
    ]
    return links, stages


# -- scoring -------------------------------------------------------------------------------


def _by_doc(places: list[Place]) -> dict[str, list[tuple[int, int, int]]]:
    out: dict[str, list[tuple[int, int, int]]] = defaultdict(list)
    for i, p in enumerate(places):
        out[p.doc].append((p.start, p.end, i))
    return out


def _touching(side: Span, index: dict[str, list[tuple[int, int, int]]]) -> list[int]:
    """Places the side overlaps by at least half of the shorter of the two spans."""
    doc, start, end = side
    hits = []
    for p_start, p_end, i in index.get(doc, ()):
        common = min(end, p_end) - max(start, p_start)
        if common > 0 and 2 * common >= min(end - start, p_end - p_start):
            hits.append(i)
    return hits


def score(corpus: EchoCorpus, links: list[LinkSides]) -> dict[str, dict[str, int]]:
    """Per arm: places, found places, true links, false links (see the module's doc)."""
    places = corpus.places
    planted, stock = _by_doc(places), _by_doc(corpus.stock)
    rows: dict[str, dict[str, int]] = {
        arm: {"places": 0, "found": 0, "true": 0, "false": 0}
        for arm in [*ARMS, NEGATIVE, "filler", "all"]
    }
    for p in places:
        rows[p.arm]["places"] += 1
        rows["all"]["places"] += 1
    found: set[int] = set()
    for a, b in links:
        pa, pb = _touching(a, planted), _touching(b, planted)
        shared = {places[i].statement for i in pa} & {places[i].statement for i in pb}
        if shared:
            arm = corpus.arms[min(shared)]
            rows[arm]["true"] += 1
            rows["all"]["true"] += 1
            found.update(i for i in (*pa, *pb) if places[i].statement in shared)
            continue
        rows["all"]["false"] += 1
        arms = {places[i].arm for i in (*pa, *pb)}
        if not arms:
            arms = {NEGATIVE if _touching(a, stock) or _touching(b, stock) else "filler"}
        for arm in arms:
            rows[arm]["false"] += 1
    for i in found:
        rows[places[i].arm]["found"] += 1
        rows["all"]["found"] += 1
    return rows


# -- one run, in a child process --------------------------------------------------------------


def _rss_mb() -> float:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


def child(size: int, vocabulary: str, seed: int, threshold: float | None) -> dict:
    began = time.perf_counter()
    corpus = generate(size, seed=seed, vocabulary=vocabulary)
    check(corpus)
    made = time.perf_counter() - began
    corpus_mb = _rss_mb()
    links, stages = run_linker(corpus.docs, threshold)
    # ru_maxrss is in KiB on Linux (bytes on macOS).
    scale = 1024 * 1024 if sys.platform == "darwin" else 1024
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / scale
    # Counting every bigram of a million sentences would take longer than linking them.
    share = common_bigram_share(corpus) if size <= 200_000 else float("nan")
    return {
        "size": size, "vocabulary": vocabulary, "sentences": corpus.sentences,
        "articles": len(corpus.docs), "made": made, "corpus_mb": corpus_mb, "peak_mb": peak,
        "stages": stages, "links": len(links), "rows": score(corpus, links),
        "word_types": corpus.word_types(), "common_bigrams": share,
    }  # fmt: skip


def _spawn(size: int, vocabulary: str, seed: int, threshold: float | None) -> dict:
    command = [sys.executable, __file__, "--child", str(size), vocabulary, "--seed", str(seed)]
    if threshold is not None:
        command += ["--threshold", str(threshold)]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        sys.exit(f"echo_bench: run {size} {vocabulary} failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


# -- tables -------------------------------------------------------------------------------------


def _fraction(num: int, den: int) -> str:
    return f"{num / den:.3f}" if den else "-"


def print_tables(results: dict[tuple[int, str], list[dict]]) -> None:
    sizes = sorted({size for size, _ in results})
    for vocabulary in ("news", "common"):
        keys = [(s, vocabulary) for s in sizes if (s, vocabulary) in results]
        if not keys:
            continue
        label = "news vocabulary (grows with the corpus)" if vocabulary == "news" else (
            "common-words: a fixed vocabulary of ~2,000 words")  # fmt: skip
        print(f"\nRecall / precision, {label}\n")
        heads = " | ".join(f"{s:,}: places | recall | precision" for s, _ in keys)
        print(f"| arm | {heads} |")
        print("|---|" + "---:|---:|---:|" * len(keys))
        for arm in [*ARMS, NEGATIVE, "filler", "all"]:
            cells = []
            for key in keys:
                row = results[key][0]["rows"][arm]
                if arm in (NEGATIVE, "filler"):
                    cells += ["-", "-", f"{row['false']} false links"]
                else:
                    cells += [str(row["places"]), _fraction(row["found"], row["places"]),
                              _fraction(row["true"], row["true"] + row["false"])]  # fmt: skip
            print(f"| {arm} | " + " | ".join(cells) + " |")
    print("\nTime (median of runs) and memory\n")
    print("| sentences | vocabulary | runs | links | make corpus s | units wall / CPU s "
          "| link wall / CPU s | corpus MB | peak MB | word types | common bigrams |")  # fmt: skip
    print("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for (_size, vocabulary), runs in sorted(results.items()):

        def median(stage: str, k: int, runs: list[dict] = runs) -> float:
            return statistics.median(r["stages"][stage][k] for r in runs)

        first = runs[0]
        print(f"| {first['sentences']:,} | {vocabulary} | {len(runs)} | {first['links']:,} "
              f"| {statistics.median(r['made'] for r in runs):.1f} "
              f"| {median('units', 0):.1f} / {median('units', 1):.1f} "
              f"| {median('link', 0):.1f} / {median('link', 1):.1f} "
              f"| {statistics.median(r['corpus_mb'] for r in runs):,.0f} "
              f"| {statistics.median(r['peak_mb'] for r in runs):,.0f} "
              f"| {first['word_types']:,} | {first['common_bigrams']:.0%} |")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="5000,20000,100000",
                        help="sentence counts, comma-separated")  # fmt: skip
    parser.add_argument("--million", action="store_true", help="also run 1,000,000 sentences")
    parser.add_argument("--vocabulary", choices=["news", "common", "both"], default="both")
    parser.add_argument("--repeat", type=int, default=3, help="runs per corpus (median time)")
    parser.add_argument("--seed", type=int, default=3)
    parser.add_argument("--threshold", type=float, default=None, help="linker threshold")
    parser.add_argument("--child", nargs=2, metavar=("SIZE", "VOCABULARY"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(int(args.child[0]), args.child[1], args.seed, args.threshold)))
        return
    sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s]
    if args.million:
        sizes.append(1_000_000)
    vocabularies = ["news", "common"] if args.vocabulary == "both" else [args.vocabulary]
    print(f"seed {args.seed}, {args.repeat} run(s) each; every run is a fresh process")
    results: dict[tuple[int, str], list[dict]] = {}
    for size in sizes:
        for vocabulary in vocabularies:
            runs = [_spawn(size, vocabulary, args.seed, args.threshold)
                    for _ in range(max(1, args.repeat))]  # fmt: skip
            results[(size, vocabulary)] = runs
            link = statistics.median(r["stages"]["link"][0] for r in runs)
            row = runs[0]["rows"]["all"]
            print(f"  {size:,} {vocabulary}: recall {_fraction(row['found'], row['places'])}, "
                  f"precision {_fraction(row['true'], row['true'] + row['false'])}, "
                  f"link {link:.1f} s", flush=True)  # fmt: skip
    print_tables(results)


if __name__ == "__main__":
    main()
