"""Reading a file a user names: regular files only, never more than the cap held."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from store import InputError
from store.files.reading import open_regular, read_bounded

from ..conftest import ROOT


def test_a_file_that_reports_size_zero_is_still_read_whole() -> None:
    status = Path("/proc/self/status")
    if not status.exists():
        pytest.skip("no /proc on this system")
    assert status.stat().st_size == 0
    assert b"Name:" in read_bounded(status, 1 << 20)


def test_a_file_over_the_cap_is_refused_however_it_reports_its_size(tmp_path: Path) -> None:
    path = tmp_path / "big.txt"
    path.write_bytes(b"x" * 5000)
    assert read_bounded(path, 5000) == b"x" * 5000
    with pytest.raises(InputError, match="file is too large"):
        read_bounded(path, 4999)
    status = Path("/proc/self/status")
    if status.exists():  # says 0 bytes; the read stops one byte past the cap
        with pytest.raises(InputError, match="file is too large"):
            read_bounded(status, 10)


def test_a_folder_is_not_opened_as_a_file(tmp_path: Path) -> None:
    with pytest.raises(IsADirectoryError):
        open_regular(tmp_path)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs are POSIX only")
def test_a_name_swapped_for_a_fifo_after_the_check_is_refused_without_waiting(
    tmp_path: Path,
) -> None:
    # The check before opening is made to pass, as if the name had been a regular
    # file then and a FIFO by the time it is opened: the open must not wait for a
    # writer, and the opened file must be checked again. In a child, so that a
    # regression fails on the safety-net timeout instead of hanging the suite.
    fifo = tmp_path / "fifo.txt"
    os.mkfifo(fifo)
    code = (
        "import sys\n"
        "from pathlib import Path\n"
        "from store import InputError\n"
        "from store.files import reading as files\n"
        "check, calls = files._check_regular, []\n"
        "def first_passes(path, mode):\n"
        "    calls.append(path)\n"
        "    if len(calls) > 1:\n"
        "        check(path, mode)\n"
        "files._check_regular = first_passes\n"
        "try:\n"
        "    files.open_regular(Path(sys.argv[1]))\n"
        "except InputError as error:\n"
        "    print(error, len(calls))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code, str(fifo)],
        capture_output=True, text=True, cwd=ROOT, timeout=120,
    )
    assert result.stdout == f"{fifo}: not a regular file (a FIFO) 2\n", result.stderr
