"""Finding the same statement in different documents: pure functions, no database.

`store.links` reads units from the database and stores what this package decides;
nothing here imports `store.db`, so a corpus can be linked by a job that has only
the texts. `linking` runs the whole pipeline; each stage is a module of its own:
`normalise`, `index` (blocking), `verify`, `passages` (alignment over whole
articles) and `cluster`.
"""

from .linking import (
    DEFAULT_THRESHOLD,
    Index,
    Match,
    Side,
    Unit,
    cluster,
    cluster_id,
    link_units,
    normalise,
    pair_key,
    span_key,
    token_spans,
)

__all__ = [
    "DEFAULT_THRESHOLD",
    "Index",
    "Match",
    "Side",
    "Unit",
    "cluster",
    "cluster_id",
    "link_units",
    "normalise",
    "pair_key",
    "span_key",
    "token_spans",
]
