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


def one_id(prefix: str, found: list[str], noun: str) -> str:
    """The id `prefix` names among `found` (the ids equal to it, else up to two that
    start with it): ids are long, so a person types the start of one, as git does."""
    if len(found) == 1 and prefix:
        return found[0]
    if len(found) > 1:
        raise NotFound(f"{prefix!r} matches more than one {noun}; give more of the id")
    raise NotFound(f"no {noun} with id {prefix!r}")
