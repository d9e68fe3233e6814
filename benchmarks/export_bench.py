"""Export throughput and memory (target: ≥ 100,000 annotations/s for jsonl, flat memory).

    .venv/bin/python benchmarks/export_bench.py [--sizes 100000 400000] [--runs 3]
        [--formats jsonl csv w3c documents]

Databases are built once (annotation_corpus.py) and kept in /tmp. Each export runs
in a fresh child process that writes to a file through `export_to_path` (temp
file + rename, as `sidenote export -o` does) and reports its wall time and its
peak resident memory (ru_maxrss), next to the memory it had after opening the
store. If memory is flat, the peak does not grow with the number of annotations.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from pathlib import Path

# VmHWM (peak resident set of this process image) rather than ru_maxrss, which
# Linux carries over from the parent across exec.
CHILD = """
import json, sys, time
from store import open_store
from store.exchange.formats import export_to_path

def status(key):
    for line in open("/proc/self/status"):
        if line.startswith(key + ":"):
            return int(line.split()[1])

db, fmt, out = sys.argv[1:4]
store = open_store(db)
store.db.execute("SELECT count(*) FROM annotations").fetchone()
before = status("VmHWM")
start = time.perf_counter()
count = export_to_path(store, fmt, out)
seconds = time.perf_counter() - start
peak = status("VmHWM")
print(json.dumps({"count": count, "seconds": seconds, "before_kb": before, "peak_kb": peak}))
"""
BUILD = """
import sys
sys.path.insert(0, sys.argv[1])
from pathlib import Path
import annotation_corpus
t = annotation_corpus.build(Path(sys.argv[2]), int(sys.argv[3]), quiet=True)
print(f"built {sys.argv[2]} in {t['total_s']:.1f} s", file=sys.stderr)
"""


def database(size: int) -> Path:
    path = Path(f"/tmp/sidenote_export_bench_{size}.db")
    if not path.exists():
        # In a child process: building holds every row in memory, measuring must not.
        here = str(Path(__file__).resolve().parent)
        subprocess.run([sys.executable, "-c", BUILD, here, str(path), str(size)], check=True)
    return path


def run_child(db: Path, fmt: str) -> dict:
    out = Path(f"/tmp/sidenote_export_bench.{fmt}")
    result = subprocess.run(
        [sys.executable, "-c", CHILD, str(db), fmt, str(out)],
        capture_output=True,
        text=True,
        check=True,
    )
    data = json.loads(result.stdout)
    data["bytes"] = out.stat().st_size
    out.unlink()
    return data


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 400_000])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--formats", nargs="+", default=["jsonl", "csv", "w3c", "documents"])
    args = parser.parse_args()
    print(
        f"{'format':<10} {'annotations':>11} {'runs':>4} {'median s':>9} {'ann/s':>10} {'MB/s':>6} "
        f"{'RSS open MB':>11} {'RSS peak MB':>11}"
    )
    for size in args.sizes:
        database(size)
    for fmt in args.formats:
        for size in args.sizes:
            db = database(size)
            runs = [run_child(db, fmt) for _ in range(args.runs)]
            seconds = statistics.median(r["seconds"] for r in runs)
            rate = size / seconds  # per annotation, also for `documents` (one line per article)
            mb = statistics.median(r["bytes"] for r in runs) / 1e6 / seconds
            before = statistics.median(r["before_kb"] for r in runs) / 1024
            peak = statistics.median(r["peak_kb"] for r in runs) / 1024
            print(
                f"{fmt:<10} {size:>11,} {args.runs:>4} {seconds:>9.2f} {rate:>10,.0f} {mb:>6.0f} "
                f"{before:>11.0f} {peak:>11.0f}"
            )


if __name__ == "__main__":
    main()
