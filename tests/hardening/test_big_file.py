"""A 50 MB file that is a single line: imported whole, in bounded time and memory.

Runs `sidenote import` in a child process so its peak memory can be measured on
its own. The bounds are generous safety nets (the import speed target lives in
benchmarks/import_bench.py): a quadratic step or a copy per word would break them.
"""

from __future__ import annotations

import random
import resource
import subprocess
import time

from store import open_store
from store.sentences import split_sentences

from .conftest import SIDENOTE

SIZE = 50_000_000
MAX_SECONDS = 25  # measured ~12-17 s on the 2-core CI machine
MAX_PEAK_MB = 1500  # measured ~0.8-1 GB, about 20x the file: see docs/reliability.md


def test_a_50_mb_single_line_file_imports_in_bounded_time_and_memory(tmp_path, figures):
    rng = random.Random(50)
    words = (
        "the envoy said troops could deploy west of the river while ministers met in "
        "Brussels to discuss guarantees 👩‍👩‍👧 e\u0301 مرحبا 中文"
    ).split()
    block = "".join(
        " ".join(rng.choice(words) for _ in range(rng.randint(6, 24))) + ". " for _ in range(4000)
    ).encode("utf-8")
    path = tmp_path / "huge.txt"
    with path.open("wb") as handle:  # no newline anywhere: one line
        for copy in range(SIZE // len(block) + 1):
            handle.write(f"Part {copy}. ".encode() + block)
    db = tmp_path / "huge.db"

    started = time.monotonic()
    result = subprocess.run(
        [
            *SIDENOTE,
            "--db",
            str(db),
            "import",
            str(path),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    elapsed = time.monotonic() - started
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024

    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Imported 1 new article")
    with open_store(db) as store:
        (doc_id,) = store.document_ids()
        text = store.document(doc_id).text
        assert "\n" not in text and len(text) > SIZE // 2
        stored = [(s.start, s.end) for s in store.sentences(doc_id)]
        assert stored == split_sentences(text)  # all its sentences, none missing
        assert store.db.execute("PRAGMA quick_check").fetchone()[0] == "ok"
    figures.update(
        file_mb=round(path.stat().st_size / 1e6, 1),
        seconds=round(elapsed, 1),
        peak_mb=round(peak_mb),
    )
    assert elapsed < MAX_SECONDS
    assert peak_mb < MAX_PEAK_MB
