"""Search over annotations and linked statements, grouped by statement (see `query`).

The names the app, the command line and the tests use are re-exported here, so the
module that implements them can be split without touching its callers.
"""

from .query import (
    DEFAULT_LIMIT,
    Appearance,
    StatementGroup,
    parse_query,
    refresh_vocabulary,
    search,
    warm_up,
)

__all__ = [
    "DEFAULT_LIMIT",
    "Appearance",
    "StatementGroup",
    "parse_query",
    "refresh_vocabulary",
    "search",
    "warm_up",
]
