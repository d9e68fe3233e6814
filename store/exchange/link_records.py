"""Links as records of their own, out and back in: every link, whatever its sides.

An annotation's `jsonl` record lists the links that name it, but a link between two
sentences nobody annotated names no annotation, and a reader's verdict on it (a
rejected pair above all) would be lost in a round trip. So the `jsonl` export ends
with one link record per link, in the shape `sidenote links --format jsonl` prints
(plus the link's times and matched parts), and `sidenote import-annotations` reads
both kinds of line. A line is a link record when it has the sides `a` and `b`.

Restoring keeps everything the reader decided: the link's id, its two sides exactly
(so its `pair_key` is the one `sidenote link` computes, and a rejected pair is never
suggested again), score, method, status, cluster and times. A link already here
keeps its state, unless it was only `suggested` and the file has a verdict.
"""

from __future__ import annotations

import importlib.resources
import json
import math
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

from .. import link_table
from ..db.connection import Store
from ..models import LinkMethod
from .records import ExportFilter

LINK_STATUSES = ("suggested", "confirmed", "rejected")
LINK_METHODS = tuple(m.value for m in LinkMethod)
MAX_ID_CHARS = 200
MAX_OFFSET = 2**31 - 1
MAX_SIDE_TEXT = 1_000_000

LINK_FIELDS = ("id", "score", "method", "status", "cluster", "created", "updated", "a", "b")
SIDE_FIELDS = ("doc_id", "start", "end", "text", "annotation_id", "match_start", "match_end")


def link_schema() -> dict:
    """The JSON Schema of a link record, shipped inside the package."""
    schema = importlib.resources.files("store.exchange").joinpath("link_schema.json")
    return json.loads(schema.read_text("utf-8"))


def is_link_record(record: dict) -> bool:
    """Whether a parsed line is a link record rather than an annotation."""
    return "a" in record and "b" in record and "label" not in record


# -- out ----------------------------------------------------------------------


def _side(row: dict, name: str) -> dict:
    return {
        "doc_id": row[f"{name}_doc_id"],
        "start": row[f"{name}_start"],
        "end": row[f"{name}_end"],
        "text": row[f"{name}_text"],
        "annotation_id": row[f"{name}_annotation_id"],
        "match_start": row[f"{name}_match_start"],
        "match_end": row[f"{name}_match_end"],
    }


def link_record(row: dict) -> dict:
    """A stored link (a `link_table.listed_rows` row) as a record (LINK_FIELDS)."""
    return {
        "id": row["id"],
        "score": row["score"],
        "method": row["method"],
        "status": row["status"],
        "cluster": row["cluster"],
        "created": row["created_at"],
        "updated": row["updated_at"],
        "a": _side(row, "a"),
        "b": _side(row, "b"),
    }


def link_records(store: Store, flt: ExportFilter) -> Iterator[dict]:
    """The link records an export carries: every link; with `--doc`, those touching
    the article. With `--label` none: the export is then about annotations of one kind,
    and their links travel in their records' `links`."""
    if flt.label is not None:
        return
    for row in link_table.listed_rows(store.db):
        if flt.doc_id is None or flt.doc_id in (row["a_doc_id"], row["b_doc_id"]):
            yield link_record(row)


# -- checking -----------------------------------------------------------------


class LinkRecordError(ValueError):
    """What is wrong with one link record; the caller adds the file and line."""


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_id(value: object) -> bool:
    return isinstance(value, str) and 0 < len(value) <= MAX_ID_CHARS


def check_link_record(record: dict, utc_time) -> dict:
    """A link record checked field by field; times normalised with `utc_time(name, value)`.

    Raises LinkRecordError naming the first problem.
    """
    unknown = sorted(set(record) - set(LINK_FIELDS))
    if unknown:
        raise LinkRecordError(f"unknown field {unknown[0]!r} in a link record")
    for name in ("id", "score", "status"):
        if name not in record:
            raise LinkRecordError(f"link record has no {name!r}")
    _check_link_values(record)
    checked = dict(record)
    for name in ("created", "updated"):
        if name in record:
            checked[name] = utc_time(name, record[name])
    for name in ("a", "b"):
        checked[name] = _check_side(name, record[name])
    return checked


def _check_link_values(record: dict) -> None:
    if not _is_id(record["id"]):
        raise LinkRecordError("id must be a non-empty string of at most 200 characters")
    score = record["score"]
    if not isinstance(score, (int, float)) or isinstance(score, bool) or not math.isfinite(score):
        raise LinkRecordError("score must be a number from 0 to 100")
    if not 0 <= score <= 100:
        raise LinkRecordError("score must be a number from 0 to 100")
    if record["status"] not in LINK_STATUSES:
        raise LinkRecordError("status must be suggested, confirmed or rejected")
    if "method" in record and record["method"] not in LINK_METHODS:
        raise LinkRecordError(f"method must be one of {', '.join(LINK_METHODS)}")
    cluster = record.get("cluster")
    if cluster is not None and not (isinstance(cluster, str) and len(cluster) <= MAX_ID_CHARS):
        raise LinkRecordError("cluster must be null or a short string")


def _check_side(name: str, side: object) -> dict:
    if not isinstance(side, dict):
        raise LinkRecordError(f"{name} must be an object")
    unknown = sorted(set(side) - set(SIDE_FIELDS))
    if unknown:
        raise LinkRecordError(f"{name} has an unknown field {unknown[0]!r}")
    for field in ("doc_id", "start", "end"):
        if field not in side:
            raise LinkRecordError(f"{name} has no {field!r}")
    if not _is_id(side["doc_id"]):
        raise LinkRecordError(f"{name}.doc_id must be an id")
    _check_side_offsets(name, side)
    annotation = side.get("annotation_id")
    if annotation is not None and not _is_id(annotation):
        raise LinkRecordError(f"{name}.annotation_id must be null or an id")
    text = side.get("text")
    if text is not None and (not isinstance(text, str) or len(text) > MAX_SIDE_TEXT):
        raise LinkRecordError(f"{name}.text must be a string")
    return side


def _check_side_offsets(name: str, side: dict) -> None:
    for field in ("start", "end", "match_start", "match_end"):
        value = side.get(field)
        if value is None and field.startswith("match_"):
            continue
        if not _is_int(value) or not 0 <= value <= MAX_OFFSET:
            raise LinkRecordError(f"{name}.{field} must be a whole number from 0 to {MAX_OFFSET:,}")
    if side["end"] <= side["start"]:
        raise LinkRecordError(f"{name} span {side['start']}:{side['end']} is empty or reversed")
    if (side.get("match_start") is None) != (side.get("match_end") is None):
        raise LinkRecordError(f"{name}.match_start and match_end come together")


# -- in -----------------------------------------------------------------------

Span = tuple[str, int, int]


@dataclass
class LinkOutcome:
    restored: int = 0  # stored, or a suggestion given the file's verdict
    skipped: int = 0  # a side's article or annotation is not here


def side_here(db, side: dict) -> bool:
    """Whether the article of a link side is in this database."""
    found = db.execute("SELECT 1 FROM documents WHERE id = ?", [side["doc_id"]]).fetchone()
    return found is not None


def side_problem(db, name: str, side: dict) -> str | None:
    """Why a link side on an article that is here does not fit it: its span past the
    end, or its text not what the span holds."""
    row = db.execute(
        "SELECT length(text), substr(text, ? + 1, ? - ?) FROM documents WHERE id = ?",
        [side["start"], side["end"], side["start"], side["doc_id"]],
    ).fetchone()
    if row is None:
        return None
    length, held = row
    if side["end"] > length:
        return (
            f"{name}: span {side['start']}:{side['end']} is past the end of document "
            f"{side['doc_id']} ({length} characters)"
        )
    if side.get("text") is not None and side["text"] != held:
        return (
            f"{name}: the text at {side['start']}:{side['end']} is {held!r}, not {side['text']!r}"
        )
    return None


def _annotation_here(db, annotation_id: str | None) -> bool:
    if annotation_id is None:
        return True
    found = db.execute("SELECT 1 FROM annotations WHERE id = ?", [annotation_id]).fetchone()
    return found is not None


def restore_link_records(group, records: list[dict], now: str) -> tuple[LinkOutcome, set[str]]:
    """Store the file's link records (checked, their sides fitting: `side_problem`).

    Returns what was done and the ids and pair keys handled, so the links listed in
    annotation records are not restored a second time.
    """
    from ..matching import pair_key, span_key  # numpy: only when links are imported

    outcome = LinkOutcome()
    done: set[str] = set()
    for record in records:
        a, b = record["a"], record["b"]
        key = pair_key(
            span_key(a["doc_id"], a["start"], a["end"]), span_key(b["doc_id"], b["start"], b["end"])
        )
        if record["id"] in done or key in done:
            continue
        if not all(
            side_here(group.db, side) and _annotation_here(group.db, side.get("annotation_id"))
            for side in (a, b)
        ):
            # Not here, or on another version of its article. A link naming an
            # annotation is listed in that annotation's record too, and restored
            # from there on the annotation's new place if it can be (and counted there).
            if a.get("annotation_id") is None and b.get("annotation_id") is None:
                outcome.skipped += 1
            continue
        done.update((record["id"], key))
        row = link_table.link_by_pair(group.db, key)
        if row is None:
            by_id = link_table.link_row(group.db, record["id"])
            row = by_id if by_id is not None and by_id["pair_key"] == key else None
        if row is not None:
            done.add(row["id"])
            if row["status"] == "suggested" and record["status"] != "suggested":
                group.set_state(
                    "link", row["id"], {**row, "status": record["status"], "updated_at": now}
                )
                outcome.restored += 1
            continue
        link_id = record["id"] if not link_table.link_exists(group.db, record["id"]) else None
        row = _new_row(record, key, link_id, now)
        group.set_state("link", row["id"], row)
        done.add(row["id"])
        outcome.restored += 1
    return outcome, done


def _new_row(record: dict, key: str, link_id: str | None, now: str) -> dict:
    row: dict = {"id": link_id or str(uuid.uuid4()), "pair_key": key}
    for name in ("a", "b"):
        side = record[name]
        row[f"{name}_doc_id"] = side["doc_id"]
        row[f"{name}_start"] = side["start"]
        row[f"{name}_end"] = side["end"]
        row[f"{name}_annotation_id"] = side.get("annotation_id")
        row[f"{name}_match_start"] = side.get("match_start")
        row[f"{name}_match_end"] = side.get("match_end")
    score = record["score"]
    row["score"] = score
    row["method"] = record.get("method") or ("exact" if score >= 100 else "reworded")
    row["status"] = record["status"]
    row["cluster"] = record.get("cluster") or ""
    row["created_at"] = record.get("created", now)
    row["updated_at"] = record.get("updated", now)
    return row
