"""Hits grouped by statement: "where else was this said, and by whom?"

A hit that belongs to a cluster of links is reported once for the cluster, with
every article where the statement appears (outlet, title, span, label, and whether
the link is confirmed or suggested). An annotation with no links is its own group,
except that the same words annotated in several articles are one statement even
before anyone links them.

Reading and grouping are apart: `_Reader` reads a batch of hits, their articles,
links and clusters in a few queries and keeps them by id; `Grouper` turns each hit
into a group in small steps over those named records.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence, Sized
from dataclasses import dataclass, replace

from rapidfuzz import fuzz
from sqlite_utils import Database

from ..db.connection import Store
from .hits import Filters, Hit
from .query import fold_like_index, words_of
from .results import Appearance, StatementGroup

PREFETCH = 100  # hits read together while grouping
MAX_APPEARANCES = 500  # per group: a stock sentence may be everywhere
STATUS_ORDER = {"confirmed": 0, "suggested": 1, "annotated": 2}
_SAME_WORDS = "words:"  # the key of unlinked annotations grouped by their words


def _named_rows(db: Database, sql: str, params: Sequence[object]) -> sqlite3.Cursor:
    """Rows read by column name (`row["doc_id"]`): the SQL and the code that reads
    it cannot drift apart by a position."""
    cursor = db.conn.cursor()
    cursor.row_factory = sqlite3.Row
    return cursor.execute(sql, params)


def _marks(values: Sized) -> str:
    return ",".join("?" * len(values))


# -- the records read ----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LinkRef:
    """A link and its cluster ('' when it has none)."""

    link_id: str
    cluster: str

    @property
    def statement_key(self) -> str:
        """The statement it belongs to: the cluster, else the link alone."""
        return self.cluster or self.link_id

    @property
    def members_key(self) -> str:
        """Where the live links of that statement are kept (`_Reader.members`)."""
        return f"c:{self.cluster}" if self.cluster else f"l:{self.link_id}"


@dataclass(frozen=True, slots=True)
class AnnotationRow:
    id: str
    doc_id: str
    start: int
    end: int
    label: str | None
    text: str


@dataclass(frozen=True, slots=True)
class LinkRow:
    ref: LinkRef
    a_text: str
    b_text: str


@dataclass(frozen=True, slots=True)
class Side:
    """One side of a link: a span of an article, annotated or not."""

    doc_id: str
    start: int
    end: int
    annotation_id: str | None
    text: str

    @classmethod
    def of(cls, row: sqlite3.Row, side: str) -> Side:
        return cls(
            row[f"{side}_doc_id"],
            row[f"{side}_start"],
            row[f"{side}_end"],
            row[f"{side}_annotation_id"],
            row[f"{side}_text"],
        )

    @property
    def place(self) -> tuple[str, int, int]:
        return (self.doc_id, self.start, self.end)


@dataclass(frozen=True, slots=True)
class Member:
    """A live link of a statement: its status and both sides."""

    status: str
    a: Side
    b: Side


_MEMBERS = (
    "SELECT l.cluster AS cluster, l.id AS link_id, l.status AS status, "
    "l.a_doc_id AS a_doc_id, l.a_start AS a_start, l.a_end AS a_end, "
    "l.a_annotation_id AS a_annotation_id, t.a_text AS a_text, "
    "l.b_doc_id AS b_doc_id, l.b_start AS b_start, l.b_end AS b_end, "
    "l.b_annotation_id AS b_annotation_id, t.b_text AS b_text "
    "FROM links l JOIN link_texts t ON t.link_rowid = l.rowid"
)


class _Reader:
    """Hits, their articles, links and clusters, read in batches and kept by id."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.articles: dict[str, tuple[str, str]] = {}  # doc_id: (title, source)
        self.labels: dict[str, str | None] = {}  # annotation id: label
        self.spans: dict[str, tuple[str, int, int, str]] = {}  # annotation id: doc, span, text
        self.annotations: dict[int, AnnotationRow] = {}  # by rowid
        self.best_link: dict[str, LinkRef | None] = {}  # by annotation id
        self.judged: set[str] = set()  # annotations with a rejected link
        self.links: dict[int, LinkRow] = {}  # by rowid
        self.members: dict[str, list[Member]] = {}  # by LinkRef.members_key

    def read(self, hits: Iterable[Hit]) -> None:
        """A batch of hits, their articles, best links and those links' statements."""
        hits = list(hits)
        self.read_annotations([h.rowid for h in hits if h.kind == "annotation"])
        self.read_links([h.rowid for h in hits if h.kind == "link"])
        refs = []
        for hit in hits:
            if hit.kind == "annotation":
                row = self.annotations.get(hit.rowid)
                ref = self.best_link.get(row.id) if row else None
                if ref:
                    refs.append(ref)
            elif hit.rowid in self.links:
                refs.append(self.links[hit.rowid].ref)
        self.read_members(refs)

    def read_annotations(self, rowids: list[int]) -> None:
        rowids = [r for r in rowids if r not in self.annotations]
        if not rowids:
            return
        ids = []
        for row in _named_rows(
            self.db,
            "SELECT a.rowid AS rowid, a.id AS id, a.doc_id AS doc_id, a.start AS start, "
            'a."end" AS "end", a.label AS label, a.text AS text, '
            "d.title AS title, d.source AS source "
            f"FROM annotations a JOIN documents d ON d.id = a.doc_id "
            f"WHERE a.rowid IN ({_marks(rowids)})",
            rowids,
        ):
            annotation = AnnotationRow(
                row["id"], row["doc_id"], row["start"], row["end"], row["label"], row["text"]
            )
            self.annotations[row["rowid"]] = annotation
            self.articles[annotation.doc_id] = (row["title"], row["source"])
            self.labels[annotation.id] = annotation.label
            self.spans[annotation.id] = (annotation.doc_id, annotation.start, annotation.end,
                                         annotation.text)  # fmt: skip
            self.best_link[annotation.id] = None
            ids.append(annotation.id)
        if ids:
            self._read_best_links(ids)

    def _read_best_links(self, ids: list[str]) -> None:
        """Each annotation's link that names its statement, and which were rejected.

        A link in a cluster is preferred (the cluster names the statement), then
        the greatest cluster and link id, so the choice never depends on row order.
        """
        columns = "a_annotation_id, b_annotation_id, id AS link_id, cluster, status"
        for row in _named_rows(
            self.db,
            f"SELECT {columns} FROM links WHERE a_annotation_id IN ({_marks(ids)}) UNION ALL "
            f"SELECT {columns} FROM links WHERE b_annotation_id IN ({_marks(ids)})",
            ids + ids,
        ):
            ref = LinkRef(row["link_id"], row["cluster"])
            for annotation_id in (row["a_annotation_id"], row["b_annotation_id"]):
                if annotation_id not in self.best_link:
                    continue
                if row["status"] == "rejected":
                    self.judged.add(annotation_id)
                    continue
                best = self.best_link[annotation_id]
                if best is None or (ref.cluster, ref.link_id) > (best.cluster, best.link_id):
                    self.best_link[annotation_id] = ref

    def read_links(self, rowids: list[int]) -> None:
        rowids = [r for r in rowids if r not in self.links]
        if not rowids:
            return
        for row in _named_rows(
            self.db,
            "SELECT l.rowid AS rowid, l.id AS link_id, l.cluster AS cluster, "
            "t.a_text AS a_text, t.b_text AS b_text FROM links l "
            f"JOIN link_texts t ON t.link_rowid = l.rowid WHERE l.rowid IN ({_marks(rowids)})",
            rowids,
        ):
            ref = LinkRef(row["link_id"], row["cluster"])
            self.links[row["rowid"]] = LinkRow(ref, row["a_text"], row["b_text"])

    def read_members(self, refs: Iterable[LinkRef]) -> None:
        """The live links of several clusters (or lone links), in one query."""
        clusters: set[str] = set()
        singles: set[str] = set()  # links in no cluster
        for ref in refs:
            if ref.members_key in self.members:
                continue
            if ref.cluster:
                clusters.add(ref.cluster)
            else:
                singles.add(ref.link_id)
        if not clusters and not singles:
            return
        conditions: list[str] = []
        params: list[str] = []
        for column, values in (("l.cluster", sorted(clusters)), ("l.id", sorted(singles))):
            if values:
                conditions.append(f"{column} IN ({_marks(values)})")
                params += values
        fresh = [LinkRef("", c) for c in clusters] + [LinkRef(i, "") for i in singles]
        for ref in fresh:
            self.members[ref.members_key] = []
        sql = " UNION ALL ".join(
            f"{_MEMBERS} WHERE {condition} AND l.status != 'rejected'" for condition in conditions
        )
        for row in _named_rows(self.db, sql, params):
            members = self.members[LinkRef(row["link_id"], row["cluster"]).members_key]
            if len(members) < MAX_APPEARANCES:
                members.append(Member(row["status"], Side.of(row, "a"), Side.of(row, "b")))
        sides = [s for ref in fresh for m in self.members[ref.members_key] for s in (m.a, m.b)]
        self.read_articles_and_labels((s.doc_id for s in sides), (s.annotation_id for s in sides))

    def read_articles_and_labels(
        self, doc_ids: Iterable[str], annotation_ids: Iterable[str | None]
    ) -> None:
        """Titles, outlets and labels not read yet, in one query each."""
        docs = list({d for d in doc_ids if d not in self.articles})
        if docs:
            for row in _named_rows(
                self.db,
                f"SELECT id, title, source FROM documents WHERE id IN ({_marks(docs)})",
                docs,
            ):
                self.articles[row["id"]] = (row["title"], row["source"])
        ids = list({a for a in annotation_ids if a is not None and a not in self.spans})
        if ids:
            for row in _named_rows(
                self.db,
                'SELECT id, label, doc_id, start, "end", text FROM annotations '
                f"WHERE id IN ({_marks(ids)})",
                ids,
            ):
                self.labels[row["id"]] = row["label"]
                self.spans[row["id"]] = (row["doc_id"], row["start"], row["end"], row["text"])

    def article(self, doc_id: str) -> tuple[str, str]:
        """(title, outlet); empty for an article deleted since the hit was found."""
        if doc_id not in self.articles:
            row = self.db.execute(
                "SELECT title, source FROM documents WHERE id = ?", [doc_id]
            ).fetchone()
            self.articles[doc_id] = (row[0], row[1]) if row else ("", "")
        return self.articles[doc_id]

    def span(self, annotation_id: str) -> tuple[str, int, int, str] | None:
        """The annotation's document, span and text; None when it was deleted."""
        if annotation_id not in self.spans:
            self.read_articles_and_labels((), [annotation_id])
        return self.spans.get(annotation_id)

    def label(self, annotation_id: str | None) -> str | None:
        if annotation_id is None:
            return None
        if annotation_id not in self.labels:
            row = self.db.execute(
                "SELECT label FROM annotations WHERE id = ?", [annotation_id]
            ).fetchone()
            self.labels[annotation_id] = row[0] if row else None
        return self.labels[annotation_id]

    def annotation(self, hit: Hit) -> AnnotationRow | None:
        """The hit's annotation; None when it was deleted since it was found."""
        if hit.rowid not in self.annotations:
            self.read([hit])
        return self.annotations.get(hit.rowid)

    def link(self, hit: Hit) -> LinkRow | None:
        """The hit's link; None when it was deleted since it was found."""
        if hit.rowid not in self.links:
            self.read_links([hit.rowid])
        return self.links.get(hit.rowid)


# -- grouping ----------------------------------------------------------------------


@dataclass(slots=True)
class _Merged:
    """A place where several links of a statement meet, merged into one."""

    annotation_id: str | None
    text: str
    status: str


class Grouper:
    """Turns hits, best first, into statement groups, reading each cluster once."""

    def __init__(self, store: Store, filters: Filters, *, fuzzy: bool, query: str) -> None:
        self.reader = _Reader(store.db)
        self.filters = filters
        self.fuzzy = fuzzy  # found by the typo or relaxed fallback
        self.query = query  # as shown to the user
        self.groups: dict[str, StatementGroup] = {}

    def group(self, hits: list[Hit], limit: int) -> list[StatementGroup]:
        """At most `limit` statements, in the order of their best hit."""
        for first in range(0, len(hits), PREFETCH):
            batch = hits[first : first + PREFETCH]
            self.reader.read(batch)
            for hit in batch:
                self.add(hit, round(hit.score, 2))
                if len(self.groups) >= limit:
                    return list(self.groups.values())
        return list(self.groups.values())

    def add(self, hit: Hit, score: float) -> None:
        if hit.kind == "annotation":
            self._add_annotation(hit, score)
        else:
            self._add_link(hit, score)

    def _add_annotation(self, hit: Hit, score: float) -> None:
        row = self.reader.annotation(hit)
        if row is None:
            return
        ref = self.reader.best_link.get(row.id)
        title, source = self.reader.article(row.doc_id)
        found = Appearance(
            doc_id=row.doc_id,
            title=title,
            source=source,
            start=row.start,
            end=row.end,
            text=row.text,
            label=row.label,
            annotation_id=row.id,
            status="annotated",
            matched=True,
        )
        key = self._statement_key(row, ref)
        if key in self.groups:
            if key.startswith(_SAME_WORDS):
                self._append(key, found)
            return
        members = self._members(ref) if ref else []
        cluster = ref.cluster if ref else None
        self._add_group(key, cluster, row.text, members, score, found=found)

    def _statement_key(self, row: AnnotationRow, ref: LinkRef | None) -> str:
        if ref:
            return ref.statement_key
        if row.id in self.reader.judged:
            return row.id  # a reader rejected its links: it stands alone
        # Not linked (yet): the same words annotated in several articles are one
        # statement all the same.
        return _SAME_WORDS + " ".join(words_of(row.text))

    def _append(self, key: str, appearance: Appearance) -> None:
        group = self.groups[key]
        if all(a.place != appearance.place for a in group.appearances):
            self.groups[key] = replace(group, appearances=(*group.appearances, appearance))

    def _add_link(self, hit: Hit, score: float) -> None:
        row = self.reader.link(hit)
        if row is None:
            return
        key = row.ref.statement_key
        if key in self.groups:
            return
        members = self._members(row.ref)
        statement = self._closer_side(row)
        cluster = row.ref.cluster or None
        self._add_group(key, cluster, statement, members, score, matched_text=statement)

    def _closer_side(self, row: LinkRow) -> str:
        """The side of a link that reads more like the query: the statement shown."""
        wanted = " ".join(self.query.split())
        a_score = fuzz.partial_ratio(wanted, fold_like_index(row.a_text))
        b_score = fuzz.partial_ratio(wanted, fold_like_index(row.b_text))
        return row.a_text if a_score >= b_score else row.b_text

    def _members(self, ref: LinkRef) -> list[Appearance]:
        """Every side of every live link of the cluster (or of the one link), once
        per place, with the best status of the links that meet there."""
        self.reader.read_members([ref])
        merged: dict[tuple[str, int, int], _Merged] = {}
        for member in self.reader.members[ref.members_key]:
            for side in (member.a, member.b):
                place = merged.get(side.place)
                if place is None:
                    merged[side.place] = _Merged(side.annotation_id, side.text, member.status)
                    continue
                place.annotation_id = place.annotation_id or side.annotation_id
                if STATUS_ORDER[member.status] < STATUS_ORDER[place.status]:
                    place.status = member.status
        appearances = []
        for (doc_id, start, end), place in self._one_per_passage(merged).items():
            title, source = self.reader.article(doc_id)
            appearances.append(
                Appearance(
                    doc_id=doc_id,
                    title=title,
                    source=source,
                    start=start,
                    end=end,
                    text=place.text,
                    label=self.reader.label(place.annotation_id),
                    annotation_id=place.annotation_id,
                    status=place.status,
                    matched=False,
                )
            )
        return appearances

    def _one_per_passage(
        self, merged: dict[tuple[str, int, int], _Merged]
    ) -> dict[tuple[str, int, int], _Merged]:
        """Places of one article that overlap are one appearance, as in
        `store.statements`: at the span of the annotation a link side names (accepting
        a link may tag only the aligned words of a longer sentence), else the longest."""
        runs: list[list[tuple[str, int, int]]] = []
        for place in sorted(merged, key=lambda p: (p[0], p[1], -p[2])):
            last = runs[-1] if runs else None
            if last and last[0][0] == place[0] and place[1] < max(p[2] for p in last):
                last.append(place)
            else:
                runs.append([place])
        shown: dict[tuple[str, int, int], _Merged] = {}
        for run in runs:
            parts = [merged[place] for place in run]
            status = min((part.status for part in parts), key=STATUS_ORDER.__getitem__)
            named = []
            for place, part in zip(run, parts, strict=True):
                span = self.reader.span(part.annotation_id) if part.annotation_id else None
                if span and span[0] == place[0] and place[1] <= span[1] < span[2] <= place[2]:
                    named.append((STATUS_ORDER[part.status], span[1] - span[2], part, span))
            if named:
                *_, part, (doc_id, start, end, text) = min(named, key=lambda n: n[:2])
                shown[(doc_id, start, end)] = _Merged(part.annotation_id, text, status)
            else:
                place = max(run, key=lambda p: (p[2] - p[1], -p[1]))
                shown[place] = _Merged(None, merged[place].text, status)
        return shown

    def _add_group(
        self,
        key: str,
        cluster: str | None,
        statement: str,
        members: list[Appearance],
        score: float,
        *,
        found: Appearance | None = None,
        matched_text: str | None = None,
    ) -> None:
        """The statement as a group, unless the filters leave it out.

        `found` is the annotation the query matched (it takes the status of the
        links at its place); a statement found through a link instead marks the
        side whose text is `matched_text`.
        """
        appearances = {member.place: member for member in members}
        if found is not None:
            linked = appearances.get(found.place) or _overlapping(appearances, found.place)
            appearances[found.place] = replace(
                found, status=linked.status if linked else "annotated"
            )
        elif matched_text is not None:
            for place, member in appearances.items():
                if member.text == matched_text:
                    appearances[place] = replace(member, matched=True)
                    break
        if self.filters.linked and all(a.status == "annotated" for a in appearances.values()):
            return
        ordered = sorted(appearances.values(), key=_reading_order)
        public = found.annotation_id if found and key.startswith(_SAME_WORDS) else key
        self.groups[key] = StatementGroup(
            public, cluster, statement, tuple(ordered), score, self.fuzzy, self.query
        )


def _overlapping(
    appearances: dict[tuple[str, int, int], Appearance], place: tuple[str, int, int]
) -> Appearance | None:
    """The appearance in the same article whose span overlaps `place`, taken out of
    `appearances`: an annotation found inside a linked place is that appearance."""
    for key in list(appearances):
        if key[0] == place[0] and key[1] < place[2] and place[1] < key[2]:
            return appearances.pop(key)
    return None


def _reading_order(appearance: Appearance) -> tuple:
    """Where the query matched first, then confirmed before suggested, by outlet."""
    return (
        not appearance.matched,
        STATUS_ORDER[appearance.status],
        appearance.source.casefold(),
        appearance.title,
        appearance.doc_id,
        appearance.start,
    )
