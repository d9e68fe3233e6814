"""Where the database is, opened once per command-line invocation."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from store import InputError

if TYPE_CHECKING:
    from store import Store

APP_NAME = "sidenote"


def default_db_path() -> Path:
    """`sidenote.db` in the platform's user data folder."""
    import platformdirs  # only when no --db is given: `--help` and `--version` skip it

    return platformdirs.user_data_path(APP_NAME, appauthor=False) / "sidenote.db"


@dataclass
class DbChoice:
    """Which database to use: --db, else $SIDENOTE_DB, else the default location."""

    path: Path
    is_default: bool
    given_by: str = "--db"  # or SIDENOTE_DB: named in errors about the path

    @classmethod
    def resolve(cls, option: str | None) -> DbChoice:
        """An empty --db or $SIDENOTE_DB is an error: taking it for "not given" would
        quietly open the default database when the user named another."""
        for where, value in (("--db", option), ("SIDENOTE_DB", os.environ.get("SIDENOTE_DB"))):
            if value is not None:
                if not value:
                    raise InputError(where, "empty path")
                return cls(Path(value).expanduser(), False, where)
        return cls(default_db_path(), True)


@dataclass
class CliContext:
    choice: DbChoice
    _store: Store | None = field(default=None, repr=False)

    def store(self, *, write: bool = True) -> Store:
        """Open the database; a new default database is filled with the bundled corpus.

        Commands that only read pass `write=False`, so that they work on a database
        the user may not change (see `open_store`).
        """
        if self._store is not None and self._store.readonly and write:
            self.close()
        if self._store is None:
            # The database layer loads with the first command that opens the store.
            from store import open_store, seed_if_new

            path = self.choice.path
            if (
                not write
                and not self.choice.is_default
                and str(path) != ":memory:"  # SQLite's own name for a new empty database
                and not path.exists()
            ):
                # A mistyped name would otherwise become an empty database that
                # answers every question with nothing.
                raise InputError(f"{self.choice.given_by} {path}", "no such database")
            if self.choice.is_default:
                path.parent.mkdir(parents=True, exist_ok=True)
            self._store = open_store(path, write=write)
            if self.choice.is_default and not self._store.readonly:
                seed_if_new(self._store)
        return self._store

    def close(self, *, failed: bool = False) -> None:
        """Close the database. After a failed command, a database that this command
        created and left empty is removed: a typo in --db followed by an error leaves
        no empty database that later commands would open as the user's."""
        store, self._store = self._store, None
        if store is None:
            return
        if failed:
            store.close_discarding_if_unused()
        else:
            store.close()
