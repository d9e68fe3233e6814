"""Exports are files users share: they get the user's umask, like any new file, so a
tool running as another user (doccano or Label Studio in Docker) can read them."""

from __future__ import annotations

import os
import stat

import pytest

from store.exchange.formats import export_to_path
from tests.exchange_data import ENVOY, add_doc, tag


@pytest.fixture
def umask_022():
    old = os.umask(0o022)
    yield
    os.umask(old)


@pytest.mark.parametrize("fmt", ["jsonl", "documents", "w3c", "csv"])
def test_an_export_file_gets_the_umask(store, tmp_path, umask_022, fmt):
    doc = add_doc(store, ENVOY, title="Envoy")
    tag(store, doc, "resiliency force")
    target = tmp_path / f"out.{fmt}"
    export_to_path(store, fmt, target)
    assert stat.S_IMODE(target.stat().st_mode) == 0o644


def test_a_brat_folder_and_its_files_get_the_umask(store, tmp_path, umask_022):
    doc = add_doc(store, ENVOY, title="Envoy")
    tag(store, doc, "resiliency force")
    folder = tmp_path / "brat"
    export_to_path(store, "brat", folder)
    assert stat.S_IMODE(folder.stat().st_mode) == 0o755
    files = sorted(folder.iterdir())
    assert {f.suffix for f in files} >= {".txt", ".ann", ".conf"}
    assert {stat.S_IMODE(f.stat().st_mode) for f in files} == {0o644}
