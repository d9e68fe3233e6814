"""Fixtures for the fault and abuse suite, and the figures it prints at the end.

Each test records what it tried (kills, inputs, examples) in `figures`; the totals
are printed after the run (and written as JSON to $SIDENOTE_FIGURES if set), which
is where docs/reliability.md takes its numbers from.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
from pathlib import Path

import pytest

from tests.conftest import SEEDS

# `sidenote` as a separate process, from this interpreter: argv prefix for subprocess.
SIDENOTE = [sys.executable, "-c", "from tui.cli.main import main; main()"]

FIGURES: dict[str, dict] = {}


@pytest.fixture
def figures(request):
    """A dict for the running test's figures, printed in the session summary."""
    entry: dict = {}
    FIGURES[request.node.name] = entry
    return entry


def pytest_terminal_summary(terminalreporter):
    if not FIGURES:
        return
    terminalreporter.section("hardening figures")
    for name, entry in FIGURES.items():
        if entry:
            terminalreporter.write_line(f"{name}: " + json.dumps(entry, ensure_ascii=False))
    target = os.environ.get("SIDENOTE_FIGURES")
    if target:
        Path(target).write_text(json.dumps(FIGURES, indent=2, ensure_ascii=False))


@pytest.fixture(scope="session")
def figures_count():
    """Count inputs tried, by kind (session-wide, so hypothesis tests may use it)."""
    entry = FIGURES.setdefault("inputs tried", {})

    def count(kind: str, n: int = 1) -> None:
        entry[kind] = entry.get(kind, 0) + n

    return count


@pytest.fixture
def seeds_copy(tmp_path) -> Path:
    folder = tmp_path / "seeds"
    shutil.copytree(SEEDS, folder)
    return folder


PYTHON = sys.executable
