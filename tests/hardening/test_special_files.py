"""Special files and huge articles are refused in bounded time and memory.

A symbolic link to /dev/zero, a FIFO (named like an article, alone or inside a folder)
and a JSONL article larger than the cap must each cost one line on stderr, not a
process that grows without end or waits forever. `sidenote` runs in a child process
that reports its own peak memory; the child's address space is limited and
`communicate()` has a timeout only so that a regression fails the test instead of
taking the machine or the suite with it. Neither limit is the assertion.
"""

from __future__ import annotations

import os
import resource
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from store import open_store
from store.importing.ingest import MAX_ARTICLE_CHARS, PARALLEL_MIN_FILES

from .peak import OWN_PEAK_KB_SOURCE

# Runs `sidenote` and writes its peak resident memory (KiB, its own or its worker's)
# to the file named by the first argument, whatever way the command ends.
MEASURED = [
    sys.executable,
    "-c",
    OWN_PEAK_KB_SOURCE + "import atexit, resource, sys\n"
    "peak_file = sys.argv.pop(1)\n"
    "def report():\n"
    "    peak = max(own_peak_kb(),\n"
    "               resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
    "    with open(peak_file, 'w') as handle:\n"
    "        handle.write(str(peak))\n"
    "atexit.register(report)\n"
    "from tui.cli.main import main\n"
    "main()\n",
]
SAFETY_SECONDS = 300  # a safety net that fails the test; a correct run takes well under
SAFETY_ADDRESS_SPACE = 3 * 2**30  # a run away read stops here instead of swapping the machine

ARTICLE = (
    "Ministers from six countries agreed on Monday to share the cost of patrolling the "
    "northern border. The agreement, reached after two days of talks in Vienna, runs for "
    "three years, the Austrian minister said.\n"
)

needs_fifo = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs are POSIX only")


def _limit_address_space() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (SAFETY_ADDRESS_SPACE, SAFETY_ADDRESS_SPACE))


def run_measured(
    tmp_path: Path, *args: str, env: dict[str, str] | None = None
) -> tuple[subprocess.CompletedProcess, float]:
    """`sidenote ARGS` in a child; its result and its peak memory in MB."""
    peak_file = tmp_path / "peak.txt"
    child = subprocess.Popen(
        [*MEASURED, str(peak_file), "--db", str(tmp_path / "x.db"), *args],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=_limit_address_space,
        start_new_session=True,  # so the safety net also stops a worker it forked
        env=env,
    )
    try:
        out, err = child.communicate(timeout=SAFETY_SECONDS)
    except subprocess.TimeoutExpired:
        os.killpg(child.pid, signal.SIGKILL)
        child.communicate()
        pytest.fail(f"sidenote {' '.join(args)} did not finish within the safety net")
    result = subprocess.CompletedProcess(child.args, child.returncode, out, err)
    return result, int(peak_file.read_text()) / 1024


def stored_articles(tmp_path: Path) -> int:
    with open_store(tmp_path / "x.db") as store:
        return store.document_count()


def test_a_link_to_dev_zero_is_refused_in_one_line_without_reading_it(tmp_path, figures):
    link = tmp_path / "x.txt"
    link.symlink_to("/dev/zero")

    result, peak_mb = run_measured(tmp_path, "import", str(link))

    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        f"sidenote: {link}: not a regular file (a link to a character device); skipped"
    ]
    assert "Traceback" not in result.stderr
    figures.update(peak_mb=round(peak_mb))
    assert peak_mb < 300  # the process's own size; reading /dev/zero would fill the limit


@needs_fifo
def test_a_fifo_named_like_an_article_is_refused_and_the_command_ends(tmp_path):
    fifo = tmp_path / "fifo.txt"
    os.mkfifo(fifo)

    result, _ = run_measured(tmp_path, "import", str(fifo))

    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        f"sidenote: {fifo}: not a regular file (a FIFO); skipped"
    ]


@needs_fifo
@pytest.mark.parametrize("articles", [1, PARALLEL_MIN_FILES], ids=["serial", "worker"])
def test_special_files_inside_a_folder_are_skipped_with_one_line_each(tmp_path, articles):
    folder = tmp_path / "pages"
    folder.mkdir()
    for n in range(articles):
        (folder / f"{n:03d}.txt").write_text(f"Headline {n}\n{ARTICLE}Item {n}.\n", "utf-8")
    os.mkfifo(folder / "fifo.txt")
    (folder / "zero.txt").symlink_to("/dev/zero")

    result, peak_mb = run_measured(tmp_path, "import", str(folder))

    assert result.returncode == 0, result.stderr
    assert sorted(result.stderr.splitlines()) == [
        f"sidenote: warning: {folder / 'fifo.txt'}: not a regular file (a FIFO); skipped",
        f"sidenote: warning: {folder / 'zero.txt'}: "
        "not a regular file (a link to a character device); skipped",
    ]
    assert stored_articles(tmp_path) == articles
    assert peak_mb < 300


def test_a_jsonl_article_larger_than_the_cap_is_refused_with_its_line(tmp_path, figures):
    path = tmp_path / "big.jsonl"
    words = "The envoy said troops could deploy west of the river. "
    big = words * (MAX_ARTICLE_CHARS // len(words) + 100)
    chars = len(big)
    with path.open("w", encoding="utf-8") as handle:
        handle.write('{"text": "A small article that is fine on its own."}\n')
        handle.write('{"title": "Too big", "text": "' + big + '"}\n')
    del big

    result, peak_mb = run_measured(tmp_path, "import", str(path))

    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        f"sidenote: {path}: line 2: article is too large ({chars:,} characters; "
        f"limit {MAX_ARTICLE_CHARS:,})"
    ]
    assert stored_articles(tmp_path) == 0  # the file is refused whole
    figures.update(file_mb=round(path.stat().st_size / 1e6, 1), peak_mb=round(peak_mb))
    # Importing an article costs about 20x its size (see docs/reliability.md, Known
    # limits); refusing it must cost a few copies of the file at most.
    assert peak_mb < 6 * path.stat().st_size / 2**20


def test_a_text_page_larger_than_the_cap_is_refused_before_it_is_parsed(tmp_path):
    path = tmp_path / "big.txt"
    path.write_text(ARTICLE * (MAX_ARTICLE_CHARS // len(ARTICLE) + 10), encoding="utf-8")

    result, peak_mb = run_measured(tmp_path, "import", str(path))

    assert result.returncode == 1
    chars = len(ARTICLE) * (MAX_ARTICLE_CHARS // len(ARTICLE) + 10)
    assert result.stderr.splitlines() == [
        f"sidenote: {path}: page is too large ({chars:,} characters; "
        f"limit {MAX_ARTICLE_CHARS:,})"
    ]
    assert peak_mb < 6 * path.stat().st_size / 2**20


@needs_fifo
def test_import_annotations_refuses_a_fifo_and_a_link_to_dev_zero(tmp_path):
    fifo = tmp_path / "notes.jsonl"
    os.mkfifo(fifo)
    zero = tmp_path / "zero.jsonl"
    zero.symlink_to("/dev/zero")

    for path, kind in ((fifo, "a FIFO"), (zero, "a link to a character device")):
        result, peak_mb = run_measured(tmp_path, "import-annotations", str(path))

        assert result.returncode == 1
        assert result.stderr.splitlines() == [
            f"sidenote: {path}: not a regular file ({kind})"
        ]
        assert peak_mb < 300


@needs_fifo
def test_a_fifo_as_keymap_stops_the_app_with_one_line_instead_of_hanging(tmp_path):
    config = tmp_path / "config"
    (config / "sidenote").mkdir(parents=True)
    keymap = config / "sidenote" / "keymap.toml"
    os.mkfifo(keymap)

    result, _ = run_measured(
        tmp_path, "read", env={**os.environ, "XDG_CONFIG_HOME": str(config)}
    )

    assert result.returncode == 1
    assert result.stderr.splitlines() == [f"sidenote: {keymap}: not a regular file (a FIFO)"]


@needs_fifo
def test_a_fifo_as_the_database_is_refused_in_one_line(tmp_path):
    fifo = tmp_path / "notes.db"
    os.mkfifo(fifo)

    child = subprocess.run(
        [*MEASURED, str(tmp_path / "peak.txt"), "--db", str(fifo), "docs"],
        capture_output=True, text=True, timeout=SAFETY_SECONDS, start_new_session=True,
    )

    assert child.returncode == 1
    assert child.stderr.splitlines() == [
        f"sidenote: {fifo}: not a regular file (a FIFO), not a database file"
    ]
