"""Links between documents: stored matches, echoes of one span, and the reader's verdicts.

Its size is one job's: links as the reader uses them (echoes, relinking, verdicts), under
the rules below; every SQL statement on the table is in `store/link_table.py`.

`store.matching.linking` decides; this module reads units from the database, writes the
`links` table and answers the app's questions. Three rules hold everywhere:

- a pair is identified by its `pair_key` (both sides' doc:start:end, sorted), so the
  same pair found from either side, by `relink` or by `echoes`, is one row;
- two annotations are joined by one link: a match between two annotations that a
  stored link joins already is not stored again, even on other spans;
- a rejected pair is never suggested again, and confirmed or rejected rows are
  never changed by linking (only their `cluster`, which is derived, and a
  confirmed side's annotation id, when one is made there later);
- accepting or rejecting goes through `change_group`, so `undo` reverts it.

Units are every sentence and every annotation. An annotation that covers exactly
one sentence is that sentence's unit (the link records the annotation's id); any
other annotation is a unit of its own, so a quote tagged inside a long sentence can
link on its own.

A link side names an annotation (`*_annotation_id`) so that `accept` knows which
label to give the other side. A side names the annotation lying exactly on its
span, also when the annotation is made after the link (`relink` records it then);
and `echoes` asked for an annotation records it on the side of every link it
returns whose span holds it and that names none yet (a quote tagged inside a
sentence that was already linked). Both are plain writes, like the suggestions.

`echoes` matches one span against the corpus without relinking it, using an
in-process `Index` cached per store. The cache is checked on every call with two
cheap aggregate queries (documents, annotations); new or deleted documents rebuild
it, changed annotations only replace its small annotation segment. We chose a cache
over a persisted n-gram table: the table would roughly triple the database size
(about 25 postings per sentence) and has to be kept in step by every import path,
while the cache costs one build per session, which the app does ahead in a worker
(`warm`); docs/linking.md has its cost.
"""

from __future__ import annotations

import threading
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from time import perf_counter

from . import link_table
from .annotations import create_annotation
from .db.connection import Store, utc_now
from .errors import InputError, NotFound
from .history import change_group
from .importing.furniture import line_rule
from .matching import (
    DEFAULT_THRESHOLD,
    Index,
    Match,
    Side,
    Unit,
    cluster,
    cluster_id,
    link_units,
    pair_key,
    span_key,
)
from .matching.meaning import METHOD as MEANING_METHOD
from .meaning_links import MeaningReport, suggest_meaning
from .models import Annotation, LinkRecord, LinkSide, LinkStatus
from .text import snap_to_graphemes

Progress = Callable[[int, int], None]
THRESHOLD_SETTING = "link_threshold"


@dataclass(frozen=True)
class Echo:
    """A statement elsewhere that matches the span asked about: the other side of a link."""

    link_id: str
    score: float
    method: str
    status: str
    cluster: str
    doc_id: str
    title: str
    source: str
    start: int
    end: int
    text: str
    match_start: int  # the aligned part, in the other document's offsets
    match_end: int
    annotation_id: str | None
    this_start: int  # this document's side of the link
    this_end: int


@dataclass
class LinkReport:
    units: int = 0
    found: int = 0
    by_method: dict[str, int] = field(default_factory=dict)
    new: int = 0  # suggestions added
    kept: int = 0  # found again, already stored (any status) or joining joined annotations
    dropped: int = 0  # suggestions removed by a rebuild
    rejected_skipped: int = 0  # found, but the reader had rejected the pair
    threshold: float = DEFAULT_THRESHOLD
    seconds: float = 0.0
    meaning: MeaningReport | None = None  # the meaning stage, when it was asked for


# -- units ---------------------------------------------------------------------------


def _document_texts(store: Store) -> dict[str, str]:
    return {row[0]: row[1] for row in store.db.execute("SELECT id, text FROM documents")}


def sentence_units(store: Store, texts: dict[str, str] | None = None) -> list[Unit]:
    """Every sentence, except page furniture the importer may have let through (a
    document imported from JSONL is stored as given): furniture never links."""
    texts = _document_texts(store) if texts is None else texts
    rows = store.db.execute('SELECT doc_id, idx, start, "end" FROM sentences ORDER BY doc_id, idx')
    units = []
    for doc, idx, start, end in rows:
        text = texts[doc][start:end]
        if line_rule(text) is None:
            units.append(Unit(doc, start, end, text, seq=idx))
    return units


def annotation_units(store: Store, texts: dict[str, str] | None = None) -> list[Unit]:
    """Annotations that are not exactly a sentence (those are the sentence's unit)."""
    rows = store.db.execute(
        'SELECT a.id, a.doc_id, a.start, a."end", a.text FROM annotations a '
        "WHERE NOT EXISTS (SELECT 1 FROM sentences s WHERE s.doc_id = a.doc_id "
        'AND s.start = a.start AND s."end" = a."end") ORDER BY a.created_at, a.id'
    )
    units, seen = [], set()
    for annotation_id, doc, start, end, text in rows:
        if (doc, start, end) not in seen:
            seen.add((doc, start, end))
            units.append(Unit(doc, start, end, text, annotation_id=annotation_id))
    return units


def _annotation_at(store: Store) -> dict[tuple[str, int, int], str]:
    """The first annotation on each exact span: what a link side records."""
    found: dict[tuple[str, int, int], str] = {}
    for annotation_id, doc, start, end in store.db.execute(
        'SELECT id, doc_id, start, "end" FROM annotations ORDER BY created_at DESC, id DESC'
    ):
        found[(doc, start, end)] = annotation_id
    return found


def _annotation_on(db, doc: str, start: int, end: int) -> str | None:
    row = db.execute(
        'SELECT id FROM annotations WHERE doc_id = ? AND start = ? AND "end" = ? '
        "ORDER BY created_at, id LIMIT 1",
        [doc, start, end],
    ).fetchone()
    return row[0] if row else None


# -- the cached index for echoes ------------------------------------------------------


@dataclass
class _EchoIndex:
    """The echoes index of one store (`Store.cache`), and what it was built from."""

    lock: threading.Lock = field(default_factory=threading.Lock)  # held while in use
    documents: tuple | None = None
    annotations: tuple = ()
    index: Index | None = None
    base: int = 0  # units [0, base) are the sentences


def _echo_index(store: Store) -> _EchoIndex:
    return store.cache("links.echoes", _EchoIndex)


def _fingerprint(store: Store, table: str) -> tuple:
    return tuple(
        store.db.execute(f"SELECT count(*), max(rowid), total(rowid) FROM {table}").fetchone()
    )


def _current(store: Store, cache: _EchoIndex, progress: Progress | None = None) -> Index:
    """The cached index brought up to date (the caller holds `cache.lock`)."""
    documents = _fingerprint(store, "documents")
    annotations = _fingerprint(store, "annotations")
    if cache.index is None or cache.documents != documents:
        texts = _document_texts(store)
        cache.index = Index.build(sentence_units(store, texts), progress)
        cache.documents, cache.annotations, cache.base = documents, (), len(cache.index)
    if cache.annotations != annotations:
        cache.index.truncate(cache.base)
        cache.index.extend(annotation_units(store))
        cache.annotations = annotations
    return cache.index


def warm(store: Store, progress: Progress | None = None) -> None:
    """Build the echoes index now (the app calls this in a worker at start)."""
    cache = _echo_index(store)
    with cache.lock:
        # The passage index is built on first need: build it here too, so that the
        # reader's first echoes do not wait for it.
        _current(store, cache, progress).passages()


def threshold_for(store: Store) -> float:
    """The threshold of the last `sidenote link`, else the default."""
    value = store.setting(THRESHOLD_SETTING, DEFAULT_THRESHOLD)
    return float(value) if isinstance(value, int | float) else DEFAULT_THRESHOLD


def check_threshold(threshold: float) -> float:
    if not 0 < threshold <= 100:
        raise InputError("--threshold", f"{threshold:g} is not a score between 1 and 100")
    return float(threshold)


# -- echoes: one span, now -------------------------------------------------------------


def echoes(
    store: Store,
    doc_id: str,
    start: int,
    end: int,
    annotation_id: str | None = None,
    *,
    threshold: float | None = None,
) -> list[Echo]:
    """Matches of `document[start:end]` in other documents, found now and stored.

    New matches are saved as suggestions (a rejected pair stays rejected, a confirmed
    one stays confirmed). Returns every link that is not rejected and touches the
    span, one per passage of another document, best first. The annotation asked
    about (`annotation_id`, else the one exactly on the span) is recorded on the
    side of each returned link that holds it and names none, so that accepting the
    echo tags the other side with its label.
    """
    threshold = threshold_for(store) if threshold is None else check_threshold(threshold)
    document = store.document(doc_id)
    if not 0 <= start < end <= len(document.text):
        raise InputError(f"document {doc_id}", f"span {start}:{end} is outside the document")
    cache = _echo_index(store)
    with cache.lock:
        index = _current(store, cache)
        mark = len(index)
        found = index.find(doc_id, start, end)
        if found is None:
            text = document.text[start:end]
            index.extend([Unit(doc_id, start, end, text, annotation_id=annotation_id)])
            found = index.find(doc_id, start, end)
        try:
            matches = index.matches_for(found, threshold) if found is not None else []
        finally:
            index.truncate(mark)
    _save_new(store, matches)
    found = _echoes_of(store, doc_id, start, end)
    asked = annotation_id or _annotation_on(store.db, doc_id, start, end)
    if asked is not None and found:
        _attach(store, asked, [echo.link_id for echo in found])
    return found


def _attach(store: Store, annotation_id: str, link_ids: list[str]) -> None:
    """Record the annotation on the side of each link that holds it and names none.

    Echoes are asked for an annotation (or a sentence the reader tagged) that may
    be newer than the link, e.g. a quote tagged inside a sentence `sidenote link`
    had already linked: accepting the link from that annotation's panel must tag
    the other side with its label. A plain write, like the suggestions themselves
    (`accept` then logs the link's whole row in its change group), and only when
    there is something to record: most calls take no write lock.
    """
    span = store.db.execute(
        'SELECT doc_id, start, "end" FROM annotations WHERE id = ?', [annotation_id]
    ).fetchone()
    if span is None or not link_table.has_open_side(store.db, link_ids, tuple(span)):
        return
    with store.transaction() as db:
        link_table.name_open_sides(db, link_ids, tuple(span), annotation_id, utc_now())


def _save_new(store: Store, matches: list[Match]) -> None:
    if not matches:
        return
    with store.transaction() as db:
        existing = link_table.existing_pair_keys(db, [m.pair_key for m in matches])
        fresh = [m for m in matches if m.pair_key not in existing]
        if not fresh:
            return
        spans = {(s.doc, s.start, s.end) for m in fresh for s in (m.a, m.b)}
        annotations = {span: found for span in spans if (found := _annotation_on(db, *span))}
        pairs = {pair for m in fresh if (pair := _annotation_pair(m, annotations))}
        joined = {pair for pair in pairs if link_table.joins_annotations(db, *sorted(pair))}
        fresh = [m for m in fresh if _annotation_pair(m, annotations) not in joined]
        rows = [_row(m, _cluster_of(db, m), annotations, utc_now()) for m in fresh]
        link_table.insert_links(db, rows)


def _annotation_pair(match: Match, annotations: dict) -> frozenset[str] | None:
    """The two annotations a new link would name, when both sides have one.

    Accepting a trimmed match tags only the matched part of the other sentence;
    that tag is then a unit of its own and matches the reader's annotation on
    other spans than the accepted link's. It is the same pair of statements: not
    suggested again, whatever the reader decided about it.
    """
    ids = [annotations.get((s.doc, s.start, s.end)) for s in (match.a, match.b)]
    return frozenset(ids) if all(ids) else None


def _cluster_of(db, match: Match) -> str:
    """Join the cluster a side already belongs to; else a new one named by the longer side."""
    for side in (match.a, match.b):
        if found := link_table.cluster_at(db, (side.doc, side.start, side.end)):
            return found
    longer = max((match.a, match.b), key=lambda s: (s.end - s.start, s.key))
    return cluster_id(longer.doc, longer.start, longer.end)


def _row(match: Match, cluster: str, annotations: dict, now: str) -> dict:
    row: dict = {
        "id": str(uuid.uuid4()),
        "pair_key": match.pair_key,
        "score": match.score,
        "method": match.method,
        "status": LinkStatus.suggested.value,
        "cluster": cluster,
        "created_at": now,
        "updated_at": now,
    }
    for name, side in (("a", match.a), ("b", match.b)):
        row[f"{name}_doc_id"] = side.doc
        row[f"{name}_start"] = side.start
        row[f"{name}_end"] = side.end
        row[f"{name}_annotation_id"] = annotations.get((side.doc, side.start, side.end))
        row[f"{name}_match_start"] = side.match_start
        row[f"{name}_match_end"] = side.match_end
    return row


def _echoes_of(store: Store, doc_id: str, start: int, end: int) -> list[Echo]:
    rows = list(link_table.rows_overlapping(store.db, (doc_id, start, end)))

    def preference(item: tuple[str, str, dict]) -> tuple:
        this, other, row = item
        exact = row[f"{this}_start"] == start and row[f"{this}_end"] == end
        overlap = min(end, row[f"{this}_end"]) - max(start, row[f"{this}_start"])
        return (not exact, -overlap, -row["score"], row["id"])

    # One entry per passage elsewhere: a quote tagged inside a sentence and the
    # sentence itself may both link to the same passage; the link of the span asked
    # about wins, and if the reader rejected that one, the passage is not shown.
    taken: list[tuple[str, int, int]] = []
    result = []
    for this, other, row in sorted(rows, key=preference):
        place = (row[f"{other}_doc_id"], row[f"{other}_start"], row[f"{other}_end"])
        if any(p[0] == place[0] and p[1] < place[2] and place[1] < p[2] for p in taken):
            continue
        taken.append(place)
        if row["status"] == LinkStatus.rejected.value:
            continue
        result.append(
            Echo(
                link_id=row["id"],
                score=row["score"],
                method=row["method"],
                status=row["status"],
                cluster=row["cluster"],
                doc_id=place[0],
                title=row["other_title"],
                source=row["other_source"],
                start=place[1],
                end=place[2],
                text=row["other_text"],
                match_start=_or(row[f"{other}_match_start"], place[1]),
                match_end=_or(row[f"{other}_match_end"], place[2]),
                annotation_id=row[f"{other}_annotation_id"],
                this_start=row[f"{this}_start"],
                this_end=row[f"{this}_end"],
            )
        )
    result.sort(key=lambda e: (-e.score, e.title, e.doc_id, e.start))
    return result


def _or(value: int | None, default: int) -> int:
    return default if value is None else value


# -- the reader's verdicts --------------------------------------------------------------


def _link_row(db, link_id: str) -> dict:
    row = link_table.link_row(db, link_id)
    if row is None:
        raise NotFound(f"no link with id {link_id!r}")
    return row


def accept(store: Store, link_id: str) -> Annotation | None:
    """Confirm a link, in one undoable step.

    If exactly one side carries an annotation, the other side's matching part (the
    aligned span, widened to whole graphemes) gets an annotation with the same label
    and speaker, unless an identical one is already there; the link records it.
    Returns the annotation made or found on the other side, or None.
    """
    with change_group(store, "accept link") as group:
        row = _link_row(group.db, link_id)
        after = dict(row)
        made: Annotation | None = None
        sides = [s for s in ("a", "b") if row[f"{s}_annotation_id"]]
        if len(sides) == 1:
            source, target = sides[0], "b" if sides[0] == "a" else "a"
            made = _annotate_other_side(store, group, row, source, target)
            after[f"{target}_annotation_id"] = made.id
        after["status"] = LinkStatus.confirmed.value
        after["updated_at"] = utc_now()
        group.set_state("link", link_id, after)
    return made


def _annotate_other_side(store: Store, group, row: dict, source: str, target: str) -> Annotation:
    label_row = group.db.execute(
        "SELECT label, speaker FROM annotations WHERE id = ?", [row[f"{source}_annotation_id"]]
    ).fetchone()
    if label_row is None:
        raise NotFound(f"annotation {row[f'{source}_annotation_id']!r} no longer exists")
    label, speaker = label_row
    doc_id = row[f"{target}_doc_id"]
    text = store.document(doc_id).text
    start = _or(row[f"{target}_match_start"], row[f"{target}_start"])
    end = _or(row[f"{target}_match_end"], row[f"{target}_end"])
    start, end = snap_to_graphemes(text, start, end)
    same = group.db.execute(
        'SELECT id FROM annotations WHERE doc_id = ? AND start = ? AND "end" = ? AND label = ?',
        [doc_id, start, end, label],
    ).fetchone()
    if same:
        return store.annotation(same[0])
    return create_annotation(store, doc_id, start, end, label, speaker=speaker, group=group)


def reject(store: Store, link_id: str) -> None:
    """Mark a link rejected (undoable); the pair is never suggested again."""
    with change_group(store, "reject link") as group:
        row = _link_row(group.db, link_id)
        after = {**row, "status": LinkStatus.rejected.value, "updated_at": utc_now()}
        group.set_state("link", link_id, after)


# -- the whole corpus -----------------------------------------------------------------------


def relink(
    store: Store,
    threshold: float = DEFAULT_THRESHOLD,
    rebuild: bool = False,
    progress: Progress | None = None,
    *,
    meaning: bool = False,
    more: bool = False,
) -> LinkReport:
    """Link every sentence and annotation of the corpus.

    New matches become suggestions; `rebuild` also removes stored suggestions that
    are no longer found (and refreshes the scores of those that are). A link found
    again records an annotation made since exactly on a side that names none.
    Confirmed and rejected links are otherwise never touched except for their
    cluster; a rejected pair is never suggested again. Everything is written in one
    transaction.

    `meaning` then runs the meaning stage (`store.meaning_links`) over the sentences,
    in transactions of its own: it embeds what has no stored vector yet (a first run
    on a large corpus takes a while), and `more` adds its lower tier.
    """
    threshold = check_threshold(threshold)
    began = perf_counter()
    texts = _document_texts(store)
    units = sentence_units(store, texts) + annotation_units(store, texts)
    matches = link_units(units, threshold=threshold, progress=progress)
    report = LinkReport(units=len(units), found=len(matches), threshold=threshold)
    report.by_method = dict(Counter(m.method for m in matches))
    found = {m.pair_key: m for m in matches}
    with store.transaction() as db:
        stored = link_table.rows_by_pair(db)
        if rebuild:
            stale = [
                row["id"]
                for key, row in stored.items()
                if row["status"] == LinkStatus.suggested.value and key not in found
                and row["method"] != MEANING_METHOD  # the meaning stage keeps its own
            ]
            link_table.delete_links(db, stale)
            report.dropped = len(stale)
        annotations = _annotation_at(store)
        joined = link_table.annotation_pairs(db)
        clusters = _clusters(db, matches)
        now = utc_now()
        fresh = []
        for key, match in found.items():
            row = stored.get(key)
            if row is None and _annotation_pair(match, annotations) in joined:
                report.kept += 1
                continue
            if row is None:
                fresh.append(_row(match, clusters[key], annotations, now))
                continue
            if row["status"] == LinkStatus.rejected.value:
                report.rejected_skipped += 1
                continue
            report.kept += 1
            if rebuild and row["status"] == LinkStatus.suggested.value:
                updated = _row(match, clusters[key], annotations, now)
                updated = {k: v for k, v in updated.items() if k not in ("id", "created_at")}
                link_table.update_link(db, row["id"], {**updated, **_recorded(row, updated)})
            elif attached := _attachable(row, annotations):
                link_table.update_link(db, row["id"], {**attached, "updated_at": now})
        link_table.insert_links(db, fresh)
        report.new = len(fresh)
        # Every clustered pair, confirmed links included: an accepted meaning link
        # joins its statements here, the first relink after the person accepted it.
        link_table.set_clusters(db, clusters)
        store.set_setting(THRESHOLD_SETTING, threshold)  # in this transaction
    report.seconds = perf_counter() - began
    if meaning:
        units = [unit for unit in units if unit.seq is not None]  # the sentences
        report.meaning = suggest_meaning(
            store, units, more=more, rebuild=rebuild, progress=progress
        )
    return report


def _attachable(row: dict, annotations: dict[tuple[str, int, int], str]) -> dict[str, str]:
    """Annotations made since the link was stored, exactly on a side that names none."""
    found = {}
    for side in ("a", "b"):
        span = (row[f"{side}_doc_id"], row[f"{side}_start"], row[f"{side}_end"])
        if row[f"{side}_annotation_id"] is None and span in annotations:
            found[f"{side}_annotation_id"] = annotations[span]
    return found


def _recorded(row: dict, updated: dict) -> dict[str, str]:
    """The annotations a stored side already names (e.g. one `echoes` recorded inside
    it), kept where a rebuilt row would name none."""
    kept = {}
    for side in ("a", "b"):
        if updated[f"{side}_annotation_id"] is not None:
            continue
        span = (updated[f"{side}_doc_id"], updated[f"{side}_start"], updated[f"{side}_end"])
        for name in ("a", "b"):
            same_span = (row[f"{name}_doc_id"], row[f"{name}_start"], row[f"{name}_end"]) == span
            if same_span and row[f"{name}_annotation_id"] is not None:
                kept[f"{side}_annotation_id"] = row[f"{name}_annotation_id"]
    return kept


def _clusters(db, matches: list[Match]) -> dict[str, str]:
    """Cluster ids for the matches, with confirmed links joining their statements too."""
    confirmed = [
        Match(
            a=_side(row, "a"), b=_side(row, "b"), score=row["score"], method=row["method"]
        )
        for row in link_table.confirmed_rows(db)
    ]
    return {m.pair_key: m.cluster for m in cluster([*matches, *confirmed])}


def _side(row: dict, name: str) -> Side:
    return Side(
        row[f"{name}_doc_id"],
        row[f"{name}_start"],
        row[f"{name}_end"],
        row[f"{name}_annotation_id"],
        _or(row[f"{name}_match_start"], row[f"{name}_start"]),
        _or(row[f"{name}_match_end"], row[f"{name}_end"]),
    )


# -- reading links ------------------------------------------------------------------------


def list_links(store: Store, status: str | None = None) -> Iterator[LinkRecord]:
    """Every link (or those with this status), grouped by cluster, best first."""
    wanted = None
    if status is not None:
        try:
            wanted = LinkStatus(status)
        except ValueError:
            raise InputError(
                "--status", f"unknown status {status!r} (use suggested, confirmed or rejected)"
            ) from None
    for row in link_table.listed_rows(store.db, wanted):
        yield LinkRecord(
            id=row["id"],
            score=row["score"],
            method=row["method"],
            status=LinkStatus(row["status"]),
            cluster=row["cluster"],
            a=_listed_side(row, "a"),
            b=_listed_side(row, "b"),
        )


def _listed_side(row: dict, name: str) -> LinkSide:
    return LinkSide(
        doc_id=row[f"{name}_doc_id"],
        start=row[f"{name}_start"],
        end=row[f"{name}_end"],
        text=row[f"{name}_text"],
        annotation_id=row[f"{name}_annotation_id"],
    )


def echo_spans(store: Store, doc_id: str) -> list[tuple[int, int]]:
    """Spans of this document with links not rejected: the app marks those sentences."""
    return link_table.spans_in(store.db, doc_id)


def link_counts(store: Store) -> dict[str, int]:
    """Links not rejected that touch each document (documents without any are absent)."""
    return link_table.counts_by_document(store.db)


__all__ = [
    "Echo",
    "LinkRecord",
    "LinkReport",
    "accept",
    "echo_spans",
    "echoes",
    "link_counts",
    "list_links",
    "pair_key",
    "reject",
    "relink",
    "span_key",
    "warm",
]
