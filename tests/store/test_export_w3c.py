"""The `w3c` export against the W3C Web Annotation test suite's "must" assertions.

The suite's JSON Schemas (draft-04) reference each other by relative id, so they
are loaded into one `referencing` registry. Their `uri` and `date-time` formats
are checked strictly here: jsonschema skips both unless optional packages are
installed, and a skipped check proves nothing.
"""

from __future__ import annotations

import io
import json
import re
from datetime import datetime
from pathlib import Path

import jsonschema
import pytest
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

from store.exchange.formats import export_to_stream
from store.exchange.write import w3c_annotation
from tests.exchange_data import MULTISCRIPT, add_doc, tag

SUITE = Path(__file__).resolve().parents[1] / "fixtures" / "w3c"
URI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|\\^`]*$")
DATE_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")

formats = jsonschema.FormatChecker(formats=())


@formats.checks("uri")
def _is_uri(value: object) -> bool:
    return not isinstance(value, str) or bool(URI.match(value))


@formats.checks("date-time")
def _is_date_time(value: object) -> bool:
    if not isinstance(value, str):
        return True
    if not DATE_TIME.match(value):
        return False
    datetime.fromisoformat(value.replace("Z", "+00:00"))
    return True


def _load(path: Path) -> dict:
    return json.loads(path.read_text("utf-8"))


def _must_validators() -> list[tuple[str, jsonschema.Validator]]:
    registry = Registry()
    for path in sorted((SUITE / "definitions").glob("*.json")):
        schema = _load(path)
        registry = registry.with_resource(schema["id"], Resource.from_contents(schema, DRAFT4))
    musts = _load(SUITE / "annotations" / "annotationMusts.test")["assertions"]
    validators = []
    for name in musts:
        schema = _load(SUITE / name)
        assert schema["assertionType"] == "must" and schema["expectedResult"] == "valid"
        registry = registry.with_resource(schema["id"], Resource.from_contents(schema, DRAFT4))
        validators.append(
            (name, jsonschema.Draft4Validator(schema, registry=registry, format_checker=formats))
        )
    return validators


VALIDATORS = _must_validators()


@pytest.fixture
def annotations(store) -> list[dict]:
    doc_id = add_doc(store, MULTISCRIPT, url="https://example.org/news/1")
    tag(store, doc_id, "'resiliency force'", "quote", note="Kellogg's phrase", annotator="ana")
    tag(store, doc_id, "北京欢迎你", "claim", annotator="")
    tag(store, doc_id, "\U0001d11e\tends", "proposal", note="tab\tand\nnewline")
    out = io.StringIO()
    export_to_stream(store, "w3c", out, lines=True)
    return [json.loads(line) for line in out.getvalue().splitlines()]


def test_the_suite_has_every_must_assertion():
    assert len(VALIDATORS) == 54


@pytest.mark.parametrize("name_validator", VALIDATORS, ids=[n for n, _ in VALIDATORS])
def test_every_export_passes_the_must_assertion(annotations, name_validator):
    name, validator = name_validator
    assert len(annotations) == 3
    for annotation in annotations:
        errors = [e.message for e in validator.iter_errors(annotation)]
        assert errors == [], f"{name}: {errors}"


def test_the_checker_rejects_what_the_musts_forbid():
    """The validators are live: broken annotations fail them."""
    good = w3c_annotation(
        {
            "id": "2f1c5e0e-8a43-4b8e-9d5c-1c2d3e4f5a6b",
            "doc_id": "abc",
            "label": "claim",
            "start": 0,
            "end": 3,
            "text": "abc",
            "prefix": "",
            "suffix": "",
            "note": "",
            "annotator": "",
            "url": "",
            "created": "2025-01-02T03:04:05.000Z",
            "updated": "2025-01-02T03:04:05.000Z",
        }
    )
    broken = [
        {k: v for k, v in good.items() if k != "@context"},
        good | {"id": "not a uri"},
        good | {"created": "yesterday"},
        good | {"bodyValue": "x"},
        {k: v for k, v in good.items() if k != "target"},
    ]
    for annotation in broken:
        assert any(list(v.iter_errors(annotation)) for _, v in VALIDATORS), annotation
    assert not any(list(v.iter_errors(good)) for _, v in VALIDATORS)


def test_selectors_point_at_the_exact_text(annotations):
    for annotation in annotations:
        quote, position = annotation["target"]["selector"]
        assert quote["type"] == "TextQuoteSelector" and position["type"] == "TextPositionSelector"
        assert MULTISCRIPT[position["start"] : position["end"]] == quote["exact"]
        assert MULTISCRIPT[: position["start"]].endswith(quote["prefix"])
        assert MULTISCRIPT[position["end"] :].startswith(quote["suffix"])
        # The page's address is the source, so a client on the page can anchor the
        # quote; Sidenote's own name of the article is the scope.
        assert annotation["target"]["source"]["id"] == "https://example.org/news/1"
        assert annotation["target"]["scope"].startswith("urn:sidenote:doc:")
        tags = [b for b in annotation["body"] if b["purpose"] == "tagging"]
        assert [t["value"] for t in tags] in (["quote"], ["claim"], ["proposal"])
        assert annotation["id"].startswith("urn:uuid:")
