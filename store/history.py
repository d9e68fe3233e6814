"""The change log: every change as events, grouped into undoable actions.

Every change goes through a `ChangeGroup`: one transaction that writes the rows, an
`events` row per changed entity (its state before and after) and one `history` row,
the unit that undo and redo move. Undo and redo are global (across articles) and
survive restarts because they live in the database, not in the app. The log covers
annotations, links, documents and the review queue (`ENTITY_TABLES`).
"""

from __future__ import annotations

import getpass
import json
import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlite_utils import Database

from . import link_table
from .db.connection import Store, utc_now
from .errors import StoreError

# Which table holds each kind of entity the event log can restore.
ENTITY_TABLES = {
    "annotation": "annotations",
    "link": "links",
    "document": "documents",
    "review": "review",  # annotations waiting for a decision after re-anchoring
    "review_mark": "review_marks",  # a pair skipped in the review queue
}
# The key column of a table whose rows are not keyed by `id`.
ENTITY_KEYS = {"review_marks": "link_id"}

# The change groups (and undo/redo replays) made through one `Store`: what this run of
# a program did, as against another program on the same file (the command line, a
# second window) or an earlier run. Kept in memory only: the log has no column for it.
_OWN = "history.own_groups"
_RUN_START = "history.run_start"


def default_annotator() -> str:
    """Who is annotating: $SIDENOTE_ANNOTATOR, else the login name."""
    name = os.environ.get("SIDENOTE_ANNOTATOR")
    if name:
        return name
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return ""


@dataclass(frozen=True)
class Change:
    """What an undo or redo did, so the app can show the place it changed."""

    group_id: str
    description: str
    doc_id: str | None
    start: int | None
    title: str | None = None  # the changed article's title, to say where the change was


class ChangeGroup:
    """Collects the events of one user action inside one transaction."""

    def __init__(self, db: Database, group_id: str, origin: str, actor: str) -> None:
        self.db = db
        self.group_id = group_id
        self.origin = origin
        self.actor = actor
        self.count = 0

    def record(
        self, entity: str, entity_id: str, before: dict | None, after: dict | None
    ) -> None:
        if before == after:
            return
        action = "create" if before is None else "delete" if after is None else "update"
        doc_id = (after or before or {}).get("doc_id") or (after or before or {}).get("a_doc_id")
        if entity == "document":
            doc_id = entity_id
        self.db.execute(
            "INSERT INTO events (at, group_id, action, entity, entity_id, doc_id, before, "
            "after, actor, origin) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                utc_now(),
                self.group_id,
                action,
                entity,
                entity_id,
                doc_id,
                None if before is None else json.dumps(before, ensure_ascii=False),
                None if after is None else json.dumps(after, ensure_ascii=False),
                self.actor,
                self.origin,
            ],
        )
        self.count += 1

    def set_state(self, entity: str, entity_id: str, state: dict | None) -> None:
        """Make an entity's row equal `state` (None: absent), logging the change."""
        if entity == "document":
            before = document_state(self.db, entity_id)
            if before is not None and state is None:
                self._drop_links(entity_id)
            if before != state:
                _write_document(self.db, entity_id, before, state)
        else:
            table = ENTITY_TABLES[entity]
            key = ENTITY_KEYS.get(table, "id")
            before = current_row(self.db, table, entity_id)
            if before == state:
                return
            if state is None:
                if entity == "annotation":
                    self._detach_links(entity_id)
                self.db.execute(f"DELETE FROM {table} WHERE {key} = ?", [entity_id])
            elif before is None:
                _insert_row(self.db, table, state)
            else:
                _update_row(self.db, table, entity_id,
                            {k: v for k, v in state.items() if k != key}, key)
        self.record(entity, entity_id, before, state)

    def _drop_links(self, doc_id: str) -> None:
        """Delete, through the log, the links still touching a document about to go.

        Whoever deletes a document deals with its links first (delete them, or move
        them to a new version). But linking stores suggestions outside any change
        group, so after an undo brought a document back, `link` or `echoes` may add
        some that the group being redone never knew; they go with the document.
        """
        for link_id in link_table.link_ids_touching(self.db, doc_id):
            self.set_state("link", link_id, None)

    def _detach_links(self, annotation_id: str) -> None:
        """Unhook the links that name an annotation about to go, through the log.

        The schema would do it (ON DELETE SET NULL) but unlogged, so undoing the
        deletion would bring the annotation back without its links.
        """
        for row in link_table.link_rows_naming(self.db, annotation_id):
            after = dict(row)
            for side in ("a", "b"):
                if after[f"{side}_annotation_id"] == annotation_id:
                    after[f"{side}_annotation_id"] = None
            self.set_state("link", row["id"], after)


def current_row(db: Database, table: str, entity_id: str) -> dict | None:
    key = ENTITY_KEYS.get(table, "id")
    rows = list(db.query(f"SELECT * FROM {table} WHERE {key} = ?", [entity_id]))
    return rows[0] if rows else None


# A document's state in the log is its row plus the rows that have no id of their
# own and go with it (its sentences and the reader's position in it), and its rowid,
# so that undoing a deletion puts the article back exactly, in its place in the
# library. Its annotations and links are entities of their own, logged before it.
def document_state(db: Database, doc_id: str) -> dict | None:
    rows = list(db.query("SELECT rowid, * FROM documents WHERE id = ?", [doc_id]))
    if not rows:
        return None
    state = dict(rows[0])
    state["sentences"] = [
        list(r)
        for r in db.execute(
            'SELECT start, "end" FROM sentences WHERE doc_id = ? ORDER BY idx', [doc_id]
        )
    ]
    position = db.execute(
        "SELECT sentence, updated_at FROM positions WHERE doc_id = ?", [doc_id]
    ).fetchone()
    state["position"] = None if position is None else list(position)
    done = db.execute("SELECT done_at FROM done_marks WHERE doc_id = ?", [doc_id]).fetchone()
    state["done_at"] = None if done is None else done[0]
    return state


def _write_document(db: Database, doc_id: str, before: dict | None, state: dict | None) -> None:
    if state is None:
        # Annotations and links would go by ON DELETE CASCADE, unlogged and so beyond
        # undo: they must have been removed through the group first.
        annotated = db.execute(
            "SELECT EXISTS (SELECT 1 FROM annotations WHERE doc_id = ?)", [doc_id]
        ).fetchone()[0]
        if annotated or link_table.any_touching(db, doc_id):
            raise StoreError(f"document {doc_id} still has annotations or links; delete them first")
        db.execute("DELETE FROM documents WHERE id = ?", [doc_id])  # sentences, position cascade
        return
    row = {k: v for k, v in state.items() if k not in ("sentences", "position", "done_at")}
    if before is None:
        # Back in its place in the library, unless another document took the slot.
        taken = db.execute("SELECT 1 FROM documents WHERE rowid = ?", [row.get("rowid")])
        if row.get("rowid") is None or taken.fetchone():
            row.pop("rowid", None)
        db["documents"].insert(row)
    else:
        row.pop("rowid", None)
        db["documents"].update(doc_id, {k: v for k, v in row.items() if k != "id"})
    db.execute("DELETE FROM sentences WHERE doc_id = ?", [doc_id])
    db.conn.executemany(
        'INSERT INTO sentences (doc_id, idx, start, "end") VALUES (?, ?, ?, ?)',
        [(doc_id, idx, start, end) for idx, (start, end) in enumerate(state["sentences"])],
    )
    db.execute("DELETE FROM positions WHERE doc_id = ?", [doc_id])
    if state.get("position") is not None:
        sentence, updated_at = state["position"]
        db.execute(
            "INSERT INTO positions (doc_id, sentence, updated_at) VALUES (?, ?, ?)",
            [doc_id, sentence, updated_at],
        )
    db.execute("DELETE FROM done_marks WHERE doc_id = ?", [doc_id])
    if state.get("done_at") is not None:  # states logged before done marks have none
        db.execute("INSERT INTO done_marks (doc_id, done_at) VALUES (?, ?)",
                   [doc_id, state["done_at"]])


def _insert_row(db: Database, table: str, row: dict) -> None:
    """INSERT one row. (sqlite-utils' `insert` works out its SQL anew on every call:
    a third of a millisecond on each tag.) Keys are column names of our own tables."""
    columns = ", ".join(f'"{name}"' for name in row)
    marks = ", ".join("?" for _ in row)
    db.execute(f"INSERT INTO {table} ({columns}) VALUES ({marks})", list(row.values()))


def _update_row(
    db: Database, table: str, row_id: str, changes: dict, key: str = "id"
) -> None:
    if changes:
        assignments = ", ".join(f'"{name}" = ?' for name in changes)
        db.execute(
            f"UPDATE {table} SET {assignments} WHERE {key} = ?", [*changes.values(), row_id]
        )


@contextmanager
def change_group(
    store: Store, description: str, *, actor: str | None = None
) -> Iterator[ChangeGroup]:
    """One undoable user action. A new action clears the redo stack, as in any editor."""
    with store.transaction() as db:
        mark_run_start(store)  # this run's first step is after its start
        group = ChangeGroup(db, uuid.uuid4().hex, "user", actor or default_annotator())
        own_groups(store).add(group.group_id)
        yield group
        if group.count:
            db.execute("DELETE FROM history WHERE state = 'undone'")
            db.execute(
                "INSERT INTO history (group_id, description, state, moved_at) "
                "VALUES (?, ?, 'done', (SELECT max(seq) FROM events))",
                [group.group_id, description],
            )


def _group_events(db: Database, group_id: str) -> list[dict]:
    return list(
        db.query("SELECT * FROM events WHERE group_id = ? ORDER BY seq", [group_id])
    )


# An undo or redo is logged as a replay group of its own, named after the action it
# moves (`<group>:undo:<uuid>`, `<group>:redo:<uuid>`), so that the next move can find
# the replay it has to take back.
def _replay_id(group_id: str, origin: str) -> str:
    return f"{group_id}:{origin}:{uuid.uuid4().hex}"


def _latest_replay(db: Database, group_id: str, origin: str) -> str | None:
    """The newest replay of `group_id` made by an `origin` move, if any."""
    prefix = f"{group_id}:{origin}:"
    row = db.execute(
        "SELECT group_id FROM events WHERE group_id >= ? AND group_id < ? "
        "ORDER BY seq DESC LIMIT 1",
        [prefix, prefix[:-1] + ";"],  # ';' sorts just after ':': the prefix's range
    ).fetchone()
    return None if row is None else row[0]


def _events_to_revert(db: Database, group_id: str, origin: str) -> list[tuple[dict, str]]:
    """The events a move replays, newest first for a reversal, and which state of each
    it restores.

    A move takes back the last thing done to the group's entities: undo reverses the
    newest redo (else the action itself), and redo reverses the newest undo. A replay
    logs more than the action it replays (undoing a tag unhooks the links found since,
    which the tag's own group never named), so replaying the action's own `after`
    states would lose those. A database from before replays were named falls back to
    the action's own events.
    """
    if origin == "undo":
        source = _latest_replay(db, group_id, "redo") or group_id
        return [(e, "before") for e in reversed(_group_events(db, source))]
    source = _latest_replay(db, group_id, "undo")
    if source is None:
        return [(e, "after") for e in _group_events(db, group_id)]
    return [(e, "before") for e in reversed(_group_events(db, source))]


def _judged_since(db: Database, event: dict, side: str) -> bool:
    """Whether a link no longer has the status this event left it in: a verdict was
    written since that the log does not hold after this step (another program on the
    file). Moving the step would overwrite that verdict, so the move leaves the link
    as it is, and its replay logs only what it really changed."""
    if event["entity"] != "link":
        return False
    left = event["after" if side == "before" else "before"]
    if left is None:
        return False
    now = link_table.statuses_of(db, [event["entity_id"]]).get(event["entity_id"])
    return now is not None and now != json.loads(left).get("status")


def _mark_without_link(db: Database, event: dict, side: str) -> bool:
    """Whether this event would put back a queue mark on a link that is gone (relinking
    removed it since; its marks went with it): there is nothing left to mark."""
    if event["entity"] != "review_mark" or event[side] is None:
        return False
    return link_table.link_row(db, event["entity_id"]) is None


def _move(
    store: Store, from_state: str, to_state: str, origin: str, only: str | None = None
) -> Change | None:
    with store.transaction() as db:
        row = db.execute(
            "SELECT group_id, description FROM history WHERE state = ? "
            "ORDER BY moved_at DESC LIMIT 1",
            [from_state],
        ).fetchone()
        if row is None:
            return None
        group_id, description = row
        if only is not None and group_id != only:
            raise StoreError("another program changed the database meanwhile: nothing undone; "
                             "press u again to see the newest change")
        replay = ChangeGroup(db, _replay_id(group_id, origin), origin, default_annotator())
        own_groups(store).add(replay.group_id)
        steps = _events_to_revert(db, group_id, origin)
        for event, side in steps:
            if _judged_since(db, event, side) or _mark_without_link(db, event, side):
                continue
            state = event[side]
            replay.set_state(
                event["entity"], event["entity_id"], None if state is None else json.loads(state)
            )
        db.execute(
            "UPDATE history SET state = ?, moved_at = (SELECT max(seq) FROM events) "
            "WHERE group_id = ?",
            [to_state, group_id],
        )
        events = [event for event, _ in steps]
        first = _focus_event(events)
        snapshot = json.loads(first.get("after") or first.get("before") or "{}")
        if first.get("entity") == "review_mark":  # a skip: shown at its pair's first side
            snapshot = current_row(db, "links", first["entity_id"]) or {}
        doc_id = (
            snapshot.get("doc_id")
            or snapshot.get("a_doc_id")
            or (first["entity_id"] if first.get("entity") == "document" else None)
        )
        title = _document_title(db, doc_id, events)
    return Change(
        group_id=group_id,
        description=description,
        doc_id=doc_id,
        start=snapshot.get("start", snapshot.get("a_start")),
        title=title,
    )


def _document_title(db: Database, doc_id: str | None, events: list[dict]) -> str | None:
    """The title of the article a move changed: from the database, else (the move
    deleted it) from the document's state in the log."""
    if doc_id is None:
        return None
    row = db.execute("SELECT title FROM documents WHERE id = ?", [doc_id]).fetchone()
    if row is not None:
        return row[0]
    for event in events:
        if event["entity"] == "document" and event["entity_id"] == doc_id:
            state = json.loads(event["before"] or event["after"] or "{}")
            return state.get("title")
    return None


def _focus_event(events: list[dict]) -> dict:
    """The event whose place the user should be shown: an annotation's (a deletion
    logs its links first), else a document's, else the first."""
    for entity in ("annotation", "document"):
        for event in events:
            if event["entity"] == entity:
                return event
    return events[0] if events else {}


def undo(store: Store, only: str | None = None) -> Change | None:
    """Revert the most recent action still done; None when there is nothing to undo.
    With `only`, that action must be the group of that id (the one the user was asked
    about): when another program has made a newer one since, nothing is undone and a
    `StoreError` says so."""
    return _move(store, "done", "undone", "undo", only)


def redo(store: Store) -> Change | None:
    """Re-apply the most recently undone action; None when there is nothing to redo."""
    return _move(store, "undone", "done", "redo")


def history(store: Store, limit: int = 50) -> list[dict]:
    """The most recent events, newest first, for `sidenote history` and audits."""
    return list(
        store.db.query(
            "SELECT seq, at, group_id, action, entity, entity_id, doc_id, actor, origin, "
            "before, after FROM events ORDER BY seq DESC LIMIT ?",
            [limit],
        )
    )


# -- whose steps: this run's, or another program's ----------------------------------------------


def own_groups(store: Store) -> set[str]:
    """The ids of the change groups and replays made through this store: this run."""
    return store.cache(_OWN, set)


def mark_run_start(store: Store) -> int:
    """The log's newest event when this run began (fixed on the first call): steps up to
    it are earlier work, which undo takes back as it always did, across restarts; a step
    after it that this run did not make came from another program meanwhile."""
    return store.cache(_RUN_START, lambda: newest_event(store))


@dataclass(frozen=True)
class Step:
    """The action the next undo would take back, and whether it is this run's to take
    back without asking: made by this run, or before this run began."""

    group_id: str
    description: str
    title: str | None  # the article it changed, to say where
    own: bool


def next_undo(store: Store) -> Step | None:
    """The action `undo` would revert now; None when there is nothing to undo.

    It is this run's own when this run made it and, if it was redone, redid it: a step
    another program made or moved last is someone else's work to take back."""
    db = store.db
    run_start = mark_run_start(store)  # fixed now at the latest, before anything is read
    row = db.execute(
        "SELECT group_id, description FROM history WHERE state = 'done' "
        "ORDER BY moved_at DESC LIMIT 1"
    ).fetchone()
    if row is None:
        return None
    group_id, description = row
    mover = _latest_replay(db, group_id, "redo") or group_id
    events = _group_events(db, group_id)
    focus = _focus_event(events)
    snapshot = json.loads(focus.get("after") or focus.get("before") or "{}")
    if focus.get("entity") == "review_mark":
        snapshot = current_row(db, "links", focus["entity_id"]) or {}
    doc_id = snapshot.get("doc_id") or snapshot.get("a_doc_id") or (
        focus["entity_id"] if focus.get("entity") == "document" else None
    )
    title = _document_title(db, doc_id, events)
    (moved,) = db.execute("SELECT coalesce(max(seq), 0) FROM events WHERE group_id = ?",
                          [mover]).fetchone()
    own = mover in own_groups(store) or moved <= run_start
    return Step(group_id, description, title, own)


def newest_event(store: Store) -> int:
    """The log's newest event number (0 when empty): where `outside_steps` starts."""
    return store.db.execute("SELECT coalesce(max(seq), 0) FROM events").fetchone()[0]


def outside_steps(store: Store, after_seq: int) -> list[str]:
    """What other programs did through the log since event `after_seq`, oldest first:
    "accept 1 link", "undid accept 1 link", "redid ..." (this run's own steps left out).
    Changes made outside the log (linking stores suggestions unlogged) are not listed."""
    groups = [
        group_id
        for (group_id,) in store.db.execute(
            "SELECT group_id FROM events WHERE seq > ? GROUP BY group_id ORDER BY min(seq)",
            [after_seq],
        )
    ]
    own = own_groups(store)
    lines = []
    for group_id in groups:
        if group_id in own:
            continue
        base, _, rest = group_id.partition(":")
        verb = {"undo": "undid ", "redo": "redid "}.get(rest.partition(":")[0], "")
        row = store.db.execute(
            "SELECT description FROM history WHERE group_id = ?", [base]
        ).fetchone()
        if row is not None:
            lines.append(verb + row[0])
    return lines
