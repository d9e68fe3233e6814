"""Opening the database: one `sqlite_utils.Database`, WAL, foreign keys, migrations.

Its size is one job's: deciding before any write whether a file is ours, new, newer or
read-only, then opening it and running its transactions.

`open_store(":memory:")` gives a fresh in-memory store, which is what the tests use.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar, cast
from urllib.parse import quote

from sqlite_utils import Database

from .. import link_table
from ..errors import NotFound, StoreError, one_id
from ..files.reading import NotRegularFile, open_regular
from ..models import Annotation, Document, DocumentSummary, Label, Sentence
from .migrations import SCHEMA_VERSION, STEP_NAMES, migrations
from .new_file import NewFile
from .write_queue import RETRY_SECONDS, WriteQueue

BUSY_TIMEOUT_SECONDS = 10.0
SQLITE_MAGIC = b"SQLite format 3\x00"


def utc_now() -> str:
    """Timestamps are ISO 8601 in UTC with milliseconds, so they sort as text."""
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def open_store(path: str | Path = ":memory:", *, write: bool = True) -> Store:
    """Open (creating if needed) a Sidenote database and bring its schema up to date.

    Nothing is written to a file before it is known to be ours: it is first opened
    without write access and looked at. Another program's database (tables, but no
    Sidenote schema steps) and one from a newer Sidenote (by its header's version
    or by a schema step this version does not know) are refused untouched; a
    missing file, an empty one and an SQLite file without tables are new, unless
    the header's version is newer.

    `write=False` is for callers that only read: where the file or its folder
    cannot be written, the database is then opened read-only instead of refused
    (a new or old database still needs writing, to create or upgrade its schema).

    Raises `StoreError` with a one-line message for a file that is not a database,
    is another program's, is corrupt, is locked, was written by a newer Sidenote,
    or must be written and cannot be.
    """
    name = str(path)
    if name == ":memory:":
        return _open_for_writing(name)
    file = Path(name)
    _check_is_sqlite(file)
    new_file = NewFile.before_creating(file)
    reader = None
    try:
        if file.exists() and file.stat().st_size > 0:
            reader = _reader(file)
        state = _inspect(file, reader)
        cannot_write = _why_not_writable(file)
        if cannot_write is None:
            # An ordinary connection that only had writes turned off goes on as the
            # writing one: a second connection would cost another open of the file.
            if reader is not None and reader.execute("PRAGMA query_only").fetchall() == [(1,)]:
                reader.execute("PRAGMA query_only = OFF")
                conn, reader = reader, None
                return _open_for_writing(name, conn)
            return _open_for_writing(name, new_file=new_file)
        if state == "current" and not write:
            return Store(_database(_reader(file)), name, read_only_because=cannot_write)
        raise StoreError(f"{name}: {cannot_write}")
    except sqlite3.DatabaseError as error:
        raise StoreError(f"{name}: {describe_error(error)}") from error
    finally:
        if reader is not None:
            reader.close()


def _database(conn: sqlite3.Connection) -> Database:
    """sqlite-utils on our connection, without its plugins: looking for them reads the
    metadata of every installed package, slower than opening the database, and a plugin
    found there could change our connection (its functions, its pragmas) unasked."""
    return Database(conn, execute_plugins=False)


def _switch_to_wal(db: Database) -> str:
    """`PRAGMA journal_mode = WAL`, waiting out other programs that open the same new
    file at the same moment.

    Switching the journal mode needs the file to itself, and SQLite answers "database
    is locked" at once, without its busy handler, when two connections race to set up
    one new file. Retried here within the same busy timeout as every other wait.
    """
    deadline = time.monotonic() + BUSY_TIMEOUT_SECONDS
    while True:
        try:
            return str(db.execute("PRAGMA journal_mode = WAL").fetchone()[0])
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) or time.monotonic() >= deadline:
                raise
            time.sleep(RETRY_SECONDS)


def _open_for_writing(
    name: str, conn: sqlite3.Connection | None = None, *, new_file: NewFile | None = None
) -> Store:
    memory = name == ":memory:"
    try:
        if conn is None:
            conn = sqlite3.connect(name, timeout=BUSY_TIMEOUT_SECONDS, check_same_thread=False)
        db = _database(conn)
        db.execute("PRAGMA foreign_keys = ON")
        if not memory:
            mode = _switch_to_wal(db)
            if mode.lower() != "wal":
                raise StoreError(f"{name}: cannot switch the database to WAL mode")
            # WAL + NORMAL: a commit survives any crash of the process; only a power
            # cut can lose the last transactions, and never corrupts the file.
            db.execute("PRAGMA synchronous = NORMAL")
        _migrate(db, name, memory)
        if new_file is not None:
            new_file.created(conn)
    except sqlite3.DatabaseError as error:
        raise StoreError(f"{name}: {describe_error(error)}") from error
    store = Store(db, name)
    store.new_file = new_file
    return store


def _check_is_sqlite(path: Path) -> None:
    if not path.exists():
        if not path.parent.exists():
            raise StoreError(f"{path}: folder {path.parent} does not exist")
        return
    if path.is_dir():
        raise StoreError(f"{path}: is a folder, not a database file")
    try:
        with open_regular(path) as handle:  # checked first: a FIFO would wait for a writer
            head = handle.read(len(SQLITE_MAGIC))
    except NotRegularFile as error:
        raise StoreError(f"{path}: {error.problem}, not a database file") from None
    except OSError as error:
        raise StoreError(f"{path}: cannot read ({error.strerror})") from error
    if head and head != SQLITE_MAGIC:
        raise StoreError(f"{path}: not a Sidenote database (not an SQLite file)")


def _inspect(file: Path, reader: sqlite3.Connection | None) -> str:
    """Whether the database is "new", "old" (needs an upgrade) or "current", read
    through `reader` (a connection that cannot write; None for a missing or empty file).

    Raises `StoreError` for another program's database and for a newer Sidenote's.
    "Ours" means Sidenote's schema steps are recorded in `_sqlite_migrations`; a
    file with no tables at all holds nothing to lose and counts as new, unless its
    header's version says a newer Sidenote made it. Both records of the version are
    checked: the header's `user_version`, and the steps, one of which this version
    does not know is enough to call the database newer.
    """
    if reader is None:
        return "new"
    names = {row[0] for row in reader.execute("SELECT name FROM sqlite_master")}
    ((version,),) = reader.execute("PRAGMA user_version").fetchall()
    if not names:
        _refuse_newer(version, str(file))
        return "new"
    done = _steps_done(reader) if migrations.migrations_table in names else set()
    if not done:
        raise StoreError(
            f"{file}: not a Sidenote database (it holds another program's tables); "
            "--db must name a Sidenote database or a new file"
        )
    _refuse_newer(version, str(file))
    _refuse_unknown_steps(done, str(file))
    return "current" if done >= set(STEP_NAMES) else "old"


def _steps_done(conn: sqlite3.Connection) -> set[str]:
    """The names of Sidenote's schema steps recorded in `_sqlite_migrations`.

    Empty when the table lacks sqlite-utils' columns: a table that only shares the
    name is another program's, and querying it would fail with SQL for a message.
    """
    table = migrations.migrations_table
    columns = {row[1] for row in conn.execute(f"PRAGMA table_info({table})")}
    if not {"migration_set", "name"} <= columns:
        return set()
    return {
        row[0]
        for row in conn.execute(
            f"SELECT name FROM {table} WHERE migration_set = ?", [migrations.name]
        )
    }


def _refuse_unknown_steps(done: set[str], name: str) -> None:
    """A step this version does not know was applied by a newer Sidenote, whose
    schema this one would misread or damage, whatever `user_version` says."""
    unknown = sorted(done - set(STEP_NAMES))
    if unknown:
        raise StoreError(
            f"{name}: made by a newer Sidenote (it has the schema "
            f"{'step' if len(unknown) == 1 else 'steps'} {', '.join(unknown)}, which "
            "this version does not know); upgrade Sidenote to open it"
        )


def _why_not_writable(file: Path) -> str | None:
    """Why Sidenote may not write to the database, or None if it may.

    Writing needs the folder too: SQLite keeps its -wal and -shm files (or a
    rollback journal) beside the database, and creates and deletes them.
    """
    if file.exists() and not os.access(file, os.W_OK):
        return "the database file is read-only; Sidenote needs to write to it"
    if not os.access(file.parent, os.W_OK):
        return (
            f"the folder {file.parent} is read-only; Sidenote needs to write there "
            "to change the database"
        )
    return None


def _uri(file: Path, query: str) -> str:
    # The path's bytes, percent-encoded: a file name that is not UTF-8 (surrogate
    # escapes in Python) still names the same file, and SQLite decodes %XX to bytes.
    return f"file:{quote(os.fsencode(os.path.abspath(file)))}?{query}"


def _reader(file: Path) -> sqlite3.Connection:
    """A connection to an existing database that cannot change it.

    Where Sidenote may write and no log of changes is pending, an ordinary
    connection with `query_only`: as the last connection to close, it removes the
    -wal and -shm files it made, leaving the folder as it found it. Otherwise
    SQLite's read-only mode, which never writes to the database file (it neither
    replays nor removes a pending -wal file) but, for a WAL database, keeps the
    -shm file it needs. A WAL database with no -shm file in a folder nobody may
    write to cannot be opened read-only, so it is opened `immutable`: SQLite then
    reads the file without locking it. That is safe only because nobody else can
    be writing to it through -wal and -shm files that cannot exist; with changes
    pending in a -wal file it would show the database without them, so that case
    is refused instead.
    """
    wal = file.with_name(f"{file.name}-wal")
    pending = wal.exists() and wal.stat().st_size > 0
    options = {"timeout": BUSY_TIMEOUT_SECONDS, "check_same_thread": False, "uri": True}
    if _why_not_writable(file) is None and not pending:
        conn = sqlite3.connect(_uri(file, "mode=rw"), **options)
        conn.execute("PRAGMA query_only = ON")
        return conn
    conn = sqlite3.connect(_uri(file, "mode=ro"), **options)
    try:
        conn.execute("SELECT count(*) FROM sqlite_master").fetchall()
        return conn
    except sqlite3.OperationalError as error:
        conn.close()
        if os.access(file.parent, os.W_OK) or getattr(error, "sqlite_errorname", "") not in (
            "SQLITE_CANTOPEN",
            "SQLITE_READONLY_DIRECTORY",
        ):
            raise
    if pending:
        raise StoreError(
            f"{file}: its -wal file holds changes that SQLite can read only with write "
            f"access to the folder {file.parent}; open it once where it can be written"
        )
    return sqlite3.connect(_uri(file, "immutable=1"), **options)


def describe_error(error: sqlite3.DatabaseError) -> str:
    """What an SQLite error means for the user, in words they can act on.

    Public so that the command line and the app can report errors raised by reads
    outside `Store.transaction()` (e.g. a page damaged in the middle of the file
    surfaces only when a query reaches it) the same way.
    """
    text = str(error)
    if "locked" in text or "busy" in text:
        return "the database is locked by another program; try again when it is done"
    if "malformed" in text or "not a database" in text:
        return "the database file is damaged (not a valid SQLite database)"
    if "readonly" in text or "read-only" in text:
        return "the database file is read-only; Sidenote needs to write to it"
    if "unable to open" in text:
        return "cannot open the database file (check the folder and its permissions)"
    return text


def _is_busy(error: sqlite3.OperationalError) -> bool:
    name = getattr(error, "sqlite_errorname", "")
    return name.startswith("SQLITE_BUSY") or (not name and "locked" in str(error))


def _migrate(db: Database, name: str, memory: bool) -> None:
    if not _needs_upgrade(db, name):
        return
    # Two programs opening a new or old database at once (the app and an import)
    # must not both upgrade it: the write lock is taken first, and the check is
    # repeated under it, so the second one waits and then finds nothing to do.
    # The whole upgrade is one transaction: a crash leaves the old version intact.
    conn = db.conn
    backup: Path | None = None
    conn.execute("BEGIN IMMEDIATE")
    try:
        if _needs_upgrade(db, name):
            version = db.execute("PRAGMA user_version").fetchone()[0]
            if db.table_names() and not memory:
                backup = backup_before_upgrade(Path(name), version)
            migrations.apply(db)
            db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        if backup is not None:
            # Nothing changed (e.g. a read-only file): the copy would only pile up.
            backup.unlink(missing_ok=True)
        raise


def _needs_upgrade(db: Database, name: str) -> bool:
    # Checked again here, under the write lock: a newer Sidenote may have upgraded
    # the file since `_inspect` looked at it.
    _refuse_newer(db.execute("PRAGMA user_version").fetchone()[0], name)
    if db[migrations.migrations_table].exists():
        _refuse_unknown_steps(_steps_done(db.conn), name)
    return bool(migrations.pending(db))


def _refuse_newer(version: int, name: str) -> None:
    if version > SCHEMA_VERSION:
        raise StoreError(
            f"{name}: made by a newer Sidenote (schema {version}, this version knows "
            f"{SCHEMA_VERSION}); upgrade Sidenote to open it"
        )


def backup_before_upgrade(path: Path, version: int) -> Path:
    """Copy the database beside itself before changing its schema.

    The copy is read through a connection of its own: the upgrading connection
    already holds the write lock, and SQLite cannot back up from a connection in
    the middle of a write (Python's backup() would retry for ever). WAL lets this
    reader see the last committed state, which is what the copy must hold.
    """
    target = path.with_name(f"{path.name}.backup-v{version}")
    counter = 1
    while target.exists():
        target = path.with_name(f"{path.name}.backup-v{version}.{counter}")
        counter += 1
    with (
        contextlib.closing(sqlite3.connect(str(path))) as source,
        contextlib.closing(sqlite3.connect(str(target))) as copy,
    ):
        source.backup(copy)
    return target


def row_to_annotation(row: dict) -> Annotation:
    return Annotation(
        id=row["id"],
        doc_id=row["doc_id"],
        start=row["start"],
        end=row["end"],
        label=Label(row["label"]),
        text=row["text"],
        prefix=row["prefix"],
        suffix=row["suffix"],
        note=row["note"],
        speaker=row["speaker"],
        annotator=row["annotator"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
    )


class Checkpointer(threading.Thread):
    """Copies the write-ahead log into the database while another connection writes.

    A passive checkpoint every `INTERVAL` seconds: it never blocks the writer, and
    SQLite releases the GIL while it copies. Any error stops the thread quietly:
    checkpointing is an optimisation, and the writer's own checkpoints still run.
    """

    INTERVAL = 0.02

    def __init__(self, path: str) -> None:
        super().__init__(name="sidenote-checkpointer", daemon=True)
        self.path = path
        self._stopping = threading.Event()

    def run(self) -> None:
        try:
            conn = sqlite3.connect(self.path, check_same_thread=False)
        except sqlite3.Error:
            return
        try:
            while not self._stopping.wait(self.INTERVAL):
                conn.execute("PRAGMA wal_checkpoint(PASSIVE)")
        except sqlite3.Error:
            pass
        finally:
            conn.close()

    def stop(self) -> None:
        self._stopping.set()
        self.join()


# Log pages after which the writer checkpoints itself during `bulk_writes`. By then
# the `Checkpointer` has copied nearly all of them, so this last step is short, and
# it lets the log start again from its beginning (~32 MB at most) instead of growing.
BULK_CHECKPOINT_PAGES = 8192
# Documents whose text `Store.document_text` keeps (the one being read, and a few).
TEXTS_KEPT = 4


_T = TypeVar("_T")


class Store:
    """The open database and the read queries every part of Sidenote needs.

    Writes live in their own modules (`ingest`, `annotations`, `links`, ...), each
    wrapping its work in `store.transaction()` so that it lands whole or not at all.
    """

    def __init__(self, db: Database, path: str, *, read_only_because: str | None = None) -> None:
        self.db = db
        self.path = path
        # Set when the database was opened read-only (see `open_store(write=False)`):
        # the one line a write then fails with.
        self.read_only_because = read_only_because
        self._lock = threading.RLock()
        self._queue = None if path == ":memory:" or read_only_because else WriteQueue(path)
        self._texts: dict[str, tuple[str, str]] = {}  # doc_id: (sha256, text)
        self._caches: dict[str, object] = {}  # see `cache`
        # Set by `open_store` when opening created the file: see `close_discarding_if_unused`.
        self.new_file: NewFile | None = None

    def cache(self, key: str, factory: Callable[[], _T]) -> _T:
        """The object kept for this store under `key`, made by `factory` on first use.

        State derived from one database (the search vocabulary, the links' lookup
        tables) lives and dies with its store: two stores never share it, and a
        dropped store takes its caches with it. Keys are namespaced by module
        ("search.vocabulary"); the caller owns the object and keeps it current.
        """
        with self._lock:
            if key not in self._caches:
                self._caches[key] = factory()
            return cast(_T, self._caches[key])

    @property
    def readonly(self) -> bool:
        return self.read_only_because is not None

    # -- plumbing ---------------------------------------------------------

    @contextlib.contextmanager
    def transaction(self) -> Iterator[Database]:
        """One atomic write. Nested calls become savepoints.

        The outermost call begins with BEGIN IMMEDIATE: it takes the write lock
        first (waiting up to the busy timeout), so a transaction that reads and
        then writes can never find, at its first write, that another process
        committed since it read. With a plain (deferred) BEGIN, SQLite reports
        that case at once as "database is locked" (SQLITE_BUSY_SNAPSHOT) without
        waiting, and two processes annotating one file lost most of their writes.
        """
        if self.read_only_because is not None:
            raise StoreError(f"{self.path}: {self.read_only_because}")
        with self._lock:
            try:
                if self.db.conn.in_transaction:
                    with self.db.atomic():
                        yield self.db
                else:
                    with self._immediate():
                        yield self.db
            except sqlite3.OperationalError as error:
                raise StoreError(f"{self.path}: {describe_error(error)}") from error

    @contextlib.contextmanager
    def _immediate(self) -> Iterator[None]:
        conn = self.db.conn
        self._begin_immediate()
        try:
            yield
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        try:
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise

    def _begin_immediate(self) -> None:
        """Take the write lock, saying so while waiting for it: see `write_queue`.

        The first try does not wait. If the lock is taken, this connection says it
        is waiting (so an import steps aside between two files) and tries again
        every millisecond, up to the busy timeout; SQLite's own retries sleep up
        to 100 ms and would miss the moment the lock comes free.
        """
        conn = self.db.conn
        if self._queue is None:
            conn.execute("BEGIN IMMEDIATE")
            return
        conn.execute("PRAGMA busy_timeout = 0")
        try:
            if self._try_begin_immediate():
                return
            deadline = time.monotonic() + BUSY_TIMEOUT_SECONDS
            with self._queue.waiting():
                while True:
                    time.sleep(RETRY_SECONDS)
                    if self._try_begin_immediate(raise_busy=time.monotonic() >= deadline):
                        return
        finally:
            conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_SECONDS * 1000)}")

    def _try_begin_immediate(self, *, raise_busy: bool = False) -> bool:
        try:
            self.db.conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as error:
            if raise_busy or not _is_busy(error):
                raise
            return False
        return True

    def let_waiting_writers_in(self) -> None:
        """Between two transactions of a long run (an import): if other writers
        wait for the lock, keep out of it until they have had their turn."""
        if self._queue is not None:
            self._queue.step_aside()

    @contextlib.contextmanager
    def bulk_writes(self) -> Iterator[None]:
        """Many small transactions in a row (an import): checkpoint off this thread.

        Each commit appends the pages it changed to the write-ahead log, and by
        default the committing connection copies the log into the database file
        every 1,000 pages, in the middle of the import, on the importing thread.
        Here a `Checkpointer` thread with its own connection copies it meanwhile, on
        the core the import leaves free, so the import does not stop to copy. The writer
        checkpoints itself only every `BULK_CHECKPOINT_PAGES`, when little is left
        to copy. Durability is unchanged: a commit is durable once in the log.
        """
        if self.path == ":memory:":
            yield
            return
        previous = self.db.execute("PRAGMA wal_autocheckpoint").fetchone()[0]
        self.db.execute(f"PRAGMA wal_autocheckpoint = {BULK_CHECKPOINT_PAGES}")
        checkpointer = Checkpointer(self.path)
        checkpointer.start()
        try:
            yield
        finally:
            checkpointer.stop()
            self.db.execute(f"PRAGMA wal_autocheckpoint = {int(previous)}")
            with contextlib.suppress(sqlite3.OperationalError):  # busy: a later commit will
                self.db.execute("PRAGMA wal_checkpoint(PASSIVE)")

    def close(self) -> None:
        self.db.close()
        if self._queue is not None:
            self._queue.close()

    def close_discarding_if_unused(self) -> bool:
        """Close; and when opening created the file and nothing has been stored in it
        since, remove it with the side files made beside it. For a command that failed:
        it leaves no new, empty database behind. Returns whether the file was removed.
        """
        new = self.new_file
        if new is None:
            self.close()
            return False
        try:
            conn = self.db.conn
            if conn.in_transaction:  # a failed command's unfinished write: never committed
                conn.execute("ROLLBACK")
            unused = new.still_empty(conn)
        except sqlite3.DatabaseError as error:
            raise StoreError(f"{self.path}: {describe_error(error)}") from error
        finally:
            self.close()
        if unused:
            try:
                new.remove()
            except OSError as error:
                raise StoreError(
                    f"{self.path}: cannot remove the new, empty database ({error.strerror})"
                ) from error
        return unused

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- documents --------------------------------------------------------

    def document(self, doc_id: str) -> Document:
        rows = list(self.db.query("SELECT * FROM documents WHERE id = ?", [doc_id]))
        if not rows:
            raise NotFound(f"no document with id {doc_id!r}")
        return Document(**rows[0])

    def document_text(self, doc_id: str) -> str:
        """A document's text, kept for the last few documents asked for.

        A tag needs its article's text (for the excerpt and its context), and reading
        a long article again for every tag repeats work for nothing. The copy is used
        only while the stored row has the same `sha256`: a document deleted and imported
        again with other text under the same id (the id ignores some differences) is
        read afresh.
        """
        row = self.db.execute("SELECT sha256 FROM documents WHERE id = ?", [doc_id]).fetchone()
        if row is None:
            raise NotFound(f"no document with id {doc_id!r}")
        cached = self._texts.get(doc_id)
        if cached is not None and cached[0] == row[0]:
            return cached[1]
        row = self.db.execute(
            "SELECT sha256, text FROM documents WHERE id = ?", [doc_id]
        ).fetchone()
        if row is None:  # deleted in between
            raise NotFound(f"no document with id {doc_id!r}")
        sha256, text = row
        if len(self._texts) >= TEXTS_KEPT:
            self._texts.pop(next(iter(self._texts)))
        self._texts[doc_id] = (sha256, text)
        return text

    def find_document(self, prefix: str) -> Document:
        """A document by its id or an unambiguous prefix of it (ids are long)."""
        rows = list(
            self.db.query(
                "SELECT id FROM documents WHERE id = ? OR id LIKE ? || '%' LIMIT 2",
                [prefix, prefix.replace("%", "").replace("_", "")],
            )
        )
        exact = [r for r in rows if r["id"] == prefix]
        if exact:
            return self.document(prefix)
        return self.document(one_id(prefix, [r["id"] for r in rows], "document"))

    def document_ids(self) -> list[str]:
        return [r["id"] for r in self.db.query("SELECT id FROM documents ORDER BY rowid")]

    def document_count(self) -> int:
        return self.db.execute("SELECT count(*) FROM documents").fetchone()[0]

    def document_summaries(self) -> list[DocumentSummary]:
        """Every document with its counts, in import order: one query, no per-row scans."""
        sql = """
            SELECT d.id, d.title, d.source, length(d.text) AS chars,
                   coalesce(s.n, 0) AS sentences, coalesce(a.n, 0) AS annotations
            FROM documents d
            LEFT JOIN (SELECT doc_id, count(*) AS n FROM sentences GROUP BY doc_id) s
                   ON s.doc_id = d.id
            LEFT JOIN (SELECT doc_id, count(*) AS n FROM annotations GROUP BY doc_id) a
                   ON a.doc_id = d.id
            ORDER BY d.rowid
        """
        links = link_table.counts_by_document(self.db)
        return [DocumentSummary(**row, links=links.get(row["id"], 0)) for row in self.db.query(sql)]

    def sentences(self, doc_id: str) -> list[Sentence]:
        return [
            Sentence(**row)
            for row in self.db.query(
                'SELECT doc_id, idx, start, "end" FROM sentences WHERE doc_id = ? ORDER BY idx',
                [doc_id],
            )
        ]

    # -- annotations ------------------------------------------------------

    def annotations(self, doc_id: str | None = None) -> list[Annotation]:
        if doc_id is None:
            rows = self.db.query('SELECT * FROM annotations ORDER BY doc_id, start, "end"')
        else:
            rows = self.db.query(
                'SELECT * FROM annotations WHERE doc_id = ? ORDER BY start, "end"', [doc_id]
            )
        return [row_to_annotation(row) for row in rows]

    def annotation(self, annotation_id: str) -> Annotation:
        rows = list(self.db.query("SELECT * FROM annotations WHERE id = ?", [annotation_id]))
        if not rows:
            raise NotFound(f"no annotation with id {annotation_id!r}")
        return row_to_annotation(rows[0])

    def annotation_count(self) -> int:
        return self.db.execute("SELECT count(*) FROM annotations").fetchone()[0]

    # -- reading position and settings -----------------------------------

    def position(self, doc_id: str) -> int:
        row = self.db.execute(
            "SELECT sentence FROM positions WHERE doc_id = ?", [doc_id]
        ).fetchone()
        return row[0] if row else 0

    def set_position(self, doc_id: str, sentence: int) -> None:
        with self.transaction() as db:
            db.execute(
                "INSERT INTO positions (doc_id, sentence, updated_at) VALUES (?, ?, ?) "
                "ON CONFLICT(doc_id) DO UPDATE SET sentence = excluded.sentence, "
                "updated_at = excluded.updated_at",
                [doc_id, sentence, utc_now()],
            )
            self.set_setting("last_document", doc_id)

    def last_document(self) -> str | None:
        value = self.setting("last_document")
        return value if isinstance(value, str) else None

    def setting(self, key: str, default: object = None) -> object:
        row = self.db.execute("SELECT value FROM settings WHERE key = ?", [key]).fetchone()
        return json.loads(row[0]) if row else default

    def set_setting(self, key: str, value: object) -> None:
        """Store `value` (as JSON) under `key`; inside a caller's transaction, part of it."""
        with self.transaction() as db:
            db.execute(
                "INSERT INTO settings (key, value) VALUES (?, ?) "
                "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                [key, json.dumps(value)],
            )

    def data_version(self) -> int:
        """Changes when another connection commits: cheap to poll for refresh."""
        return self.db.execute("PRAGMA data_version").fetchone()[0]

    def change_mark(self) -> tuple[int, int]:
        """Differs after any write since it was taken: another connection's commit
        (data_version) or this connection's own (total_changes)."""
        return self.data_version(), self.db.conn.total_changes
