"""Sidenote's headless core: storage, import, annotations, linking, search, export.

Nothing here imports `textual` or `tui`; everything is usable from scripts and tests.
`__all__` is the surface the app and the command line use; search has its own,
`store.search`. Modules inside the packages are the store's business.
"""

from .annotations import create_annotation, delete_annotation, update_annotation
from .corpus import seed_if_new
from .db.connection import Store, describe_error, open_store
from .deletion import DeletionSummary, delete_document, deletion_summary
from .documents import NewDocument, add_document, document_id
from .errors import InputError, NotFound, SidenoteError, StoreError
from .exchange.formats import FORMATS, export_format, export_to_path, export_to_stream
from .exchange.read import import_annotations
from .exchange.records import annotation_record
from .files.reading import read_bounded
from .files.writing import TargetExists, check_target
from .history import Change, change_group, redo, undo
from .history import history as change_history  # `store.history` stays the module
from .importing.ingest import ImportReport, import_paths
from .links import (
    Echo,
    LinkReport,
    accept,
    check_threshold,
    echo_spans,
    echoes,
    list_links,
    reject,
    relink,
    threshold_for,
    warm,
)
from .matching.linking import DEFAULT_THRESHOLD
from .matching.meaning import METHOD as MEANING_METHOD
from .meaning_links import MeaningReport
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
from .quote_tags import tag_quotes
from .quotes import Quote, find_quotes
from .review import ReviewItem, resolve_review, review_items
from .stats import CorpusStats, corpus_stats
from .text import is_grapheme_boundary, next_grapheme, previous_grapheme, snap_to_graphemes

__all__ = [
    "DEFAULT_THRESHOLD",
    "FORMATS",
    "MEANING_METHOD",
    "Annotation",
    "Change",
    "CorpusStats",
    "DeletionSummary",
    "Document",
    "DocumentSummary",
    "Echo",
    "ImportReport",
    "InputError",
    "Label",
    "LinkMethod",
    "LinkRecord",
    "LinkReport",
    "LinkSide",
    "LinkStatus",
    "MeaningReport",
    "NewDocument",
    "NotFound",
    "Quote",
    "ReviewItem",
    "Sentence",
    "SidenoteError",
    "Store",
    "StoreError",
    "TargetExists",
    "accept",
    "add_document",
    "annotation_record",
    "change_group",
    "change_history",
    "check_target",
    "check_threshold",
    "corpus_stats",
    "create_annotation",
    "delete_annotation",
    "delete_document",
    "deletion_summary",
    "describe_error",
    "document_id",
    "echo_spans",
    "echoes",
    "export_format",
    "export_to_path",
    "export_to_stream",
    "find_quotes",
    "import_annotations",
    "import_paths",
    "is_grapheme_boundary",
    "list_links",
    "next_grapheme",
    "open_store",
    "previous_grapheme",
    "read_bounded",
    "redo",
    "reject",
    "relink",
    "resolve_review",
    "review_items",
    "seed_if_new",
    "snap_to_graphemes",
    "tag_quotes",
    "threshold_for",
    "undo",
    "update_annotation",
    "warm",
]
