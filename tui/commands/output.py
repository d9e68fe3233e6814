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

from ..widgets.text_layout import escape_table


def _table() -> dict[int, str]:
    # The app's table, plus a picture for the line break so a record stays one line.
    return {**escape_table(), 0x0A: "\u2424"}


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
