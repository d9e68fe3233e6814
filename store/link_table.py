"""The `links` table: every SQL statement that reads or writes it, and nothing else.

`store.links` decides what to store (echoes, verdicts, relinking), the change log,
deletion, new versions, the meaning stage, export and import each need a few rows of
the table; they ask here by name instead of writing their own SQL, so that the shape
of the table (two sides `a_`/`b_`, the `pair_key`, the status rules) is read in one
place. Full-text search over link texts (`store.search`) keeps its queries, which are
about the `links_fts`/`link_texts` index rather than the table.

A leaf module: it imports nothing from `store` but the models, so the change log and
the connection, which `store.links` itself imports, can call it without a cycle.
Functions take the `Database` their caller is already using, inside its transaction
or change group.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from sqlite_utils import Database

from .models import LinkStatus

Span = tuple[str, int, int]  # doc_id, start, end

_CHUNK = 500  # ids per `IN (...)` list, under SQLite's variable limit


def _marks(values: Sequence[object]) -> str:
    return ",".join("?" * len(values))


# -- single links --------------------------------------------------------------------------


def link_row(db: Database, link_id: str) -> dict | None:
    """The stored row of one link (every column), or None."""
    rows = list(db.query("SELECT * FROM links WHERE id = ?", [link_id]))
    return rows[0] if rows else None


def link_ids_named(db: Database, prefix: str) -> list[str]:
    """The id equal to `prefix`, else up to two ids starting with it (two: ambiguous)."""
    exact = db.execute("SELECT id FROM links WHERE id = ?", [prefix]).fetchone()
    if exact is not None:
        return [exact[0]]
    rows = db.execute(
        "SELECT id FROM links WHERE substr(id, 1, ?) = ? LIMIT 2", [len(prefix), prefix]
    )
    return [row[0] for row in rows]


def link_by_pair(db: Database, key: str) -> dict | None:
    """The stored row of the link with this `pair_key`, or None."""
    rows = list(db.query("SELECT * FROM links WHERE pair_key = ?", [key]))
    return rows[0] if rows else None


def link_exists(db: Database, link_id: str) -> bool:
    return db.execute("SELECT 1 FROM links WHERE id = ?", [link_id]).fetchone() is not None


def link_from_annotation(db: Database, annotation_id: str, other: Span) -> dict | None:
    """The oldest link from an annotation to exactly this span of another document."""
    rows = list(
        db.query(
            "SELECT * FROM links WHERE (a_annotation_id = :mine AND b_doc_id = :doc "
            "AND b_start = :start AND b_end = :end) OR (b_annotation_id = :mine "
            "AND a_doc_id = :doc AND a_start = :start AND a_end = :end) "
            "ORDER BY created_at, id LIMIT 1",
            {"mine": annotation_id, "doc": other[0], "start": other[1], "end": other[2]},
        )
    )
    return rows[0] if rows else None


# -- links of a document or an annotation ------------------------------------------------------


def link_ids_touching(db: Database, doc_id: str) -> list[str]:
    """Ids of the links with a side in this document (any status), in id order."""
    rows = db.execute(
        "SELECT id FROM links WHERE a_doc_id = ? OR b_doc_id = ? ORDER BY id", [doc_id, doc_id]
    )
    return [link_id for (link_id,) in rows]


def link_rows_touching(db: Database, doc_id: str) -> list[dict]:
    """Every stored row with a side in this document (any status)."""
    return list(
        db.query("SELECT * FROM links WHERE a_doc_id = ? OR b_doc_id = ?", [doc_id, doc_id])
    )


def count_touching(db: Database, doc_id: str) -> int:
    """How many links (any status) have a side in this document."""
    return db.execute(
        "SELECT count(*) FROM links WHERE a_doc_id = :d OR b_doc_id = :d", {"d": doc_id}
    ).fetchone()[0]


def any_touching(db: Database, doc_id: str) -> bool:
    return bool(
        db.execute(
            "SELECT EXISTS (SELECT 1 FROM links WHERE a_doc_id = ? OR b_doc_id = ?)",
            [doc_id, doc_id],
        ).fetchone()[0]
    )


def link_rows_naming(db: Database, annotation_id: str) -> list[dict]:
    """Every stored row whose side names this annotation."""
    return list(
        db.query(
            "SELECT * FROM links WHERE a_annotation_id = ? OR b_annotation_id = ?",
            [annotation_id, annotation_id],
        )
    )


EXPORT_COLUMNS = (
    "id", "a_annotation_id", "a_doc_id", "a_start", "a_end", "b_annotation_id", "b_doc_id",
    "b_start", "b_end", "score", "method", "status", "cluster",
)  # fmt: skip
"""The order of the values `export_rows` yields (a tuple each: the export's fast path)."""


def export_rows(db: Database, doc_id: str) -> Iterator[tuple]:
    """Each link with a side in this document once (both sides), as `EXPORT_COLUMNS` tuples."""
    columns = ", ".join(EXPORT_COLUMNS)
    sql = (
        f"SELECT {columns} FROM links WHERE a_doc_id = ? "
        f"UNION ALL SELECT {columns} FROM links WHERE b_doc_id = ? AND a_doc_id != ?"
    )
    yield from db.execute(sql, [doc_id, doc_id, doc_id])


# -- what linking needs to know before it writes ---------------------------------------------------


def existing_pair_keys(db: Database, keys: Sequence[str]) -> set[str]:
    """Those of `keys` that a stored link (any status) has already."""
    found: set[str] = set()
    for lo in range(0, len(keys), _CHUNK):
        chunk = keys[lo : lo + _CHUNK]
        sql = f"SELECT pair_key FROM links WHERE pair_key IN ({_marks(chunk)})"
        found.update(row[0] for row in db.execute(sql, list(chunk)))
    return found


def annotation_pairs(db: Database) -> set[frozenset[str]]:
    """The pairs of annotations that a stored link (of any status) joins already."""
    rows = db.execute(
        "SELECT a_annotation_id, b_annotation_id FROM links "
        "WHERE a_annotation_id IS NOT NULL AND b_annotation_id IS NOT NULL"
    )
    return {frozenset(row) for row in rows}


def joins_annotations(db: Database, x: str, y: str) -> bool:
    """Whether a stored link joins these two annotations (one index probe per side)."""
    row = db.execute(
        "SELECT 1 FROM links WHERE (a_annotation_id = ? AND b_annotation_id = ?) "
        "OR (a_annotation_id = ? AND b_annotation_id = ?) LIMIT 1",
        [x, y, y, x],
    ).fetchone()
    return row is not None


def cluster_at(db: Database, span: Span) -> str | None:
    """The cluster of a link not rejected that has exactly this side, if any."""
    row = db.execute(
        "SELECT cluster FROM links WHERE cluster != '' AND status != 'rejected' AND ("
        "(a_doc_id = ? AND a_start = ? AND a_end = ?) OR "
        "(b_doc_id = ? AND b_start = ? AND b_end = ?)) LIMIT 1",
        [*span, *span],
    ).fetchone()
    return row[0] if row else None


_SIDES = (
    "id, pair_key, status, method, score, cluster, created_at, a_doc_id, a_start, a_end, "
    "a_annotation_id, a_match_start, a_match_end, b_doc_id, b_start, b_end, b_annotation_id, "
    "b_match_start, b_match_end"
)


def rows_by_pair(db: Database) -> dict[str, dict]:
    """Every stored link by `pair_key`: its id, status, method, score, cluster and both
    sides (with their aligned parts)."""
    return {row["pair_key"]: row for row in db.query(f"SELECT {_SIDES} FROM links")}


def rows_between(db: Database, doc_x: str, doc_y: str) -> list[dict]:
    """Every stored link (any status) joining these two documents, either way round,
    with the columns of `rows_by_pair`."""
    return list(
        db.query(
            f"SELECT {_SIDES} FROM links WHERE (a_doc_id = :x AND b_doc_id = :y) "
            "OR (a_doc_id = :y AND b_doc_id = :x)",
            {"x": doc_x, "y": doc_y},
        )
    )


def cluster_size(db: Database, cluster: str) -> int:
    """How many links (any status) carry this cluster id."""
    return db.execute("SELECT count(*) FROM links WHERE cluster = ?", [cluster]).fetchone()[0]


def confirmed_rows(db: Database) -> list[dict]:
    """Every confirmed link (all columns): they join their statements into clusters."""
    return list(db.query("SELECT * FROM links WHERE status = 'confirmed'"))


def pairs_by_method(db: Database, method: str) -> dict[str, tuple[str, str]]:
    """The links found by one method: `pair_key` -> (id, status)."""
    rows = db.execute("SELECT pair_key, id, status FROM links WHERE method = ?", [method])
    return {key: (link_id, status) for key, link_id, status in rows}


def sides_not_by(db: Database, method: str) -> Iterator[tuple[str, int, int, str, int, int]]:
    """Both sides (a_doc, a_start, a_end, b_doc, b_start, b_end) of every link found
    by another method than this one."""
    yield from db.execute(
        "SELECT a_doc_id, a_start, a_end, b_doc_id, b_start, b_end FROM links WHERE method != ?",
        [method],
    )


# -- writes outside the change log (suggestions are derived; verdicts go through the log) ----------


def insert_links(db: Database, rows: Iterable[dict]) -> None:
    db["links"].insert_all(rows)


def update_link(db: Database, link_id: str, values: dict[str, Any]) -> None:
    db["links"].update(link_id, values)


def delete_links(db: Database, link_ids: Iterable[str]) -> None:
    db.conn.executemany("DELETE FROM links WHERE id = ?", [(i,) for i in link_ids])


def rename_cluster(db: Database, old: str, new: str) -> None:
    """Every link of cluster `old` joins cluster `new` (rejected ones too: they stay
    where the person judged them)."""
    db.execute("UPDATE links SET cluster = ? WHERE cluster = ?", [new, old])


def set_clusters(db: Database, clusters: dict[str, str]) -> None:
    """Give each pair (by `pair_key`) its cluster, unless the reader rejected it."""
    db.conn.executemany(
        "UPDATE links SET cluster = ? WHERE pair_key = ? AND status != 'rejected'",
        [(cluster, key) for key, cluster in clusters.items()],
    )


# The side of a link that holds an annotation's span and names no annotation.
_OPEN_SIDE = (
    "{s}_annotation_id IS NULL AND {s}_doc_id = :doc AND {s}_start <= :start "
    "AND {s}_end >= :end AND status != 'rejected'"
)


def _open_side_params(link_ids: Sequence[str], span: Span) -> tuple[str, dict[str, Any]]:
    params: dict[str, Any] = {f"l{i}": link_id for i, link_id in enumerate(link_ids)}
    ids = ", ".join(f":{name}" for name in params)
    params.update(doc=span[0], start=span[1], end=span[2])
    return ids, params


def has_open_side(db: Database, link_ids: Sequence[str], span: Span) -> bool:
    """Whether one of these links has a side that holds `span` and names no annotation
    (rejected links aside)."""
    ids, params = _open_side_params(link_ids, span)
    open_side = " OR ".join(f"({_OPEN_SIDE.format(s=s)})" for s in ("a", "b"))
    sql = f"SELECT 1 FROM links WHERE id IN ({ids}) AND ({open_side}) LIMIT 1"
    return db.execute(sql, params).fetchone() is not None


def name_open_sides(
    db: Database, link_ids: Sequence[str], span: Span, annotation_id: str, now: str
) -> None:
    """Record the annotation on each side of these links that holds `span` and names none."""
    ids, params = _open_side_params(link_ids, span)
    params.update(annotation=annotation_id, now=now)
    for side in ("a", "b"):
        db.execute(
            f"UPDATE links SET {side}_annotation_id = :annotation, updated_at = :now "
            f"WHERE id IN ({ids}) AND {_OPEN_SIDE.format(s=side)}",
            params,
        )


# -- reading for the app and the command line ----------------------------------------------------


_TOUCHING_SQL = """
    SELECT l.*, d.title AS other_title, d.source AS other_source,
           substr(d.text, l.{o}_start + 1, l.{o}_end - l.{o}_start) AS other_text
    FROM links l JOIN documents d ON d.id = l.{o}_doc_id
    WHERE l.{t}_doc_id = ? AND l.{t}_start < ? AND l.{t}_end > ?
"""


def rows_overlapping(db: Database, span: Span) -> Iterator[tuple[str, str, dict]]:
    """(this side, other side, row) for each link (any status) with a side overlapping
    `span`; the row adds the other document's `other_title`, `other_source` and the
    `other_text` of its side."""
    doc_id, start, end = span
    for this, other in (("a", "b"), ("b", "a")):
        for row in db.query(_TOUCHING_SQL.format(t=this, o=other), [doc_id, end, start]):
            yield this, other, row


_LIST_SQL = """
    SELECT l.*,
           substr(da.text, l.a_start + 1, l.a_end - l.a_start) AS a_text,
           substr(db.text, l.b_start + 1, l.b_end - l.b_start) AS b_text
    FROM links l
    JOIN documents da ON da.id = l.a_doc_id
    JOIN documents db ON db.id = l.b_doc_id
"""


def listed_rows(db: Database, status: LinkStatus | None = None) -> Iterator[dict]:
    """Every link (or those with this status) with its sides' texts (`a_text`, `b_text`),
    grouped by cluster; meaning suggestions, which have no cluster until accepted, come
    after the clusters, best first."""
    params: list = []
    sql = _LIST_SQL
    if status is not None:
        sql += " WHERE l.status = ?"
        params.append(status.value)
    sql += " ORDER BY l.cluster = '', l.cluster, l.score DESC, l.pair_key"
    yield from db.query(sql, params)


def spans_in(db: Database, doc_id: str) -> list[tuple[int, int]]:
    """Spans of this document with links not rejected."""
    rows = db.execute(
        "SELECT a_start, a_end FROM links WHERE a_doc_id = ? AND status != 'rejected' "
        "UNION SELECT b_start, b_end FROM links WHERE b_doc_id = ? AND status != 'rejected' "
        "ORDER BY 1, 2",
        [doc_id, doc_id],
    )
    return [(start, end) for start, end in rows]


def counts_by_document(db: Database) -> dict[str, int]:
    """Links not rejected that touch each document (documents without any are absent)."""
    counts: Counter[str] = Counter()
    for doc, count in db.execute(
        "SELECT a_doc_id, count(*) FROM links WHERE status != 'rejected' GROUP BY a_doc_id "
        "UNION ALL "
        "SELECT b_doc_id, count(*) FROM links WHERE status != 'rejected' GROUP BY b_doc_id"
    ):
        counts[doc] += count
    return dict(counts)


def status_counts_by_document(db: Database) -> dict[str, dict[str, int]]:
    """Per document, how many links touching it have each status (absent when none)."""
    counts: dict[str, Counter[str]] = {}
    for doc, status, count in db.execute(
        "SELECT a_doc_id, status, count(*) FROM links GROUP BY a_doc_id, status "
        "UNION ALL "
        "SELECT b_doc_id, status, count(*) FROM links WHERE b_doc_id != a_doc_id "
        "GROUP BY b_doc_id, status"
    ):
        counts.setdefault(doc, Counter())[status] += count
    return {doc: dict(by_status) for doc, by_status in counts.items()}


def counts_by_status(db: Database) -> dict[str, int]:
    """How many links have each status (statuses without any are absent), by name."""
    rows = db.execute("SELECT status, count(*) FROM links GROUP BY status ORDER BY status")
    return dict(rows.fetchall())


# -- statements: the links of clusters, with both sides' texts -----------------------------------

_STATEMENT_SQL = """
    SELECT l.id, l.cluster, l.status, l.score, l.method,
           l.a_doc_id, l.a_start, l.a_end, l.a_annotation_id, t.a_text,
           l.b_doc_id, l.b_start, l.b_end, l.b_annotation_id, t.b_text
    FROM links l JOIN link_texts t ON t.link_rowid = l.rowid
"""


def statement_rows(
    db: Database, clusters: Sequence[str] = (), link_ids: Sequence[str] = ()
) -> list[dict]:
    """Every link (any status) of these clusters and these links, with both sides'
    texts (`a_text`, `b_text`); all links when both are empty."""
    if not clusters and not link_ids:
        return list(db.query(_STATEMENT_SQL + " ORDER BY l.cluster, l.id"))
    rows: list[dict] = []
    for column, values in (("l.cluster", list(clusters)), ("l.id", list(link_ids))):
        for lo in range(0, len(values), _CHUNK):
            chunk = values[lo : lo + _CHUNK]
            rows.extend(db.query(f"{_STATEMENT_SQL} WHERE {column} IN ({_marks(chunk)})", chunk))
    return rows


def count_outside_clusters(db: Database, status: str) -> int:
    """How many links of this status are in no cluster (the meaning stage's pairs)."""
    return db.execute(
        "SELECT count(*) FROM links WHERE status = ? AND cluster = ''", [status]
    ).fetchone()[0]


def cluster_exists(db: Database, cluster: str) -> bool:
    return (
        db.execute("SELECT 1 FROM links WHERE cluster = ? LIMIT 1", [cluster]).fetchone()
        is not None
    )


# -- the review queue: suggestions a page at a time ------------------------------------------------


def queue_places(db: Database) -> list[tuple[str, float, str, str]]:
    """(id, score, a_doc_id, b_doc_id) of every suggestion, in table order: rows are
    read where they lie on disk (index order would visit them at random)."""
    return db.execute(
        "SELECT id, score, a_doc_id, b_doc_id FROM links WHERE status = 'suggested'"
    ).fetchall()


# Suggestions in queue order, read from an index (no sort, no table row per skipped one).
_QUEUE_ORDERS = {
    "best": ("links_queue", "score DESC, id"),
    "method": ("links_queue_method", "method, score DESC, id"),
}


def queue_count(db: Database) -> int:
    """How many suggestions there are (counted in links_status, the narrowest index)."""
    return db.execute("SELECT count(*) FROM links WHERE status = 'suggested'").fetchone()[0]


def queue_page(db: Database, order: str, offset: int, limit: int) -> list[str]:
    """Ids of the suggestions `offset` to `offset + limit` in this order ('best', 'method');
    a negative `limit` reads to the end."""
    index, order_by = _QUEUE_ORDERS[order]
    rows = db.execute(
        f"SELECT id FROM links INDEXED BY {index} WHERE status = 'suggested' "
        f"ORDER BY {order_by} LIMIT ? OFFSET ?",
        [limit, offset],
    )
    return [link_id for (link_id,) in rows]


def queue_first_unreviewed(db: Database, order: str) -> int:
    """Where the first suggestion not skipped stands in this order (0 when none is)."""
    index, order_by = _QUEUE_ORDERS[order]
    row = db.execute(
        f"SELECT id, method, score FROM links l INDEXED BY {index} "
        "WHERE status = 'suggested' AND NOT EXISTS (SELECT 1 FROM review_marks m "
        f"WHERE m.link_id = l.id AND m.mark = 'skipped') ORDER BY {order_by} LIMIT 1"
    ).fetchone()
    if row is None:
        return 0
    return _queue_rows_before(db, order, *row)


def queue_row_of(db: Database, order: str, link_id: str) -> int | None:
    """Where this link stands in this order ('best', 'method'); None when it is no
    longer a suggestion (judged, or gone)."""
    row = db.execute(
        "SELECT id, method, score FROM links WHERE id = ? AND status = 'suggested'", [link_id]
    ).fetchone()
    return None if row is None else _queue_rows_before(db, order, *row)


def _queue_rows_before(db: Database, order: str, link_id: str, method: str, score: float) -> int:
    index, _ = _QUEUE_ORDERS[order]
    before = "(score > :score OR (score = :score AND id < :id))"
    if order == "method":
        before = f"(method < :method OR (method = :method AND {before}))"
    return db.execute(
        f"SELECT count(*) FROM links INDEXED BY {index} WHERE status = 'suggested' AND {before}",
        {"id": link_id, "method": method, "score": score},
    ).fetchone()[0]


_QUEUE_ROW_SQL = """
    SELECT l.id, l.status, l.score, l.method, l.cluster,
           l.a_doc_id, l.a_start, l.a_end, l.a_annotation_id, t.a_text,
           l.b_doc_id, l.b_start, l.b_end, l.b_annotation_id, t.b_text,
           m.mark
    FROM links l JOIN link_texts t ON t.link_rowid = l.rowid
    LEFT JOIN review_marks m ON m.link_id = l.id
"""


def queue_rows(db: Database, link_ids: Sequence[str]) -> list[dict]:
    """These links (any status) with both sides' texts and their review mark."""
    rows: list[dict] = []
    for lo in range(0, len(link_ids), _CHUNK):
        chunk = list(link_ids[lo : lo + _CHUNK])
        rows.extend(db.query(f"{_QUEUE_ROW_SQL} WHERE l.id IN ({_marks(chunk)})", chunk))
    return rows


def statuses_of(db: Database, link_ids: Sequence[str]) -> dict[str, str]:
    """The status of each of these links that exists (a link relinked away is absent)."""
    found: dict[str, str] = {}
    for lo in range(0, len(link_ids), _CHUNK):
        chunk = list(link_ids[lo : lo + _CHUNK])
        found.update(
            db.execute(f"SELECT id, status FROM links WHERE id IN ({_marks(chunk)})", chunk)
        )
    return found


def suggestions_at_least(db: Database, method: str, score: float) -> list[str]:
    """Ids of the suggestions found by `method` scoring `score` or more, best first."""
    rows = db.execute(
        "SELECT id FROM links WHERE status = 'suggested' AND method = ? AND score >= ? "
        "ORDER BY score DESC, id",
        [method, score],
    )
    return [link_id for (link_id,) in rows]


def queue_totals(db: Database) -> tuple[int, int]:
    """(suggestions, all links): every link, less the judged ones (the schema allows no
    status but these three)."""
    # A bare count(*) is SQLite's page-by-page count of the narrowest index: 1 ms at
    # 100,000 links, where counting the 'suggested' range reads each entry (9 ms). The
    # judged range is the small one until most of the queue is reviewed.
    (total,) = db.execute("SELECT count(*) FROM links").fetchone()
    (judged,) = db.execute(
        "SELECT count(*) FROM links WHERE status IN ('confirmed', 'rejected')"
    ).fetchone()
    return total - judged, total


def queue_progress(db: Database) -> tuple[int, int, int]:
    """(suggested, reviewed, total) from what is stored, whoever gave the verdicts: the
    total is every link (all were found by a matcher, whatever their status now),
    reviewed those judged (confirmed or rejected) plus the suggestions skipped in the
    queue. So a verdict elsewhere moves a pair from to-review to reviewed and never
    takes progress back."""
    suggested, total = queue_totals(db)
    # CROSS JOIN keeps the marks first: without statistics SQLite walked every suggestion
    # (100,000: 22 ms) to probe the few marks.
    (skipped,) = db.execute(
        "SELECT count(*) FROM review_marks m CROSS JOIN links l ON l.id = m.link_id "
        "WHERE m.mark = 'skipped' AND l.status = 'suggested'"
    ).fetchone()
    return suggested, total - suggested + skipped, total


def linked_annotation_ids(db: Database) -> set[str]:
    """Annotations that a link not rejected names, on either side."""
    rows = db.execute(
        "SELECT a_annotation_id FROM links WHERE status != 'rejected' "
        "AND a_annotation_id IS NOT NULL UNION "
        "SELECT b_annotation_id FROM links WHERE status != 'rejected' "
        "AND b_annotation_id IS NOT NULL"
    )
    return {annotation_id for (annotation_id,) in rows}


def skipped_ids(db: Database) -> set[str]:
    """Suggestions the reader skipped in the review queue."""
    rows = db.execute(
        "SELECT m.link_id FROM review_marks m CROSS JOIN links l ON l.id = m.link_id "
        "WHERE m.mark = 'skipped' AND l.status = 'suggested'"
    )
    return {link_id for (link_id,) in rows}
