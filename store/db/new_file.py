"""A database file that opening the store created: removed again when the command that
created it fails without storing anything in it.

A mistyped `--db` on a command that then fails (a bad annotations file, an unknown id)
would otherwise leave an empty database behind, which the next command opens as if it
were the user's. Only what that opening created goes: a file or side file that was
there before stays, and so does a new database that holds anything the command (or
another program, meanwhile) stored, such as the articles of an import that failed on
a later file.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

from ..files.writing import database_files


def row_counts(conn: sqlite3.Connection) -> dict[str, int]:
    """Rows in each ordinary table: a new database holds only its schema's bookkeeping,
    and any row stored since shows up here whichever connection committed it. Full-text
    indexes are left out: their shadow tables follow the tables they index."""
    names = [
        row[1]
        for row in conn.execute("PRAGMA table_list")
        if row[0] == "main" and row[2] == "table" and not row[1].startswith("sqlite_")
    ]
    return {name: conn.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0] for name in names}


@dataclass
class NewFile:
    """The database path before SQLite created it, and what was already beside it."""

    path: Path
    present_before: frozenset[Path]
    counts: dict[str, int] = field(default_factory=dict)

    @classmethod
    def before_creating(cls, path: Path) -> NewFile | None:
        """None when `path` names something already (a dangling symlink too: SQLite
        would create the file it points to, which is not ours to remove by this name)."""
        if path.is_symlink() or path.exists():
            return None
        return cls(path, frozenset(side for side in database_files(path) if side != path))

    def created(self, conn: sqlite3.Connection) -> None:
        """Note what the new database holds once its schema is written."""
        self.counts = row_counts(conn)

    def still_empty(self, conn: sqlite3.Connection) -> bool:
        """Whether nothing has been stored since `created`, checked under the write lock
        so that no other program commits between the look and the removal."""
        conn.execute("BEGIN IMMEDIATE")
        try:
            return row_counts(conn) == self.counts
        finally:
            conn.execute("ROLLBACK")

    def remove(self) -> None:
        """Delete the database and the side files SQLite or Sidenote made beside it."""
        for name in sorted(set(database_files(self.path)) - self.present_before):
            name.unlink(missing_ok=True)
