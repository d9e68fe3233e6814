"""The architecture as tests: the core imports without the UI; the package ships its data.

The contracts themselves (which package may import which) are written in
`[tool.importlinter]` in pyproject.toml and checked here by import-linter over every
module, lazy imports included. The subprocess test beside them checks what the
static graph cannot: that importing the core really leaves Textual unloaded.
"""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

from .conftest import ROOT, SEEDS


def test_the_import_contracts_in_pyproject_hold():
    """store stays headless, store.matching stays off the database, and tui keeps its
    layers (cli > app > screens > widgets). The layers contract is exhaustive, so a new
    module under tui/ fails here until it is given its place."""
    lint_imports = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run(
        [str(lint_imports), "--no-cache"], cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_importing_store_does_not_load_textual_or_tui():
    code = (
        "import sys, store, store.importing.ingest, store.annotations, store.corpus\n"
        "loaded = [m for m in sys.modules if m.split('.')[0] in ('textual', 'tui')]\n"
        "assert not loaded, loaded"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)


def test_bundled_corpus_is_found_and_unchanged():
    from store.corpus import bundled_seed_paths

    paths = bundled_seed_paths()
    assert [p.name for p in paths] == sorted(p.name for p in SEEDS.glob("*.txt"))
    for path in paths:
        assert path.read_bytes() == (SEEDS / path.name).read_bytes()


def test_the_wheel_carries_the_seeds(tmp_path):
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(tmp_path),
         str(ROOT)],
        check=True,
    )
    wheel = next(Path(tmp_path).glob("sidenote-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    for seed in SEEDS.glob("*.txt"):
        assert f"store/seeds/{seed.name}" in names
    # Every module: the package list in pyproject.toml is written by hand.
    modules = [p.relative_to(ROOT).as_posix() for top in ("store", "tui")
               for p in (ROOT / top).rglob("*.py")]
    for module in [*modules, "store/exchange/annotation_schema.json", "tui/app.tcss"]:
        assert module in names, module
