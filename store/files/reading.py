"""Opening files a user names: regular files only, and never more than a cap held.

A name can point anywhere: a link to /dev/zero never ends, a FIFO blocks whoever opens
it until a writer comes, a file in /proc reports size 0 and has content. So the type is
checked (following links) before opening, the file is opened without blocking, and the
opened descriptor is checked again (the name may have been swapped in between). Reads
stop one byte past the cap, so a file that grows or lies about its size costs no more
than the cap.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path
from typing import BinaryIO

from ..errors import InputError

# Beyond the file's reported size, read in steps of this much (a /proc file says 0).
_STEP = 1 << 20

_KINDS = (
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISFIFO, "a FIFO"),
    (stat.S_ISSOCK, "a socket"),
)


def special_kind(path: Path) -> str | None:
    """What `path` is if it is not a regular file or a folder ("a FIFO"), else None.

    Follows links, and says so: "a link to a character device". Raises OSError when
    `path` cannot be looked up (absent, a dangling link, permission denied).
    """
    mode = os.stat(path).st_mode
    if stat.S_ISREG(mode) or stat.S_ISDIR(mode):
        return None
    return _describe(mode, os.path.islink(path))


def _describe(mode: int, is_link: bool) -> str:
    kind = next((name for test, name in _KINDS if test(mode)), "a special file")
    return f"a link to {kind}" if is_link else kind


class NotRegularFile(InputError):
    """A name that leads to a device, FIFO or socket: refused, the same wherever met."""

    def __init__(self, path: Path, kind: str) -> None:
        self.kind = kind
        super().__init__(str(path), f"not a regular file ({kind})")


def open_regular(path: Path) -> BinaryIO:
    """`path` opened for reading in binary, if it is a regular file.

    Raises NotRegularFile (an InputError) for special files; FileNotFoundError,
    IsADirectoryError and PermissionError (and other OSErrors) pass through for the caller
    to word.
    """
    _check_regular(path, os.stat(path).st_mode)  # before opening: a FIFO waits for a writer
    # O_NONBLOCK: if the name became a FIFO since the check, the open still returns.
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    try:
        _check_regular(path, os.fstat(fd).st_mode)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def _check_regular(path: Path, mode: int) -> None:
    if stat.S_ISDIR(mode):
        raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), str(path))
    if not stat.S_ISREG(mode):
        raise NotRegularFile(path, _describe(mode, os.path.islink(path)))


def read_bounded(path: Path, limit: int) -> bytes:
    """All of a regular file's bytes, refused once it holds more than `limit`.

    Raises InputError ("file is too large") before reading when the reported size is
    over the limit, and after reading at most `limit` + 1 bytes when it grew or its
    size was not reported. Other errors are as for `open_regular`.
    """
    with open_regular(path) as handle:
        size = os.fstat(handle.fileno()).st_size
        if size > limit:
            raise _too_large(path, size, limit)
        # The common case in one allocation of the file's size; the extra byte tells
        # whether there is more than it said.
        data = handle.read(size + 1)
        if len(data) > size:
            parts, total = [data], len(data)
            while total <= limit:
                step = handle.read(min(_STEP, limit + 1 - total))
                if not step:
                    break
                parts.append(step)
                total += len(step)
            data = b"".join(parts)
            if total > limit:
                raise _too_large(path, None, limit)
    return data


def _too_large(path: Path, size: int | None, limit: int) -> InputError:
    cap = f"limit {limit // 2**20:,} MiB"
    if size is None:  # it said less than it holds
        return InputError(str(path), f"file is too large (over the {cap})")
    return InputError(str(path), f"file is too large ({size // 2**20:,} MiB; {cap})")
