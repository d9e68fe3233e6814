"""The review queue: every suggested link in the corpus, one row per pair, to judge.

The app lists the queue's link ids once (`queue_order`: a few columns per link, read
in index order) and reads the rows it draws a page at a time (`queue_items`), so a
queue of 100,000 suggestions opens and scrolls without holding their texts. What the
reader did there is kept in `review_marks` (skipped, or judged there), so the skipped
pairs survive a restart. A verdict is one undoable change (`store.links.judge_links`),
and so is a skip (its marks go through the change log). Progress ("34 of 120
reviewed") is read from what is stored, not from what this queue did, so it is the
same wherever a verdict was given and a verdict elsewhere never takes it back: of
every link a matcher found (any status), those judged by anyone plus the suggestions
skipped.

The database may change under an open queue (the command line, another window): a
verdict or a skip touches only the links that are still suggestions when it is
written, read inside its one write transaction, and says which it left alone, so a
pair judged elsewhere keeps that verdict and the undo step holds only what changed.

`word_diff` says which words of two wordings differ, for showing them side by side.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rapidfuzz.distance import Levenshtein

from . import link_table
from .db.connection import Store, utc_now
from .errors import InputError
from .history import change_group
from .links import judge_links
from .models import LinkStatus

QUEUE_SORTS = ("best", "outlet", "article", "method")
"""The orders of the queue: best score first, or grouped by outlet, article or method."""

_WORD = re.compile(r"\S+")


@dataclass(frozen=True)
class QueueSide:
    """One side of a suggested pair: a span of one article."""

    doc_id: str
    outlet: str
    title: str
    start: int
    end: int
    text: str  # document.text[start:end], exactly as stored
    annotation_id: str | None


@dataclass(frozen=True)
class QueueItem:
    """One pair in the queue, with its current status (a verdict may have changed it)."""

    id: str
    status: str
    score: float
    method: str
    cluster: str
    a: QueueSide
    b: QueueSide
    mark: str | None  # 'skipped', 'judged' or None

    @property
    def reviewed(self) -> bool:
        if self.status != LinkStatus.suggested.value:
            return True
        return self.mark == "skipped"


@dataclass(frozen=True)
class QueueVerdict:
    """What a verdict (or a skip) from the queue did: the links it changed, and those
    it left alone because they were no longer suggestions when it was written (judged
    elsewhere: their status now, or "gone" when relinking removed them)."""

    done: tuple[str, ...]
    elsewhere: dict[str, str]


@dataclass(frozen=True)
class QueueProgress:
    reviewed: int
    total: int

    def line(self) -> str:
        return f"{self.reviewed} of {self.total} reviewed"


def queue_order(store: Store, sort: str = "best") -> list[str]:
    """The ids of every suggestion in the order `sort` names (see `QUEUE_SORTS`); ties
    go best score first. Reads every suggestion: `ReviewQueue` pages instead."""
    if sort not in QUEUE_SORTS:
        raise InputError("sort", f"unknown order {sort!r} (use {', '.join(QUEUE_SORTS)})")
    if sort in ("best", "method"):
        return link_table.queue_page(store.db, sort, 0, -1)
    return _grouped_order(store, "source" if sort == "outlet" else "title")


def _grouped_order(store: Store, column: str) -> list[str]:
    """Suggestions grouped by the (case-folded) outlets or titles of their two articles,
    the pair's names in alphabetical order, best first within a group.

    No index holds an article's outlet beside its links, so this reads every suggestion
    once, in table order, and sorts them by small integer keys: each name's rank stands
    for the name, so rows compare as numbers, not as strings.
    """
    names = {
        doc_id: (name or "").casefold()
        for doc_id, name in store.db.execute(f"SELECT id, {column} FROM documents")
    }
    rank = {name: at for at, name in enumerate(sorted({*names.values(), ""}))}
    doc_rank = {doc_id: rank[name] for doc_id, name in names.items()}
    width, missing = len(rank), rank[""]
    keyed = []
    for link_id, score, a_doc, b_doc in link_table.queue_places(store.db):
        x, y = doc_rank.get(a_doc, missing), doc_rank.get(b_doc, missing)
        keyed.append((x * width + y if x <= y else y * width + x, -score, link_id))
    keyed.sort()
    return [link_id for _, _, link_id in keyed]


class ReviewQueue:
    """The suggestions in one order, a page at a time.

    Best first and by method are read from an index at an offset, so a page of a
    100,000-link queue costs a few milliseconds and a verdict simply takes the pair
    out of the next page read. By outlet or article needs every suggestion's articles
    (no index can hold them): that order is read once, when asked for, at a cost that
    grows with the number of suggestions (one read of four columns per suggestion and
    a sort, see docs/linking.md for the figure), and judged pairs stay in it (with their
    new status) until the queue is read again.
    """

    def __init__(self, store: Store, sort: str = "best") -> None:
        if sort not in QUEUE_SORTS:
            raise InputError("sort", f"unknown order {sort!r} (use {', '.join(QUEUE_SORTS)})")
        self.store = store
        self.sort = sort
        self._ids = None if sort in ("best", "method") else queue_order(store, sort)

    def count(self) -> int:
        if self._ids is not None:
            return len(self._ids)
        return link_table.queue_count(self.store.db)

    def row_of(self, link_id: str) -> int | None:
        """Where this pair stands now; None when it is not in the queue (any more)."""
        if self._ids is None:
            return link_table.queue_row_of(self.store.db, self.sort, link_id)
        try:
            return self._ids.index(link_id)  # judged pairs keep their place in this order
        except ValueError:
            return None

    def counts(self) -> tuple[int, QueueProgress]:
        """The queue's length and the progress, counting the suggestions once for both."""
        suggested, reviewed, total = link_table.queue_progress(self.store.db)
        rows = len(self._ids) if self._ids is not None else suggested
        return rows, QueueProgress(reviewed, total)

    def ids(self, offset: int, limit: int) -> list[str]:
        if self._ids is not None:
            return self._ids[offset : offset + limit]
        return link_table.queue_page(self.store.db, self.sort, offset, limit)

    def page(self, offset: int, limit: int) -> list[QueueItem]:
        """The pairs at `offset` onwards, in order (a pair deleted since is left out)."""
        ids = self.ids(offset, limit)
        found = queue_items(self.store, ids)
        return [found[link_id] for link_id in ids if link_id in found]

    def first_unreviewed(self) -> int:
        """Where to start: the first pair not skipped (the top when all are)."""
        if self._ids is None:
            return link_table.queue_first_unreviewed(self.store.db, self.sort)
        skipped = link_table.skipped_ids(self.store.db)
        return next((i for i, link_id in enumerate(self._ids) if link_id not in skipped), 0)


def queue_items(store: Store, link_ids: list[str]) -> dict[str, QueueItem]:
    """The rows to draw for these links; a link deleted since (relinked away) is absent."""
    rows = link_table.queue_rows(store.db, link_ids)
    docs = _outlets_of(store, rows)
    found: dict[str, QueueItem] = {}
    for row in rows:
        sides = []
        for side in ("a", "b"):
            outlet, title = docs.get(row[f"{side}_doc_id"], ("", ""))
            sides.append(QueueSide(
                row[f"{side}_doc_id"], outlet, title, row[f"{side}_start"],
                row[f"{side}_end"], row[f"{side}_text"], row[f"{side}_annotation_id"],
            ))  # fmt: skip
        found[row["id"]] = QueueItem(
            row["id"], row["status"], row["score"], row["method"], row["cluster"],
            sides[0], sides[1], row["mark"],
        )  # fmt: skip
    return found


def _outlets_of(store: Store, rows: list[dict]) -> dict[str, tuple[str, str]]:
    """(outlet, title) of the articles these rows name, read in lists under SQLite's
    variable limit (a page of pairs names up to two articles each)."""
    ids = sorted({row[f"{side}_doc_id"] for row in rows for side in ("a", "b")})
    found: dict[str, tuple[str, str]] = {}
    for lo in range(0, len(ids), 400):
        chunk = ids[lo : lo + 400]
        marks = ",".join("?" * len(chunk))
        found.update(
            (doc_id, (source or "", title or ""))
            for doc_id, source, title in store.db.execute(
                f"SELECT id, source, title FROM documents WHERE id IN ({marks})", chunk
            )
        )
    return found


def _mark(store: Store, link_ids: list[str], mark: str) -> None:
    now = utc_now()
    store.db.conn.executemany(
        "INSERT INTO review_marks (link_id, mark, marked_at) VALUES (?, ?, ?) "
        "ON CONFLICT(link_id) DO UPDATE SET mark = excluded.mark, marked_at = excluded.marked_at",
        [(link_id, mark, now) for link_id in link_ids],
    )


def _still_suggested(store: Store, wanted: list[str]) -> tuple[list[str], dict[str, str]]:
    """(the links still suggestions, {link judged or gone since: its status or "gone"}),
    read inside the caller's write transaction, so nothing can judge them between this
    read and its write."""
    now = link_table.statuses_of(store.db, wanted)
    suggested = LinkStatus.suggested.value
    still = [link_id for link_id in wanted if now.get(link_id) == suggested]
    elsewhere = {i: now.get(i, "gone") for i in wanted if now.get(i) != suggested}
    return still, elsewhere


def skip_in_queue(store: Store, link_ids: list[str]) -> QueueVerdict:
    """Leave these suggestions for later: reviewed for now, at the end of the queue, as
    one undoable step (undo brings them back as not skipped). A link judged since
    (elsewhere) is left as it is; when none is left, no step is made."""
    with store.transaction():
        still, elsewhere = _still_suggested(store, list(dict.fromkeys(link_ids)))
        if still:
            noun = "link" if len(still) == 1 else "links"
            with change_group(store, f"skip {len(still)} {noun}") as group:
                now = utc_now()
                for link_id in still:
                    group.set_state("review_mark", link_id,
                                    {"link_id": link_id, "mark": "skipped", "marked_at": now})
    return QueueVerdict(tuple(still), elsewhere)


def judge_in_queue(store: Store, link_ids: list[str], verdict: str) -> QueueVerdict:
    """Accept ("confirmed") or reject ("rejected") these links as one undoable step,
    and mark them reviewed in the queue, in one transaction.

    Only the links still suggestions are judged: the reader saw them as suggestions,
    and a verdict given elsewhere since (the command line, another window) stands.
    When none is left, no undo step is made."""
    with store.transaction():
        still, elsewhere = _still_suggested(store, list(dict.fromkeys(link_ids)))
        if still:
            judge_links(store, still, verdict)
            _mark(store, still, "judged")
    return QueueVerdict(tuple(still), elsewhere)


def suggestions_at_least(store: Store, method: str, score: float) -> list[str]:
    """Ids of the suggestions `method` found with `score` or more (for a bulk verdict)."""
    return link_table.suggestions_at_least(store.db, method, score)


def queue_progress(store: Store) -> QueueProgress:
    """How many machine-found links are reviewed, of all of them (see
    `link_table.queue_progress`; `ReviewQueue.counts` gives it with the queue's length)."""
    _, reviewed, total = link_table.queue_progress(store.db)
    return QueueProgress(reviewed, total)


# -- what differs between two wordings --------------------------------------------------------


@dataclass(frozen=True)
class WordDiff:
    """Spans (code points, end exclusive) of the words that differ, in each text: in
    `a`, words the other lacks or words it has in other words; in `b`, the same for b."""

    a: tuple[tuple[int, int], ...]
    b: tuple[tuple[int, int], ...]


def _words(text: str) -> tuple[list[tuple[int, int]], list[str]]:
    spans = [(m.start(), m.end()) for m in _WORD.finditer(text)]
    return spans, [text[s:e].casefold().strip(".,;:!?\"'()[]\u201c\u201d\u2018\u2019")
                   for s, e in spans]


def word_diff(a: str, b: str) -> WordDiff:
    """Word-by-word differences (case and surrounding punctuation aside): a changed
    wording is marked in both texts, a trimmed part in the text that has it."""
    a_spans, a_words = _words(a)
    b_spans, b_words = _words(b)
    marked_a: list[tuple[int, int]] = []
    marked_b: list[tuple[int, int]] = []
    for tag, a0, a1, b0, b1 in Levenshtein.opcodes(a_words, b_words):
        if tag == "equal":
            continue
        if a1 > a0:
            marked_a.append((a_spans[a0][0], a_spans[a1 - 1][1]))
        if b1 > b0:
            marked_b.append((b_spans[b0][0], b_spans[b1 - 1][1]))
    return WordDiff(tuple(marked_a), tuple(marked_b))
