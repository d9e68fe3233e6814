"""The kill test's oracle (ledger.verify) on hand-made reports: a kill can land after
the action in flight committed and before it printed OK, and the oracle must tell that
apart from data that nobody wrote."""

from __future__ import annotations

import json

import pytest

from .checks import Snapshot
from .ledger import read_report, verify

DOC = "d1"
RESTORED = "50003ffb-bb38-45dc-b90b-0ce92a87227b"
STATE = ("d1", 169, 226, "proposal", "n829970-26")


def _report(op: str, effects: dict) -> str:
    """A driver's output: one action begun and killed before its OK line."""
    return "OPEN\nBEGIN " + json.dumps({"op": op, "effects": effects}) + "\n"


def test_an_undo_in_flight_that_brought_back_a_deleted_annotation_happened() -> None:
    before = Snapshot(frozenset({DOC}), {}, {})
    after = Snapshot(frozenset({DOC}), {RESTORED: STATE}, {})
    report = read_report(_report("undo", {f"annotation:{RESTORED}": list(STATE)}))
    assert verify(before, report, after) == "happened"


def test_an_undo_in_flight_that_did_not_land_did_not_happen() -> None:
    before = Snapshot(frozenset({DOC}), {}, {})
    report = read_report(_report("undo", {f"annotation:{RESTORED}": list(STATE)}))
    assert verify(before, report, before) == "not happened"


def test_an_undo_in_flight_that_restored_something_else_is_caught() -> None:
    before = Snapshot(frozenset({DOC}), {}, {})
    after = Snapshot(frozenset({DOC}), {RESTORED: ("d1", 0, 10, "claim", "x")}, {})
    report = read_report(_report("undo", {f"annotation:{RESTORED}": list(STATE)}))
    with pytest.raises(AssertionError, match="neither the state reported"):
        verify(before, report, after)


def test_an_annotation_that_no_action_names_is_caught() -> None:
    before = Snapshot(frozenset({DOC}), {}, {})
    after = Snapshot(frozenset({DOC}), {RESTORED: STATE, "stray": STATE}, {})
    report = read_report(_report("undo", {f"annotation:{RESTORED}": list(STATE)}))
    with pytest.raises(AssertionError, match="annotations nobody created"):
        verify(before, report, after)
