"""Printing from commands: text from users and articles as data, UTF-8, pipes closed early.

`click.echo` prints strings as they are, so an ESC in an article title, a file name
or an annotation id would restyle the user's terminal, set its title or (OSC 52)
write its clipboard; a bidirectional override would reorder what the line seems
to say. Every command prints through the helpers here:

- `literal(text, width)` one value on one line (a title, an id, a file name);
- `echo(line)`           a human-readable line; what `literal` missed is escaped here;
- `json_line(obj)`       one JSON object on one line, those code points as `\\uXXXX`.

Escapes follow the app's article view where it has a picture: C0 controls become
Unicode control pictures (ESC -> ␛, BEL -> ␇), DEL ␡, a line break in a value ␤. C1
controls and the bidirectional overrides, isolates and marks have no picture (the
app draws �, since it must keep one cell per code point); here they are named:
`\\x9b`, `\\u202e`, so the reader can tell which one the text holds.
"""

from __future__ import annotations

import io
import json
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from typing import IO, NoReturn

import click

from ..escapes import escape_table

# What can drive or reorder a terminal besides C0 and DEL: C1 controls, the
# bidirectional embeddings and overrides (U+202A-U+202E), isolates (U+2066-U+2069)
# and direction marks (U+200E, U+200F, U+061C).
_NAMED = [
    *range(0x80, 0xA0),
    *range(0x202A, 0x202F),
    *range(0x2066, 0x206A),
    0x200E,
    0x200F,
    0x061C,
]


# Lone surrogates: a file name that is not UTF-8 reaches Python with each bad byte
# as U+DC80-U+DCFF (surrogateescape), and printing one writes that raw byte (0x9b is
# CSI) or fails. Shown by the byte they stand for; other lone surrogates by code point.
_SURROGATES = range(0xD800, 0xE000)
_ESCAPED_BYTES = range(0xDC80, 0xDD00)


def _named(code: int) -> str:
    if code in _ESCAPED_BYTES:
        return f"\\x{code - 0xDC00:02x}"
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def _value_table() -> dict[int, str]:
    """The app's table with names instead of �, and ␤ so a value stays on one line."""
    table = {**escape_table(), 0x0A: "\u2424"}
    table.update({code: _named(code) for code in [*_NAMED, *_SURROGATES]})
    return table


_VALUE = _value_table()
# A whole line keeps its own layout: newline and tab pass, the rest as in a value.
_LINE = {code: shown for code, shown in _VALUE.items() if code not in (0x09, 0x0A)}
# In JSON the same code points (and the line separators, which split lines for
# `str.splitlines` and JavaScript) become \uXXXX escapes: the text parses back
# unchanged. json.dumps already escapes C0; it leaves these raw.
# A lone surrogate as \uXXXX is valid JSON (json.loads gives the same string back);
# raw, it cannot be written as UTF-8 at all.
_JSON = {code: f"\\u{code:04x}" for code in [0x7F, *_NAMED, 0x2028, 0x2029, *_SURROGATES]}


def literal(text: str, width: int | None = None, mark: str = "…") -> str:
    """`text` safe to print on one line; cut to `width` characters ending in `mark`.

    The text is escaped first and cut after, between escapes, never inside one.
    """
    if width is None:
        return text.translate(_VALUE)
    pieces: list[str] = []
    used = 0
    for char in text:
        shown = _VALUE.get(ord(char), char)
        if used + len(shown) > width:
            break
        pieces.append(shown)
        used += len(shown)
    else:
        return "".join(pieces)
    while pieces and used > max(0, width - len(mark)):
        used -= len(pieces.pop())
    return "".join(pieces) + mark


def visible(text: str) -> str:
    """`text` with every control character shown, its newlines and tabs kept as layout."""
    return text.translate(_LINE)


def echo(line: str = "", *, err: bool = False) -> None:
    """Print one human-readable line (or lines) with no control character raw."""
    click.echo(visible(line), err=err)


def json_text(text: str) -> str:
    """JSON text with C1 controls, DEL, bidi controls and line separators escaped."""
    return text.translate(_JSON)


def json_line(obj: object) -> str:
    """`obj` as one line of JSON, readable (non-ASCII kept) but with nothing that
    could drive a terminal: control and bidi code points as \\uXXXX escapes."""
    return json_text(json.dumps(obj, ensure_ascii=False))


class TerminalStream(io.TextIOBase):
    """A text stream to a terminal that shows what it is given, escaped.

    Used for data written to standard output when it is a terminal (`export`,
    `show`): a person reads it there, so an escape code in an article must not run.
    JSON formats get JSON escapes (the output parses to the same data); other text
    gets the visible escapes of `visible`. `changed` tells whether anything was.
    """

    def __init__(self, stream: IO[str], *, json_format: bool) -> None:
        super().__init__()
        self._stream = stream
        self._json = json_format
        self.changed = False

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        # CSV rows end in CRLF: a line end on a terminal; a lone CR is shown.
        shown = json_text(text) if self._json else visible(text.replace("\r\n", "\n"))
        if shown != text:
            self.changed = True
        self._stream.write(shown)
        return len(text)

    def flush(self) -> None:
        self._stream.flush()


def terminal_note(command: str) -> None:
    """Tell the user the terminal shows escapes, and how to get the exact text."""
    echo(
        f"sidenote: {command}: control characters are shown as visible escapes on a "
        "terminal; use -o FILE or pipe it for the exact text",
        err=True,
    )


def stop_writing() -> NoReturn:
    """The reader went away (`sidenote docs | head`): not an error; stop quietly, as
    cat does. Standard output goes to /dev/null first, so Python's flush at exit
    cannot raise again into the closed pipe."""
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
        stop_writing()


@contextmanager
def utf8_stdout() -> Iterator[io.TextIOWrapper]:
    """Standard output as UTF-8 text with no newline translation, whatever the locale."""
    sys.stdout.flush()
    stream = io.TextIOWrapper(sys.stdout.buffer, encoding="utf-8", newline="")
    try:
        yield stream
        stream.flush()
    except BrokenPipeError:
        stop_writing()
    finally:
        # Already flushed into a closed pipe, or already detached: nothing left to hand back.
        with suppress(BrokenPipeError, ValueError):
            stream.detach()


@contextmanager
def data_stdout(command: str, *, json_format: bool) -> Iterator[IO[str]]:
    """Standard output for data (`export`, `show`): exact into a pipe or file,
    escaped on a terminal (see `TerminalStream`).

    Escaping rather than refusing: a person who prints an export on the terminal
    wants to read it; JSON escapes keep it the same data, and other text says on
    stderr how to get the exact bytes.
    """
    with utf8_stdout() as stream:
        if not sys.stdout.isatty():
            yield stream
            return
        shown = TerminalStream(stream, json_format=json_format)
        yield shown
    if shown.changed and not json_format:
        terminal_note(command)
