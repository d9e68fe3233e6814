"""Import speed and memory: a generated corpus of news-like pages, imported from scratch.

    python benchmarks/import_bench.py            # 2,000 and 10,000 articles (~50 MB), 3 runs
    python benchmarks/import_bench.py --sizes 500 --runs 1

Each run imports into a fresh database in its own process, so peak memory (max RSS)
is that run's alone. Prints a table; figures are medians over the runs.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

FURNITURE_TAIL = "\nShare this article\nComments\nNo comments yet...\nRelated Articles\n"


def generate(folder: Path, count: int, seed: int = 7) -> int:
    """Write `count` pages of ~5 KB built from the seed sentences; returns total bytes."""
    from store.importing.pages import clean_text
    from store.importing.sentences import split_sentences

    sentences: list[str] = []
    for path in sorted((ROOT / "seeds").glob("*.txt")):
        text = clean_text(path.read_text(encoding="utf-8"))
        sentences += [text[a:b] for a, b in split_sentences(text) if b - a > 40]
    rng = random.Random(seed)
    total = 0
    for n in range(count):
        paragraphs = []
        size = 0
        while size < 5000:
            paragraph = " ".join(rng.choice(sentences) for _ in range(rng.randint(2, 5)))
            paragraph = paragraph.replace("Ukraine", rng.choice(["Ukraine", "Moldova", "Georgia"]))
            paragraphs.append(f"{paragraph} (ref {n}-{len(paragraphs)})")
            size += len(paragraph)
        page = f"Generated headline number {n} about the talks\n" + "\n".join(paragraphs)
        page += FURNITURE_TAIL
        sub = folder / f"{n // 1000:03d}"
        sub.mkdir(exist_ok=True)
        data = page.encode("utf-8")
        (sub / f"{n:05d}.txt").write_bytes(data)
        total += len(data)
    return total


def run_once(folder: Path) -> dict:
    """Import the folder into a fresh database in this process."""
    from store import open_store
    from store.importing.ingest import import_paths

    with tempfile.TemporaryDirectory() as tmp:
        store = open_store(Path(tmp) / "bench.db")
        started = time.perf_counter()
        report = import_paths(store, [folder], parallel=True)
        store.close()  # the command returns after this: its last checkpoint counts too
        elapsed = time.perf_counter() - started
    assert report.ok, report.errors[:3]
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {"seconds": elapsed, "articles": report.added, "peak_mb": peak_kb / 1024}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[2000, 10000])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(run_once(Path(args.child))))
        return
    rows = []
    for size in args.sizes:
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp) / "corpus"
            folder.mkdir()
            total = generate(folder, size)
            runs = []
            for _ in range(args.runs):
                out = subprocess.run(
                    [sys.executable, __file__, "--child", str(folder)],
                    check=True, capture_output=True, text=True,
                ).stdout
                runs.append(json.loads(out))
        seconds = statistics.median(r["seconds"] for r in runs)
        rows.append(
            (
                size,
                total / 1e6,
                seconds,
                size / seconds,
                total / 1e6 / seconds,
                statistics.median(r["peak_mb"] for r in runs),
            )
        )
    print(
        f"{'articles':>9} {'MB':>7} {'seconds':>8} {'articles/s':>11} {'MB/s':>6}"
        f" {'peak RSS MB':>12}"
    )
    for size, mb, seconds, aps, mbps, peak in rows:
        print(f"{size:>9} {mb:>7.1f} {seconds:>8.2f} {aps:>11.0f} {mbps:>6.2f} {peak:>12.0f}")
    print(f"(median of {args.runs} runs each; target >= 5 MB/s, memory flat across sizes)")


if __name__ == "__main__":
    main()
