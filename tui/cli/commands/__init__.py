"""The `sidenote` subcommands, one module per area, each imported when first used.

A command module imports the parts of the store it calls (sqlite-utils, the matcher
and numpy, rich's progress bars), which takes far longer than Python's own start.
`COMMANDS` therefore knows each command by name, by module and by the line
`sidenote --help` lists for it (the first paragraph of its docstring;
tests/test_startup.py holds the two equal), and imports a module only when one of its
commands is looked up: `--version` and `--help` import none, `sidenote docs` one.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator, MutableMapping

import click

# Module in this package -> its commands' names -> the summary `--help` lists.
SUMMARIES: dict[str, dict[str, str]] = {
    "corpus": {
        "import": "Import articles from files and folders (.txt, .md, .html, .htm, .jsonl).",
        "docs": "List the articles: id, outlet, title and counts.",
        "show": "Print an article's stored text exactly (offsets refer to this text).",
        "stats": "Counts of articles, sentences, annotations and links.",
    },
    "reader": {
        "read": "Open the reader (on DOC_ID, or where you left off).",
    },
    "links": {
        "link": "Find statements repeated across articles (every sentence and annotation).",
        "links": "List links between articles, grouped by statement (cluster).",
    },
    "exchange": {
        "export": (
            "Export annotations: jsonl (default, lossless), documents, w3c, doccano, "
            "label-studio, prodigy, spacy, brat or csv."
        ),
        "import-annotations": (
            "Import annotations: our jsonl export, or a doccano, Label Studio, Prodigy, "
            "brat (folder), W3C or documents file. All or nothing, idempotent."
        ),
        "review": "List annotations that could not be re-anchored safely on a changed text.",
        "annotate": "Annotate a span of an article from a script (undoable like any edit).",
    },
    "search": {
        "search": "Search annotations (text, note, speaker) and linked statements.",
    },
    "statements": {
        "statements": "List statements (clusters of links) with their outlets and first "
                      "appearance.",
        "spread": "Show each outlet that carried a statement, when, and in what words.",
        "report": "Write a Markdown brief of a statement for a fact-check write-up.",
    },
    "history": {
        "history": "The log of changes to annotations, links and articles, newest first.",
        "undo": "Take back the most recent change (the app's `u`).",
        "redo": "Re-apply the most recently undone change (the app's `ctrl+r`).",
        "delete": "Delete an article, with its annotations and links (one change: "
                  "`sidenote undo` brings it all back).",
    },
    "quotes": {
        "quotes": "List the quotations in an article (or --all) with their likely speakers.",
    },
    "datasette": {
        "datasette-metadata": "Write Datasette metadata: every table and column described, "
                              "bookkeeping hidden.",
    },
}


class LazyCommands(MutableMapping[str, click.Command]):
    """The group's commands by name: listing them imports nothing, looking one up
    imports its module. Click's `Group` reads `commands` through this mapping."""

    def __init__(self, summaries: dict[str, dict[str, str]]) -> None:
        self._module = {name: module for module, names in summaries.items() for name in names}
        self._summary = {name: text for names in summaries.values() for name, text in names.items()}
        self._loaded: dict[str, click.Command] = {}

    def summary(self, name: str) -> str:
        """The line `--help` lists for a command, without importing it."""
        return self._summary[name]

    def __getitem__(self, name: str) -> click.Command:
        if name not in self._loaded:
            module = importlib.import_module(f"{__name__}.{self._module[name]}")
            for command in module.commands:
                self._loaded.setdefault(command.name, command)
        return self._loaded[name]

    def __setitem__(self, name: str, command: click.Command) -> None:
        self._loaded[name] = command
        self._summary.setdefault(name, command.help or "")

    def __delitem__(self, name: str) -> None:
        self._loaded.pop(name, None)
        self._module.pop(name, None)
        del self._summary[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._summary)

    def __len__(self) -> int:
        return len(self._summary)

    def __contains__(self, name: object) -> bool:
        return name in self._summary


COMMANDS = LazyCommands(SUMMARIES)
