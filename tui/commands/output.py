"""Printing from commands: article text as data, UTF-8 output, pipes closed early.

`click.echo` prints strings as they are, so an ESC in an article would restyle the
user's terminal. Same conventions as the app's article view: C0 controls become
Unicode control pictures (ESC -> ␛), DEL ␡, C1 controls and bidirectional overrides
�; here a line break also becomes ␤, so one record stays on one line.
"""

from __future__ import annotations

import io
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager


def _table() -> dict[int, str]:
    table = {code: chr(0x2400 + code) for code in range(0x20)}
    table[0x09] = " "
    table[0x0A] = "\u2424"
    table[0x7F] = "\u2421"
    table.update({code: "\ufffd" for code in range(0x80, 0xA0)})
    bidi = [*range(0x202A, 0x202F), *range(0x2066, 0x206A), 0x200E, 0x200F, 0x061C]
    table.update({code: "\ufffd" for code in bidi})
    table[0x2028] = "\u2424"
    table[0x2029] = "\u00b6"
    return table


_TABLE = _table()


def literal(text: str, width: int | None = None) -> str:
    """`text` safe to print on one line; cut to `width` characters with an ellipsis."""
    shown = text.translate(_TABLE)
    if width is not None and len(shown) > width:
        return shown[: max(0, width - 1)] + "…"
    return shown


def _stop_writing() -> None:
    """The reader went away (`| head`): that is not an error; stop quietly."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    sys.exit(0)


@contextmanager
def pipe_may_close() -> Iterator[None]:
    """Let a reader close the pipe early (`sidenote search x | head -1`)."""
    try:
        yield
        sys.stdout.flush()
    except BrokenPipeError:
        _stop_writing()


@contextmanager
def utf8_stdout() -> Iterator[io.TextIOWrapper]:
    """Standard output as UTF-8 text with no newline translation, whatever the locale."""
    sys.stdout.flush()
    stream = io.TextIOWrapper(sys.stdout.buffer, encoding="utf-8", newline="")
    try:
        yield stream
        stream.flush()
    except BrokenPipeError:
        _stop_writing()
    finally:
        try:
            stream.detach()
        except (BrokenPipeError, ValueError):
            pass  # already flushed into a closed pipe, or detached
