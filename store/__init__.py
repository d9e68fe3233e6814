"""Sidenote's headless core: storage, import, annotations, linking, search, export.

Nothing here imports `textual` or `tui`; everything is usable from scripts and tests.
"""

from .annotations import create_annotation, delete_annotation, update_annotation
from .db.connection import Store, open_store
from .documents import NewDocument, add_document, document_id
from .errors import InputError, NotFound, SidenoteError, StoreError
from .history import Change, change_group, redo, undo
from .models import (
    Annotation,
    Document,
    DocumentSummary,
    Label,
    LinkMethod,
    LinkRecord,
    LinkSide,
    LinkStatus,
    Sentence,
)
from .stats import CorpusStats, corpus_stats

__all__ = [
    "Annotation",
    "Change",
    "CorpusStats",
    "Document",
    "DocumentSummary",
    "InputError",
    "Label",
    "LinkMethod",
    "LinkRecord",
    "LinkSide",
    "LinkStatus",
    "NewDocument",
    "NotFound",
    "Sentence",
    "SidenoteError",
    "Store",
    "StoreError",
    "add_document",
    "change_group",
    "corpus_stats",
    "create_annotation",
    "delete_annotation",
    "document_id",
    "open_store",
    "redo",
    "undo",
    "update_annotation",
]
