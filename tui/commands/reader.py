"""`sidenote read`: the terminal app."""

from __future__ import annotations

import os
import sys
import tomllib
from datetime import datetime
from pathlib import Path

import click
import platformdirs

from store import InputError, SidenoteError

from ..context import APP_NAME, CliContext


def keymap_path() -> Path:
    """Where users remap keys: `[keymap]` binding id = "keys" (ids are listed in help)."""
    return platformdirs.user_config_path(APP_NAME, appauthor=False) / "keymap.toml"


def load_keymap(path: Path) -> dict[str, str]:
    """The `[keymap]` table of a TOML file; an absent file means no remapping."""
    try:
        with path.open("rb") as handle:
            data = tomllib.load(handle)
    except FileNotFoundError:
        return {}
    except OSError as error:
        raise InputError(str(path), f"cannot read ({error.strerror})") from error
    except tomllib.TOMLDecodeError as error:
        raise InputError(str(path), f"not valid TOML ({error})") from error
    keymap = data.get("keymap", {})
    if not isinstance(keymap, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in keymap.items()
    ):
        raise InputError(str(path), '[keymap] must map binding ids to keys, e.g. "app.undo" = "z"')
    return keymap


@click.command()
@click.argument("doc_id", required=False)
@click.pass_obj
def read(obj: CliContext, doc_id: str | None) -> None:
    """Open the reader (on DOC_ID, or where you left off).

    Keys can be remapped in keymap.toml in your user config folder; press f1 in the
    app to see every key and its id.
    """
    from ..app import SidenoteApp  # Textual loads only for the app, not for other commands

    keymap = load_keymap(keymap_path())
    store = obj.store()
    if doc_id is not None:
        doc_id = store.find_document(doc_id).id
    app = SidenoteApp(store, doc_id, keymap=keymap)
    app.run()
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
