"""Taking turns at SQLite's write lock: a long import lets a waiting writer in.

SQLite has one write lock and no queue. A connection that finds it taken retries
on a back-off schedule (sleeping 1, 2, 5 ... up to 100 ms between tries); an import
commits file after file with only microseconds between its transactions, so a
writer that is sleeping when the lock comes free rarely catches it: a tag made in
the app during a long import could wait for most of the import, or fail with
"database is locked" after the busy timeout (docs/decisions.md has the figures).

So writers announce themselves: while one waits for the lock it holds a shared
`flock` on an empty file beside the database (`<database>-writers`, made by the
first writer that ever has to wait), and the importer, between two files, checks
whether anybody holds it and, if so, keeps out of the lock until they are through.
The operating system drops a process's locks when it exits, so a writer that dies
while waiting leaves nothing behind. Without `fcntl` (Windows) or where the file
cannot be created (a read-only folder), nobody announces anything and SQLite's own
retries are all there is.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Iterator

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None  # type: ignore[assignment]

# How long a bulk writer steps aside for one group of waiting writers at most: a
# waiter that cannot get the lock for another reason must not stop the import.
STEP_ASIDE_SECONDS = 2.0
# How often a waiting writer tries the lock again: short, so that it takes the
# lock soon after an importer steps aside (each try is one system call).
RETRY_SECONDS = 0.001


class WriteQueue:
    """The waiting-writers signal of one database file.

    Two descriptors: flock locks belong to an open file, so probing through the
    one a waiting thread holds would take its lock over instead of seeing it.
    """

    def __init__(self, db_path: str) -> None:
        self.path = f"{db_path}-writers"
        self._fds: tuple[int, int] | None = None
        self._unusable = fcntl is None

    def _files(self, *, create: bool) -> tuple[int, int] | None:
        """(waiting, probing) descriptors, opened on first use. Only a waiting writer
        creates the file: an import nobody waited for leaves nothing beside the database."""
        if self._fds is not None or self._unusable:
            return self._fds
        try:
            waiting = os.open(self.path, os.O_RDWR | (os.O_CREAT if create else 0), 0o644)
        except FileNotFoundError:
            self._unusable = create  # no such folder; or simply nobody has waited yet
            return None
        except OSError:
            self._unusable = True
            return None
        try:
            self._fds = (waiting, os.open(self.path, os.O_RDWR))
        except OSError:
            os.close(waiting)
            self._unusable = True
        return self._fds

    @contextlib.contextmanager
    def waiting(self) -> Iterator[None]:
        """Held while this connection waits for the write lock."""
        fds = self._files(create=True)
        if fds is None:
            yield
            return
        fcntl.flock(fds[0], fcntl.LOCK_SH)
        try:
            yield
        finally:
            fcntl.flock(fds[0], fcntl.LOCK_UN)

    def someone_waiting(self) -> bool:
        fds = self._files(create=False)
        if fds is None:
            return False
        try:
            fcntl.flock(fds[1], fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        except OSError:
            return False
        fcntl.flock(fds[1], fcntl.LOCK_UN)
        return False

    def step_aside(self) -> bool:
        """Wait while other writers wait (at most `STEP_ASIDE_SECONDS`); whether any did."""
        if not self.someone_waiting():
            return False
        deadline = time.monotonic() + STEP_ASIDE_SECONDS
        while time.monotonic() < deadline and self.someone_waiting():
            time.sleep(RETRY_SECONDS)
        return True

    def close(self) -> None:
        if self._fds is not None:
            for fd in self._fds:
                os.close(fd)
            self._fds = None
