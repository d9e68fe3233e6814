"""The bundled corpus: five news pages shipped inside the package.

Installed from a wheel, they are the package `store.seeds`; in an editable install
they are the `seeds/` folder of the source tree.
"""

from __future__ import annotations

import importlib.resources
from pathlib import Path

from .db.connection import Store

SEEDED_SETTING = "seeded_bundled_corpus"


def bundled_seed_paths() -> list[Path]:
    try:
        folder = importlib.resources.files("store.seeds")
        paths = [Path(str(entry)) for entry in folder.iterdir() if entry.name.endswith(".txt")]
    except ModuleNotFoundError:
        folder = Path(__file__).resolve().parent.parent / "seeds"
        paths = list(folder.glob("*.txt"))
    return sorted(paths)


def seed_if_new(store: Store) -> int:
    """Import the bundled corpus into a database that has never been seeded.

    Returns how many documents were added. Seeding happens once: a user who deletes
    the bundled articles does not get them back on the next start.
    """
    if store.setting(SEEDED_SETTING) or store.document_count():
        return 0
    from .importing.ingest import import_paths

    report = import_paths(store, bundled_seed_paths())
    store.set_setting(SEEDED_SETTING, True)
    return report.added
