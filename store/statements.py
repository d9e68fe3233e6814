"""Statements: where one statement was carried, by which outlets, and when.

A statement is a cluster of links (`store.links` gives each link its cluster: the
places joined by confirmed and suggested links); a link with no cluster (a meaning
suggestion not yet accepted) is a statement of its own, named by the link's id, which
`statement_of` shows but `list_statements` leaves out (a candidate pair, not yet a
statement).
Rejected links keep the cluster they were judged in, so a statement lists them too,
but a place reached only by rejected links does not count as carrying it.

`Statement` is one record: its places (`StatementMember`: outlet, title, url, published,
span, wording, annotation), its links and their statuses, the first appearance and
the outlets. Members are in time order (`store.importing.dates.order_key` over what
the pages gave as `published`; import time, marked as such, where they gave none).

The app and the command line use:

    list_statements(store, min_outlets=1, status=None) -> list[Statement]
    statement_of(store, id) -> Statement   # id: a statement, a link or an annotation

`store.search` groups its hits by the same clusters (for a query); this module
answers for a statement as a whole, rejected links included.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from . import link_table
from .db.connection import Store
from .errors import InputError, NotFound, one_id
from .importing.dates import order_key
from .models import LinkStatus

STATUS_ORDER = {"confirmed": 0, "suggested": 1, "rejected": 2}

Place = tuple[str, int, int]  # doc_id, start, end


@dataclass(frozen=True)
class StatementMember:
    """One place that carries the statement: a span of one article."""

    doc_id: str
    outlet: str  # the article's source; '' when the page did not name one
    title: str
    url: str
    published: str  # as the page gave it ('22 minutes ago', '2025-08-17'); '' when it did not
    imported_at: str
    start: int
    end: int
    text: str  # document.text[start:end], exactly as stored
    status: str  # the best status of its links: confirmed, suggested or rejected
    link_ids: tuple[str, ...]
    annotation_id: str | None = None
    label: str | None = None
    speaker: str = ""
    note: str = ""

    @property
    def place(self) -> Place:
        return (self.doc_id, self.start, self.end)

    @property
    def dated_by_import(self) -> bool:
        """True when the page gave no date: `when` is the import time."""
        return not self.published

    @property
    def when(self) -> str:
        """The published time as the page gave it, else the import time."""
        return self.published or self.imported_at

    @property
    def carries(self) -> bool:
        """Whether a link a person has not rejected reaches this place."""
        return self.status != LinkStatus.rejected.value

    def order(self) -> tuple:
        """Time order: published values (see `order_key`), then import times."""
        return (*order_key(self.published), self.imported_at, self.outlet.casefold(),
                self.doc_id, self.start)  # fmt: skip

    def as_dict(self) -> dict:
        return {
            "doc_id": self.doc_id,
            "outlet": self.outlet,
            "title": self.title,
            "url": self.url,
            "published": self.published,
            "imported_at": self.imported_at,
            "when": self.when,
            "dated_by_import": self.dated_by_import,
            "start": self.start,
            "end": self.end,
            "text": self.text,
            "status": self.status,
            "link_ids": list(self.link_ids),
            "annotation_id": self.annotation_id,
            "label": self.label,
            "speaker": self.speaker,
            "note": self.note,
        }


@dataclass(frozen=True)
class StatementLink:
    """One link of the statement, between two of its members' places."""

    id: str
    status: str
    score: float
    method: str
    a: Place
    b: Place


@dataclass(frozen=True)
class Statement:
    """A statement and every place that carries it, in time order."""

    id: str  # the cluster id, else the id of its one link
    members: tuple[StatementMember, ...]
    links: tuple[StatementLink, ...]
    status_counts: dict[str, int] = field(default_factory=dict)  # links by status

    @property
    def carriers(self) -> tuple[StatementMember, ...]:
        """The members a link not rejected reaches, in time order."""
        return tuple(m for m in self.members if m.carries)

    @property
    def first(self) -> StatementMember | None:
        """The earliest carrier (by what the pages say; see `StatementMember.order`)."""
        carriers = self.carriers
        return carriers[0] if carriers else None

    @property
    def outlets(self) -> tuple[str, ...]:
        """The outlets that carry it, in the order they first did ('' for none named)."""
        seen: dict[str, str] = {}
        for member in self.carriers:
            seen.setdefault(_outlet_key(member), member.outlet)
        return tuple(seen.values())

    @property
    def outlet_count(self) -> int:
        return len(self.outlets)

    @property
    def text(self) -> str:
        """The wording of its first appearance."""
        first = self.first or (self.members[0] if self.members else None)
        return first.text if first else ""

    def as_dict(self) -> dict:
        first = self.first
        return {
            "id": self.id,
            "text": self.text,
            "outlets": list(self.outlets),
            "outlet_count": self.outlet_count,
            "first": None if first is None else first.as_dict(),
            "status_counts": dict(self.status_counts),
            "members": [m.as_dict() for m in self.members],
            "links": [
                {"id": link.id, "status": link.status, "score": link.score,
                 "method": link.method, "a": list(link.a), "b": list(link.b)}
                for link in self.links
            ],  # fmt: skip
        }


def _outlet_key(member: StatementMember) -> str:
    """Outlets by name; an article without one is an outlet of its own."""
    return member.outlet.casefold() if member.outlet else f"\0{member.doc_id}"


# -- reading -------------------------------------------------------------------------------


def list_statements(
    store: Store, *, min_outlets: int = 1, status: str | None = None
) -> list[Statement]:
    """Every statement carried by at least `min_outlets` outlets, those with the most
    outlets first, then by first appearance.

    `status` keeps statements with at least one link of that status; without it, a
    statement whose links were all rejected is left out. Meaning suggestions not yet
    accepted have no cluster and are left out too: they are candidate pairs, one
    sentence often in several, and become part of a statement once accepted
    (`statement_of` still shows one by its link's id).
    """
    wanted = _status(status)
    if min_outlets < 1:
        raise InputError("--min-outlets", f"{min_outlets} is not a number of outlets (1 or more)")
    rows = [row for row in link_table.statement_rows(store.db) if row["cluster"]]
    found = _build(store, rows)
    kept = []
    for item in found:
        if wanted is not None and not item.status_counts.get(wanted):
            continue
        if wanted is None and not item.carriers:
            continue
        # A statement all of whose links were rejected counts the outlets it was
        # judged in (it is listed only for --status rejected).
        reach = item.outlet_count or len({_outlet_key(m) for m in item.members})
        if reach >= min_outlets:
            kept.append(item)
    kept.sort(key=lambda s: (-s.outlet_count, s.first.order() if s.first else (9,), s.id))
    return kept


def links_outside_statements(store: Store, status: str = "suggested") -> int:
    """How many links of this status belong to no statement: meaning suggestions,
    which `list_statements` leaves out until they are accepted."""
    return link_table.count_outside_clusters(store.db, _status(status) or "suggested")


def statement_of(store: Store, statement_id: str) -> Statement:
    """The statement with this id, or the one a link or an annotation belongs to.
    A link may be named by a unique start of its id, as `sidenote links accept` takes it."""
    db = store.db
    if statement_id and link_table.cluster_exists(db, statement_id):
        rows = link_table.statement_rows(db, clusters=[statement_id])
    else:
        rows = _rows_of_link(store, statement_id) or _rows_of_annotation(store, statement_id)
        if not rows and statement_id:
            links = link_table.link_ids_named(db, statement_id)
            if links:
                rows = _rows_of_link(store, one_id(statement_id, links, "link"))
    built = _build(store, rows)
    if not built:
        raise NotFound(f"no statement, link or annotation with id {statement_id!r}")
    return built[0]


def _rows_of_link(store: Store, link_id: str) -> list[dict]:
    row = link_table.link_row(store.db, link_id)
    if row is None:
        return []
    if row["cluster"]:
        return link_table.statement_rows(store.db, clusters=[row["cluster"]])
    return link_table.statement_rows(store.db, link_ids=[link_id])


def _rows_of_annotation(store: Store, annotation_id: str) -> list[dict]:
    """The statement of the best link that names the annotation, else of the best
    link touching its span."""
    found = store.db.execute(
        'SELECT doc_id, start, "end" FROM annotations WHERE id = ?', [annotation_id]
    ).fetchone()
    if found is None:
        return []
    rows = link_table.link_rows_naming(store.db, annotation_id)
    rows += [row for _, _, row in link_table.rows_overlapping(store.db, tuple(found))]
    if not rows:
        raise NotFound(f"annotation {annotation_id!r} is in no statement: nothing links to it")
    best = min(rows, key=lambda r: (STATUS_ORDER[r["status"]], not r["cluster"], -r["score"]))
    return _rows_of_link(store, best["id"])


def _status(status: str | None) -> str | None:
    if status is None:
        return None
    if status not in STATUS_ORDER:
        raise InputError(
            "--status", f"unknown status {status!r} (use suggested, confirmed or rejected)"
        )
    return status


# -- building records ------------------------------------------------------------------------


@dataclass
class _Place:
    status: str
    annotation_id: str | None
    text: str
    link_ids: list[str]


def _build(store: Store, rows: Iterable[dict]) -> list[Statement]:
    """Statements from link rows (with texts), in the order of their first row."""
    grouped: dict[str, list[dict]] = {}
    for row in rows:
        grouped.setdefault(row["cluster"] or row["id"], []).append(row)
    notes = _annotations(store, {
        row[f"{side}_annotation_id"] for rows in grouped.values() for row in rows
        for side in ("a", "b") if row[f"{side}_annotation_id"]
    })  # fmt: skip
    places = {key: _places(rows, notes) for key, rows in grouped.items()}
    docs = _documents(store, {p[0] for found in places.values() for p in found})
    result = []
    for key, rows in grouped.items():
        members = [
            _member(place, found, docs.get(place[0]), notes)
            for place, found in places[key].items()
        ]
        members.sort(key=StatementMember.order)
        counts: dict[str, int] = {}
        for row in rows:
            counts[row["status"]] = counts.get(row["status"], 0) + 1
        links = tuple(
            StatementLink(
                row["id"], row["status"], row["score"], row["method"],
                (row["a_doc_id"], row["a_start"], row["a_end"]),
                (row["b_doc_id"], row["b_start"], row["b_end"]),
            )
            for row in sorted(rows, key=lambda r: (STATUS_ORDER[r["status"]], -r["score"], r["id"]))
        )  # fmt: skip
        result.append(Statement(key, tuple(members), links, counts))
    return result


def _places(rows: Sequence[dict], notes: dict[str, sqlite3.Row]) -> dict[Place, _Place]:
    """Each side of each link once per place, with the best status of the links
    meeting there and the annotation any of them names; then one place per passage
    of an article (`_one_per_passage`)."""
    found: dict[Place, _Place] = {}
    for row in rows:
        for side in ("a", "b"):
            place = (row[f"{side}_doc_id"], row[f"{side}_start"], row[f"{side}_end"])
            here = found.get(place)
            if here is None:
                found[place] = here = _Place(row["status"], None, row[f"{side}_text"], [])
            here.link_ids.append(row["id"])
            here.annotation_id = here.annotation_id or row[f"{side}_annotation_id"]
            if STATUS_ORDER[row["status"]] < STATUS_ORDER[here.status]:
                here.status = row["status"]
    return _one_per_passage(found, notes)


def _one_per_passage(
    found: dict[Place, _Place], notes: dict[str, sqlite3.Row]
) -> dict[Place, _Place]:
    """Places of one article that overlap are one member: the annotation a link side
    names (accepting a link tags only the aligned words of a longer sentence) is that
    side, not a second place, and a quote linked on its own inside a linked sentence
    is that sentence's appearance. The member is the annotation's span when one is
    named there (what the reader shows tagged), else the longest place."""
    merged: dict[Place, _Place] = {}
    for run in _overlapping_runs(found):
        parts = [found[place] for place in run]
        named = [
            (place, here) for place, here in zip(run, parts, strict=True)
            if here.annotation_id in notes and _lies_on(notes[here.annotation_id], place)
        ]  # fmt: skip
        best = min(parts, key=lambda p: STATUS_ORDER[p.status])
        if named:
            _, holder = min(named, key=lambda i: (STATUS_ORDER[i[1].status], -_length(i[0])))
            note = notes[holder.annotation_id]
            place, text = (run[0][0], note["start"], note["end"]), note["text"]
            annotation_id = holder.annotation_id
        else:
            place = max(run, key=lambda p: (_length(p), -p[1]))
            text, annotation_id = found[place].text, None
        link_ids = [link_id for part in parts for link_id in part.link_ids]
        merged[place] = _Place(best.status, annotation_id, text, link_ids)
    return merged


def _overlapping_runs(found: dict[Place, _Place]) -> list[list[Place]]:
    """The places grouped into runs that overlap within one article, in first-seen order."""
    runs: list[list[Place]] = []
    ordered = sorted(found, key=lambda p: (p[0], p[1], -p[2]))
    for place in ordered:
        last = runs[-1] if runs else None
        if last and last[0][0] == place[0] and place[1] < max(p[2] for p in last):
            last.append(place)
        else:
            runs.append([place])
    first = {place: n for n, place in enumerate(found)}
    runs.sort(key=lambda run: min(first[p] for p in run))
    return runs


def _lies_on(note: sqlite3.Row, place: Place) -> bool:
    """Whether the annotation lies within the place (not moved elsewhere since)."""
    return note["doc_id"] == place[0] and place[1] <= note["start"] < note["end"] <= place[2]


def _length(place: Place) -> int:
    return place[2] - place[1]


def _member(place: Place, found: _Place, doc: sqlite3.Row | None, notes: dict) -> StatementMember:
    annotation = notes.get(found.annotation_id) if found.annotation_id else None
    return StatementMember(
        doc_id=place[0],
        outlet=doc["source"] if doc else "",
        title=doc["title"] if doc else "",
        url=doc["url"] if doc else "",
        published=doc["published"] if doc else "",
        imported_at=doc["imported_at"] if doc else "",
        start=place[1],
        end=place[2],
        text=found.text,
        status=found.status,
        link_ids=tuple(sorted(set(found.link_ids))),
        annotation_id=found.annotation_id if annotation else None,
        label=annotation["label"] if annotation else None,
        speaker=annotation["speaker"] if annotation else "",
        note=annotation["note"] if annotation else "",
    )


def _named(store: Store, sql: str, params: Sequence[object]) -> list[sqlite3.Row]:
    cursor = store.db.conn.cursor()
    cursor.row_factory = sqlite3.Row
    return cursor.execute(sql, params).fetchall()


_CHUNK = 500  # ids per `IN (...)` list, under SQLite's variable limit


def _by_id(store: Store, sql: str, ids: set[str]) -> dict[str, sqlite3.Row]:
    values = sorted(ids)
    found: dict[str, sqlite3.Row] = {}
    for lo in range(0, len(values), _CHUNK):
        chunk = values[lo : lo + _CHUNK]
        marks = ",".join("?" * len(chunk))
        for row in _named(store, sql.format(marks=marks), chunk):
            found[row["id"]] = row
    return found


def _documents(store: Store, ids: set[str]) -> dict[str, sqlite3.Row]:
    return _by_id(
        store,
        "SELECT id, title, source, url, published, imported_at FROM documents "
        "WHERE id IN ({marks})",
        ids,
    )


def _annotations(store: Store, ids: set[str]) -> dict[str, sqlite3.Row]:
    return _by_id(
        store,
        'SELECT id, doc_id, start, "end", text, label, speaker, note FROM annotations '
        "WHERE id IN ({marks})",
        ids,
    )
