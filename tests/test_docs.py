"""The README documents every command and option (model: sqlite-utils' test_docs)."""

from __future__ import annotations

import click
import pytest

from tui.cli.main import cli

from .conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


def all_commands():
    for name, command in cli.commands.items():
        yield name, command
        if isinstance(command, click.Group):
            for sub_name, sub in command.commands.items():
                yield f"{name} {sub_name}", sub


@pytest.mark.parametrize("name,command", list(all_commands()), ids=lambda v: str(v))
def test_every_command_and_option_is_in_the_readme(name, command):
    assert f"`sidenote {name}" in README or f"`{name.split()[-1]} " in README, name
    for param in command.params:
        if isinstance(param, click.Option):
            longest = max(param.opts, key=len)
            if longest != "--help":
                assert longest in README, f"{name}: {longest}"


def test_quick_start_is_exactly_make_run_and_make_test():
    section = README.split("## Quick start", 1)[1].split("##", 1)[0]
    block = section.split("```sh", 1)[1].split("```", 1)[0]
    commands = [line.split("#")[0].strip() for line in block.strip().splitlines()]
    assert commands == ["make run", "make test"]


def test_the_readme_lists_every_key():
    """docs/keys.md is generated from the bindings (a TUI test keeps it in step);
    the README carries the same rows."""
    keys = (ROOT / "docs" / "keys.md").read_text(encoding="utf-8")
    rows = [line for line in keys.splitlines() if line.startswith("| `")]
    assert rows
    missing = [row for row in rows if row not in README]
    assert not missing, missing


def test_docs_formats_describes_every_export_format_in_the_table_order():
    """The table of formats (store/exchange/formats.py) is what `sidenote export
    --format` and the app offer; docs/formats.md has a section for each, in that order."""
    from store import FORMATS

    formats = (ROOT / "docs" / "formats.md").read_text(encoding="utf-8")
    sections = [line.split("`")[1] for line in formats.splitlines() if line.startswith("## `")]
    assert sections == list(FORMATS)
    listed = "\\|".join(FORMATS)  # `|` escaped inside the README's table
    assert f"`sidenote export [--format {listed}]" in README
