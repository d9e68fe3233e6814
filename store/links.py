"""Links between documents: stored matches, echoes of one span, and the reader's verdicts.

Its size is one job's: links as the reader uses them (echoes, relinking, verdicts), under
the rules below; every SQL statement on the table is in `store/link_table.py`.

`store.matching.linking` decides; this module reads units from the database, writes the
`links` table and answers the app's questions. Three rules hold everywhere:

- a pair is identified by its `pair_key` (both sides' doc:start:end, sorted), so the
  same pair found from either side, by `relink` or by `echoes`, is one row;
- two annotations are joined by one link: a match between two annotations that a
  stored link joins already is not stored again, even on other spans;
- one link per pair of places: a match that joins the same two articles as a stored
  link, at places overlapping that link's on both sides (a quote tagged inside a
  linked sentence, the part a confirmed link tagged on the other side), is that
  link: a suggestion moves to the better of the two, a verdict stays as it is;
- the clusters are the connected places of the links not rejected: a new link
  between two statements merges them;
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
from .errors import InputError, NotFound, one_id
from .history import change_group
from .importing.furniture import line_rule
from .link_marks import echo_spans  # the reader's marks, in a module without the matcher
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
from .meaning_links import (
    MeaningReport,
    span_suggestions,
    store_span_suggestions,
    suggest_meaning,
    warm_meaning,
)
from .models import Annotation, LinkRecord, LinkSide, LinkStatus
from .quotes.reported import same_speaker, speaker_in
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
    merged: int = 0  # stored suggestions removed: another link carries their places
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
        # The passage index and the index's other parts are built on first need:
        # build them here too, so that the reader's first echoes do not wait for them.
        _current(store, cache, progress).prepare()
    # The encoder and the stored sentence vectors, for the meaning echoes of a tag.
    warm_meaning(store, lambda: sentence_units(store))


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
    # The kept copy of the text: a long article is not read again for every question.
    document_text = store.document_text(doc_id)
    if not 0 <= start < end <= len(document_text):
        raise InputError(f"document {doc_id}", f"span {start}:{end} is outside the document")
    cache = _echo_index(store)
    with cache.lock:
        index = _current(store, cache)
        mark = len(index)
        found = index.find(doc_id, start, end)
        if found is None:
            text = document_text[start:end]
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


def meaning_echoes(
    store: Store,
    doc_id: str,
    start: int,
    end: int,
    annotation_id: str | None = None,
) -> list[Echo] | None:
    """`echoes` with the meaning stage's suggestions for the span added: sentences of
    other articles that state it in other words (method `reworded-meaning`).

    The span is embedded (once: its vector is kept) and compared with the sentence
    vectors `sidenote link` stored; new pairs are stored as suggestions, which only a
    person confirms. Slower than `echoes` (an embedding): the app runs it in a worker
    after a tag and when the echoes are opened. Returns every echo of the span, as
    `echoes` does, the meaning ones after the string ones; None when the meaning extra
    is not installed, or when `annotation_id` is given and that annotation is no
    longer on the span (the answer is stale).
    """
    # Every tag in the app asks this: the kept copy of the text, not a read of the
    # whole article (a long one costs milliseconds to read and decode each time).
    if not 0 <= start < end <= len(store.document_text(doc_id)):
        raise InputError(f"document {doc_id}", f"span {start}:{end} is outside the document")
    found = span_suggestions(store, doc_id, start, end, lambda: sentence_units(store))
    if found is None:
        return None
    if found:
        if not store_span_suggestions(store, doc_id, start, end, found, annotation_id):
            return None
    elif annotation_id is not None and not _still_on(store, annotation_id, (doc_id, start, end)):
        return None  # nothing to store: the stale check alone, without a write lock
    result = _echoes_of(store, doc_id, start, end)
    asked = annotation_id or _annotation_on(store.db, doc_id, start, end)
    if asked is not None and result:
        _attach(store, asked, [echo.link_id for echo in result])
    return result


def _still_on(store: Store, annotation_id: str, span: tuple[str, int, int]) -> bool:
    """Whether the annotation still lies exactly on `span` (not undone, moved or deleted)."""
    row = store.db.execute(
        'SELECT doc_id, start, "end" FROM annotations WHERE id = ?', [annotation_id]
    ).fetchone()
    return row is not None and tuple(row) == span


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
    """Store the matches that no stored link carries yet, as suggestions.

    A match is carried already when a stored link (any status) joins the same two
    articles at overlapping places on both sides: the same statement found again
    from a quote tagged inside a sentence, or from the part a confirmed link tagged
    on the other side. A new link that joins two statements merges their clusters.
    """
    if not matches:
        return
    with store.transaction() as db:
        existing = link_table.existing_pair_keys(db, [m.pair_key for m in matches])
        new = _one_per_place_pair([m for m in matches if m.pair_key not in existing])
        spans = {(s.doc, s.start, s.end) for m in new for s in (m.a, m.b)}
        annotations = {span: found for span in spans if (found := _annotation_on(db, *span))}
        fresh = []
        for match in new:
            home = _home(match, link_table.rows_between(db, match.a.doc, match.b.doc), {})
            if home is None:
                fresh.append(match)
            elif home["status"] == LinkStatus.suggested.value and _rank(match) < _rank_of(home):
                # As `relink` would keep: the better of two suggestions on these places.
                updated = _row(match, home["cluster"], annotations, utc_now())
                updated = {k: v for k, v in updated.items() if k not in ("id", "created_at")}
                link_table.update_link(db, home["id"], {**updated, **_recorded(home, updated)})
        if not fresh:
            return
        pairs = {pair for m in fresh if (pair := _annotation_pair(m, annotations))}
        joined = {pair for pair in pairs if link_table.joins_annotations(db, *sorted(pair))}
        fresh = [m for m in fresh if _annotation_pair(m, annotations) not in joined]
        now = utc_now()
        for match in fresh:  # one by one: each may merge the clusters the next one joins
            link_table.insert_links(db, [_row(match, _cluster_of(db, match), annotations, now)])


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
    """The cluster the new link belongs to: the one a side belongs to already; when
    its two sides belong to two clusters, those merge (the smaller one takes the
    larger one's id); else a new one named by the longer side."""
    found = []
    for side in (match.a, match.b):
        cluster_id_here = link_table.cluster_at(db, (side.doc, side.start, side.end))
        if cluster_id_here and cluster_id_here not in found:
            found.append(cluster_id_here)
    if len(found) == 2:
        sizes = {name: link_table.cluster_size(db, name) for name in found}
        larger, smaller = sorted(found, key=lambda name: (-sizes[name], name))
        link_table.rename_cluster(db, smaller, larger)
        return larger
    if found:
        return found[0]
    longer = max((match.a, match.b), key=lambda s: (s.end - s.start, s.key))
    return cluster_id(longer.doc, longer.start, longer.end)


# -- one link per pair of places ----------------------------------------------------------

Place = tuple[str, int, int]  # doc_id, start, end
PlacePair = tuple[Place, Place]  # ordered by document id
_VERDICT_FIRST = {"confirmed": 0, "rejected": 1, "suggested": 2}


def _ordered(x: Place, y: Place) -> PlacePair:
    return (x, y) if (x[0], x[1], x[2]) <= (y[0], y[1], y[2]) else (y, x)


def _places_of(match: Match) -> PlacePair:
    a, b = match.a, match.b
    return _ordered((a.doc, a.start, a.end), (b.doc, b.start, b.end))


def _places_of_row(row: dict) -> PlacePair:
    return _ordered(
        (row["a_doc_id"], row["a_start"], row["a_end"]),
        (row["b_doc_id"], row["b_start"], row["b_end"]),
    )


def _same_places(p: PlacePair, q: PlacePair) -> bool:
    """Two links carry one statement when they join the same two articles at places
    that overlap on both sides (a quote inside a sentence, a trimmed part)."""
    return all(
        x[0] == y[0] and x[1] < y[2] and y[1] < x[2] for x, y in zip(p, q, strict=True)
    )


def _by_document_pair(places: list[PlacePair]) -> dict[tuple[str, str], list[int]]:
    groups: dict[tuple[str, str], list[int]] = {}
    for i, (x, y) in enumerate(places):
        groups.setdefault((x[0], y[0]), []).append(i)
    return groups


def _one_per_place_pair(matches: list[Match], stored: frozenset[str] = frozenset()) -> list[Match]:
    """Of matches that overlap on both sides, the one to keep: a pair already stored
    (`stored` pair keys), then the best score, then the longer spans."""

    ordered = sorted(matches, key=lambda m: (m.pair_key not in stored, *_rank(m)))
    places = [_places_of(m) for m in ordered]
    kept: list[int] = []
    for group in _by_document_pair(places).values():
        chosen: list[int] = []
        for i in group:  # in rank order
            if not any(_same_places(places[i], places[j]) for j in chosen):
                chosen.append(i)
        kept.extend(chosen)
    return [ordered[i] for i in sorted(kept)]


def _rank(match: Match) -> tuple:
    """Of two matches on the same places, the smaller ranks first: the better score,
    then the longer spans."""
    length = (match.a.end - match.a.start) + (match.b.end - match.b.start)
    return (-match.score, -length, match.pair_key)


def _rank_of(row: dict) -> tuple:
    """`_rank` of a stored link."""
    length = (row["a_end"] - row["a_start"]) + (row["b_end"] - row["b_start"])
    return (-row["score"], -length, row["pair_key"])


def _row_rank(row: dict) -> tuple:
    """Which of several stored links of one pair of places stands: a person's verdict,
    then the best score, then the oldest."""
    return (_VERDICT_FIRST[row["status"]], -row["score"], row["created_at"], row["id"])


def _home(match: Match, rows: list[dict], stored: dict[str, dict]) -> dict | None:
    """The stored link that carries this match: its own pair, else the best-ranked
    link overlapping it on both sides."""
    if match.pair_key in stored:
        return stored[match.pair_key]
    places = _places_of(match)
    overlapping = [row for row in rows if _same_places(places, _places_of_row(row))]
    return min(overlapping, key=_row_rank) if overlapping else None


def _dominated(rows: list[dict]) -> list[str]:
    """Suggestions that another stored link of the same places outranks (a verdict,
    or a better suggestion): duplicates, to delete. A verdict is never deleted."""
    ordered = sorted(rows, key=_row_rank)
    places = [_places_of_row(row) for row in ordered]
    doomed = []
    for group in _by_document_pair(places).values():
        group_standing: list[int] = []
        for i in group:
            row = ordered[i]
            if row["status"] == LinkStatus.suggested.value and any(
                _same_places(places[i], places[j]) for j in group_standing
            ):
                doomed.append(row["id"])
            else:
                group_standing.append(i)
    return doomed


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
    # Meaning suggestions after the string echoes: their score is a rank within the
    # meaning stage, not the string score of the same statement's words.
    result.sort(key=lambda e: (e.method == MEANING_METHOD, -e.score, e.title, e.doc_id, e.start))
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
        return _accept_in(store, group, link_id)


def _accept_in(store: Store, group, link_id: str) -> Annotation | None:
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
    if not row["cluster"]:
        # A meaning suggestion has no cluster until accepted: it joins the statement
        # of one of its sides now (`link` then merges the two, if both have one).
        after["cluster"] = _cluster_of_sides(group.db, row)
    group.set_state("link", link_id, after)
    return made


def _cluster_of_sides(db, row: dict) -> str:
    for side in ("a", "b"):
        span = (row[f"{side}_doc_id"], row[f"{side}_start"], row[f"{side}_end"])
        if found := link_table.cluster_at(db, span):
            return found
    longer = max(("a", "b"), key=lambda s: (row[f"{s}_end"] - row[f"{s}_start"], s))
    return cluster_id(row[f"{longer}_doc_id"], row[f"{longer}_start"], row[f"{longer}_end"])


def _reject_in(group, link_id: str) -> None:
    row = _link_row(group.db, link_id)
    after = {**row, "status": LinkStatus.rejected.value, "updated_at": utc_now()}
    group.set_state("link", link_id, after)


def judge_links(store: Store, link_ids: list[str], verdict: str) -> int:
    """Accept (`verdict` "confirmed") or reject ("rejected") several links as one
    undoable step; returns how many changed status. An id may be given by a unique
    prefix (ids are long). An unknown or ambiguous id changes nothing: every id is
    checked before the first is judged."""
    if verdict not in (LinkStatus.confirmed.value, LinkStatus.rejected.value):
        raise InputError("verdict", f"{verdict!r} is not confirmed or rejected")
    wanted = list(dict.fromkeys(
        one_id(given, link_table.link_ids_named(store.db, given), "link") for given in link_ids
    ))
    noun = "accept" if verdict == LinkStatus.confirmed.value else "reject"
    description = f"{noun} {len(wanted)} link{'s' if len(wanted) != 1 else ''}"
    with change_group(store, description) as group:
        rows = [_link_row(group.db, link_id) for link_id in wanted]
        changed = 0
        for row in rows:
            if row["status"] == verdict:
                continue
            changed += 1
            if verdict == LinkStatus.confirmed.value:
                _accept_in(store, group, row["id"])
            else:
                _reject_in(group, row["id"])
    return changed


def _annotate_other_side(store: Store, group, row: dict, source: str, target: str) -> Annotation:
    """The source annotation's label (and speaker) on the target side's span, as
    docs/linking.md "Accepting a link" sets out: the whole side when the source
    covers whole sentences or the aligned words cover most of the side, else the
    aligned words (a quote inside a longer sentence)."""
    source_id = row[f"{source}_annotation_id"]
    found = group.db.execute(
        'SELECT label, speaker, doc_id, start, "end" FROM annotations WHERE id = ?', [source_id]
    ).fetchone()
    if found is None:
        raise NotFound(f"annotation {source_id!r} no longer exists")
    label, speaker, *source_span = found
    doc_id = row[f"{target}_doc_id"]
    text = store.document(doc_id).text
    start, end = snap_to_graphemes(text, *_accepted_span(group.db, row, target, text, source_span))
    same = group.db.execute(
        'SELECT id FROM annotations WHERE doc_id = ? AND start = ? AND "end" = ? AND label = ?',
        [doc_id, start, end, label],
    ).fetchone()
    if same:
        return store.annotation(same[0])
    if speaker:
        named = speaker_in(text, start, end)
        if named and not same_speaker(named, speaker):
            speaker = named  # the article names who said it there: not the source's speaker
    return create_annotation(store, doc_id, start, end, label, speaker=speaker, group=group)


MOST_OF_SIDE = 0.8  # the share of the side's letters aligned that makes it the whole side


def _accepted_span(db, row: dict, target: str, text: str, source: list) -> tuple[int, int]:
    """The span the target side's new annotation covers (see `_annotate_other_side`)."""
    side = (row[f"{target}_start"], row[f"{target}_end"])
    aligned = (_or(row[f"{target}_match_start"], side[0]), _or(row[f"{target}_match_end"], side[1]))
    if aligned == side or _whole_sentences(db, *source):
        return side
    letters = sum(ch.isalnum() for ch in text[side[0] : side[1]])
    inside = sum(ch.isalnum() for ch in text[aligned[0] : aligned[1]])
    return side if inside >= MOST_OF_SIDE * letters else aligned


def _whole_sentences(db, doc_id: str, start: int, end: int) -> bool:
    """Whether `start:end` begins where a sentence begins and ends where one ends."""
    found = db.execute(
        "SELECT EXISTS (SELECT 1 FROM sentences WHERE doc_id = ? AND start = ?), "
        'EXISTS (SELECT 1 FROM sentences WHERE doc_id = ? AND "end" = ?)',
        [doc_id, start, doc_id, end],
    ).fetchone()
    return bool(found[0] and found[1])


def reject(store: Store, link_id: str) -> None:
    """Mark a link rejected (undoable); the pair is never suggested again."""
    with change_group(store, "reject link") as group:
        _reject_in(group, link_id)


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

    New matches become suggestions, one per pair of places: a match overlapping a
    stored link on both sides (same two articles) is that link, and a suggestion
    there moves to the match when its own places were not found again. Stored
    suggestions that another link carries already are deleted (`merged`).
    `rebuild` also removes stored suggestions that are no longer found (and
    refreshes the scores of those that are). A link found again records an
    annotation made since exactly on a side that names none. Confirmed and rejected
    links are otherwise never touched except for their cluster; a rejected pair is
    never suggested again. Clusters are recomputed over every link not rejected.
    Everything is written in one transaction.

    `meaning` then runs the meaning stage (`store.meaning_links`) over the sentences,
    in transactions of its own: it embeds what has no stored vector yet (a first run
    on a large corpus takes a while), and `more` adds its lower tier.
    """
    threshold = check_threshold(threshold)
    began = perf_counter()
    texts = _document_texts(store)
    units = sentence_units(store, texts) + annotation_units(store, texts)
    matches = link_units(units, threshold=threshold, progress=progress)
    report = LinkReport(units=len(units), threshold=threshold)
    with store.transaction() as db:
        stored = link_table.rows_by_pair(db)
        before = {row["id"] for row in stored.values()}
        kept = _one_per_place_pair(matches, frozenset(stored))
        _write_found(store, db, kept, _Stored(stored), report, rebuild)
        stored = link_table.rows_by_pair(db)
        merged = set(_dominated(list(stored.values())))
        link_table.delete_links(db, sorted(merged))
        report.merged = len(merged & before)
        stored = {key: row for key, row in stored.items() if row["id"] not in merged}
        _tally(report, kept, _Stored(stored), before)
        link_table.set_clusters(db, _clusters(stored, set()))
        store.set_setting(THRESHOLD_SETTING, threshold)  # in this transaction
    report.seconds = perf_counter() - began
    if meaning:
        units = [unit for unit in units if unit.seq is not None]  # the sentences
        report.meaning = suggest_meaning(
            store, units, more=more, rebuild=rebuild, progress=progress
        )
    return report


@dataclass
class _Stored:
    """The stored links while `relink` writes: by pair key and by pair of documents."""

    by_pair: dict[str, dict]
    by_documents: dict[tuple[str, str], list[dict]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for row in self.by_pair.values():
            x, y = _places_of_row(row)
            self.by_documents.setdefault((x[0], y[0]), []).append(row)

    def home(self, match: Match) -> dict | None:
        x, y = _places_of(match)
        return _home(match, self.by_documents.get((x[0], y[0]), []), self.by_pair)

    def without(self, ids: set[str]) -> _Stored:
        return _Stored({k: r for k, r in self.by_pair.items() if r["id"] not in ids})


def _write_found(
    store: Store, db, found: list[Match], stored: _Stored, report: LinkReport, rebuild: bool
) -> None:
    """Each match (one per pair of places) into the table: a new suggestion, or an
    update of the stored link that carries it (see `relink`)."""
    found_keys = {m.pair_key for m in found}
    if rebuild:
        stored = _drop_stale(db, found, stored, report)
    annotations = _annotation_at(store)
    joined = link_table.annotation_pairs(db)
    now = utc_now()
    fresh = []
    moved: set[str] = set()  # suggestions moved onto a match's places in this run
    for match in found:
        home = stored.home(match)
        if home is not None and home["id"] in moved:
            home = None  # it carries another match of this run now
        if home is None:
            if _annotation_pair(match, annotations) not in joined:
                fresh.append(_row(match, "", annotations, now))
        elif home["status"] != LinkStatus.rejected.value and _update_home(
            db, home, match, found_keys, annotations, rebuild, now
        ):
            moved.add(home["id"])
    link_table.insert_links(db, fresh)


def _tally(report: LinkReport, found: list[Match], stored: _Stored, before: set[str]) -> None:
    """Count what this run found as the links that now carry it, each link once: new
    (stored by this run), already stored, or rejected earlier. Several matches can
    land on one link (a sentence and an annotation inside it, found on the same
    places; a suggestion another link outranks), and counting matches instead would
    promise more links than `sidenote links` lists. A match that joins two annotations
    a stored link joins already is carried by that link elsewhere: already stored."""
    carriers: dict[str, tuple[dict, Match]] = {}
    elsewhere: list[Match] = []
    for match in found:
        home = stored.home(match)
        if home is None:
            elsewhere.append(match)
        elif home["id"] not in carriers or _rank(match) < _rank(carriers[home["id"]][1]):
            carriers[home["id"]] = (home, match)
    report.found = len(carriers) + len(elsewhere)
    report.new = sum(1 for link_id in carriers if link_id not in before)
    report.rejected_skipped = sum(
        1
        for link_id, (home, _) in carriers.items()
        if link_id in before and home["status"] == LinkStatus.rejected.value
    )
    report.kept = report.found - report.new - report.rejected_skipped
    carried = [match for _, match in carriers.values()] + elsewhere
    report.by_method = dict(Counter(match.method for match in carried))


def _drop_stale(db, found: list[Match], stored: _Stored, report: LinkReport) -> _Stored:
    """`--rebuild`: delete the string suggestions that no match of this run found."""
    found_keys = {m.pair_key for m in found}
    homes = {home["id"] for match in found if (home := stored.home(match)) is not None}
    stale = {
        row["id"]
        for key, row in stored.by_pair.items()
        if row["status"] == LinkStatus.suggested.value and key not in found_keys
        and row["id"] not in homes
        and row["method"] != MEANING_METHOD  # the meaning stage keeps its own
    }
    link_table.delete_links(db, sorted(stale))
    report.dropped = len(stale)
    return stored.without(stale)


def _update_home(
    db, home: dict, match: Match, found_keys: set[str], annotations: dict, rebuild: bool,
    now: str,
) -> bool:
    """Bring the stored link that carries `match` up to date; True when it moved.

    A suggestion on other places than this run found (a sentence, where a quote
    inside it matches better) moves to the match's places, unless its own pair was
    found too; `rebuild` refreshes a suggestion's score. A verdict keeps its places;
    it only records an annotation made since on a side that names none.
    """
    suggested = home["status"] == LinkStatus.suggested.value
    same_pair = home["pair_key"] == match.pair_key
    moves = suggested and not same_pair and home["pair_key"] not in found_keys
    if (suggested and same_pair and rebuild) or moves:
        updated = _row(match, home["cluster"], annotations, now)
        updated = {k: v for k, v in updated.items() if k not in ("id", "created_at")}
        link_table.update_link(db, home["id"], {**updated, **_recorded(home, updated)})
        return moves
    if same_pair and (attached := _attachable(home, annotations)):
        link_table.update_link(db, home["id"], {**attached, "updated_at": now})
    return False


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


def _clusters(stored: dict[str, dict], deleted: set[str]) -> dict[str, str]:
    """Cluster ids for every stored link that joins statements: its connected places.

    Confirmed and suggested links join (an accepted meaning link joins its
    statements here, the first relink after the person accepted it); rejected
    links do not, and meaning suggestions stay apart until accepted.
    """
    joining = [
        Match(a=_side(row, "a"), b=_side(row, "b"), score=row["score"], method=row["method"])
        for row in stored.values()
        if row["id"] not in deleted
        and row["status"] != LinkStatus.rejected.value
        and not (row["status"] == LinkStatus.suggested.value and row["method"] == MEANING_METHOD)
    ]
    return {m.pair_key: m.cluster for m in cluster(joining)}


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
    "judge_links",
    "link_counts",
    "list_links",
    "meaning_echoes",
    "pair_key",
    "reject",
    "relink",
    "span_key",
    "warm",
]
