"""doccano's own code reads the doccano export: its import pipeline and models
(doccano 1.8.4 from PyPI) store every span, doccano's frontend slices each to the
annotated text (JavaScript UTF-16 indices), and the file doccano's own export writes
comes back into a second database with the same annotations.

doccano is a Django server whose requirements cannot join the suite's environment
(pandas < 2, built against numpy 1, where the suite has numpy 2), so it gets an
environment of its own, made once beside the one running the tests and kept there:
doccano with the pinned dependencies its import and export path imports, installed
from PyPI without resolving (a plain `pip install doccano` today pairs pandas 1.5.3
with numpy 2, and pandas then fails to import). tests/exchange/doccano_driver.py
runs inside it.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

import pytest

from store import open_store
from tests.exchange.test_tool_formats import (
    RTL,
    SPANS,
    annotations,
    notes,
    sidenote,
    utf16_slice,
)
from tests.exchange_data import ENVOY, MULTISCRIPT, add_doc, tag

# doccano 1.8.4 and, at versions inside its declared ranges, what its data_import and
# data_export pipelines, their models and Django import on the way. numpy < 2: the
# pandas doccano allows (< 2.0) has no build for numpy 2. setuptools: django-polymorphic
# 3.1 imports pkg_resources. seqeval has no wheel: pip builds it.
PINS = """
doccano==1.8.4
Django==4.2.30 asgiref==3.13.0 sqlparse==0.6.1
django-polymorphic==3.1.0 setuptools==75.8.0
django-drf-filepond==0.5.0 shortuuid==1.0.13 six==1.17.0
pandas==1.5.3 numpy==1.26.4 python-dateutil==2.9.0.post0 pytz==2026.6
pydantic==2.14.4 pydantic_core==2.50.5 annotated-types==0.8.0
typing_extensions==4.16.0 typing-inspection==0.4.5
chardet==4.0.0 pyexcel==0.7.6 pyexcel-io==0.6.8 lml==0.2.0 texttable==1.7.2 seqeval==1.2.2
""".split()

ENV = Path(sys.prefix) / "doccano-1.8.4"
DRIVER = Path(__file__).with_name("doccano_driver.py")
# The choice doccano's import form starts with for JSONL ("" = its default, utf_8),
# and "Auto", which guesses the file's encoding with chardet.
ENCODINGS = ("", "Auto")


def doccano_python() -> Path:
    """The Python of doccano's environment, made on first use: built in a
    temporary folder and renamed into place, so an interrupted install is never
    taken for a finished one; remade when the pins change."""
    python = ENV / "bin" / "python"
    stamp = ENV / "sidenote-pins.txt"
    if stamp.exists() and stamp.read_text("utf-8").split() == PINS:
        return python
    building = ENV.with_name(f"{ENV.name}.building-{os.getpid()}")
    shutil.rmtree(building, ignore_errors=True)
    venv.EnvBuilder(with_pip=False).create(building)
    install = subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(building / "bin" / "python"),
         "install", "--quiet", "--no-deps", "--prefer-binary", *PINS],
        capture_output=True,
        text=True,
    )  # fmt: skip
    if install.returncode != 0:
        shutil.rmtree(building, ignore_errors=True)
    assert install.returncode == 0, f"installing doccano failed:\n{install.stderr}"
    (building / "sidenote-pins.txt").write_text("\n".join(PINS) + "\n", "utf-8")
    shutil.rmtree(ENV, ignore_errors=True)
    os.replace(building, ENV)
    return python


@pytest.fixture(scope="module")
def seeded(tmp_path_factory) -> dict:
    """The first database, its doccano export, and what doccano made of it."""
    work = tmp_path_factory.mktemp("doccano")
    db = work / "first.db"
    with open_store(db) as store:
        docs = {
            MULTISCRIPT: add_doc(store, MULTISCRIPT, title="Multi", source="Wire"),
            RTL: add_doc(store, RTL, title="RTL", source="Al"),
            ENVOY: add_doc(store, ENVOY, title="Envoy", url="https://example.org/envoy"),
        }
        for text, quote, label in SPANS:
            extra = {"note": "n\u00f6te", "speaker": "Kellogg"} if label == "quote" else {}
            tag(store, docs[text], quote, label, **extra)
    exported = work / "doccano.jsonl"
    sidenote(db, "export", "--format", "doccano", "-o", str(exported))
    run = subprocess.run(
        [str(doccano_python()), "-I", str(DRIVER), str(exported), str(work), *ENCODINGS],
        capture_output=True,
        text=True,
        encoding="utf-8",
    )
    assert run.returncode == 0, run.stderr
    return {
        "db": db,
        "docs": docs,
        "doccano": json.loads(run.stdout.splitlines()[-1]),
    }


def expected(seeded: dict) -> set[tuple[str, str, str]]:
    return {(seeded["docs"][text], quote, label) for text, quote, label in SPANS}


@pytest.mark.parametrize("encoding", ENCODINGS, ids=["form default utf_8", "Auto"])
def test_doccano_stores_every_span_on_the_annotated_text(seeded, encoding):
    result = seeded["doccano"][encoding]
    assert "exception" not in result, result.get("exception")
    assert result["errors"] == []
    texts = {doc_id: text for text, doc_id in seeded["docs"].items()}
    found = set()
    for example in result["examples"]:
        doc_id = example["meta"]["doc_id"]
        assert example["text"] == texts[doc_id]
        for start, end, label in example["spans"]:
            found.add((doc_id, utf16_slice(example["text"], start, end), label))
    assert len(found) == len(SPANS)
    assert found == expected(seeded)


@pytest.mark.parametrize("encoding", ENCODINGS, ids=["form default utf_8", "Auto"])
def test_doccanos_own_export_comes_back_with_the_same_annotations(seeded, tmp_path, encoding):
    result = seeded["doccano"][encoding]
    assert "exception" not in result, result.get("exception")
    second = tmp_path / "second.db"
    done = sidenote(second, "import-annotations", "--from", "doccano", result["export"])
    assert f"{len(SPANS)} records: {len(SPANS)} added" in done.output
    assert annotations(second) == annotations(seeded["db"])
    # doccano keeps the `sidenote` key as the example's metadata and exports it again.
    assert notes(second) == notes(seeded["db"])
