"""Where Sidenote may write a file the user names, and how it writes it.

One rule for every writer (the `export` command, the app's export dialog): a file
is written whole or not at all, and nothing Sidenote did not write is destroyed.

- The database and the files SQLite and Sidenote keep beside it (`-wal`, `-shm`,
  `-journal`, `-writers`, `.backup-vN`, `.vectors.usearch`) are never a target,
  whatever the path that reaches them: a symlink, a hard link, a relative path.
  Paths are compared once resolved, and files by (device, inode).
- Devices, named pipes, sockets and folders (for brat: files) are refused after a
  `stat`, which opens nothing: opening a pipe to write would wait for a reader.
- An existing file is replaced only when the caller says so (`--force`, or a yes
  in the app), and keeps its mode less setuid, setgid and sticky (as `cp` does: a
  new file must not carry someone's privileges) and, when the system lets us (root),
  its owner and group; a new file or folder gets the user's umask.
- A symlink is followed: the file (or empty folder) it points to is replaced and
  the link stays. Sidenote resolves links itself, so the kernel's
  `fs.protected_symlinks` never gets to refuse one: the same rule is applied here.
  A link in a sticky, world-writable folder (/tmp) owned neither by us nor by the
  folder's owner was planted by someone else, and is not followed.

The data goes to a temporary `.NAME.sidenote-XXXXXXXX.part` beside the target, renamed into
place once complete. While it is written the temporary file holds an `flock`; the
operating system drops it when the writer dies, so the next write into that folder
removes every such file nobody holds: a killed export leaves nothing behind for
long, and one still running keeps its file. Only our own are removed: a regular
file we own, or a folder we own holding only regular files we own with the names
the brat writer gives (`annotation.conf`, `*.txt`, `*.ann`), removed one by one.
Nothing is removed recursively: in a shared folder anyone can create a name that
matches, and what they put there is not ours to delete.
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

# What SQLite (-wal, -shm, -journal), the write queue (-writers), the upgrade
# backup (.backup-vN, .backup-vN.M) and the meaning stage's neighbour index and
# lists (.vectors.usearch, its .json record, .vectors.neighbours.npz, each with a .tmp
# while it is saved) put beside a database file.
_SIDE_FILE = re.compile(
    r"-wal|-shm|-journal|-writers|\.backup-v\d+(?:\.\d+)?"
    r"|\.vectors\.(?:usearch(?:\.json)?|neighbours\.npz)(?:\.tmp)?"
)
_PART = re.compile(r"\..+\.sidenote-[0-9a-z]{8}\.part")
_BRAT_FILE = re.compile(r"annotation\.conf|.+\.(?:txt|ann)")
_MAX_LINKS = 40  # as the kernel's ELOOP limit
_PRIVILEGE_BITS = stat.S_ISUID | stat.S_ISGID | stat.S_ISVTX
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
    owner: tuple[int, int] | None = None  # (uid, gid) of what is replaced; None when new


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
    _refuse_planted_links(shown, path)
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
    if info is None:
        return OutputTarget(shown, real, None)
    return OutputTarget(shown, real, stat.S_IMODE(info.st_mode), (info.st_uid, info.st_gid))


def _refuse_planted_links(shown: str, path: str | Path) -> None:
    """Refuse a path that follows a symlink someone else planted in a shared folder.

    Walks the path as the kernel does, link by link, and applies its
    `fs.protected_symlinks` rule to each link: in a sticky, world-writable folder a
    link is followed only if we or the folder's owner own it. Otherwise whoever can
    write to /tmp could point our export at any file we may write.
    """
    pending = list(reversed(Path(os.path.abspath(path)).parts[1:]))
    current = Path(os.path.abspath(path)).anchor or "/"
    hops = 0
    while pending:
        name = pending.pop()
        if name in ("", "."):
            continue
        if name == "..":
            current = os.path.dirname(current)
            continue
        step = os.path.join(current, name)
        try:
            info = os.lstat(step)
        except OSError:
            return  # nothing (more) there: no link left to follow
        if not stat.S_ISLNK(info.st_mode):
            current = step
            continue
        hops += 1
        if hops > _MAX_LINKS:
            return  # a loop: realpath and the checks after it report the path
        _check_link_owner(shown, current, info.st_uid)
        try:
            link = os.readlink(step)
        except OSError:
            return  # gone since the lstat: realpath and the checks after it report it
        if os.path.isabs(link):
            current = os.path.abspath(os.sep)
        pending.extend(reversed(Path(link).parts[1:] if os.path.isabs(link) else Path(link).parts))


def _check_link_owner(shown: str, folder: str, link_owner: int) -> None:
    """The kernel's protected_symlinks rule for one link in `folder`."""
    try:
        info = os.stat(folder)
    except OSError as error:
        raise InputError(shown, f"cannot use this path ({error.strerror})") from error
    shared = info.st_mode & stat.S_ISVTX and info.st_mode & stat.S_IWOTH
    if shared and link_owner not in (os.geteuid(), info.st_uid):
        raise InputError(
            shown,
            "is reached through a symlink someone else owns in a shared folder "
            f"({folder}, sticky and world-writable); it is not followed",
        )


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
        for name in database_files(base):
            try:
                other = os.stat(name)
            except OSError:
                continue  # gone since the folder was listed: it cannot be the target
            if (other.st_dev, other.st_ino) == (target.st_dev, target.st_ino):
                return f"another name of the database {database} (or of one of its files)"
    return None


def database_files(base: Path) -> Iterator[Path]:
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
            _take_over_mode(handle.fileno(), target)
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


def _take_over_mode(fd: int, target: OutputTarget) -> None:
    """Give the new file the replaced one's mode and, where allowed, its owner.

    As `cp` does, setuid, setgid and sticky are dropped: an export is data, and must
    not run with its previous owner's privileges. Root keeps the owner and group, so
    replacing a user's file does not make it root's; where the owner cannot be kept
    (not root), the file is ours, as any file we create.
    """
    if target.mode is None or target.owner is None:
        return
    mode = target.mode & ~_PRIVILEGE_BITS
    info = os.fstat(fd)
    if (info.st_uid, info.st_gid) != target.owner:
        try:
            os.fchown(fd, *target.owner)
        except PermissionError:
            mode &= 0o777  # ours, not theirs: the plain permission bits only
    os.fchmod(fd, mode)


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
    """Remove our own `.part` files and folders of exports that died; returns how many.

    One that is still being written is locked by its writer and stays; one that is
    not ours (owner, type, or a folder holding anything our brat writer does not
    write) stays too.
    """
    if fcntl is None:
        return 0
    removed = 0
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return 0  # an unreadable folder: the export itself will say what is wrong
    for entry in entries:
        if not _PART.fullmatch(entry.name):
            continue
        try:
            fd = os.open(entry.path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
        except OSError:
            continue  # gone, a symlink, or not ours to read: leave it
        try:
            # fstat on what was opened: the name cannot be swapped between check and use.
            info = os.fstat(fd)
            if info.st_uid != os.geteuid() or not (
                stat.S_ISREG(info.st_mode) or stat.S_ISDIR(info.st_mode)
            ):
                continue
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                continue  # its writer is alive (or locks do not work here): leave it
            if _remove_part(folder, entry.name, fd, info):
                removed += 1
        finally:
            os.close(fd)
    return removed


def _remove_part(folder: Path, name: str, fd: int, info: os.stat_result) -> bool:
    """Remove the `.part` named `name`, opened as `fd`, if it is still that file."""
    try:
        now = os.lstat(folder / name)
    except FileNotFoundError:
        return False
    if (now.st_dev, now.st_ino) != (info.st_dev, info.st_ino):
        return False  # replaced since it was opened: not the file we checked
    if stat.S_ISREG(info.st_mode):
        os.unlink(folder / name)
        return True
    inside = list(os.scandir(fd))
    for entry in inside:
        if not _BRAT_FILE.fullmatch(entry.name):
            return False
        own = entry.stat(follow_symlinks=False)
        if not stat.S_ISREG(own.st_mode) or own.st_uid != os.geteuid():
            return False
    for entry in inside:
        os.unlink(entry.name, dir_fd=fd)
    os.rmdir(folder / name)
    return True
