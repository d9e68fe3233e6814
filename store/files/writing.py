"""Where Sidenote may write a file the user names, and how it writes it.

One rule for every writer (the `export` command, the app's export dialog): a file
is written whole or not at all, and nothing Sidenote did not write is destroyed.

- The database and the files SQLite and Sidenote keep beside it (`-wal`, `-shm`,
  `-journal`, `-writers`, `.backup-vN`) are never a target, whatever the path
  that reaches them: a symlink, a hard link, a relative path. Paths are compared
  once resolved, and files by (device, inode).
- Devices, named pipes, sockets and folders (for brat: files) are refused after a
  `stat`, which opens nothing: opening a pipe to write would wait for a reader.
- An existing file is replaced only when the caller says so (`--force`, or a yes
  in the app), and keeps its mode; a new file or folder gets the user's umask.
- A symlink is followed: the file (or empty folder) it points to is replaced and
  the link stays.

The data goes to a temporary `.NAME.sidenote-XXXXXXXX.part` beside the target, renamed into
place once complete. While it is written the temporary file holds an `flock`; the
operating system drops it when the writer dies, so the next write into that folder
removes every such file nobody holds: a killed export leaves nothing behind for
long, and one still running keeps its file.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import secrets
import shutil
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from ..errors import InputError

try:
    import fcntl
except ImportError:  # Windows: no locks, so no telling a dead writer's file from a live one
    fcntl = None  # type: ignore[assignment]

# What SQLite (-wal, -shm, -journal), the write queue (-writers) and the upgrade
# backup (.backup-vN, .backup-vN.M) put beside a database file.
_SIDE_FILE = re.compile(r"-wal|-shm|-journal|-writers|\.backup-v\d+(?:\.\d+)?")
_PART = re.compile(r"\..+\.sidenote-[0-9a-z]{8}\.part")
NEW_FILE_MODE = 0o666  # less the umask, as for any file a program creates
NEW_FOLDER_MODE = 0o777


class TargetExists(InputError):
    """The target is a file (or a folder with files) the user has not agreed to replace."""


@dataclass(frozen=True)
class OutputTarget:
    """A checked place to write: `shown` for messages, `real` for the system calls."""

    shown: str
    real: Path
    mode: int | None  # of the file or empty folder being replaced; None when new


def check_target(
    path: str | Path, *, database: str | None, folder: bool = False, force: bool = False
) -> OutputTarget:
    """Raise `InputError` (one line) unless `path` may be written; where and how if so.

    `database` is the path of the open database (None or ":memory:" for none);
    `folder` asks for a folder (brat) instead of a file. Nothing is opened.
    """
    shown = str(path)
    if not shown or "\x00" in shown:
        raise InputError(shown or "-o", "is not a usable file name")
    real = Path(os.path.realpath(path))
    role = _database_role(real, database)
    if role is not None:
        raise InputError(shown, f"is {role}; export to another file")
    try:
        info = os.stat(real)
    except FileNotFoundError:
        info = None
    except OSError as error:
        raise InputError(shown, f"cannot use this path ({error.strerror})") from error
    if info is not None:
        _refuse_special(shown, info.st_mode)
        if folder:
            _check_folder_to_fill(shown, real, info.st_mode)
        else:
            _check_file_to_replace(shown, info.st_mode, force)
    if not real.parent.is_dir():
        raise InputError(shown, f"folder {Path(shown).parent} does not exist")
    return OutputTarget(shown, real, None if info is None else stat.S_IMODE(info.st_mode))


# Kinds of file that are never a target, told apart by `stat` alone (opening a pipe
# to write would wait for a reader).
_SPECIAL_FILES = (
    (stat.S_ISCHR, "is a device, not a file"),
    (stat.S_ISBLK, "is a device, not a file"),
    (stat.S_ISFIFO, "is a named pipe (FIFO); use -o - to write to standard output"),
    (stat.S_ISSOCK, "is a socket, not a file"),
)


def _refuse_special(shown: str, mode: int) -> None:
    for is_kind, problem in _SPECIAL_FILES:
        if is_kind(mode):
            raise InputError(shown, problem)


def _check_folder_to_fill(shown: str, real: Path, mode: int) -> None:
    """brat writes a folder of files: an existing one must be empty, so no file of the
    user's is overwritten or mixed into the export."""
    if not stat.S_ISDIR(mode):
        raise InputError(shown, "exists and is not a folder (brat writes a folder)")
    try:
        with os.scandir(real) as entries:
            empty = next(entries, None) is None
    except OSError as error:
        raise InputError(shown, f"cannot read the folder ({error.strerror})") from error
    if not empty:
        raise InputError(shown, "folder is not empty; give a new or empty folder for brat")


def _check_file_to_replace(shown: str, mode: int, force: bool) -> None:
    """An existing file is replaced only when it is a regular file and the user agreed."""
    if stat.S_ISDIR(mode):
        raise InputError(shown, "is a folder; give a file name for the export")
    if not stat.S_ISREG(mode):
        raise InputError(shown, "is not a regular file")
    if not force:
        raise TargetExists(shown, "already exists; replace it with --force")


def _database_role(real: Path, database: str | None) -> str | None:
    """What `real` is to the database (the database, one of its files), or None."""
    if not database or database == ":memory:":
        return None
    bases = {Path(os.path.abspath(database)), Path(os.path.realpath(database))}
    return _named_role(real, bases, database) or _linked_role(real, bases, database)


def _named_role(real: Path, bases: set[Path], database: str) -> str | None:
    """The database or a side file, recognised by its (resolved) name."""
    for base in bases:
        if real == base:
            return f"the database {database}"
        if real.parent == base.parent and real.name.startswith(base.name):
            rest = real.name[len(base.name) :]
            if _SIDE_FILE.fullmatch(rest):
                return f"a file of the database {database} (its {rest} file)"
    return None


def _linked_role(real: Path, bases: set[Path], database: str) -> str | None:
    """The database or a side file under another name (a hard link), recognised by
    (device, inode)."""
    try:
        target = os.stat(real)
    except OSError:
        return None  # nothing there: no other name of a database file either
    for base in bases:
        for name in _database_files(base):
            try:
                other = os.stat(name)
            except OSError:
                continue  # gone since the folder was listed: it cannot be the target
            if (other.st_dev, other.st_ino) == (target.st_dev, target.st_ino):
                return f"another name of the database {database} (or of one of its files)"
    return None


def _database_files(base: Path) -> Iterator[Path]:
    """The database file and every side file that exists beside it."""
    yield base
    with contextlib.suppress(FileNotFoundError), os.scandir(base.parent) as entries:
        for entry in entries:
            if entry.name.startswith(base.name) and _SIDE_FILE.fullmatch(
                entry.name[len(base.name) :]
            ):
                yield Path(entry.path)


# -- writing -------------------------------------------------------------------


@contextlib.contextmanager
def output_file(
    path: str | Path, *, database: str | None, force: bool = False
) -> Iterator[IO[str]]:
    """A UTF-8 text stream (no newline translation) that becomes `path` on success.

    On any error (or a kill) the target is left as it was.
    """
    target = check_target(path, database=database, force=force)
    remove_stale_parts(target.real.parent)
    fd, temp = _new_part(target, folder=False)
    lock = os.dup(fd)  # holds the flock until the file has its final name
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            yield handle
            handle.flush()
            # The target is checked again: it may have changed while we wrote.
            target = check_target(path, database=database, force=force)
            if target.mode is not None:
                os.fchmod(handle.fileno(), target.mode)
            os.fsync(handle.fileno())
        _place_file(temp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp)
        raise
    finally:
        os.close(lock)


@contextlib.contextmanager
def output_folder(path: str | Path, *, database: str | None) -> Iterator[Path]:
    """An empty folder to fill, which becomes `path` (new or empty) on success."""
    target = check_target(path, database=database, folder=True)
    remove_stale_parts(target.real.parent)
    lock, temp = _new_part(target, folder=True)
    try:
        yield temp
        target = check_target(path, database=database, folder=True)
        if target.mode is not None:
            os.chmod(temp, target.mode)
        try:
            # rename(2) replaces an empty folder in one step, and refuses a full one.
            os.replace(temp, target.real)
        except OSError as error:
            if error.errno in (errno.ENOTEMPTY, errno.EEXIST):
                raise InputError(
                    target.shown, "folder is not empty; give a new or empty folder for brat"
                ) from error
            raise InputError(target.shown, f"cannot write here ({error.strerror})") from error
    except BaseException:
        shutil.rmtree(temp, ignore_errors=True)
        raise
    finally:
        os.close(lock)


def _new_part(target: OutputTarget, *, folder: bool) -> tuple[int, Path]:
    """Create and lock `.NAME.sidenote-XXXXXXXX.part` beside the target: (descriptor, path).

    Created with the plain mode less the umask, as the final file should be. A
    clean-up by another program may remove it between its creation and our lock;
    the lock is taken, then the file checked to still be there, else we try again.
    """
    while True:
        temp = target.real.with_name(f".{target.real.name}.sidenote-{_token()}.part")
        try:
            if folder:
                os.mkdir(temp, NEW_FOLDER_MODE)
                fd = os.open(temp, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
            else:
                fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, NEW_FILE_MODE)
        except FileExistsError:
            continue
        except OSError as error:
            raise InputError(target.shown, f"cannot write here ({error.strerror})") from error
        if fcntl is not None:
            fcntl.flock(fd, fcntl.LOCK_EX)
        if os.fstat(fd).st_nlink > 0:
            return fd, temp
        os.close(fd)


def _token() -> str:
    alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
    return "".join(secrets.choice(alphabet) for _ in range(8))


def _place_file(temp: Path, target: OutputTarget) -> None:
    """Rename the complete file into place; without --force, never over a file."""
    if target.mode is not None:
        os.replace(temp, target.real)
        return
    try:
        # link(2) fails if the name was taken meanwhile, where rename(2) would replace it.
        os.link(temp, target.real)
    except FileExistsError as error:
        raise TargetExists(target.shown, "already exists; replace it with --force") from error
    except OSError as error:
        if error.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV):
            raise InputError(target.shown, f"cannot write here ({error.strerror})") from error
        os.replace(temp, target.real)  # a file system without hard links
        return
    os.unlink(temp)


def remove_stale_parts(folder: Path) -> int:
    """Remove the `.part` files and folders of exports that died; returns how many.

    One that is still being written is locked by its writer and stays.
    """
    if fcntl is None:
        return 0
    removed = 0
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return 0  # an unreadable folder: the export itself will say what is wrong
    for entry in entries:
        if not _PART.fullmatch(entry.name) or entry.is_symlink():
            continue
        is_dir = entry.is_dir(follow_symlinks=False)
        if not (is_dir or entry.is_file(follow_symlinks=False)):
            continue
        try:
            fd = os.open(entry.path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
        except OSError:
            continue  # gone, or not ours to read: leave it
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                continue  # its writer is alive (or locks do not work here): leave it
            if is_dir:
                shutil.rmtree(entry.path, ignore_errors=True)
            else:
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(entry.path)
            removed += 1
        finally:
            os.close(fd)
    return removed
