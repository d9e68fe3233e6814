"""One huge article on one line: how long `sidenote import` takes, and its peak memory.

    python benchmarks/big_file_bench.py              # 50 MB, 3 runs
    python benchmarks/big_file_bench.py --mb 20 --runs 1

The file is the one tests/hardening/test_big_file.py imports (that test checks the
result and the memory bound; the time is measured here, on a quiet machine). Each
run is `sidenote import` into a fresh database in its own process. Prints a table;
figures are medians over the runs.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def run_once(path: Path) -> tuple[float, float]:
    """Seconds and peak MB of one import of `path` into a new database."""
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        proc = subprocess.Popen(
            [sys.executable, "-c", "from tui.cli.main import main; main()",
             "--db", str(Path(tmp) / "big.db"), "import", str(path)],
            stdout=subprocess.DEVNULL,
        )
        # wait4: the peak of this child alone, not of every child so far.
        _, status, usage = os.wait4(proc.pid, 0)
        elapsed = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"import failed with exit code {proc.returncode}")
    return elapsed, usage.ru_maxrss / 1024


def main() -> None:
    from tests.hardening.corpus import write_single_line_file

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=int, default=50)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "huge.txt"
        write_single_line_file(path, args.mb * 1_000_000)
        size_mb = path.stat().st_size / 1e6
        runs = [run_once(path) for _ in range(args.runs)]
    seconds = statistics.median(s for s, _ in runs)
    peak = statistics.median(p for _, p in runs)
    print(f"{'file MB':>8} {'seconds':>8} {'MB/s':>6} {'peak RSS MB':>12}")
    print(f"{size_mb:>8.1f} {seconds:>8.2f} {size_mb / seconds:>6.2f} {peak:>12.0f}")
    print(f"(median of {args.runs} runs)")


if __name__ == "__main__":
    main()
