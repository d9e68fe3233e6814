"""Annotations back into Sidenote: `sidenote import-annotations FILE.jsonl`.

Its size is one job's: a file read back all or nothing needs a check per field and per
link, the id rules and the placing of each record.

The file is our own `jsonl` export (store/exchange/annotation_schema.json; records may omit
the optional fields). The import is all or nothing: every line is checked, and the
first problem stops it with `FILE:LINE: problem`, before anything is committed.

- Idempotent by `id`: an annotation already present is left alone when identical,
  updated when the file's `updated` is newer (label, note, speaker, annotator;
  never its words or article), and kept when the database's is; a copy nobody
  edited is replaced by a fuller one whatever the times (`_fills_in`).
- An id is an opaque string, and names an annotation only with its article and
  words: a record whose id is another annotation's (other article, other words)
  refuses the file, or with `new_ids` is imported under a fresh id.
- Documents are matched by `doc_id`. The id *is* the text hash (SHA-256 of the
  normalised text, see store/documents.py), so this is also the match by text
  hash. A document not found by id may be an edited version of the article: the
  most recently imported document with the same `url` (else the same `title` and
  `source`) takes its annotations, re-anchored (store/importing/reanchor.py).
- When the matched document's text around the span is not the record's text, the
  annotation is re-anchored; what cannot be placed safely goes to `review`.
- All of it is one change group: one transaction, one `undo`.
"""

from __future__ import annotations

import codecs
import io
import json
import math
import re
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from .. import link_table
from ..annotations import annotation_row
from ..db.connection import Store, utc_now
from ..errors import InputError
from ..files.reading import open_regular
from ..history import change_group
from ..importing.reanchor import Anchor, find_other_version, place, review_record, review_row
from ..models import Document, Label, LinkMethod
from ..text import context, span_problem
from .link_records import (
    LinkRecordError,
    check_link_record,
    is_link_record,
    restore_link_records,
    side_problem,
)

MAX_LINE_CHARS = 500_000
MAX_ID_CHARS = 200
MAX_OFFSET = 2**31 - 1
MAX_LINKS = 10_000
MAX_SCORE = 100  # link scores are rapidfuzz percentages (store/matching/linking.py)
LINK_STATUSES = ("suggested", "confirmed", "rejected")
LINK_METHODS = tuple(LinkMethod)
_TIMESTAMP = re.compile(
    r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,6})?(Z|[+-][0-9]{2}:[0-9]{2})$"
)

# name -> (kind, required, max length for strings). Mirrors annotation_schema.json;
# a test checks that the two agree.
FIELDS: dict[str, tuple[str, bool, int]] = {
    "id": ("id", True, MAX_ID_CHARS),
    "doc_id": ("id", True, MAX_ID_CHARS),
    "doc_title": ("str", False, 100_000),
    "source": ("str", False, 100_000),
    "url": ("str", False, 100_000),
    "label": ("label", True, 0),
    "start": ("offset", True, 0),
    "end": ("offset", True, 0),
    "utf16_start": ("utf16", False, 0),
    "utf16_end": ("utf16", False, 0),
    "text": ("text", True, 100_000),
    "prefix": ("str", False, 1000),
    "suffix": ("str", False, 1000),
    "note": ("str", False, 100_000),
    "speaker": ("str", False, 100_000),
    "annotator": ("str", False, 100_000),
    "created": ("time", False, 0),
    "updated": ("time", False, 0),
    "links": ("links", False, 0),
    "cluster": ("cluster", False, MAX_ID_CHARS),
}


class RecordError(ValueError):
    """A problem with one record; the caller adds the file and line."""


@dataclass
class AnnotationImportReport:
    """What `import_annotations` did, by outcome, with the ids concerned."""

    file: str
    records: int = 0
    link_records: int = 0
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    kept_newer: list[str] = field(default_factory=list)  # the database's copy was newer
    reanchored: list[str] = field(default_factory=list)  # placed on a changed text
    review: list[str] = field(default_factory=list)  # could not be placed safely
    links_restored: int = 0
    links_skipped: int = 0  # the other side is not in the database
    # id in the file -> the fresh id its record was imported under (`new_ids`)
    new_ids: dict[str, str] = field(default_factory=dict)
    # Other tools' files: the same label on the same words again (one annotation),
    # and what the file holds that is not an annotation, by why ("rejected task").
    duplicates: int = 0
    skipped: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {
            "file": self.file,
            "records": self.records,
            "link_records": self.link_records,
            "added": len(self.added),
            "updated": len(self.updated),
            "unchanged": len(self.unchanged),
            "kept_newer": len(self.kept_newer),
            "reanchored": len(self.reanchored),
            "review": len(self.review),
            "links_restored": self.links_restored,
            "links_skipped": self.links_skipped,
            "new_ids": dict(self.new_ids),
            "duplicates": self.duplicates,
            "skipped": dict(self.skipped),
        }

    def summary(self) -> str:
        d = self.as_dict()
        parts = [f"{d['records']} records: {d['added']} added", f"{d['updated']} updated"]
        parts.append(f"{d['unchanged']} unchanged")
        if d["kept_newer"]:
            parts.append(f"{d['kept_newer']} kept (database copy newer)")
        if d["reanchored"]:
            parts.append(f"{d['reanchored']} re-anchored on changed text")
        if d["review"]:
            parts.append(f"{d['review']} to review (sidenote review)")
        if self.link_records:
            parts.append(f"{self.link_records} link records")
        if d["links_restored"] or d["links_skipped"]:
            parts.append(f"{d['links_restored']} links restored")
        if d["links_skipped"]:
            parts.append(f"{d['links_skipped']} links skipped (other side not in the database)")
        if self.new_ids:
            count = len(self.new_ids)
            parts.append(f"{count} given a new id{'' if count == 1 else 's'} (id already taken)")
        if self.duplicates:
            parts.append(f"{self.duplicates} listed again (same label on the same words) kept once")
        parts += [f"{count} skipped ({why})" for why, count in self.skipped.items()]
        return ", ".join(parts)


# -- reading and checking -----------------------------------------------------


def cannot_read(where: str, error: OSError) -> InputError:
    """The one-line error for a file that cannot be opened: absent, a folder,
    unreadable, or a link that leads back to itself."""
    if isinstance(error, FileNotFoundError):
        return InputError(where, "no such file")
    if isinstance(error, PermissionError):
        return InputError(where, "cannot read (permission denied)")
    reason = (error.strerror or str(error)).lower()
    return InputError(where, f"cannot read ({reason})")


_UTF8_STEP = 1 << 20


def not_utf8(path: Path) -> InputError:
    """Where a file stops being UTF-8: its line and the byte there (counted in the
    line and in the file), so the bad byte can be found in an editor or `xxd`."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    line, line_start, offset = 1, 0, 0
    with open_regular(path) as handle:
        while chunk := handle.read(_UTF8_STEP):
            pending = len(decoder.getstate()[0])
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as error:
                at = offset - pending + error.start
                before = chunk[: max(0, at - offset)]
                line += before.count(b"\n")
                if b"\n" in before:
                    line_start = offset + before.rindex(b"\n") + 1
                return InputError(
                    f"{path}:{line}",
                    f"not UTF-8 text (byte {at - line_start + 1} of the line, "
                    f"byte {at + 1} of the file)",
                )
            line += chunk.count(b"\n")
            if b"\n" in chunk:
                line_start = offset + chunk.rindex(b"\n") + 1
            offset += len(chunk)
    # Every chunk decoded: the last character is cut off at the end of the file.
    return InputError(
        f"{path}:{line}", f"not UTF-8 text (the file ends inside a character, byte {offset})"
    )


def read_lines(path: Path) -> Iterator[tuple[int, str]]:
    """(line number, line) for each non-blank line, never holding an overlong line."""
    where = str(path)
    try:
        # A regular file only: a FIFO would wait for a writer, a device never end.
        handle = io.TextIOWrapper(open_regular(path), encoding="utf-8", newline="")
    except FileNotFoundError:
        raise InputError(where, "no such file") from None
    except IsADirectoryError:
        raise InputError(where, "is a folder; give a .jsonl file") from None
    except OSError as error:
        raise cannot_read(where, error) from None
    with handle:
        number = 0
        while True:
            try:
                line = handle.readline(MAX_LINE_CHARS + 1)
            except UnicodeDecodeError:
                raise not_utf8(path) from None
            if not line:
                return
            number += 1
            if len(line) > MAX_LINE_CHARS and not line.endswith("\n"):
                raise InputError(
                    f"{where}:{number}", f"line longer than {MAX_LINE_CHARS:,} characters"
                )
            if number == 1 and line.startswith("\ufeff"):
                line = line[1:]
            if line.strip():
                yield number, line


def parse_record(line: str) -> dict:
    """One line as a checked record; raises RecordError saying what is wrong."""
    return check_record(_json_object(line))


def parse_line(line: str) -> tuple[bool, dict]:
    """One line as (is a link record, checked record); raises RecordError."""
    record = _json_object(line)
    if is_link_record(record):
        try:
            return True, check_link_record(record, _utc_time)
        except LinkRecordError as error:
            raise RecordError(str(error)) from None
    return False, check_record(record)


def check_record(record: dict) -> dict:
    """A parsed annotation record checked field by field, then its span."""
    unknown = sorted(set(record) - set(FIELDS))
    if unknown:
        raise RecordError(f"unknown field {unknown[0]!r}")
    for name, (kind, required, limit) in FIELDS.items():
        if name not in record:
            if required:
                raise RecordError(f"missing field {name!r}")
            continue
        _FIELD_CHECKS[kind](name, limit, record[name])
        if kind == "time":
            record[name] = _utc_time(name, record[name])
    _check_span(record)
    return record


def load_json(text: str) -> object:
    """JSON text as values Sidenote can hold: no NaN or Infinity, no integer of more
    than 20 digits. Every importer reads JSON through this, so a huge number is the
    same one-line error everywhere (Python's own limit, 4,300 digits, raises a plain
    ValueError). Raises ValueError (JSONDecodeError for malformed text)."""
    return json.loads(text, parse_constant=_reject_constant, parse_int=bounded_int)


def _json_object(line: str) -> dict:
    """The line as a JSON object holding only what text can hold."""
    try:
        record = load_json(line)
    except json.JSONDecodeError as error:
        raise RecordError(f"not valid JSON ({error.msg} at column {error.colno})") from None
    except RecursionError:
        raise RecordError("JSON nested too deeply") from None
    except ValueError as error:
        raise RecordError(str(error)) from None
    surrogate = _SURROGATE.search(line) and _first_surrogate(record)
    if surrogate:
        raise RecordError(f"{surrogate} holds an unpaired UTF-16 surrogate (not a character)")
    if not isinstance(record, dict):
        raise RecordError(f"expected a JSON object, found {_json_type(record)}")
    return record


def _check_span(record: dict) -> None:
    """The text is exactly the span it claims, in code points and, if given, in UTF-16."""
    start, end, text = record["start"], record["end"], record["text"]
    if end <= start:
        raise RecordError(f"span {start}:{end} is empty or reversed")
    if len(text) != end - start:
        raise RecordError(
            f"text has {len(text)} characters but span {start}:{end} has {end - start}"
        )
    if "utf16_start" in record and "utf16_end" in record:
        units = len(text.encode("utf-16-le")) // 2
        if record["utf16_end"] - record["utf16_start"] != units:
            raise RecordError(
                f"utf16_start:utf16_end ({record['utf16_start']}:{record['utf16_end']}) "
                f"does not span the text's {units} UTF-16 code units"
            )


_SURROGATE = re.compile(r"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")


def _first_surrogate(value: object, where: str = "") -> str | None:
    """The field holding a lone surrogate (JSON can spell one; text cannot hold it)."""
    if isinstance(value, str):
        return where or "a value" if any(0xD800 <= ord(c) <= 0xDFFF for c in value) else None
    if isinstance(value, dict):
        for key, item in value.items():
            found = _first_surrogate(key, where or "a field name") or _first_surrogate(
                item, f"{where}.{key}" if where else str(key)
            )
            if found:
                return found
    if isinstance(value, list):
        for i, item in enumerate(value):
            found = _first_surrogate(item, f"{where}[{i}]")
            if found:
                return found
    return None


def bounded_int(digits: str) -> int:
    """A whole number written out in a file, refused past 20 digits (no offset,
    count or score is that long)."""
    if len(digits.lstrip("-")) > 20:
        raise ValueError(f"number with {len(digits)} digits is out of range")
    return int(digits)


def _reject_constant(name: str) -> None:
    raise ValueError(f"{name} is not a number JSON allows")


def _json_type(value: object) -> str:
    return {dict: "an object", list: "an array", str: "a string", bool: "true/false"}.get(
        type(value), "null" if value is None else "a number"
    )


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _check_string(name: str, limit: int, value: object) -> None:
    if not isinstance(value, str):
        raise RecordError(f"{name} must be a string, not {_json_type(value)}")
    if len(value) > limit:
        raise RecordError(f"{name} is longer than {limit:,} characters")


def _check_nonempty_string(name: str, limit: int, value: object) -> None:
    _check_string(name, limit, value)
    if not value:
        raise RecordError(f"{name} is empty")


def _check_label(name: str, limit: int, value: object) -> None:
    if not isinstance(value, str):
        raise RecordError(f"label must be a string, not {_json_type(value)}")
    if value not in Label.__members__:
        raise RecordError(f"unknown label {value!r} (use claim, quote or proposal)")


def _check_offset(name: str, limit: int, value: object, top: int = MAX_OFFSET) -> None:
    if not _is_int(value):
        raise RecordError(f"{name} must be a whole number, not {_json_type(value)}")
    if value < 0 or value > top:
        raise RecordError(f"{name} {value} is out of range (0 to {top:,})")


def _check_utf16(name: str, limit: int, value: object) -> None:
    # A code point takes at most two UTF-16 code units.
    _check_offset(name, limit, value, top=2 * MAX_OFFSET)


def _check_time(name: str, limit: int, value: object) -> None:
    if not isinstance(value, str) or not _TIMESTAMP.match(value):
        raise RecordError(f"{name} must be an ISO 8601 UTC time like 2025-05-13T09:30:00.000Z")


def _check_cluster(name: str, limit: int, value: object) -> None:
    if value is not None and (not isinstance(value, str) or len(value) > limit):
        raise RecordError("cluster must be null or a short string")


def _check_links_field(name: str, limit: int, value: object) -> None:
    _check_links(value)


# The check for each kind of field in FIELDS: (name, limit, value), raising RecordError.
_FIELD_CHECKS: dict[str, Callable[[str, int, object], None]] = {
    "str": _check_string,
    "text": _check_nonempty_string,
    "id": _check_nonempty_string,
    "label": _check_label,
    "offset": _check_offset,
    "utf16": _check_utf16,
    "time": _check_time,
    "cluster": _check_cluster,
    "links": _check_links_field,
}


def _utc_time(name: str, value: str) -> str:
    """A checked time as stored: UTC with milliseconds, like `utc_now`, so times
    from files sort as text among ours. The pattern alone lets month 13 or hour 99
    through; a time must be a real instant."""
    try:
        instant = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise RecordError(f"{name} {value!r} is not a real date and time") from None
    try:
        utc = instant.astimezone(UTC)
    except OverflowError:
        raise RecordError(f"{name} {value!r} is outside the years 1 to 9999 in UTC") from None
    return utc.isoformat(timespec="milliseconds").replace("+00:00", "Z")


_LINK_FIELDS = {"link_id", "annotation_id", "doc_id", "start", "end", "score", "method", "status"}


def _check_links(value: object) -> None:
    if not isinstance(value, list):
        raise RecordError(f"links must be an array, not {_json_type(value)}")
    if len(value) > MAX_LINKS:
        raise RecordError(f"more than {MAX_LINKS:,} links")
    for i, link in enumerate(value):
        _check_link_fields(i, link)
        _check_link_span(i, link)
        _check_link_values(i, link)


def _check_link_fields(i: int, link: object) -> None:
    """An object with the fields a link needs and no others."""
    if not isinstance(link, dict):
        raise RecordError(f"links[{i}] must be an object")
    missing = {"annotation_id", "doc_id", "score", "status"} - set(link)
    if missing:
        raise RecordError(f"links[{i}] has no {sorted(missing)[0]!r}")
    extra = set(link) - _LINK_FIELDS
    if extra:
        raise RecordError(f"links[{i}] has an unknown field {sorted(extra)[0]!r}")


def _check_link_span(i: int, link: dict) -> None:
    """The other side's span, when given: in range and not empty."""
    for name in ("start", "end"):
        if name in link and (not _is_int(link[name]) or not 0 <= link[name] <= MAX_OFFSET):
            raise RecordError(f"links[{i}].{name} must be a whole number from 0 to {MAX_OFFSET:,}")
    if "start" in link and "end" in link and link["end"] <= link["start"]:
        raise RecordError(f"links[{i}] span {link['start']}:{link['end']} is empty or reversed")


def _is_id(value: object) -> bool:
    return isinstance(value, str) and 0 < len(value) <= MAX_ID_CHARS


def _check_link_values(i: int, link: dict) -> None:
    if "method" in link and (
        not isinstance(link["method"], str) or link["method"] not in LINK_METHODS
    ):
        raise RecordError(f"links[{i}].method must be one of {', '.join(LINK_METHODS)}")
    if "link_id" in link and not _is_id(link["link_id"]):
        raise RecordError(f"links[{i}].link_id must be an id")
    if link["annotation_id"] is not None and not _is_id(link["annotation_id"]):
        raise RecordError(f"links[{i}].annotation_id must be null or an id")
    if not _is_id(link["doc_id"]):
        raise RecordError(f"links[{i}].doc_id must be an id")
    score = link["score"]
    if (
        not isinstance(score, (int, float))
        or isinstance(score, bool)
        or not math.isfinite(score)
        or not 0 <= score <= MAX_SCORE
    ):
        raise RecordError(f"links[{i}].score must be a number from 0 to {MAX_SCORE}")
    if not isinstance(link["status"], str) or link["status"] not in LINK_STATUSES:
        raise RecordError(f"links[{i}].status must be suggested, confirmed or rejected")


# -- finding the document -----------------------------------------------------


class DocumentFinder:
    """Which stored document a record belongs on, remembered per `doc_id`."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._cache: dict[str, tuple[Document | None, bool]] = {}

    def find(self, record: dict) -> tuple[Document | None, bool]:
        """(document, matched by id). None when no stored document fits."""
        doc_id = record["doc_id"]
        if doc_id not in self._cache:
            self._cache[doc_id] = self._lookup(record)
        return self._cache[doc_id]

    def _lookup(self, record: dict) -> tuple[Document | None, bool]:
        rows = list(self.store.db.query("SELECT * FROM documents WHERE id = ?", [record["doc_id"]]))
        if rows:
            return Document(**rows[0]), True
        other = find_other_version(
            self.store,
            url=record.get("url", ""),
            title=record.get("doc_title", ""),
            source=record.get("source", ""),
        )
        return other, False


# -- importing ----------------------------------------------------------------


def _unchanged_text(document: Document, record: dict) -> bool:
    """The record's span still holds its text, with the same surroundings."""
    start, end = record["start"], record["end"]
    if document.text[start:end] != record["text"] or span_problem(document.text, start, end):
        return False
    if "prefix" in record or "suffix" in record:
        prefix, suffix = context(document.text, start, end)
        return record.get("prefix", prefix) == prefix and record.get("suffix", suffix) == suffix
    return True


def _row_from_record(record: dict, document: Document, start: int, end: int) -> dict:
    return annotation_row(
        document.text,
        document.id,
        start,
        end,
        record["label"],
        note=record.get("note", ""),
        speaker=record.get("speaker", ""),
        annotator=record.get("annotator", ""),
        annotation_id=record["id"],
        created_at=record.get("created"),
        updated_at=record.get("updated"),
    )


def import_annotations(
    store: Store, path: str | Path, *, new_ids: bool = False
) -> AnnotationImportReport:
    """Import a `jsonl` export, all or nothing (see the module docstring).

    A record whose id belongs to another annotation (see `_conflict`) stops the
    import, unless `new_ids`: then it is imported under a fresh id, listed in
    `report.new_ids`, and the file's links to it follow it.
    """
    path = Path(path)
    report = AnnotationImportReport(str(path))
    finder = DocumentFinder(store)
    seen: set[str] = set()
    pending_links: list[tuple[str, dict, str]] = []
    link_lines: list[tuple[str, dict]] = []
    with change_group(store, f"import annotations from {path.name}") as group:
        for number, line in read_lines(path):
            where = f"{path}:{number}"
            try:
                is_link, record = parse_line(line)
            except RecordError as error:
                raise InputError(where, str(error)) from None
            if is_link:
                link_lines.append((where, record))
                continue
            if record["id"] in seen:
                raise InputError(
                    where, f"duplicate id {record['id']!r} (already on an earlier line)"
                )
            seen.add(record["id"])
            listed = report.duplicates
            annotation_id = _import_one(group, finder, record, where, report, new_ids)
            report.records += report.duplicates == listed
            for entry in record.get("links", ()):
                pending_links.append((annotation_id, entry, record.get("cluster") or ""))
        if report.records == 0 and not report.duplicates and not link_lines:
            raise InputError(str(path), "no annotations in this file")
        done = _restore_link_lines(group, link_lines, report)
        _restore_links(group, _follow_new_ids(pending_links, report.new_ids), report, done)
    return report


def _restore_link_lines(
    group, link_lines: list[tuple[str, dict]], report: AnnotationImportReport
) -> set[str]:
    """The file's link records, once every annotation of the file is in: each side
    must be on an article here and hold its text, or the file is refused."""
    for where, record in link_lines:
        for name in ("a", "b"):
            problem = side_problem(group.db, name, record[name])
            if problem:
                raise InputError(where, problem)
    outcome, done = restore_link_records(group, [r for _, r in link_lines], utc_now())
    report.link_records = len(link_lines)
    report.links_restored += outcome.restored
    report.links_skipped += outcome.skipped
    return done


def _follow_new_ids(
    pending: list[tuple[str, dict, str]], renamed: dict[str, str]
) -> list[tuple[str, dict, str]]:
    """Links as the file meant them: an entry naming a record of this file that got
    a fresh id names that id. (A record's own id is the fresh one already.)"""
    followed = []
    for owner, entry, cluster in pending:
        other = entry["annotation_id"]
        if other in renamed:
            entry = {**entry, "annotation_id": renamed[other]}
        followed.append((owner, entry, cluster))
    return followed


def _import_one(
    group,
    finder: DocumentFinder,
    record: dict,
    where: str,
    report: AnnotationImportReport,
    new_ids: bool,
) -> str:
    """Store one record; returns the id it is stored (or waits for review) under."""
    document, by_id = _document_for(finder, record, where)
    annotation_id = record["id"]
    existing = list(group.db.query("SELECT * FROM annotations WHERE id = ?", [annotation_id]))
    reviewed = group.db.execute(
        "SELECT resolved_at, doc_id, record FROM review WHERE id = ?", [annotation_id]
    ).fetchone()
    if not existing and reviewed is None and by_id:
        same = _same_span(group.db, record, document)
        if same is not None:
            # The same label on the same words is one annotation, whatever id a copy
            # of it carries (the reader says "already a claim" when tagged twice):
            # kept once, and the record's links attach to it.
            report.duplicates += 1
            return same
    taken = _conflict(group.db, record, document, existing[0] if existing else None, reviewed)
    if taken is not None:
        if not new_ids:
            _refuse_misplaced(where, record, document, existing)
            raise InputError(
                where,
                f"id {annotation_id!r} is already used by another annotation ({taken}); "
                "nothing imported (--new-ids imports such records under fresh ids)",
            )
        fresh = str(uuid.uuid4())
        report.new_ids[annotation_id] = fresh
        record = {**record, "id": fresh}
        annotation_id, existing, reviewed = fresh, [], None
    if existing:
        _update_one(group, record, existing[0], report)
        return annotation_id
    if reviewed is not None:
        # Already in the review list, or a person discarded it there: their
        # decision stands; importing the same file again must not undo it.
        (report.review if reviewed[0] is None else report.unchanged).append(annotation_id)
        return annotation_id
    reanchored = not (by_id and _unchanged_text(document, record))
    if reanchored:
        anchor = _anchor(record)
        placement = place(anchor, document.text)
        if not placement.placed:
            group.set_state(
                "review", annotation_id, review_row(review_record(record), document.id, placement)
            )
            report.review.append(annotation_id)
            return annotation_id
        start, end = placement.start, placement.end
    else:
        start, end = record["start"], record["end"]
    row = _row_from_record(record, document, start, end)
    group.set_state("annotation", annotation_id, row)
    report.added.append(annotation_id)
    if reanchored:
        report.reanchored.append(annotation_id)
    return annotation_id


def _document_for(finder: DocumentFinder, record: dict, where: str) -> tuple[Document, bool]:
    """The article the record goes on, and whether it was found by id."""
    document, by_id = finder.find(record)
    if document is None:
        raise InputError(
            where,
            f"document {record['doc_id']} is not in the database (import the article first)",
        )
    if by_id and record["end"] > len(document.text):
        raise InputError(
            where,
            f"span {record['start']}:{record['end']} is past the end of document "
            f"{document.id} ({len(document.text)} characters)",
        )
    return document, by_id


def _same_span(db, record: dict, document: Document) -> str | None:
    """The annotation already on the record's words with its label, when the
    record's span holds its text in this article."""
    start, end = record["start"], record["end"]
    if document.text[start:end] != record["text"]:
        return None
    row = db.execute(
        'SELECT id FROM annotations WHERE doc_id = ? AND start = ? AND "end" = ? AND label = ? '
        "ORDER BY created_at, id LIMIT 1",
        [document.id, start, end, record["label"]],
    ).fetchone()
    return None if row is None else row[0]


def _refuse_misplaced(where: str, record: dict, document: Document, existing: list) -> None:
    """Refuse a record that names this annotation of this article but whose offsets
    do not hold its text (shifted by hand): that is the problem to name, not the id."""
    if not existing:
        return
    held = document.text[record["start"] : record["end"]]
    here = existing[0]
    if record["doc_id"] == here["doc_id"] == document.id and held != record["text"]:
        raise InputError(
            where,
            f"span {record['start']}:{record['end']} holds {_quote(held)}, not "
            f"{_quote(record['text'])}: the text does not match the article "
            f"(annotation {record['id']!r} is at {here['start']}:{here['end']})",
        )


def _anchor(record: dict) -> Anchor:
    return Anchor(
        record["start"],
        record["end"],
        record["text"],
        record.get("prefix", ""),
        record.get("suffix", ""),
    )


# What a person may change on an annotation; its words and article never change
# (a new version of the article moves it, through store/importing/versions.py).
_EDITABLE = {"label": "label", "note": "note", "speaker": "speaker", "annotator": "annotator"}


def _update_one(group, record: dict, existing: dict, report: AnnotationImportReport) -> None:
    """The file's copy of an annotation that is here: newer edits replace the
    label, note, speaker and annotator; the span and article stay as they are, so
    its links stay valid. A field the record omits is left alone."""
    annotation_id = existing["id"]
    if _fills_in(record, existing):
        row = dict(existing)
        for name, column in _EDITABLE.items():
            if record.get(name):
                row[column] = record[name]
        row["created_at"] = record.get("created", existing["created_at"])
        row["updated_at"] = record.get("updated", existing["updated_at"])
        group.set_state("annotation", annotation_id, row)
        report.updated.append(annotation_id)
        return
    if not _is_newer(record.get("updated"), existing["updated_at"]):
        same = existing["updated_at"] == record.get("updated", existing["updated_at"])
        (report.unchanged if same else report.kept_newer).append(annotation_id)
        return
    row = dict(existing)
    for name, column in _EDITABLE.items():
        if name in record:
            row[column] = record[name]
    row["updated_at"] = record["updated"]
    group.set_state("annotation", annotation_id, row)
    report.updated.append(annotation_id)


def _fills_in(record: dict, existing: dict) -> bool:
    """Whether the file's copy replaces the database's whatever their times: the
    database's was never edited (its `updated` is its `created`: made by an import
    of a file that carries no notes or times, such as `documents` or doccano, or
    made and never changed) and the file's holds everything it holds (the same
    label; the same note, speaker and annotator where it has one) and more. Nothing
    a person wrote is lost that way, and the fuller copy keeps its own times."""
    if existing["created_at"] != existing["updated_at"] or record["label"] != existing["label"]:
        return False
    more = False
    for name in ("note", "speaker", "annotator"):
        ours, theirs = existing[name] or "", record.get(name) or ""
        if ours and ours != theirs:
            return False
        more = more or (bool(theirs) and not ours)
    return more


_Key = tuple[str, int, int, str]


def _key(state: dict) -> _Key:
    """What makes an annotation itself: its article and its words there."""
    return state["doc_id"], state["start"], state["end"], state["text"]


def _conflict(
    db, record: dict, document: Document, existing: dict | None, reviewed: tuple | None
) -> str | None:
    """Why the record's id belongs to another annotation, or None when it is free
    or names this very annotation.

    Ids are opaque strings from anywhere ("1" from another tool is common), so an
    id alone never says which annotation a record is. The record is this
    annotation when it has the same article and words as the annotation has, or
    had (the event log keeps every state, so an export from before a new version
    of the article moved it still matches; the review list keeps the record a
    person then placed by hand), or when it was written against another
    version of this annotation's article and re-anchors exactly onto it. A label,
    note or speaker may differ: that is an edit.
    """
    wanted = _key(record)
    waiting = json.loads(reviewed[2]) if reviewed is not None else None
    if existing is not None:
        if wanted == _key(existing) or wanted in _known_keys(db, existing["id"]):
            return None
        if waiting is not None and wanted == _key(waiting):
            return None  # placed by a person from the review list, maybe elsewhere
        if (
            document.id == existing["doc_id"]
            and record["doc_id"] != existing["doc_id"]
            and _places_on(record, document, existing)
        ):
            return None
        return f"{existing['label']} {_quote(existing['text'])} on document {existing['doc_id']}"
    if reviewed is not None and waiting is not None:
        if wanted == _key(waiting) or (
            document.id == reviewed[1] and record["text"] == waiting["text"]
        ):
            return None
        state = "discarded in" if reviewed[0] is not None else "waiting in"
        return f"{_quote(waiting['text'])} {state} the review list for document {reviewed[1]}"
    return None


def _known_keys(db, annotation_id: str) -> set[_Key]:
    """Every article and span this annotation has had, from the event log."""
    keys: set[_Key] = set()
    for before, after in db.execute(
        "SELECT before, after FROM events WHERE entity = 'annotation' AND entity_id = ?",
        [annotation_id],
    ):
        for state in (before, after):
            if state is not None:
                keys.add(_key(json.loads(state)))
    return keys


def _places_on(record: dict, document: Document, existing: dict) -> bool:
    placement = place(_anchor(record), document.text)
    return placement.placed and (placement.start, placement.end) == (
        existing["start"],
        existing["end"],
    )


def _quote(text: str, width: int = 40) -> str:
    shown = text if len(text) <= width else text[: width - 1] + "…"
    return repr(shown)


def _is_newer(candidate: str | None, current: str) -> bool:
    """Whether the file's `updated` time is later than the database's."""
    if candidate is None:
        return False
    try:
        return _instant(candidate) > _instant(current)
    except ValueError:
        return candidate > current


def _instant(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


# -- links --------------------------------------------------------------------

Span = tuple[str, int, int]


def _annotation_span(db, annotation_id: str) -> Span | None:
    row = db.execute(
        'SELECT doc_id, start, "end" FROM annotations WHERE id = ?', [annotation_id]
    ).fetchone()
    return None if row is None else (row[0], row[1], row[2])


def _given_span(entry: dict) -> Span | None:
    """The other side's span as the file gives it (older files may not)."""
    if "start" not in entry or "end" not in entry:
        return None
    return entry["doc_id"], entry["start"], entry["end"]


def _link_side(db, given: Span | None, annotation: Span) -> Span:
    """The span a link side had when exported, if it still fits here: on the
    annotation's document, within its text, and holding the annotation (a side is
    never shorter than the annotation it names, but may be longer: accepting a
    trimmed match tags only the matched part of the other sentence). Else the
    annotation's own span (it moved to another version, or the file does not say)."""
    if given is None or given[0] != annotation[0]:
        return annotation
    length = db.execute("SELECT length(text) FROM documents WHERE id = ?", [given[0]]).fetchone()
    if length is None or given[2] > length[0]:
        return annotation
    if not given[1] <= annotation[1] < annotation[2] <= given[2]:
        return annotation
    return given


def _other_side(db, entry: dict) -> tuple[Span, str | None] | None:
    """The other side of an exported link as it is in this database, if it is there."""
    given = _given_span(entry)
    other = entry["annotation_id"]
    if other is not None:
        annotation = _annotation_span(db, other)
        return None if annotation is None else (_link_side(db, given, annotation), other)
    if given is None:
        return None
    row = db.execute("SELECT length(text) FROM documents WHERE id = ?", [given[0]]).fetchone()
    if row is None or given[2] > row[0]:
        return None
    return given, None


def _existing_link(
    db, link_id: str | None, key: str, annotation_id: str, other: Span
) -> dict | None:
    """The stored link this entry describes: the same id, else the same pair of
    sides. A file from before links carried their id may also name a link whose
    side here is longer than the annotation: the link from this annotation to the
    same span of the other document."""
    if link_id is not None:
        row = link_table.link_row(db, link_id)
        # A link id from a file is only a claim: the link it names here must be
        # this annotation's, or it is someone else's link with the same id.
        if row is not None and _link_is_this(row, key, annotation_id):
            return row
    row = link_table.link_by_pair(db, key)
    if row is not None:
        return row
    if link_id is None:
        return link_table.link_from_annotation(db, annotation_id, other)
    return None


def _link_is_this(row: dict, key: str, annotation_id: str) -> bool:
    return row["pair_key"] == key or annotation_id in (
        row["a_annotation_id"],
        row["b_annotation_id"],
    )


def _free_link_id(db, link_id: str | None) -> str:
    """The file's link id, unless a link here has it already (then a fresh one)."""
    if link_id is not None and not link_table.link_exists(db, link_id):
        return link_id
    return str(uuid.uuid4())


def _restore_links(
    group,
    pending: list[tuple[str, dict, str]],
    report: AnnotationImportReport,
    done: set[str] | None = None,
) -> None:
    """Links between annotations that are both here now (each is listed from both sides).

    A link is known by its id (`link_id`) and by its pair of sides (`pair_key`, as
    store.matching.linking builds it). Its sides are the link's own spans, which may be
    longer than the annotations they name: the other side's span is in the entry,
    this side's in the entry the other annotation's record has for the same link.
    Neither the same id nor the same pair is ever stored twice. A link already in
    the database is kept, except that a reader's decision (confirmed, rejected) in
    the file replaces a mere suggestion.
    """
    # Imported here: store.matching.linking brings numpy, which most commands never need.
    from ..matching.linking import pair_key, span_key

    # (link id, listed under, other annotation) -> the other annotation's side.
    sides: dict[tuple[str | None, str, str], Span] = {}
    for owner, entry, _ in pending:
        given = _given_span(entry)
        if entry["annotation_id"] is not None and given is not None:
            sides[(entry.get("link_id"), owner, entry["annotation_id"])] = given
    done = set(done or ())  # ids and pair keys a link record has restored already
    for annotation_id, entry, cluster in pending:
        annotation = _annotation_span(group.db, annotation_id)
        found = _other_side(group.db, entry)
        if annotation is None or found is None or found[0][0] == annotation[0]:
            report.links_skipped += 1
            continue
        other, other_annotation = found
        link_id = entry.get("link_id")
        given = sides.get((link_id, other_annotation, annotation_id)) if other_annotation else None
        mine = _link_side(group.db, given, annotation)
        key = pair_key(span_key(*mine), span_key(*other))
        if key in done or link_id in done:
            continue
        done.update(k for k in (key, link_id) if k is not None)
        row = _existing_link(group.db, link_id, key, annotation_id, other)
        if row is not None:
            done.add(row["id"])
            if row["status"] == "suggested" and entry["status"] != "suggested":
                group.set_state(
                    "link", row["id"], {**row, "status": entry["status"], "updated_at": utc_now()}
                )
                report.links_restored += 1
            continue
        now = utc_now()
        a, b = sorted(
            [(mine, annotation_id), (other, other_annotation)], key=lambda s: span_key(*s[0])
        )
        row = {
            "id": _free_link_id(group.db, link_id),
            "pair_key": key,
            **{
                f"a_{name}": value for name, value in zip(_SIDE_COLUMNS, (*a[0], a[1]), strict=True)
            },
            **{
                f"b_{name}": value for name, value in zip(_SIDE_COLUMNS, (*b[0], b[1]), strict=True)
            },
            "a_match_start": None,
            "a_match_end": None,
            "b_match_start": None,
            "b_match_end": None,
            "score": entry["score"],
            "method": entry.get("method") or ("exact" if entry["score"] >= 100 else "reworded"),
            "status": entry["status"],
            "cluster": cluster if entry["status"] != "rejected" else "",
            "created_at": now,
            "updated_at": now,
        }
        group.set_state("link", row["id"], row)
        report.links_restored += 1


_SIDE_COLUMNS = ("doc_id", "start", "end", "annotation_id")
