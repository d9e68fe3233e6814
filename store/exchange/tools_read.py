"""Annotations back from other tools: `sidenote import-annotations --from TOOL FILE`.

Each reader turns a tool's file (or brat folder) into articles and spans; one import
then stores them like our own `jsonl` (store/exchange/read.py), in one change group:

- Articles are matched by their text (the id is the hash of the normalised text);
  one not in the database is imported, with the title the file gives, its text kept
  exactly as the tool had it, so the tool's offsets stay valid.
- Offsets are converted from the tool's unit (`--offsets`, else the tool's default,
  store/exchange/tools_write.py DEFAULT_UNITS); every span must fall on character
  boundaries and hold the text the file states, or the whole file is refused with
  `FILE:LINE` (or `FILE:ANN_ID` where the tool names its annotations).
- Labels other than claim, quote and proposal are mapped (`--map ORG=claim`) or
  refused by name.
- A span keeps the id the tool carried (Label Studio, Prodigy, W3C, documents);
  else it is the annotation already on the same words, or gets an id derived from
  its article and span, so importing the same file twice changes nothing.
"""

from __future__ import annotations

import json
import os
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote

from ..db.connection import Store
from ..documents import NewDocument, add_document, document_id
from ..errors import InputError
from ..files.reading import open_regular, read_bounded
from ..history import change_group
from ..importing.pages import derived_title, surrogate_problem
from ..importing.reanchor import Anchor, place
from ..models import Label
from ..text import context, is_grapheme_boundary
from .offsets import Offsets, check_unit
from .read import (
    AnnotationImportReport,
    DocumentFinder,
    RecordError,
    _import_one,
    bounded_int,
    cannot_read,
    check_record,
    load_json,
    not_utf8,
    read_lines,
)
from .tools_write import DEFAULT_UNITS
from .write import ANNOTATION_IRI_PREFIX, DOC_IRI_PREFIX

TOOLS = ("doccano", "label-studio", "prodigy", "brat", "w3c", "documents", "sidenote")
_SPAN_IDS = uuid.UUID("5b1d7c1e-9a57-4c39-9a43-5c0a1f2e7d11")  # namespace of derived ids


@dataclass
class ToolArticle:
    where: str
    text: str | None  # None: the tool does not carry it (W3C): the article must be here
    title: str = ""
    source: str = ""
    url: str = ""
    doc_id: str = ""  # Sidenote's id when the file names it


@dataclass
class ToolSpan:
    where: str
    article: ToolArticle
    start: int  # in the tool's unit
    end: int
    label: str
    text: str | None = None
    id: str | None = None
    extra: dict = field(default_factory=dict)  # note, speaker, annotator, created, updated


@dataclass
class Skipped:
    """Something in the file that is not an annotation to import, counted by why:
    a task the annotator rejected, an annotation cancelled, a kind of result we do
    not read (`unsupported`: the file is refused when that is all it holds)."""

    where: str
    why: str
    unsupported: str = ""


# -- readers ------------------------------------------------------------------


def _json_lines(path: Path) -> Iterator[tuple[str, dict]]:
    for number, line in read_lines(path):
        where = f"{path}:{number}"
        try:
            value = load_json(line)
        except RecursionError:
            raise InputError(where, "JSON nested too deeply") from None
        except ValueError as error:
            raise InputError(where, _json_problem(error)) from None
        if not isinstance(value, dict):
            raise InputError(where, "expected a JSON object")
        yield where, value


def _json_problem(error: ValueError) -> str:
    """What is wrong with JSON `load_json` refused: malformed, or a value we cannot hold."""
    if isinstance(error, json.JSONDecodeError):
        return f"not valid JSON ({error.msg})"
    return str(error)


def _string(where: str, value: object, name: str) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise InputError(where, f"{name} must be a string")
    return value


def _int(where: str, value: object, name: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise InputError(where, f"{name} must be a whole number, not {value!r}")
    if value < 0:
        raise InputError(where, f"{name} must not be negative, not {value}")
    return value


# What each line-based reader takes, said when a file of another shape is given.
_EXPECTED = {
    "doccano": "a doccano line ('text' with 'label' [start, end, label] or 'entities')",
    "prodigy": "a Prodigy task ('text' with 'spans')",
    "documents": "a Sidenote documents line ('id' of the article, 'text', 'spans')",
}


def _shape(record: dict) -> tuple[str, str] | None:
    """(tool, description) of a JSON line whose keys say which file it comes from,
    or None when they do not (a line with only 'text' fits every tool)."""
    spans = record.get("spans")
    text = record.get("text")
    if isinstance(record.get("data"), dict):
        return "label-studio", "a Label Studio task ('data', 'annotations')"
    if "target" in record:
        return "w3c", "a W3C Web Annotation ('target', 'body')"
    if "a" in record and "b" in record:
        return "sidenote", "a Sidenote link line ('a', 'b')"
    if {"doc_id", "start", "end"} <= set(record):
        return "sidenote", "a Sidenote jsonl annotation ('doc_id', 'start', 'end')"
    if isinstance(spans, list):
        if isinstance(text, str) and text and record.get("id") == document_id(text):
            # Only our documents export names a line by the hash of its text.
            return "documents", "a Sidenote documents line ('id' of the article, 'spans')"
        prodigy = ("meta", "answer", "_task_hash", "_input_hash")
        if any(k in record for k in prodigy) or any(
            isinstance(span, dict) and "text" in span for span in spans
        ):
            return "prodigy", "a Prodigy task ('text', 'spans', 'meta')"
        return None  # spans alone: either tool's
    if any(isinstance(record.get(k), list) for k in ("label", "labels", "entities")):
        return "doccano", "a doccano line ('text', 'label')"
    return None


def _same_tool(where: str, record: dict, tool: str) -> None:
    """Refuse a line of another tool's file (given with the wrong --from) by what it
    looks like: read as this tool's, it would hold no spans, or the wrong ones."""
    shape = _shape(record)
    if shape is not None and shape[0] != tool:
        raise InputError(
            where,
            f"expected {_EXPECTED[tool]}; this looks like {shape[1]} (--from {shape[0]})",
        )


def _article(where: str, record: dict, meta: dict | None = None) -> ToolArticle:
    meta = meta if isinstance(meta, dict) else {}
    text = record.get("text")
    if not isinstance(text, str) or not text:
        raise InputError(where, "no 'text' (the article)")

    def pick(name: str) -> str:
        return _string(where, record.get(name, meta.get(name)), name)

    return ToolArticle(where, text, pick("title"), pick("source"), pick("url"), pick("doc_id"))


_DETAILS = ("note", "speaker", "annotator", "created", "updated")
_CONTENT = ("note", "speaker", "annotator")


def _whole_copy(extra: dict) -> dict:
    """A copy that states when it was last changed states all it held then: a note,
    speaker or annotator it leaves out was empty (Sidenote's exports left empty ones
    out before they wrote them). Read as empty, never as "keep yours", so a later
    copy whose note was cleared clears it here too instead of only moving the time."""
    if extra.get("updated"):
        for name in _CONTENT:
            extra.setdefault(name, "")
    return extra


def _details(where: str, source: dict) -> dict:
    """A span's note, speaker, annotator and times as a tool file carries them."""
    return _whole_copy({k: _string(where, source[k], k) for k in _DETAILS if source.get(k)})


def _span_details(where: str, record: dict) -> dict[tuple, tuple[str | None, dict, str | None]]:
    """The `sidenote` key our doccano export adds (doccano keeps it as metadata and
    exports it again): each span's id, details and text by its [start, end, label].
    A span changed in doccano no longer matches its entry and comes back without them."""
    entries = record.get("sidenote") or []
    meta = record.get("meta")
    if not entries and isinstance(meta, dict):
        entries = meta.get("sidenote") or []
    if not isinstance(entries, list):
        raise InputError(where, "'sidenote' must be a list of span details")
    details = {}
    for entry in entries:
        span = entry.get("span") if isinstance(entry, dict) else None
        if not (isinstance(span, list) and len(span) == 3):
            raise InputError(where, "each 'sidenote' entry needs 'span': [start, end, label]")
        found = _details(where, entry)
        raw_id = entry.get("id")
        text = entry.get("text")
        key = _span_key(span)
        if key is not None:
            details[key] = (
                None if raw_id is None else str(raw_id),
                found,
                text if isinstance(text, str) else None,
            )
    return details


def _span_key(values: list) -> tuple | None:
    """[start, end, label] as a key, or None when it is not numbers and a name (the
    span itself is then refused where it is read)."""
    ok = all(isinstance(v, int | str) and not isinstance(v, bool) for v in values)
    return tuple(values) if ok else None


def read_doccano(path: Path) -> Iterator[ToolSpan | Skipped]:
    """doccano JSONL: `label` (or `labels`) as [start, end, label] triples, or
    `entities` as objects with start_offset / end_offset / label; ids, notes,
    speakers, annotators and times from the `sidenote` key when it names the span."""
    for where, record in _json_lines(path):
        _same_tool(where, record, "doccano")
        article = _article(where, record, record.get("meta"))
        details = _span_details(where, record)
        triples = record.get("label", record.get("labels", []))
        if not isinstance(triples, list):
            raise InputError(where, "'label' must be a list of [start, end, label]")
        spans = []
        for triple in triples:
            if not (isinstance(triple, list) and len(triple) == 3):
                raise InputError(where, f"label {triple!r} is not [start, end, label]")
            spans.append(triple)
        for entity in record.get("entities", []):
            spans.append(
                [entity.get("start_offset"), entity.get("end_offset"), entity.get("label")]
            )
        for start, end, label in spans:
            span_id, extra, text = details.get(_span_key([start, end, label]), (None, {}, None))
            yield ToolSpan(
                where,
                article,
                _int(where, start, "start"),
                _int(where, end, "end"),
                _string(where, label, "label"),
                text,
                id=span_id,
                extra=dict(extra),
            )


def read_prodigy(path: Path) -> Iterator[ToolSpan | Skipped]:
    """Prodigy JSONL; a task answered `reject` or `ignore` holds no annotation."""
    for where, record in _json_lines(path):
        if record.get("answer") in ("reject", "ignore"):
            yield Skipped(where, f"Prodigy task answered {record['answer']!r}")
            continue
        _same_tool(where, record, "prodigy")
        article = _article(where, record, record.get("meta"))
        for span in record.get("spans") or []:
            if not isinstance(span, dict):
                raise InputError(where, "each span must be an object")
            extra = _details(where, span)
            yield ToolSpan(
                where,
                article,
                _int(where, span.get("start"), "start"),
                _int(where, span.get("end"), "end"),
                _string(where, span.get("label"), "label"),
                span.get("text") if isinstance(span.get("text"), str) else None,
                str(span["id"]) if span.get("id") is not None else None,
                extra,
            )


def read_documents(path: Path) -> Iterator[ToolSpan | Skipped]:
    for where, record in _json_lines(path):
        _same_tool(where, record, "documents")
        article = _article(where, record)
        article.doc_id = _string(where, record.get("id"), "id")
        for span in record.get("spans") or []:
            if not isinstance(span, dict):
                raise InputError(where, "each span must be an object")
            yield ToolSpan(
                where,
                article,
                _int(where, span.get("start"), "start"),
                _int(where, span.get("end"), "end"),
                _string(where, span.get("label"), "label"),
                id=str(span["id"]) if span.get("id") is not None else None,
            )


MAX_JSON_BYTES = 1 << 30


def _load_json(path: Path) -> object:
    """A whole JSON file (Label Studio writes one array, often on one line)."""
    try:
        with open_regular(path) as handle:
            data = handle.read(MAX_JSON_BYTES + 1)
    except OSError as error:
        raise cannot_read(str(path), error) from None
    if len(data) > MAX_JSON_BYTES:
        raise InputError(str(path), "larger than 1 GB")
    try:
        return load_json(data.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise not_utf8(path) from None
    except json.JSONDecodeError as error:
        raise InputError(f"{path}:{error.lineno}", f"not valid JSON ({error.msg})") from None
    except RecursionError:
        raise InputError(str(path), "JSON nested too deeply") from None
    except ValueError as error:
        raise InputError(str(path), str(error)) from None


def _task_regions(
    where: str, task: dict
) -> tuple[list[tuple[str, dict]], dict[str, dict], list[Skipped]]:
    """A task's `labels` results with their region ids, in order (an id may repeat:
    the import refuses one naming two spans), its regions' speaker and note, and
    what is skipped: cancelled annotations, results of a type we do not read."""
    regions: list[tuple[str, dict]] = []
    extras: dict[str, dict] = {}
    skipped: list[Skipped] = []
    for annotation in task.get("annotations") or task.get("completions") or []:
        if not isinstance(annotation, dict):
            raise InputError(where, "each annotation must be an object")
        if annotation.get("was_cancelled"):
            skipped.append(Skipped(where, "Label Studio annotation cancelled"))
            continue
        for result in annotation.get("result") or []:
            if not isinstance(result, dict):
                raise InputError(where, "each result must be an object")
            rid = str(result.get("id", ""))
            value = result.get("value") or {}
            kind = result.get("type")
            if kind == "labels":
                regions.append((rid, result))
            elif kind == "textarea" and result.get("from_name") in _TEXTAREAS:
                texts = value.get("text") or [""]
                extras.setdefault(rid, {})[result["from_name"]] = "\n".join(map(str, texts))
            elif kind != "relation":
                shown = str(kind)[:40]
                skipped.append(Skipped(where, f"Label Studio {shown!r} result", shown))
    return regions, extras, skipped


_TEXTAREAS = ("speaker", "note")


def read_label_studio(path: Path) -> Iterator[ToolSpan | Skipped]:
    """A Label Studio JSON export: a list of tasks with `data.text` and `annotations`
    (or `completions`, older versions) whose results are `labels` regions, with
    per-region `textarea` results named `speaker` and `note`."""
    tasks = _load_json(path)
    if isinstance(tasks, dict):
        tasks = [tasks]
    if not isinstance(tasks, list):
        raise InputError(str(path), "expected a JSON list of Label Studio tasks")
    for index, task in enumerate(tasks):
        where = f"{path}:task {index + 1}"
        if not isinstance(task, dict) or not isinstance(task.get("data"), dict):
            raise InputError(where, "a task needs a 'data' object")
        article = _article(where, task["data"])
        regions, extras, skipped = _task_regions(where, task)
        yield from skipped
        for rid, result in regions:
            value = result.get("value") or {}
            rwhere = f"{path}:{rid}"
            labels = value.get("labels") or []
            if len(labels) != 1:
                raise InputError(rwhere, "a region needs exactly one label")
            meta = result.get("meta") if isinstance(result.get("meta"), dict) else {}
            extra = dict(extras.get(rid, {}))
            for name in ("annotator", "created", "updated"):
                if meta.get(name):
                    extra[name] = _string(rwhere, meta[name], f"meta.{name}")
            _whole_copy(extra)
            yield ToolSpan(
                rwhere,
                article,
                _int(rwhere, value.get("start"), "value.start"),
                _int(rwhere, value.get("end"), "value.end"),
                _string(rwhere, labels[0], "label"),
                value.get("text") if isinstance(value.get("text"), str) else None,
                rid or None,
                extra,
            )


_BRAT_T = re.compile(r"^(T[0-9]+)\t(\S+) ([0-9 ;]+)\t(.*)$")
_BRAT_NOTE = re.compile(r"^#[0-9]+\tAnnotatorNotes (T[0-9]+)\t(.*)$")
_SPEAKER = re.compile(r"^(.*?) ?\(speaker: (.*)\)$")


def _brat_note(span: ToolSpan, comment: str) -> None:
    """An AnnotatorNotes comment as we write it: the note, then `(speaker: NAME)`."""
    speaker = _SPEAKER.match(comment)
    if speaker:
        span.extra["note"], span.extra["speaker"] = speaker.group(1), speaker.group(2)
    else:
        span.extra["note"] = comment


def _brat_spans(ann: Path, article: ToolArticle) -> dict[str, ToolSpan]:
    """The text-bound annotations of one .ann file, with their AnnotatorNotes."""
    spans: dict[str, ToolSpan] = {}
    for number, line in read_lines(ann):
        line = line.rstrip("\r\n")
        found = _BRAT_T.match(line)
        if found:
            tid, label, offsets, shown = found.groups()
            where = f"{ann}:{tid}"
            if tid in spans:
                raise InputError(where, f"id {tid!r} twice in the file")
            pieces = [p.split() for p in offsets.split(";")]
            if any(len(p) != 2 for p in pieces):
                raise InputError(where, f"offsets {offsets!r} are not 'start end[;start end]'")
            try:
                bounds = [(bounded_int(a), bounded_int(b)) for a, b in pieces]
            except ValueError as error:
                raise InputError(where, str(error)) from None
            spans[tid] = ToolSpan(
                where, article, bounds[0][0], bounds[-1][1], label, None, None,
                {"fragments": bounds, "shown": shown},
            )  # fmt: skip
            continue
        note = _BRAT_NOTE.match(line)
        if note and note.group(1) in spans:
            _brat_note(spans[note.group(1)], note.group(2))
        elif line.startswith("T"):
            raise InputError(f"{ann}:{number}", "not a brat text-bound annotation line")
    return spans


def _brat_files(folder: Path) -> list[Path]:
    """Every .ann file under `folder`, subfolders included (brat collections nest),
    sorted; hidden names skipped and linked folders not followed, as the article
    importer walks folders (store/importing/ingest.py)."""

    def fail(error: OSError) -> None:
        raise InputError(str(error.filename or folder), f"cannot read folder ({error.strerror})")

    found = []
    for root, dirs, files in os.walk(folder, onerror=fail):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        found += [Path(root) / f for f in files if f.endswith(".ann") and not f.startswith(".")]
    return sorted(found)


def _brat_text(ann: Path) -> str:
    """The DOC.txt beside DOC.ann, in the same folder. A link is followed to a regular
    file, as everywhere a file is read (store/files/reading.py); a device or FIFO is refused."""
    txt = ann.with_suffix(".txt")
    try:
        return read_bounded(txt, MAX_JSON_BYTES).decode("utf-8")
    except FileNotFoundError:
        raise InputError(str(ann), f"no {txt.name} beside it") from None
    except IsADirectoryError:
        raise InputError(str(txt), "is a folder, not the article's text") from None
    except UnicodeDecodeError:
        raise not_utf8(txt) from None
    except OSError as error:
        raise cannot_read(str(txt), error) from None


def read_brat(path: Path) -> Iterator[ToolSpan | Skipped]:
    """A brat folder (every DOC.ann with its DOC.txt, in subfolders too), or one .ann file."""
    if path.is_dir():
        anns = _brat_files(path)
        if not anns:
            raise InputError(str(path), "no .ann files in this folder or its subfolders")
    else:
        anns = [path]
    for ann in anns:
        text = _brat_text(ann)
        article = ToolArticle(str(ann.with_suffix(".txt")), text, derived_title(text))
        spans = _brat_spans(ann, article)
        yield from spans.values()


def read_w3c(path: Path) -> Iterator[ToolSpan | Skipped]:
    """W3C Web Annotations: one AnnotationCollection (or Page), or one per line."""
    try:
        whole = _load_json(path)
    except InputError:
        whole = None  # JSON Lines: one annotation per line
    if isinstance(whole, dict) and whole.get("type") in ("AnnotationCollection", "AnnotationPage"):
        page = whole.get("first", whole)
        items = page.get("items") if isinstance(page, dict) else None
        if not isinstance(items, list):
            raise InputError(str(path), "an AnnotationCollection needs first.items")
        following = page.get("next") if isinstance(page, dict) else None
        if following:
            # Only the first page is in the file; the rest would be missed unnoticed.
            total = whole.get("total", "unknown")
            raise InputError(
                str(path),
                f"collection has more pages (next {following}): total {total}, {len(items)} here",
            )
        annotations: Iterator[tuple[str, object]] = ((f"{path}:{_w3c_id(a)}", a) for a in items)
    elif isinstance(whole, dict):
        annotations = iter([(f"{path}:{_w3c_id(whole)}", whole)])
    else:
        annotations = ((w, a) for w, a in _json_lines(path))
    for where, annotation in annotations:
        yield _w3c_span(where, annotation)


def _w3c_id(annotation: object) -> str:
    raw = annotation.get("id", "") if isinstance(annotation, dict) else ""
    return str(raw)


def _w3c_article(target: dict) -> tuple[str, str]:
    """(Sidenote's article id, the page's address) a target names, either may be empty."""
    source = target.get("source")
    source_id = source.get("id", "") if isinstance(source, dict) else str(source or "")
    scope = str(target.get("scope") or "")
    doc_id = ""
    for iri in (source_id, scope):
        if iri.startswith(DOC_IRI_PREFIX):
            doc_id = unquote(iri[len(DOC_IRI_PREFIX) :])
    url = scope if source_id.startswith(DOC_IRI_PREFIX) else source_id
    return doc_id, "" if url.startswith(DOC_IRI_PREFIX) else url


def _w3c_extra(annotation: dict, bodies: list) -> dict:
    extra: dict = {}
    for name, purpose in (("note", "commenting"), ("speaker", "identifying")):
        value = next((b.get("value") for b in bodies if b.get("purpose") == purpose), "")
        if value:
            extra[name] = value
    creator = annotation.get("creator")
    if isinstance(creator, dict) and creator.get("nickname"):
        extra["annotator"] = str(creator["nickname"])
    for ours, theirs in (("created", "created"), ("updated", "modified")):
        if annotation.get(theirs):
            extra[ours] = str(annotation[theirs])
    # No commenting body is no note (the model has no empty body to say so).
    return _whole_copy(extra)


def _w3c_target(where: str, annotation: dict) -> dict:
    """The annotation's one target: an object with a source and selectors."""
    target = annotation.get("target")
    if isinstance(target, list):
        if len(target) != 1:
            raise InputError(
                where, f"{len(target)} targets; Sidenote reads one target per Annotation"
            )
        target = target[0]
    if target is None:
        raise InputError(where, "an Annotation needs a target")
    if isinstance(target, str):
        raise InputError(
            where,
            "the target is only an address (a string); Sidenote needs a target object "
            "with a source and a TextPositionSelector",
        )
    if not isinstance(target, dict):
        raise InputError(where, "the target must be an object with a source and a selector")
    return target


def _w3c_bodies(where: str, annotation: dict) -> list[dict]:
    """The bodies as objects. A body may be a bare string (the model allows an IRI
    there): it is read as the tag, like a TextualBody with purpose `tagging`."""
    bodies = annotation.get("body") or []
    bodies = bodies if isinstance(bodies, list) else [bodies]
    read = []
    for body in bodies:
        if isinstance(body, str):
            body = {"value": body, "purpose": "tagging"}
        if not isinstance(body, dict):
            raise InputError(where, "each body must be an object or a string")
        read.append(body)
    return read


def _w3c_span(where: str, annotation: object) -> ToolSpan:
    if not isinstance(annotation, dict):
        raise InputError(where, "expected an Annotation object")
    target = _w3c_target(where, annotation)
    doc_id, url = _w3c_article(target)
    selectors = target.get("selector") or []
    selectors = selectors if isinstance(selectors, list) else [selectors]
    selectors = [s for s in selectors if isinstance(s, dict)]
    quote = next((s for s in selectors if s.get("type") == "TextQuoteSelector"), None)
    position = next((s for s in selectors if s.get("type") == "TextPositionSelector"), None)
    if position is None:
        raise InputError(where, "no TextPositionSelector")
    bodies = _w3c_bodies(where, annotation)
    untagged = [b for b in bodies if "purpose" not in b]
    label = next((b.get("value") for b in bodies if b.get("purpose") == "tagging"), None)
    if label is None and len(untagged) == 1:
        label = untagged[0].get("value")  # `purpose` is optional in the model
    if label is None:
        raise InputError(where, "no tag: give a body with purpose 'tagging' holding the label")
    extra = _w3c_extra(annotation, bodies)
    if isinstance(quote, dict):
        # The quote's context places the span when the positions do not (below).
        extra["context"] = (str(quote.get("prefix") or ""), str(quote.get("suffix") or ""))
    raw_id = _w3c_id(annotation)
    if raw_id.startswith("urn:uuid:"):
        raw_id = raw_id[len("urn:uuid:") :]
    elif raw_id.startswith(ANNOTATION_IRI_PREFIX):
        raw_id = unquote(raw_id[len(ANNOTATION_IRI_PREFIX) :])
    return ToolSpan(
        where,
        ToolArticle(
            where, None, url=url if not url.startswith(DOC_IRI_PREFIX) else "", doc_id=doc_id
        ),
        _int(where, position.get("start"), "start"),
        _int(where, position.get("end"), "end"),
        _string(where, label, "label"),
        quote.get("exact") if isinstance(quote, dict) else None,
        raw_id or None,
        extra,
    )


READERS = {
    "doccano": read_doccano,
    "label-studio": read_label_studio,
    "prodigy": read_prodigy,
    "brat": read_brat,
    "w3c": read_w3c,
    "documents": read_documents,
}


# -- importing ----------------------------------------------------------------


def parse_map(values: tuple[str, ...] | list[str]) -> dict[str, str]:
    """`--map OTHER=claim` options as {OTHER: claim}."""
    mapping: dict[str, str] = {}
    for value in values:
        other, sep, ours = value.partition("=")
        if not sep or not other or ours not in Label.__members__:
            raise InputError("--map", f"expected OTHER=claim|quote|proposal, got {value!r}")
        if mapping.get(other, ours) != ours:
            raise InputError("--map", f"{other} is mapped twice ({mapping[other]} and {ours})")
        mapping[other] = ours
    return mapping


def _stored_article(group, article: ToolArticle, path: Path) -> tuple[str, str]:
    """(id, stored text) of the article, imported when it is new."""
    if article.text is None:
        row = None
        if article.doc_id:
            row = group.db.execute(
                "SELECT id, text FROM documents WHERE id = ?", [article.doc_id]
            ).fetchone()
        if row is None and article.url:
            row = group.db.execute(
                "SELECT id, text FROM documents WHERE url = ? ORDER BY imported_at DESC LIMIT 1",
                [article.url],
            ).fetchone()
        if row is None:
            raise InputError(article.where, "the article is not in the database (import it first)")
        return row[0], row[1]
    problem = surrogate_problem(article.text)
    if problem:
        raise InputError(article.where, problem)
    doc_id = document_id(article.text)
    row = group.db.execute("SELECT text FROM documents WHERE id = ?", [doc_id]).fetchone()
    if row is not None:
        return doc_id, row[0]
    new = NewDocument(
        text=article.text,
        title=article.title or derived_title(article.text),
        source=article.source,
        url=article.url,
        origin={"file": str(path)},
    )
    add_document(group.db, new)
    return doc_id, article.text


def _unit_hint(unit: str) -> str:
    return f"(offsets counted in {unit}; see --offsets)"


def _check_fragments(span: ToolSpan, source: str, offsets: Offsets) -> None:
    """A discontinuous brat span (`0 5;6 11`): a Sidenote span is one piece, so its
    pieces may be apart only by white space (brat splits a span at line breaks);
    joined by a space they are its stated text. Leaving words out is refused: the
    span would hold words the annotator did not mark."""
    bounds = []
    for a, b in span.extra["fragments"]:
        fa, fb = offsets.to_codepoint(a), offsets.to_codepoint(b)
        if fa is None or fb is None or fb < fa:
            raise InputError(span.where, f"fragment {a} {b} is not a span of the text")
        bounds.append((fa, fb))
    for (_, end), (start, _) in zip(bounds, bounds[1:], strict=False):
        if start < end or source[end:start].strip():
            pieces = ";".join(f"{a} {b}" for a, b in span.extra["fragments"])
            raise InputError(
                span.where,
                f"discontinuous span {pieces} leaves out {source[end:start]!r} "
                "(a Sidenote span is one piece; split it into one annotation per piece)",
            )
    joined = " ".join(source[a:b] for a, b in bounds)
    if joined != span.extra["shown"]:
        raise InputError(
            span.where,
            f"the text is {joined!r}, not {span.extra['shown']!r} {_unit_hint(offsets.unit)}",
        )


def _span_record(group, span: ToolSpan, doc_id: str, text: str, unit: str, mapping) -> dict:
    """The span as a `jsonl` record on the file's text, checked."""
    source = span.article.text if span.article.text is not None else text
    offsets = Offsets(source, unit)
    start, end = offsets.to_codepoint(span.start), offsets.to_codepoint(span.end)
    if span.article.text is None and span.text:
        start, end = _by_quote(span, source, start, end)
    if start is None or end is None or end <= start:
        raise InputError(
            span.where,
            f"span {span.start}:{span.end} ({unit}) is not a span of the article's "
            f"{offsets.to_unit(len(source))} {unit}"
            + ("" if unit == "codepoints" else " (or falls inside a character)")
            + "; see --offsets",
        )
    held = _held(span, source, start, end, unit)
    if span.extra.get("fragments") is not None:
        _check_fragments(span, source, offsets)
    if span.text is not None and span.text != held:
        raise InputError(
            span.where,
            f"span {span.start}:{span.end} holds {held!r}, not {span.text!r} {_unit_hint(unit)}",
        )
    label = _our_label(span, mapping)
    ann_id = span.id or _existing_id(group, doc_id, start, end, held, label, source == text)
    prefix, suffix = context(source, start, end)
    record = {
        "id": ann_id or str(uuid.uuid5(_SPAN_IDS, f"{doc_id}:{start}:{end}:{label}")),
        "doc_id": doc_id,
        "doc_title": span.article.title,
        "source": span.article.source,
        "url": span.article.url,
        "label": label,
        "start": start,
        "end": end,
        "text": held,
        "prefix": prefix,
        "suffix": suffix,
    }
    for name in _CONTENT:
        if name in span.extra:  # an empty one too: it clears the field when newer
            record[name] = span.extra[name]
    for name in ("created", "updated"):
        if span.extra.get(name):
            record[name] = span.extra[name]
    try:
        return check_record(record)
    except RecordError as error:
        raise InputError(span.where, str(error)) from None


def _held(span: ToolSpan, source: str, start: int, end: int, unit: str) -> str:
    """The words the span tags, if a reader would see them as a span."""
    for name, at in (("starts", start), ("ends", end)):
        # On a combining mark or inside an emoji sequence: what a reader sees as one
        # character would be cut; placing it elsewhere would tag other words.
        if not is_grapheme_boundary(source, at):
            raise InputError(
                span.where,
                f"span {span.start}:{span.end} ({unit}) {name} inside a character "
                f"{_unit_hint(unit)}",
            )
    held = source[start:end]
    if not held.strip():
        # Nothing a reader could read is tagged; such a span is a slip of the tool.
        raise InputError(
            span.where, f"span {span.start}:{span.end} ({unit}) holds only white space {held!r}"
        )
    return held


def _line_ends(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _by_quote(
    span: ToolSpan, text: str, start: int | None, end: int | None
) -> tuple[int | None, int | None]:
    """Where a W3C annotation goes in the database's copy of its article: at its
    positions when they hold its quote, else where its TextQuoteSelector (quote,
    prefix, suffix) is found exactly, as a Web Annotation client anchors it. The
    positions count the exporting database's text; the article may have come here
    another way (`sidenote import` turns CRLF line ends into LF), so the quote is
    looked for with the line ends this copy has. Never a fuzzy place: other words
    would be tagged. Returns the positions unchanged when the quote is not found
    (the caller then refuses the span, saying what it holds)."""
    quote = span.text or ""
    if start is not None and end is not None and text[start:end] == quote:
        return start, end
    prefix, suffix = span.extra.get("context", ("", ""))
    if "\r" not in text:
        quote, prefix, suffix = _line_ends(quote), _line_ends(prefix), _line_ends(suffix)
    guess = start if start is not None else 0
    placement = place(Anchor(guess, guess + len(quote), quote, prefix, suffix), text)
    if placement.placed and text[placement.start : placement.end] == quote:
        span.text = quote
        span.extra["reanchored"] = True
        return placement.start, placement.end
    return start, end


def _our_label(span: ToolSpan, mapping: dict[str, str]) -> str:
    label = span.label if span.label in Label.__members__ else mapping.get(span.label)
    if label is None:
        raise InputError(
            span.where, f"unknown label {span.label!r} (map it: --map {span.label}=claim)"
        )
    return label


def _existing_id(
    group, doc_id: str, start: int, end: int, held: str, label: str, same: bool
) -> str | None:
    """The annotation with this label already on these words (its id), so a file
    without ids imports idempotently and a round trip keeps the annotation. The
    label counts: one span may be a claim and a quote, two annotations."""
    if not same:
        return None
    row = group.db.execute(
        'SELECT id FROM annotations WHERE doc_id = ? AND start = ? AND "end" = ? AND text = ? '
        "AND label = ? ORDER BY created_at, id LIMIT 1",
        [doc_id, start, end, held, label],
    ).fetchone()
    return row[0] if row else None


@dataclass
class _Importing:
    """One file's import in progress: which ids and spans it has stored so far."""

    group: object
    path: Path
    unit: str
    mapping: dict[str, str]
    report: AnnotationImportReport
    finder: DocumentFinder
    # By identity; each article kept alive with its result, so ids are never reused.
    stored: dict[int, tuple[ToolArticle, str, str]] = field(default_factory=dict)
    ids: dict[str, tuple] = field(default_factory=dict)  # stored id -> article, span, label
    named: set[tuple] = field(default_factory=set)  # every (article, start, end, label)
    tool_ids: dict[str, tuple] = field(default_factory=dict)  # the tool's id -> its span
    unsupported: set[str] = field(default_factory=set)

    def skip(self, skipped: Skipped) -> None:
        self.report.skipped[skipped.why] = self.report.skipped.get(skipped.why, 0) + 1
        if skipped.unsupported:
            self.unsupported.add(skipped.unsupported)

    def add(self, span: ToolSpan) -> None:
        key = id(span.article)
        if key not in self.stored:
            self.stored[key] = (span.article, *_stored_article(self.group, span.article, self.path))
        _, doc_id, text = self.stored[key]
        record = _span_record(self.group, span, doc_id, text, self.unit, self.mapping)
        named = (doc_id, record["start"], record["end"], record["label"])
        if span.id is not None and self.tool_ids.setdefault(span.id, named) != named:
            raise InputError(span.where, f"id {span.id!r} twice in the file")
        if named in self.named:
            # The same label on the same words again (Label Studio: once per
            # annotator): one annotation, counted in the report.
            self.report.duplicates += 1
            return
        if self.ids.setdefault(record["id"], named) != named:
            raise InputError(span.where, f"id {record['id']!r} names two spans in the file")
        self.named.add(named)
        listed = self.report.duplicates
        stored = _import_one(self.group, self.finder, record, span.where, self.report, False)
        self.report.records += self.report.duplicates == listed
        if span.extra.get("reanchored") and self.report.added[-1:] == [stored]:
            self.report.reanchored.append(stored)

    def check_not_empty(self) -> None:
        if self.report.records or self.report.duplicates:
            return
        if self.unsupported:
            raise InputError(
                str(self.path),
                "no annotations in this file; it holds only results Sidenote does not read "
                f"({', '.join(sorted(self.unsupported))}; Sidenote reads 'labels')",
            )
        if not self.report.skipped:
            # A file of rejected tasks is empty on purpose; one with nothing is not.
            raise InputError(str(self.path), "no annotations in this file")


def import_from_tool(
    store: Store,
    tool: str,
    path: str | Path,
    *,
    offsets: str | None = None,
    mapping: dict[str, str] | None = None,
) -> AnnotationImportReport:
    """Import another tool's file, all or nothing, as one undoable change."""
    if tool not in READERS:
        raise InputError("--from", f"unknown tool {tool!r} (use {', '.join(TOOLS)})")
    unit = check_unit(offsets) if offsets else DEFAULT_UNITS.get(tool, "codepoints")
    path = Path(path)
    try:
        path.stat()
    except FileNotFoundError:
        raise InputError(str(path), "no such file or folder") from None
    except OSError as error:  # a link that leads back to itself, a name too long
        raise cannot_read(str(path), error) from None
    if path.is_dir() and tool != "brat":
        raise InputError(str(path), "is a folder; give a file (a folder is for --from brat)")
    report = AnnotationImportReport(str(path))
    with change_group(store, f"import {tool} annotations from {path.name}") as group:
        importing = _Importing(group, path, unit, mapping or {}, report, DocumentFinder(store))
        for span in READERS[tool](path):
            if isinstance(span, Skipped):
                importing.skip(span)
            else:
                importing.add(span)
        importing.check_not_empty()
    return report
