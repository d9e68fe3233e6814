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
import sys
from importlib.machinery import ModuleSpec, PathFinder
from threading import get_ident
from types import ModuleType
from typing import Any

# Module (relative to `store`) -> the public names it defines.
_SURFACE: dict[str, tuple[str, ...]] = {
    "annotations": (
        "create_annotation", "delete_annotation", "known_speakers", "set_annotation_span",
        "update_annotation",
    ),
    "annotation_browser": (
        "AnnotationFilter", "BrowsedAnnotation", "SORT_COLUMNS", "all_annotations", "browse",
    ),
    "corpus": ("seed_if_new",),
    "db.connection": ("Store", "describe_error", "open_store"),
    "deletion": ("DeletionSummary", "delete_document", "deletion_summary"),
    "documents": ("NewDocument", "add_document", "document_id"),
    "errors": ("InputError", "NotFound", "SidenoteError", "StoreError"),
    "exchange.formats": ("FORMATS", "export_format", "export_to_path", "export_to_stream"),
    "exchange.read": ("import_annotations",),
    "exchange.records": ("annotation_record",),
    "exchange.tools_read": ("TOOLS", "import_from_tool", "parse_map"),
    "files.reading": ("read_bounded",),
    "files.writing": ("TargetExists", "check_target"),
    "history": (
        "Change", "Step", "change_group", "mark_run_start", "newest_event", "next_undo",
        "outside_steps", "redo", "undo",
    ),
    "importing.ingest": ("ImportReport", "import_paths"),
    "links": (
        "Echo", "LinkReport", "accept", "check_threshold", "echoes", "judge_links",
        "list_links", "meaning_echoes", "reject", "relink", "threshold_for", "warm",
    ),
    "link_marks": ("echo_spans",),  # the reader's first frame: no matcher, no numpy
    "meaning_ready": ("meaning_possible",),  # asked on every tag: no numpy
    "matching.linking": ("DEFAULT_THRESHOLD",),
    "meaning_links": ("MeaningReport",),
    "models": (
        "Annotation", "Document", "DocumentSummary", "Label", "LinkMethod", "LinkRecord",
        "LinkSide", "LinkStatus", "Sentence",
    ),
    "quote_tags": ("tag_quotes",),
    "quotes": ("Quote", "find_quotes"),
    "review": ("ReviewItem", "resolve_review", "review_items"),
    "review_queue": (
        "QUEUE_SORTS", "QueueItem", "QueueProgress", "QueueSide", "QueueVerdict", "ReviewQueue",
        "WordDiff", "judge_in_queue", "queue_items", "queue_order", "queue_progress",
        "skip_in_queue", "suggestions_at_least", "word_diff",
    ),
    "statements": (
        "Statement", "StatementLink", "StatementMember", "links_outside_statements",
        "list_statements", "statement_of",
    ),
    "exchange.brief": ("brief_markdown", "write_brief"),
    "exchange.datasette": ("datasette_metadata_to_path", "write_datasette_metadata"),
    "stats": ("CorpusStats", "corpus_stats"),
    "text": ("is_grapheme_boundary", "next_grapheme", "previous_grapheme", "snap_to_graphemes"),
    "worklist": ("WORKLIST_SORTS", "WorkItem", "set_done", "sort_worklist", "work_items"),
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


# sqlite-utils imports numpy and pandas when they are installed, only to map their
# scalar types to column types. The store never hands it such values (its tables are
# made by migrations, its rows are Python values), and the two cost more to import
# than the rest of the app's start. So the thread that loads `sqlite_utils.db` is told
# they are missing while it does; every other thread, and this one afterwards, imports
# them as usual. Nothing global changes meanwhile (`sys.modules` is left alone), so a
# worker importing numpy at that moment is not affected. The finder stays installed:
# taking it out of `sys.meta_path` could make an import running in another thread, which
# walks that list, skip the finder after it.
_HIDDEN_FROM_SQLITE_UTILS = frozenset({"numpy", "pandas"})


class _SqliteUtilsFinder:
    """A meta path finder: loads `sqlite_utils.db` with numpy and pandas hidden from the
    loading thread; finds nothing else itself."""

    def __init__(self) -> None:
        self.loading: set[int] = set()  # threads executing sqlite_utils.db right now

    def find_spec(self, name: str, path: Any, target: ModuleType | None = None) -> Any:
        if name in _HIDDEN_FROM_SQLITE_UTILS and get_ident() in self.loading:
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        if name != "sqlite_utils.db":
            return None
        spec = PathFinder.find_spec(name, path)
        if spec is not None and spec.loader is not None:
            spec.loader = _HidingLoader(spec.loader, self.loading)
        return spec


class _HidingLoader:
    def __init__(self, loader: Any, loading: set[int]) -> None:
        self._loader = loader
        self._loading = loading

    def __getattr__(self, name: str) -> Any:  # get_source, get_filename, ... for tracebacks
        return getattr(self._loader, name)

    def create_module(self, spec: ModuleSpec) -> ModuleType | None:
        return self._loader.create_module(spec)

    def exec_module(self, module: ModuleType) -> None:
        thread = get_ident()
        self._loading.add(thread)
        try:
            self._loader.exec_module(module)
        finally:
            self._loading.discard(thread)


if "sqlite_utils.db" not in sys.modules:
    sys.meta_path.insert(0, _SqliteUtilsFinder())
