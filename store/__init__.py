"""Sidenote's headless core: storage, import, annotations, linking, search, export.

Nothing here imports `textual` or `tui`; everything is usable from scripts and tests.
`__all__` is the surface the app and the command line use; search has its own,
`store.search`. Modules inside the packages are the store's business.

Each name is imported from its module when first asked for (PEP 562), so
`from store import InputError` loads `store.errors` alone: `sidenote --help` and the
app's first frame do not wait for sqlite-utils, numpy or the matcher they do not use.
"""

from __future__ import annotations

import importlib
from typing import Any

# Module (relative to `store`) -> the public names it defines.
_SURFACE: dict[str, tuple[str, ...]] = {
    "annotations": ("create_annotation", "delete_annotation", "update_annotation"),
    "corpus": ("seed_if_new",),
    "db.connection": ("Store", "describe_error", "open_store"),
    "deletion": ("DeletionSummary", "delete_document", "deletion_summary"),
    "documents": ("NewDocument", "add_document", "document_id"),
    "errors": ("InputError", "NotFound", "SidenoteError", "StoreError"),
    "exchange.formats": ("FORMATS", "export_format", "export_to_path", "export_to_stream"),
    "exchange.read": ("import_annotations",),
    "exchange.records": ("annotation_record",),
    "files.reading": ("read_bounded",),
    "files.writing": ("TargetExists", "check_target"),
    "history": ("Change", "change_group", "redo", "undo"),
    "importing.ingest": ("ImportReport", "import_paths"),
    "links": (
        "Echo", "LinkReport", "accept", "check_threshold", "echo_spans", "echoes",
        "judge_links", "list_links", "reject", "relink", "threshold_for", "warm",
    ),
    "matching.linking": ("DEFAULT_THRESHOLD",),
    "meaning_links": ("MeaningReport",),
    "models": (
        "Annotation", "Document", "DocumentSummary", "Label", "LinkMethod", "LinkRecord",
        "LinkSide", "LinkStatus", "Sentence",
    ),
    "quote_tags": ("tag_quotes",),
    "quotes": ("Quote", "find_quotes"),
    "review": ("ReviewItem", "resolve_review", "review_items"),
    "statements": (
        "Statement", "StatementLink", "StatementMember", "list_statements", "statement_of",
    ),
    "exchange.brief": ("brief_markdown", "write_brief"),
    "stats": ("CorpusStats", "corpus_stats"),
    "text": ("is_grapheme_boundary", "next_grapheme", "previous_grapheme", "snap_to_graphemes"),
}
# Public name -> (module, name there), where the surface renames it.
_RENAMED: dict[str, tuple[str, str]] = {
    "change_history": ("history", "history"),  # `store.history` stays the module
    "MEANING_METHOD": ("matching.meaning", "METHOD"),
}

_HOME: dict[str, tuple[str, str]] = {
    **{name: (module, name) for module, names in _SURFACE.items() for name in names},
    **_RENAMED,
}

__all__ = sorted(_HOME)


def __getattr__(name: str) -> Any:
    """Import the module that defines a public name, on first use; then keep the name."""
    try:
        module, attribute = _HOME[name]
    except KeyError:
        raise AttributeError(f"module 'store' has no attribute {name!r}") from None
    value = getattr(importlib.import_module(f"{__name__}.{module}"), attribute)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
