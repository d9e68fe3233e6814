"""A 50 MB file that is a single line: imported whole, in bounded memory.

Runs `sidenote import` in a child process so its peak memory can be measured on
its own. The memory bound is a generous safety net: a copy per word or per
sentence would break it, and it does not depend on how fast or how busy the
machine is. How long the import takes is a benchmark figure, not a test
(benchmarks/big_file_bench.py): a wall-clock limit fails on a loaded machine.
"""

from __future__ import annotations

import subprocess

from store import open_store
from store.importing.sentences import split_sentences

from .conftest import PYTHON
from .corpus import write_single_line_file
from .peak import OWN_PEAK_KB_SOURCE

SIZE = 50_000_000
MAX_PEAK_MB = 1500  # measured ~0.8-1 GB, about 20x the file: see docs/reliability.md
# Only turns a hang into a failure: the import takes 10-20 s, 40 s on a loaded machine.
HANG_SECONDS = 600

# `sidenote` in a child that prints its own peak memory last on stderr. The peak of
# the child alone: RUSAGE_CHILDREN would give the largest of every child the test
# session has waited for, whichever test started it.
SIDENOTE_MEASURED = OWN_PEAK_KB_SOURCE + (
    "import sys\n"
    "from tui.cli.main import main\n"
    "try:\n"
    "    main()\n"
    "finally:\n"
    "    peak = own_peak_kb()\n"
    "    print(f'peak_kb {peak}', file=sys.stderr)\n"
)


def test_a_50_mb_single_line_file_imports_whole_in_bounded_memory(tmp_path, figures):
    path = tmp_path / "huge.txt"
    write_single_line_file(path, SIZE)
    db = tmp_path / "huge.db"

    result = subprocess.run(
        [PYTHON, "-c", SIDENOTE_MEASURED, "--db", str(db), "import", str(path)],
        capture_output=True,
        text=True,
        timeout=HANG_SECONDS,
    )
    *errors, last = result.stderr.splitlines()
    assert result.returncode == 0 and not errors, result.stderr
    peak_mb = int(last.removeprefix("peak_kb ")) / 1024

    assert result.stdout.startswith("Imported 1 new article")
    with open_store(db) as store:
        (doc_id,) = store.document_ids()
        text = store.document(doc_id).text
        assert "\n" not in text and len(text) > SIZE // 2
        stored = [(s.start, s.end) for s in store.sentences(doc_id)]
        assert stored == split_sentences(text)  # all its sentences, none missing
        assert store.db.execute("PRAGMA quick_check").fetchone()[0] == "ok"
    figures.update(file_mb=round(path.stat().st_size / 1e6, 1), peak_mb=round(peak_mb))
    assert peak_mb < MAX_PEAK_MB
