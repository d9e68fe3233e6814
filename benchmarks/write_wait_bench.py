"""How long a tag waits for the write lock while `sidenote import` runs on the same file.

    python benchmarks/write_wait_bench.py                  # 3,000 pages, a tag every 50 ms, 3 runs
    python benchmarks/write_wait_bench.py --files 1000 --every 0.3 --runs 5

Each run: a fresh database holding the seeds; `sidenote import` of the generated pages
starts in a process of its own, and this process tags a sentence every `--every`
seconds (as the app would, through `create_annotation`) until the import ends. Prints,
per run and as medians: the import's wall time, tags stored during it, and the median
and longest wait of one tag. See store/db/write_queue.py for why an import lets a waiting
writer in.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from import_bench import generate  # noqa: E402

from store import create_annotation, open_store  # noqa: E402
from store.corpus import bundled_seed_paths  # noqa: E402
from store.importing.ingest import import_paths  # noqa: E402

SIDENOTE = [sys.executable, "-c", "from tui.cli.main import main; main()"]


def run_once(folder: Path, pages: Path, every: float) -> dict:
    db = folder / "wait.db"
    for old in folder.glob("wait.db*"):
        old.unlink()
    with open_store(db) as store:
        assert import_paths(store, bundled_seed_paths()).ok
    with open_store(db) as store:
        sentence = store.sentences(store.document_ids()[0])[0]
        doc_id = store.document_ids()[0]
        began = time.perf_counter()
        importer = subprocess.Popen(
            [*SIDENOTE, "--db", str(db), "import", "--json", str(pages)],
            stdout=subprocess.DEVNULL,
            cwd=ROOT,
        )
        waits = []
        while importer.poll() is None:
            start = time.perf_counter()
            create_annotation(store, doc_id, sentence.start, sentence.end, "claim")
            waits.append(time.perf_counter() - start)
            time.sleep(every)
        seconds = time.perf_counter() - began
    if importer.returncode != 0:
        raise SystemExit(f"the import failed with exit code {importer.returncode}")
    return {
        "import_s": seconds,
        "tags": len(waits),
        "median_ms": statistics.median(waits) * 1000 if waits else 0.0,
        "longest_ms": max(waits) * 1000 if waits else 0.0,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=3000, help="generated pages to import")
    parser.add_argument("--every", type=float, default=0.05, help="seconds between two tags")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        pages = folder / "pages"
        pages.mkdir()
        generate(pages, args.files)
        rows = [run_once(folder, pages, args.every) for _ in range(args.runs)]
    print(f"\n{args.files} pages imported while tagging every {args.every * 1000:.0f} ms\n")
    print("| run | import s | tags during import | median wait ms | longest wait ms |")
    print("|---|---:|---:|---:|---:|")
    for number, row in enumerate(rows, start=1):
        print(f"| {number} | {row['import_s']:.2f} | {row['tags']} | {row['median_ms']:.1f} "
              f"| {row['longest_ms']:.0f} |")
    medians = {key: statistics.median(r[key] for r in rows) for key in rows[0]}
    print(f"| median | {medians['import_s']:.2f} | {medians['tags']:.0f} | "
          f"{medians['median_ms']:.1f} | {medians['longest_ms']:.0f} |")


if __name__ == "__main__":
    main()
