"""A Sidenote user that never stops: the process the crash and concurrency tests run.

It performs random actions on a database (import a file, tag a span, edit, delete,
undo, redo, delete an article) the way the app and the command line do, through
the public store functions. Before each action it prints what the action will do,
and after the action returns, what it did:

    BEGIN {"op": "create", "effects": {...}, "new": [doc, start, end, label, note]}
    OK {"op": "create", "effects": {...}, "new_id": "...", ...}

`effects` maps "annotation:<id>" to the annotation's state afterwards
([doc_id, start, end, label, note], or null when it is gone), "link:<id>" to the
link's [status, a_annotation_id, b_annotation_id] (or null), "document:<id>" to
whether the document exists afterwards, and "review:<id>" to whether an annotation
that re-anchoring could not place waits in the review list (an import also names
its `file`: the test knows which documents each file holds). `adds_links` marks
actions that may store new suggestions and record annotations on the sides of
stored links (relink, echoes); `may_create` one that may make an annotation whose
id is not known before (accepting a link). An OK line is printed only once the
store call has returned, i.e. once the change is committed: that is the moment
the app would tell the user it is saved. Each line is one write(2), so a kill
never leaves half a line.

Some effects cannot be worked out in advance without redoing the store's work (an
import that replaces an earlier version of an article re-anchors its annotations;
an undo or redo that removes an annotation or an article also unhooks or deletes,
in passing, links stored since by linking, outside any change group): those
actions are rehearsed first, in a transaction that is rolled back, and their BEGIN
line says what the rehearsal changed. The kill then tests that the real run commits
all of that or none of it. Only when needed: a rehearsal doubles an action's time,
and a kill that lands in it tests nothing.

Modes:
    driver.py serve                 a zygote: imports everything once, then for each
                                    `RUN db seed out pool` line on stdin forks a child
                                    running the workload (fork costs ms, an interpreter
                                    start ~0.4 s) and prints `PID n`; at the next line
                                    (`KILL`) sends it SIGKILL and prints `EXIT status`.
    driver.py run DB SEED POOL      the workload in this process (a fresh interpreter).
    driver.py write DB SEED N STOP  creates/updates/deletes (no undo): at least N, and
                                    until the file STOP exists; then exit 0. The
                                    concurrency test runs several at once.
    driver.py import DB POOL ROUNDS SEED...
                                    `sidenote import --json POOL`, whose first ROUNDS
                                    files each wait, holding the write lock, until the
                                    writers SEED... all wait for it (see import_in_rounds).
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import random
import re
import signal
import sys
import time
import traceback
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from checks import Snapshot, snapshot  # driver.py runs as a script from this folder

from store import (
    Store,
    create_annotation,
    delete_annotation,
    links,
    open_store,
    redo,
    undo,
    update_annotation,
)
from store.db.write_queue import WriteQueue
from store.deletion import delete_document
from store.documents import PreparedDocument
from store.exchange.read import import_annotations
from store.exchange.records import annotation_record
from store.importing.ingest import ImportReport, import_paths, prepare_file
from store.importing.versions import previous_version
from store.text import snap_to_graphemes

LABELS = ("claim", "quote", "proposal")
# Relative weights of the actions the workload picks from.
WEIGHTS: dict[str, float] = {
    "import": 14,
    "create": 30,
    "update": 12,
    "delete": 8,
    "undo": 12,
    "redo": 6,
    "position": 3,
    "delete_document": 3,
    "relink": 0.3,
    "echoes": 0.5,
    "accept": 5,
    "reject": 3,
    "import_annotations": 3,
    "new_version": 0.5,
}
# Words for the paragraph and the changed word of a new version of an article.
EDIT_WORDS = (
    "update correction minister spokesman confirmed denied agency reported earlier "
    "statement officials talks ceasefire sanctions guarantees Wednesday"
).split()
# A new version is made of articles up to this long (the big one would take seconds).
VERSION_MAX_CHARS = 50_000


# The documents each pool file holds, by file name: worked out once by the zygote,
# before it forks, so that every child knows them for free.
FILE_DOCUMENTS: dict[str, list[PreparedDocument]] = {}


def learn_pool(pool: Path) -> None:
    if not FILE_DOCUMENTS:
        for path in sorted(pool.iterdir()):
            FILE_DOCUMENTS[path.name] = prepare_file(path).documents


class Rehearsal(Exception):
    """Raised to roll back a rehearsed action."""


def emit(kind: str, payload: dict) -> None:
    os.write(1, f"{kind} {json.dumps(payload, ensure_ascii=True)}\n".encode("ascii"))


def annotation_state(row: dict | None) -> list | None:
    if row is None:
        return None
    return [row["doc_id"], row["start"], row["end"], row["label"], row["note"]]


def link_state(row: dict | None) -> list | None:
    if row is None:
        return None
    return [row["status"], row["a_annotation_id"], row["b_annotation_id"]]


def state_of(entity: str, value: dict | None) -> object:
    """An entity's state as the effects give it, from its row in the event log."""
    return {
        "annotation": annotation_state,
        "link": link_state,
        "document": lambda v: v is not None,
        "review": lambda v: v is not None,
    }[entity](value)


class Workload:
    def __init__(
        self, db_path: str, seed: int, pool: Path | None, *, own_only: bool = False
    ) -> None:
        self.rng = random.Random(seed)
        self.store = open_store(db_path)
        self.pool = sorted(pool.iterdir()) if pool else []
        self.serial = 0
        # With several writers at once, each edits only what it made, so that what
        # it reports is the final state whatever the order of their commits.
        self.own_only = own_only
        self.mine: list[str] = []
        self.exchange_file = Path(f"{db_path}.{os.getpid()}.exchange.jsonl")
        self.seed = seed
        self.versions = Path(f"{db_path}.versions")

    # -- choosing targets ---------------------------------------------------

    def random_document(self) -> tuple[str, str] | None:
        row = self.store.db.execute("SELECT id FROM documents ORDER BY random() LIMIT 1").fetchone()
        return None if row is None else (row[0], self.store.document(row[0]).text)

    def random_annotation(self) -> dict | None:
        if self.own_only:
            if not self.mine:
                return None
            chosen = self.mine[self.rng.randrange(len(self.mine))]
            rows = list(self.store.db.query("SELECT * FROM annotations WHERE id = ?", [chosen]))
        else:
            rows = list(self.store.db.query("SELECT * FROM annotations ORDER BY random() LIMIT 1"))
        return rows[0] if rows else None

    def random_span(self, text: str) -> tuple[int, int] | None:
        if not text.strip():
            return None
        start = self.rng.randrange(len(text))
        end = min(len(text), start + self.rng.randint(1, 200))
        start, end = snap_to_graphemes(text, start, end)
        return (start, end) if end > start else None

    def note(self) -> str:
        self.serial += 1
        return f"n{self.rng.randrange(10**6)}-{self.serial}"

    def state(self) -> Snapshot:
        return snapshot(self.store.db.conn)

    def rehearse(self, action: Callable[[], object]) -> dict[str, object]:
        """What `action` will change, found by doing it in a transaction that is then
        rolled back: the last logged state of each entity its change groups touched
        (undo replays log theirs too), and the documents an import created (those
        are not logged: the article is not an undoable part of an import)."""
        effects: dict[str, object] = {}
        try:
            with self.store.transaction() as db:
                last = db.execute("SELECT coalesce(max(seq), 0) FROM events").fetchone()[0]
                result = action()
                for entity, entity_id, after in db.execute(
                    "SELECT entity, entity_id, after FROM events WHERE seq > ? ORDER BY seq",
                    [last],
                ):
                    value = None if after is None else json.loads(after)
                    effects[f"{entity}:{entity_id}"] = state_of(entity, value)
                if isinstance(result, ImportReport):
                    for document in result.documents:
                        if document.created:
                            effects[f"document:{document.id}"] = True
                raise Rehearsal
        except Rehearsal:
            pass
        return effects

    # -- actions ------------------------------------------------------------

    def step(self, allowed: dict[str, float] = WEIGHTS) -> None:
        op = self.rng.choices(list(allowed), weights=list(allowed.values()))[0]
        getattr(self, f"do_{op}")()

    def do_import(self) -> None:
        # The test knows which documents each pool file holds (it parses the files
        # itself), so the effects of an import are filled in there, not here.
        if not self.pool:
            return
        path = self.rng.choice(self.pool)
        effects: dict[str, object] = {}
        if self.may_replace(path):
            # An article added back may be an earlier version of one stored (after a
            # new version replaced it): then it replaces that one. Rehearsed, as only
            # the store knows what re-anchoring will do.
            effects = self.rehearse(lambda: import_paths(self.store, [path]))
        emit("BEGIN", {"op": "import", "file": path.name, "effects": effects})
        report = import_paths(self.store, [path])
        if report.errors:
            raise RuntimeError(f"import failed: {report.errors}")
        emit("OK", {"op": "import", "file": path.name, "effects": effects})

    def may_replace(self, path: Path) -> bool:
        """Whether importing a pool file may replace a stored article: one of its
        articles is not stored and has another version that is (store/importing/versions.py).
        Worth knowing: a rehearsal doubles an import's time, and a kill that lands in
        it tests nothing. Unknown in a fresh interpreter, so True there."""
        documents = FILE_DOCUMENTS.get(path.name)
        if documents is None:
            return True
        for document in documents:
            stored = self.store.db.execute(
                "SELECT 1 FROM documents WHERE id = ?", [document.id]
            ).fetchone()
            if stored is None and previous_version(self.store, document.id, document.new):
                return True
        return False

    def do_new_version(self) -> None:
        """Import a changed version of a stored article (a paragraph inserted, a word
        changed): its annotations move to the new version or go to review, its links
        follow, the old version goes, in one undoable change (store/importing/versions.py).

        Written as a JSONL record beside the database, with the article's title,
        outlet and address, by which `sidenote import` recognises the earlier
        version: the pool's own files stay as the test parsed them."""
        row = self.store.db.execute(
            "SELECT id FROM documents WHERE (url != '' OR (title != '' AND source != '')) "
            "AND length(text) <= ? ORDER BY random() LIMIT 1",
            [VERSION_MAX_CHARS],
        ).fetchone()
        if row is None:
            return
        old = self.store.document(row[0])
        record = {
            "text": self.changed_text(old.text),
            "title": old.title,
            "source": old.source,
            "url": old.url,
        }
        self.versions.mkdir(exist_ok=True)
        self.serial += 1
        path = self.versions / f"{self.seed}-{self.serial}.jsonl"
        path.write_text(json.dumps(record, ensure_ascii=False) + "\n", encoding="utf-8")
        effects = self.rehearse(lambda: import_paths(self.store, [path]))
        emit("BEGIN", {"op": "new_version", "effects": effects})
        report = import_paths(self.store, [path])
        if report.errors:
            raise RuntimeError(f"import failed: {report.errors}")
        emit("OK", {"op": "new_version", "effects": effects, "replaced": len(report.replaced)})

    def changed_text(self, text: str) -> str:
        """The article as its outlet might update it: one word changed somewhere, and
        a paragraph inserted at a paragraph break (or at the top)."""
        words = list(re.finditer(r"[^\W\d_]{4,}", text))
        if words:
            word = self.rng.choice(words)
            other = self.rng.choice([w for w in EDIT_WORDS if w != word.group()])
            text = text[: word.start()] + other + text[word.end() :]
        breaks = [m.end() for m in re.finditer(r"\n+", text)]
        at = self.rng.choice([0, *breaks])
        added = " ".join(self.rng.choice(EDIT_WORDS) for _ in range(self.rng.randint(8, 20)))
        paragraph = f"{added[0].upper()}{added[1:]}.\n\n"
        return text[:at] + paragraph + text[at:]

    def do_create(self) -> None:
        found = self.random_document()
        span = found and self.random_span(found[1])
        if not span:
            return
        doc_id = found[0]
        label, note = self.rng.choice(LABELS), self.note()
        new = [doc_id, span[0], span[1], label, note]
        emit("BEGIN", {"op": "create", "effects": {}, "new": new})
        made = create_annotation(self.store, doc_id, span[0], span[1], label, note=note)
        self.mine.append(made.id)
        emit("OK", {"op": "create", "effects": {f"annotation:{made.id}": new}})

    def do_update(self) -> None:
        row = self.random_annotation()
        if row is None:
            return
        label, note = self.rng.choice(LABELS), self.note()
        after = [row["doc_id"], row["start"], row["end"], label, note]
        effects = {f"annotation:{row['id']}": after}
        emit("BEGIN", {"op": "update", "effects": effects})
        update_annotation(self.store, row["id"], label=label, note=note)
        emit("OK", {"op": "update", "effects": effects})

    def do_delete(self) -> None:
        row = self.random_annotation()
        if row is None:
            return
        effects: dict[str, object] = {f"annotation:{row['id']}": None}
        for link in self.store.db.query(
            "SELECT * FROM links WHERE a_annotation_id = ? OR b_annotation_id = ?",
            [row["id"], row["id"]],
        ):
            refs = [
                None if r == row["id"] else r
                for r in (link["a_annotation_id"], link["b_annotation_id"])
            ]
            effects[f"link:{link['id']}"] = [link["status"], *refs]
        emit("BEGIN", {"op": "delete", "effects": effects})
        delete_annotation(self.store, row["id"])
        if row["id"] in self.mine:
            self.mine.remove(row["id"])
        emit("OK", {"op": "delete", "effects": effects})

    def _move(self, op: str) -> None:
        state = "done" if op == "undo" else "undone"
        top = self.store.db.execute(
            "SELECT group_id FROM history WHERE state = ? ORDER BY moved_at DESC LIMIT 1", [state]
        ).fetchone()
        if top is None:
            return
        events = list(
            self.store.db.query("SELECT * FROM events WHERE group_id = ? ORDER BY seq", [top[0]])
        )
        effects: dict[str, object] = {}
        for event in reversed(events) if op == "undo" else events:
            raw = event["before"] if op == "undo" else event["after"]
            value = None if raw is None else json.loads(raw)
            effects[f"{event['entity']}:{event['entity_id']}"] = state_of(event["entity"], value)
        move = undo if op == "undo" else redo
        gone = {key for key, value in effects.items() if value in (None, False)}
        if self.linked(gone):
            # Removing an annotation unhooks, in passing, the links that name it now,
            # and removing an article deletes the suggestions linking found since:
            # what the group's own events cannot know. Rehearsed instead.
            effects = self.rehearse(lambda: move(self.store))
        emit("BEGIN", {"op": op, "effects": effects})
        change = move(self.store)
        if change is None or change.group_id != top[0]:
            raise RuntimeError(f"{op} moved {change} instead of group {top[0]}")
        emit("OK", {"op": op, "effects": effects})

    def linked(self, keys: set[str]) -> bool:
        """Whether a link names one of these annotations or touches one of these
        documents ("annotation:<id>", "document:<id>"; other keys are ignored)."""
        for kind, columns in (("annotation", "annotation_id"), ("document", "doc_id")):
            ids = [key.partition(":")[2] for key in keys if key.startswith(f"{kind}:")]
            if not ids:
                continue
            marks = ",".join("?" * len(ids))
            sql = f"SELECT 1 FROM links WHERE a_{columns} IN ({marks}) OR b_{columns} IN ({marks})"
            if self.store.db.execute(f"{sql} LIMIT 1", ids * 2).fetchone():
                return True
        return False

    def do_undo(self) -> None:
        self._move("undo")

    def do_redo(self) -> None:
        self._move("redo")

    def do_position(self) -> None:
        found = self.random_document()
        if found:
            self.store.set_position(found[0], self.rng.randrange(50))

    def do_delete_document(self) -> None:
        found = self.random_document()
        if found is None:
            return
        doc_id = found[0]
        effects: dict[str, object] = {f"document:{doc_id}": False}
        for (annotation_id,) in self.store.db.execute(
            "SELECT id FROM annotations WHERE doc_id = ?", [doc_id]
        ):
            effects[f"annotation:{annotation_id}"] = None
        for (link_id,) in self.store.db.execute(
            "SELECT id FROM links WHERE a_doc_id = ? OR b_doc_id = ?", [doc_id, doc_id]
        ):
            effects[f"link:{link_id}"] = None
        emit("BEGIN", {"op": "delete_document", "effects": effects})
        delete_document(self.store, doc_id)
        emit("OK", {"op": "delete_document", "effects": effects})

    # -- linking and exchange -------------------------------------------------

    def do_relink(self) -> None:
        emit("BEGIN", {"op": "relink", "effects": {}, "adds_links": True})
        before = self.state()
        links.relink(self.store)
        effects = before.changes_to(self.state())
        emit("OK", {"op": "relink", "effects": effects, "adds_links": True})

    def do_echoes(self) -> None:
        row = self.random_annotation()
        if row is None:
            return
        emit("BEGIN", {"op": "echoes", "effects": {}, "adds_links": True})
        before = self.state()
        links.echoes(self.store, row["doc_id"], row["start"], row["end"], row["id"])
        effects = before.changes_to(self.state())
        emit("OK", {"op": "echoes", "effects": effects, "adds_links": True})

    def random_suggestion(self) -> dict | None:
        rows = list(
            self.store.db.query(
                "SELECT * FROM links WHERE status = 'suggested' ORDER BY random() LIMIT 1"
            )
        )
        return rows[0] if rows else None

    def do_accept(self) -> None:
        row = self.random_suggestion()
        if row is None:
            return
        refs = [row["a_annotation_id"], row["b_annotation_id"]]
        if sum(r is not None for r in refs) == 1:
            refs = [r or "*" for r in refs]  # "*": the annotation accepting makes
        effects = {f"link:{row['id']}": ["confirmed", *refs]}
        emit("BEGIN", {"op": "accept", "effects": effects, "may_create": True})
        made = links.accept(self.store, row["id"])
        after = list(self.store.db.query("SELECT * FROM links WHERE id = ?", [row["id"]]))[0]
        done: dict[str, object] = {f"link:{row['id']}": link_state(after)}
        if made is not None:
            done[f"annotation:{made.id}"] = [
                made.doc_id,
                made.start,
                made.end,
                made.label.value,
                made.note,
            ]
        emit("OK", {"op": "accept", "effects": done})

    def do_reject(self) -> None:
        row = self.random_suggestion()
        if row is None:
            return
        effects = {
            f"link:{row['id']}": ["rejected", row["a_annotation_id"], row["b_annotation_id"]]
        }
        emit("BEGIN", {"op": "reject", "effects": effects})
        links.reject(self.store, row["id"])
        emit("OK", {"op": "reject", "effects": effects})

    def do_import_annotations(self) -> None:
        """Re-import a few annotations from our own export, each with a newer note:
        the exchange path (all or nothing, one change group) under fire."""
        ids = [
            r[0]
            for r in self.store.db.execute("SELECT id FROM annotations ORDER BY random() LIMIT 4")
        ]
        if not ids:
            return
        later = (datetime.now(UTC) + timedelta(hours=1)).isoformat(timespec="milliseconds")
        records, effects = [], {}
        for annotation_id in ids:
            record = annotation_record(self.store, annotation_id)
            record["note"] = self.note()
            record["updated"] = later.replace("+00:00", "Z")
            records.append(record)
            effects[f"annotation:{annotation_id}"] = [
                record["doc_id"],
                record["start"],
                record["end"],
                record["label"],
                record["note"],
            ]
        path = self.exchange_file
        path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records))
        emit("BEGIN", {"op": "import_annotations", "effects": effects})
        import_annotations(self.store, path)
        emit("OK", {"op": "import_annotations", "effects": effects})


def run_forever(db_path: str, seed: int, pool: str) -> None:
    workload = Workload(db_path, seed, Path(pool))
    emit("OPEN", {"seed": seed})
    while True:
        workload.step()


def run_writes(db_path: str, seed: int, count: int, stop: str) -> None:
    """Tags, edits and deletes (no undo: undo is global and would take back the
    other writer's changes), for the concurrency test: at least `count` actions,
    and on until the file `stop` exists, so that the writers are busy for the
    whole of whatever the test runs beside them."""
    announce_own_waits(db_path, seed)
    workload = Workload(db_path, seed, None, own_only=True)
    emit("OPEN", {"seed": seed})
    allowed = {"create": 6, "update": 3, "delete": 1}
    done, longest = 0, 0.0
    while done < count or not os.path.exists(stop):
        began = time.monotonic()
        workload.step(allowed)
        longest = max(longest, time.monotonic() - began)
        done += 1
    emit("DONE", {"seed": seed, "actions": done, "longest_seconds": round(longest, 3)})


def waiting_file(db_path: str, seed: int) -> str:
    """The file writer `seed` holds a lock on while it waits for the write lock."""
    return f"{db_path}-waiting-{seed}"


def announce_own_waits(db_path: str, seed: int) -> None:
    """While this process waits for the write lock, it also holds a shared lock on a
    file of its own: the store's signal (`store/db/write_queue.py`) is one file for all
    writers, and the concurrency test's importer must know that each of them waits."""
    fd = os.open(waiting_file(db_path, seed), os.O_RDWR | os.O_CREAT, 0o644)
    store_waiting = WriteQueue.waiting

    @contextlib.contextmanager
    def waiting(queue: WriteQueue):
        with store_waiting(queue):
            fcntl.flock(fd, fcntl.LOCK_SH)
            try:
                yield
            finally:
                fcntl.flock(fd, fcntl.LOCK_UN)

    WriteQueue.waiting = waiting  # type: ignore[method-assign]


def import_in_rounds(db_path: str, pool: str, rounds: int, seeds: list[int]) -> None:
    """`sidenote import --json POOL`, made to meet the writers: before each of its
    first `rounds` files the import takes the write lock and keeps it until every
    writer waits for it (writers write without pause, so they soon do). Then it lets
    go, and steps aside between two files as it always does. So, if stepping aside
    works, every writer commits between each of these files and the next, whatever
    the machine's speed or load; if it does not, they wait until the import is over."""
    from tui.cli.main import main as sidenote

    probes = [os.open(waiting_file(db_path, s), os.O_RDWR | os.O_CREAT, 0o644) for s in seeds]
    let_in = Store.let_waiting_writers_in
    left = rounds

    def everyone_waits() -> bool:
        for fd in probes:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                continue  # held: this writer waits
            fcntl.flock(fd, fcntl.LOCK_UN)
            return False
        return True

    def meeting_the_writers(store: Store) -> None:
        nonlocal left
        if left > 0:
            left -= 1
            with store.transaction():
                # Waiting on a state, not a time; the limit only turns a hang into an error.
                deadline = time.monotonic() + 120
                while not everyone_waits():
                    if time.monotonic() > deadline:
                        raise RuntimeError("the writers never waited for the import")
                    time.sleep(0.001)
        let_in(store)

    Store.let_waiting_writers_in = meeting_the_writers  # type: ignore[method-assign]
    sys.argv = ["sidenote", "--db", db_path, "import", "--json", pool]
    sidenote()


def _child(db_path: str, seed: int, out_fd: int, pool: str) -> None:
    os.dup2(out_fd, 1)
    os.dup2(out_fd, 2)
    try:
        run_forever(db_path, seed, pool)
    except BaseException:  # noqa: BLE001 - report anything to the test, then stop
        os.write(1, ("ERROR " + traceback.format_exc().replace("\n", "\n  ") + "\n").encode())
        os._exit(3)


def serve() -> None:
    """Fork a child per RUN line; kill it (SIGKILL) at the next line; report how it ended.

    The zygote sends the signal itself, before reaping the child, so the pid can
    never belong to another process by then.
    """
    for line in sys.stdin:
        parts = line.split()
        if not parts or parts[0] == "QUIT":
            return
        _, db_path, seed, out, pool = parts
        learn_pool(Path(pool))
        sys.stdout.flush()
        # Opened before the fork: a child killed at once still leaves its (empty) file.
        out_fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        pid = os.fork()
        if pid == 0:
            sys.stdin.close()
            _child(db_path, int(seed), out_fd, pool)
        os.close(out_fd)
        print(f"PID {pid}", flush=True)
        sys.stdin.readline()  # KILL
        os.kill(pid, signal.SIGKILL)
        _, status = os.waitpid(pid, 0)
        if os.WIFSIGNALED(status):
            print(f"EXIT signal {os.WTERMSIG(status)}", flush=True)
        else:
            print(f"EXIT code {os.WEXITSTATUS(status)}", flush=True)


def main(argv: list[str]) -> None:
    mode = argv[0]
    if mode == "serve":
        import trafilatura  # noqa: F401 - loaded once here, not in every child

        serve()
    elif mode == "run":
        run_forever(argv[1], int(argv[2]), argv[3])
    elif mode == "write":
        run_writes(argv[1], int(argv[2]), int(argv[3]), argv[4])
    elif mode == "import":
        import_in_rounds(argv[1], argv[2], int(argv[3]), [int(s) for s in argv[4:]])
    else:
        raise SystemExit(f"unknown mode {mode!r}")


if __name__ == "__main__":
    main(sys.argv[1:])
