"""`sidenote read`: the terminal app."""

from __future__ import annotations

import gc
import os
import sys
from datetime import datetime
from pathlib import Path

import click
import platformdirs

from store import InputError, SidenoteError, read_bounded

from ..context import APP_NAME, CliContext

KEYMAP_MAX_BYTES = 1 << 20  # a keymap is a few lines; more is not a keymap


def keymap_path() -> Path:
    """Where users remap keys: `[keymap]` binding id = "keys" (ids are listed in help)."""
    return platformdirs.user_config_path(APP_NAME, appauthor=False) / "keymap.toml"


def load_keymap(path: Path) -> dict[str, str]:
    """The `[keymap]` table of a TOML file; an absent file means no remapping.

    Every id and key is checked here, before the app starts: Textual ignores an
    unknown id or key name, so a typo would silently leave the key as it was.
    """
    data = _read_toml(path)
    if data is None:
        return {}
    unknown = sorted(data.keys() - {"keymap"})
    if unknown:
        raise InputError(str(path), f"unknown entry {unknown[0]!r}: only [keymap] is read")
    keymap = data.get("keymap", {})
    if not isinstance(keymap, dict):
        raise InputError(str(path), '[keymap] must be a table, e.g. "app.undo" = "z"')
    known = binding_ids()
    for binding_id, keys in keymap.items():
        problem = _keymap_entry_problem(binding_id, keys, known)
        if problem:
            raise InputError(str(path), problem)
    return keymap


def _read_toml(path: Path) -> dict | None:
    """The parsed file, or None when there is none."""
    import tomllib  # here: most starts have no keymap file, and the app waits on imports

    try:
        # A regular file of a keymap's size only: a FIFO or a link to a device here
        # would otherwise keep the app from starting.
        return tomllib.loads(read_bounded(path, KEYMAP_MAX_BYTES).decode("utf-8"))
    except FileNotFoundError:
        return None
    except OSError as error:
        raise InputError(str(path), f"cannot read ({error.strerror})") from error
    except UnicodeDecodeError as error:
        byte = error.object[error.start]
        raise InputError(
            str(path), f"not UTF-8 text (byte 0x{byte:02x} at offset {error.start})"
        ) from error
    except tomllib.TOMLDecodeError as error:
        raise InputError(str(path), f"not valid TOML ({error})") from error
    except RecursionError:
        # tomllib parses nested arrays and inline tables recursively: a keymap-sized
        # file can nest deeper than Python's stack allows.
        raise InputError(str(path), "not a keymap: arrays or tables nested too deeply") from None


def _keymap_entry_problem(binding_id: str, keys: object, known: set[str]) -> str | None:
    """What is wrong with one `id = "keys"` line, or None."""
    if binding_id not in known:
        return f"unknown binding id {binding_id!r} (f1 in the app lists every id)"
    if not isinstance(keys, str):
        return f'{binding_id!r} must be keys in a string, e.g. "z" or "ctrl+z,f5"'
    for key in keys.split(","):
        if not is_key(key.strip()):
            return f"{binding_id!r}: {key.strip()!r} is not a key name"
    return None


MODIFIERS = frozenset({"ctrl", "shift", "alt", "meta", "super", "hyper"})


def is_key(key: str) -> bool:
    """Whether Textual knows `key`: modifiers, then one character or a key's name
    (`escape`, `f5`, `pagedown`, `question_mark`, `slash`)."""
    from textual.keys import KEY_NAME_REPLACEMENTS, Keys, key_to_character

    *modifiers, name = key.split("+")
    if not name or not MODIFIERS.issuperset(modifiers):
        return False
    named = {k.value for k in Keys if not k.value.startswith("<")}
    return (
        len(name) == 1
        or name in named
        or name in KEY_NAME_REPLACEMENTS.values()
        or key_to_character(name) is not None
    )


def binding_ids() -> set[str]:
    """Every id a keymap can name: the bindings of the app, its screens and widgets."""
    from textual.binding import Binding

    from ...app import app_key_sections  # the app is the command line's one way in to the UI

    return {
        binding.id
        for _, classes in app_key_sections()
        for cls in classes
        for binding in Binding.make_bindings(cls.BINDINGS)
        if binding.id
    }


@click.command()
@click.argument("doc_id", required=False)
@click.pass_obj
def read(obj: CliContext, doc_id: str | None) -> None:
    """Open the reader (on DOC_ID, or where you left off).

    Keys can be remapped in keymap.toml in your user config folder; press f1 in the
    app to see every key and its id.
    """
    from ...app import SidenoteApp  # Textual loads only for the app, not for other commands

    keymap = load_keymap(keymap_path())
    store = obj.store()
    if doc_id is not None:
        doc_id = store.find_document(doc_id).id
    app = SidenoteApp(store, doc_id, keymap=keymap)
    app.run()
    # The session is over: the store is closed explicitly (every write was already a
    # transaction of its own), then the interpreter exits. Its exit collects garbage
    # more than once, each pass walking every object the session built (the echoes
    # and search indexes, Textual's widgets) to free memory the OS takes back anyway;
    # frozen objects are skipped, so the terminal is given back at once.
    gc.freeze()
    if app.return_code:
        # Textual has restored the terminal; the traceback goes to a file, not the screen.
        raise SidenoteError(f"the app crashed; {save_crash_report(app.crash_report)}")


def save_crash_report(report: str) -> str:
    """Write a crash's traceback to a new file in the user log folder; say where it is."""
    folder = platformdirs.user_log_path(APP_NAME, appauthor=False)
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    path = folder / f"sidenote-crash-{stamp}-{os.getpid()}.log"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        path.write_text(report or "(Textual reported no traceback)\n", encoding="utf-8")
    except OSError as error:
        # Nowhere to keep it: the traceback goes to stderr after all, and the line says why.
        sys.stderr.write(report)
        return f"the traceback is above (cannot write {path}: {error.strerror})"
    return f"the traceback is in {path}"


commands = [read]
