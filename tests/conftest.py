"""Fixtures shared by the whole suite: stores in memory, the bundled corpus."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from store import Store, open_store
from store.corpus import bundled_seed_paths
from store.importing.ingest import import_paths

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"

# Property tests must not fail because the machine is busy: no per-example deadline and
# no health check on how long generating examples takes (both are wall-clock limits).
# Tests that give their own settings keep these unless they override them.
settings.register_profile(
    "sidenote", deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile("sidenote")


@pytest.fixture
def store() -> Store:
    """An empty in-memory store."""
    with open_store(":memory:") as opened:
        yield opened


@pytest.fixture(scope="session")
def _seeded_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("seeded") / "seeds.db"
    with open_store(path) as opened:
        report = import_paths(opened, bundled_seed_paths())
        assert report.ok, report.errors
    return path


@pytest.fixture
def seeded_store(_seeded_file: Path, tmp_path: Path) -> Store:
    """A store holding the bundled corpus (a private copy per test)."""
    copy = tmp_path / "seeded.db"
    with open_store(_seeded_file) as source, open_store(copy) as target:
        source.db.conn.backup(target.db.conn)
    with open_store(copy) as opened:
        yield opened
