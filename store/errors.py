"""Errors the core raises for the user to see: each carries a one-line message."""


class SidenoteError(Exception):
    """A problem the user can act on. `str(error)` is the one line to show."""


class InputError(SidenoteError):
    """A file or value given to Sidenote cannot be used."""

    def __init__(self, where: str, problem: str) -> None:
        self.where = where
        self.problem = problem
        super().__init__(f"{where}: {problem}")


class StoreError(SidenoteError):
    """The database cannot be opened or written."""


class NotFound(SidenoteError):
    """A document or annotation id that does not exist."""
