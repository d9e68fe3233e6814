"""Where things may be reached from: the public surface of `store`, and one home for link SQL.

A reader changing how links are stored must find every statement on the `links` table
in `store/link_table.py`, and the app and the command line must keep working when a
module inside `store` moves: they import `store`'s `__all__` (or `store.search`'s), never
a private module, and they never talk SQL themselves.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import store

from .conftest import ROOT

# `store.search` has its own documented surface (its `__all__`).
PUBLIC_SUBPACKAGES = {"store.search"}
# Schema steps, and full-text search over the `link_texts` index, which joins the
# table inside FTS queries that belong to search.
LINK_SQL_ELSEWHERE = {"store/link_table.py", "store/db/migrations.py"}
LINK_SQL_DIRS = {"store/search"}
LINK_SQL = re.compile(r"\b(FROM|JOIN|INTO|UPDATE)\s+links\b|\bdb\[\s*[\"']links[\"']\s*\]", re.I)
# A database handle used, or a query written, in the app or the command line.
TUI_SQL = re.compile(r"\.db\.(execute|query|conn)\b|\.db\[|\bSELECT\b.+\bFROM\b")


def _sources(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


def test_tui_imports_only_the_public_surface_of_store():
    offences = []
    for path in _sources("tui"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                module = node.module
                if module == "store":
                    missing = [a.name for a in node.names if a.name not in store.__all__]
                    if missing:
                        offences.append(f"{path.relative_to(ROOT)}: {', '.join(missing)}")
                elif module.startswith("store.") and module not in PUBLIC_SUBPACKAGES:
                    offences.append(f"{path.relative_to(ROOT)}: from {module}")
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.name.startswith("store."):
                        offences.append(f"{path.relative_to(ROOT)}: import {alias.name}")
    assert offences == []


def test_every_statement_on_the_links_table_is_in_link_table():
    offences = []
    for path in _sources("store"):
        name = path.relative_to(ROOT).as_posix()
        if name in LINK_SQL_ELSEWHERE or any(name.startswith(d + "/") for d in LINK_SQL_DIRS):
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if LINK_SQL.search(line):
                offences.append(f"{name}:{number}: {line.strip()}")
    assert offences == []


def test_the_app_and_the_command_line_run_no_sql():
    offences = []
    for path in _sources("tui"):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if TUI_SQL.search(line):
                offences.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert offences == []
