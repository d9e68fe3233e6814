"""Exports in the shapes annotation tools read: doccano, Label Studio, Prodigy, spaCy.

Each writes one article at a time (store/exchange/records.py `articles`), with its
offsets in the unit the tool counts in (`ExportFilter.offsets`, else the tool's
default in `DEFAULT_UNITS`; docs/formats.md gives the sources). What a tool has no
place for is said in docs/formats.md.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable, Iterator
from typing import IO

from ..db.connection import Store
from ..errors import InputError
from .offsets import Offsets
from .records import ENCODE, Article, ExportFilter, articles

# The unit each tool counts offsets in, when --offsets does not say.
DEFAULT_UNITS = {
    "doccano": "utf16",  # its frontend counts JavaScript string indices (doccano#2290)
    "label-studio": "codepoints",  # converted from JS since label-studio#1559
    "prodigy": "codepoints",  # Python string indices
    "brat": "codepoints",  # Python string indices of the .txt file
    "w3c": "codepoints",  # TextPositionSelector counts characters (code points)
    "documents": "codepoints",
    "jsonl": "codepoints",
}

LABEL_STUDIO_CONFIG = """<View>
  <Labels name="label" toName="text">
    <Label value="claim"/>
    <Label value="quote"/>
    <Label value="proposal"/>
  </Labels>
  <Text name="text" value="$text"/>
  <TextArea name="speaker" toName="text" perRegion="true"/>
  <TextArea name="note" toName="text" perRegion="true"/>
</View>
"""


def unit_for(fmt: str, flt: ExportFilter) -> str:
    return flt.offsets or DEFAULT_UNITS.get(fmt, "codepoints")


def _spans(article: Article) -> Iterator[dict]:
    for row in article.annotations:
        record = article.record(row)
        yield record


def _meta(article: Article) -> dict:
    return {
        "doc_id": article.id,
        "title": article.title,
        "source": article.source,
        "url": article.url,
    }


# What a span is besides its offsets and label, carried where the tool keeps it.
SPAN_FIELDS = ("id", "note", "speaker", "annotator", "created", "updated")


def span_details(r: dict) -> dict:
    """A span's id, times, note, speaker and annotator. An empty note or speaker is
    written too: left out, it would read back as "keep what you have", and a copy
    whose note was cleared later could never clear it elsewhere."""
    return {k: r[k] for k in SPAN_FIELDS}


def doccano_line(article: Article, unit: str) -> dict:
    """doccano's sequence-labelling JSONL: `label` as [start, end, label] triples.
    doccano keeps every other key as the example's metadata and writes it back in
    its own export (doccano 1.8 `data_import/pipeline/data.py`, `meta=kwargs`;
    `data_export/models.py`, `**self.meta`), so `sidenote` holds each span's id,
    note, speaker, annotator and times under its offsets and label, and the text it
    holds, so a file read back in another unit than it was written in is refused
    instead of tagging other words."""
    offsets = Offsets(article.text, unit)
    label, details = [], []
    for r in _spans(article):
        where = [offsets.to_unit(r["start"]), offsets.to_unit(r["end"]), r["label"]]
        label.append(where)
        details.append({"span": where, "text": r["text"], **span_details(r)})
    return {
        "id": article.id,
        "text": article.text,
        "label": label,
        **_meta(article),
        "sidenote": details,
    }


def prodigy_line(article: Article, unit: str) -> dict:
    """Prodigy's task: `text`, `spans` (start, end, label; extra keys kept), `meta`."""
    offsets = Offsets(article.text, unit)
    spans = []
    for r in _spans(article):
        span = {
            "start": offsets.to_unit(r["start"]),
            "end": offsets.to_unit(r["end"]),
            "label": r["label"],
            "text": r["text"],
            **span_details(r),
        }
        spans.append(span)
    return {"text": article.text, "spans": spans, "meta": _meta(article)}


def label_studio_task(article: Article, unit: str, number: int = 1) -> dict:
    """A Label Studio task: `data` and one annotation whose `result` has a `labels`
    region per span, with its speaker and note as per-region `textarea` results
    (LABEL_STUDIO_CONFIG is the matching labelling config)."""
    offsets = Offsets(article.text, unit)
    result: list[dict] = []
    for r in _spans(article):
        where = {"start": offsets.to_unit(r["start"]), "end": offsets.to_unit(r["end"])}
        region = {"id": r["id"], "to_name": "text"}
        result.append(
            {
                **region,
                "from_name": "label",
                "type": "labels",
                "value": {**where, "text": r["text"], "labels": [r["label"]]},
                # Label Studio keeps a result's `meta` as it is and exports it again:
                # the times travel there, so the later copy wins on the way back.
                "meta": {
                    "annotator": r["annotator"],
                    "created": r["created"],
                    "updated": r["updated"],
                },
            }
        )
        for name in ("speaker", "note"):
            if r[name]:
                result.append(
                    {
                        **region,
                        "from_name": name,
                        "type": "textarea",
                        "value": {**where, "text": [r[name]]},
                    }
                )
    return {
        "id": number,
        "data": {"text": article.text, **_meta(article)},
        "annotations": [{"result": result}],
    }


# doccano reads a file in the encoding its import form names, and its "Auto" choice
# guesses with chardet, which takes a short UTF-8 file of CJK or Arabic text for a
# single-byte code page (cp1254): the import then fails or garbles the text under
# the offsets. Escaped to ASCII, the JSON reads the same in every encoding offered.
ASCII = json.JSONEncoder(ensure_ascii=True).encode


def _write_each(
    store: Store,
    stream: IO[str],
    flt: ExportFilter,
    fmt: str,
    build,
    encode: Callable[[object], str] = ENCODE,
) -> int:
    unit = unit_for(fmt, flt)
    count = 0
    with contextlib.closing(articles(store, flt)) as walk:
        for article in walk:
            stream.write(encode(build(article, unit)) + "\n")
            count += 1
    return count


def write_doccano(store: Store, stream: IO[str], flt: ExportFilter) -> int:
    return _write_each(store, stream, flt, "doccano", doccano_line, ASCII)


def write_prodigy(store: Store, stream: IO[str], flt: ExportFilter) -> int:
    return _write_each(store, stream, flt, "prodigy", prodigy_line)


def write_label_studio(store: Store, stream: IO[str], flt: ExportFilter) -> int:
    """One JSON array of tasks (what Label Studio's import takes), a task per line."""
    unit = unit_for("label-studio", flt)
    count = 0
    stream.write("[")
    with contextlib.closing(articles(store, flt)) as walk:
        for article in walk:
            stream.write(
                ("\n" if count == 0 else ",\n")
                + ENCODE(label_studio_task(article, unit, count + 1))
            )
            count += 1
    stream.write("\n]\n")
    return count


SPACY_MISSING = "needs spaCy: install sidenote[spacy] (pip install 'sidenote[spacy]')"


def write_spacy(store: Store, stream: IO[str], flt: ExportFilter) -> int:
    """A spaCy DocBin (.spacy): each article a Doc (blank multilingual tokenizer), its
    annotations in `doc.spans["sidenote"]` (spans may overlap there, unlike `doc.ents`),
    expanded to token boundaries; the Doc's `user_data` keeps the article's fields and
    each span's exact offsets, id, note and speaker."""
    try:
        import spacy
        from spacy.tokens import DocBin
    except ImportError:
        raise InputError("--format spacy", SPACY_MISSING) from None
    if flt.offsets not in (None, "codepoints"):
        raise InputError("--offsets", "spaCy counts code points: --format spacy takes no other")
    nlp = spacy.blank("xx")
    docbin = DocBin(store_user_data=True)
    count = 0
    with contextlib.closing(articles(store, flt)) as walk:
        for article in walk:
            doc = nlp.make_doc(article.text)
            spans, exact = [], []
            for r in _spans(article):
                span = doc.char_span(
                    r["start"], r["end"], label=r["label"], alignment_mode="expand"
                )
                if span is None:
                    continue
                spans.append(span)
                exact.append(
                    {k: r[k] for k in ("id", "start", "end", "label", "text", "note", "speaker")}
                )
            doc.spans["sidenote"] = spans
            doc.user_data["sidenote"] = {**_meta(article), "spans": exact}
            docbin.add(doc)
            count += 1
    stream.flush()
    stream.buffer.write(docbin.to_bytes())  # type: ignore[attr-defined]
    return count
