"""The counts `sidenote stats` prints: what the database holds, in one read."""

from __future__ import annotations

from dataclasses import dataclass

from . import link_table
from .db.connection import Store


@dataclass(frozen=True)
class CorpusStats:
    """How much the database holds. Labels and statuses without any are absent."""

    articles: int
    sentences: int
    annotations: int
    by_label: dict[str, int]  # in label order
    links: int
    by_status: dict[str, int]  # in status order
    events: int  # entries in the change log
    to_review: int  # annotations re-anchoring could not place, not yet resolved


def corpus_stats(store: Store) -> CorpusStats:
    """Every count at once, so the command line never queries the database itself."""
    db = store.db

    def count(sql: str) -> int:
        return db.execute(sql).fetchone()[0]

    by_status = link_table.counts_by_status(db)
    return CorpusStats(
        articles=count("SELECT count(*) FROM documents"),
        sentences=count("SELECT count(*) FROM sentences"),
        annotations=count("SELECT count(*) FROM annotations"),
        by_label=dict(
            db.execute(
                "SELECT label, count(*) FROM annotations GROUP BY label ORDER BY label"
            ).fetchall()
        ),
        links=sum(by_status.values()),
        by_status=by_status,
        events=count("SELECT count(*) FROM events"),
        to_review=count("SELECT count(*) FROM review WHERE resolved_at IS NULL"),
    )
