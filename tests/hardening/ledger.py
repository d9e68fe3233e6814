"""Reading what a driver process reported, and holding the database to it.

A driver prints `BEGIN {...}` before each action and `OK {...}` once the store
call has returned (see driver.py). Whatever was OK before a kill must be in the
database; the one action in flight at the kill must have happened entirely or
not at all.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from .checks import Snapshot

DRIVER = Path(__file__).with_name("driver.py")


@dataclass
class Report:
    done: list[dict] = field(default_factory=list)  # OK payloads, in order
    in_flight: dict | None = None  # the BEGIN payload without its OK
    errors: list[str] = field(default_factory=list)
    opened: bool = False

    def ops(self, name: str) -> int:
        return sum(1 for payload in self.done if payload["op"] == name)


def read_report(text: str, files: dict[str, list[str]] | None = None) -> Report:
    """Parse a driver's output; `files` gives the document ids each imported file holds."""
    report = Report()
    lines = text.split("\n")
    complete = lines[:-1]  # a last line without its newline was cut by the kill
    for line in complete:
        kind, _, rest = line.partition(" ")
        if kind == "OPEN":
            report.opened = True
        elif kind == "BEGIN":
            report.in_flight = _with_file_effects(json.loads(rest), files)
        elif kind == "OK":
            payload = _with_file_effects(json.loads(rest), files)
            assert report.in_flight and report.in_flight["op"] == payload["op"], line
            report.done.append(payload)
            report.in_flight = None
        elif kind in ("ERROR", "Traceback") or line.startswith("  "):
            report.errors.append(line)
        elif kind == "DONE":
            pass
        elif line:
            report.errors.append(line)
    return report


def _with_file_effects(payload: dict, files: dict[str, list[str]] | None) -> dict:
    if "file" in payload:
        assert files is not None, "an import was reported but no file contents are known"
        # The test parsed the file itself: its documents are there afterwards, whatever
        # else the driver says the import did (a changed version replacing another).
        documents = {f"document:{d}": True for d in files[payload["file"]]}
        payload["effects"] = {**payload["effects"], **documents}
    return payload


def _normal(value: object) -> object:
    return tuple(value) if isinstance(value, list) else value


def expected_after(report: Report) -> dict[str, object]:
    """The state of every key the run touched, as its OK lines say it must be."""
    expected: dict[str, object] = {}
    for payload in report.done:
        for key, value in payload["effects"].items():
            expected[key] = _normal(value)
    return expected


def _matches(actual: object, intended: object) -> bool:
    """Equality, where "*" in an intended tuple stands for an id not known in
    advance (the annotation that accepting a link makes): any id, not None."""
    if isinstance(intended, tuple) and "*" in intended:
        return (
            isinstance(actual, tuple)
            and len(actual) == len(intended)
            and all(
                (a is not None) if i == "*" else a == i
                for a, i in zip(actual, intended, strict=True)
            )
        )
    return actual == intended


def _new_links(
    before: Snapshot,
    report: Report,
    after: Snapshot,
    expected: dict,
    in_flight: dict,
    flight: dict,
) -> set[str]:
    """New suggestions from relinking have ids nobody printed; only actions that may
    add links may leave them, and only as suggestions."""
    new_links = {
        f"link:{k}" for k in after.links if f"link:{k}" not in expected and k not in before.links
    }
    if new_links:
        assert any(p.get("adds_links") for p in [*report.done, in_flight]), (
            f"links nobody made: {sorted(new_links)[:3]}"
        )
        for key in new_links - set(flight):
            assert after.state(key)[0] == "suggested", f"{key} appeared as {after.state(key)}"
    return new_links


def _created_in_flight(
    before: Snapshot, after: Snapshot, expected: dict, in_flight: dict
) -> str | None:
    """An annotation created by the action in flight has an id nobody printed: the one
    unreported annotation, if the action could make one; none may exist otherwise. An
    annotation the action in flight names among its effects (an undo that brings a
    deleted one back, with its own id) is not unknown: `verify` holds it, with the
    action's other effects, to all or nothing."""
    unknown = [
        a
        for a in after.annotations
        if f"annotation:{a}" not in expected
        and f"annotation:{a}" not in in_flight["effects"]
        and a not in before.annotations
    ]
    if in_flight["op"] == "create":
        assert len(unknown) <= 1, f"{len(unknown)} unreported annotations after one create"
        if unknown:
            assert after.annotations[unknown[0]] == tuple(in_flight["new"]), (
                "the create in flight stored something else than asked"
            )
        return unknown[0] if unknown else None
    if in_flight.get("may_create"):
        assert len(unknown) <= 1, f"{len(unknown)} unreported annotations after one action"
        return unknown[0] if unknown else None
    assert not unknown, f"annotations nobody created: {unknown[:3]}"
    return None


def verify(before: Snapshot, report: Report, after: Snapshot) -> str:
    """Hold `after` to `before` + the run's OK lines; returns how the in-flight
    action ended ("none", "happened", "not happened"). Raises AssertionError."""
    expected = expected_after(report)
    in_flight = report.in_flight or {"op": None, "effects": {}}
    flight = {k: _normal(v) for k, v in in_flight["effects"].items()}

    def wanted(key: str) -> object:
        return expected[key] if key in expected else before.state(key)

    def attached_in_flight(key: str) -> bool:
        """An action that may add links may also record, on a side of a stored link
        that names no annotation, the annotation lying there (see store/links.py):
        in flight, nobody could print which."""
        if not in_flight.get("adds_links") or not key.startswith("link:"):
            return False
        actual, intended = after.state(key), wanted(key)
        if actual is None or intended is None or actual[0] != intended[0]:
            return False
        return all(i is None or a == i for a, i in zip(actual[1:], intended[1:], strict=True))

    new_links = _new_links(before, report, after, expected, in_flight, flight)
    created = _created_in_flight(before, after, expected, in_flight)
    keys = (set(expected) | before.keys() | after.keys()) - new_links
    for key in sorted(keys - set(flight) - {f"annotation:{created}"}):
        assert after.state(key) == wanted(key) or attached_in_flight(key), (
            f"{key}: reported {wanted(key)!r}, database has {after.state(key)!r}"
        )
    if in_flight["op"] == "create":
        return "happened" if created else "not happened"
    if not flight:
        return "none"
    landed = [_matches(after.state(k), v) for k, v in flight.items()]
    # A suggestion stored earlier in this run has no reported state to keep.
    kept = [k in new_links or after.state(k) == wanted(k) for k in flight]
    # All or nothing: every effect of the action, or none of them.
    assert all(landed) or all(kept), (
        f"{in_flight['op']} in flight: the database holds neither the state reported "
        "before it nor its whole result: " + ", ".join(f"{k}={after.state(k)!r}" for k in flight)
    )
    if in_flight.get("may_create") and created is not None:
        assert all(landed) and created in after.links[next(iter(flight))[5:]], (
            "an annotation was made but the link in flight does not name it"
        )
    return "happened" if all(landed) and not all(kept) else "not happened"
