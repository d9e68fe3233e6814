"""Importing files: .txt, .md, .html/.htm and .jsonl, folders walked recursively.

Its size is one job's: files into articles, with the parsing worker that feeds the writer.

Each file is read, decoded, cleaned and split into articles (`pages.py`, beside this module), then
stored in its own transaction: a file lands whole or not at all. Problems are
collected per file as one-line messages naming the file; good files still import.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from ..db.connection import Store
from ..documents import NewDocument, PreparedDocument, add_document, prepare_document
from ..errors import InputError, SidenoteError
from ..files.reading import NotRegularFile, read_bounded, special_kind
from .dates import resolve
from .furniture import outlet_from_text
from .pages import (
    clean_text,
    derived_title,
    page_lines,
    split_page,
    surrogate_problem,
)
from .versions import replace_previous_version

TEXT_SUFFIXES = {".txt", ".md", ".markdown"}
HTML_SUFFIXES = {".html", ".htm"}
JSONL_SUFFIXES = {".jsonl"}
SUPPORTED = TEXT_SUFFIXES | HTML_SUFFIXES | JSONL_SUFFIXES
JSONL_FIELDS = ("text", "title", "source", "url", "published")
MAX_FILE_BYTES = 512 * 1024 * 1024
# One article (a JSONL line's text, or a whole .txt/.md/.html page) is stored with its
# sentences and search index in one step that takes about 20x its size in memory, so
# articles have a cap of their own, well below the file's.
MAX_ARTICLE_CHARS = 50 * 2**20
MAX_FIELD_CHARS = 100_000  # an article's title, source, url or date: as for annotations

Progress = Callable[[int, int, str], None]


@dataclass
class ImportedDocument:
    id: str
    title: str
    source: str
    file: str
    created: bool


@dataclass
class ImportReport:
    files: int = 0
    added: int = 0
    unchanged: int = 0
    documents: list[ImportedDocument] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    replaced: list[str] = field(default_factory=list)  # changed versions of stored articles

    @property
    def ok(self) -> bool:
        return not self.errors

    def as_dict(self) -> dict:
        return {
            "files": self.files,
            "added": self.added,
            "unchanged": self.unchanged,
            "errors": self.errors,
            "warnings": self.warnings,
            "replaced": self.replaced,
            "documents": [vars(d) for d in self.documents],
        }


@dataclass
class DecodedFile:
    path: Path
    text: str
    warning: str | None = None


# -- finding files ----------------------------------------------------------------


def discover(paths: Iterable[str | Path], report: ImportReport) -> list[Path]:
    """Expand folders (recursively, sorted) into importable files; note bad paths."""
    found: list[Path] = []
    for given in paths:
        path = Path(given)
        kind = _special_kind(path)
        if not path.exists():
            report.errors.append(f"{path}: no such file or folder")
        elif kind:
            report.errors.append(_skipped(path, kind))
        elif path.is_dir():
            try:
                inside = sorted(_walk(path, report))
            except OSError as error:
                report.errors.append(f"{path}: cannot read folder ({error.strerror})")
                continue
            if not inside:
                report.errors.append(
                    f"{path}: folder has nothing to import (looked for "
                    f"{', '.join(sorted(SUPPORTED))})"
                )
            found.extend(inside)
        elif path.suffix.lower() not in SUPPORTED:
            report.errors.append(
                f"{path}: unsupported file type '{path.suffix or '(none)'}' "
                f"(use {', '.join(sorted(SUPPORTED))})"
            )
        else:
            found.append(path)
    return found


def _walk(folder: Path, report: ImportReport) -> Iterator[Path]:
    """Importable files in `folder`; special files among them are skipped with a warning
    (the folder was asked for, not each FIFO or device in it)."""

    def fail(error: OSError) -> None:
        raise error

    for root, dirs, files in os.walk(folder, onerror=fail):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        for name in files:
            if not name.startswith(".") and Path(name).suffix.lower() in SUPPORTED:
                path = Path(root) / name
                kind = _special_kind(path)
                if kind:
                    report.warnings.append(_skipped(path, kind))
                else:
                    yield path


def _skipped(path: Path, kind: str) -> str:
    """The line for a special file: the import goes on with the other files."""
    return str(InputError(str(path), f"not a regular file ({kind}); skipped"))


def _special_kind(path: Path) -> str | None:
    """`special_kind`, with names that cannot be looked up left to the reader to word."""
    try:
        return special_kind(path)
    except OSError:
        return None


# -- reading ------------------------------------------------------------------------


def read_file(path: Path, encoding: str | None = None) -> DecodedFile:
    """Read and decode a file; raise InputError with a one-line reason."""
    data = _read_bytes(path)
    if not data.strip():
        raise InputError(str(path), "file is empty")
    if _looks_binary(data):
        raise InputError(str(path), "binary file, not text")
    if encoding:
        return _decode_as(path, data, encoding)
    return _decode_guessing(path, data)


def _read_bytes(path: Path) -> bytes:
    """The file's bytes, with each way reading can fail worded as one line."""
    try:
        return read_bounded(path, MAX_FILE_BYTES)
    except NotRegularFile as error:  # swapped for a special file since it was found
        raise InputError(str(path), f"{error.problem}; skipped") from None
    except PermissionError:
        raise InputError(str(path), "cannot read file (permission denied)") from None
    except IsADirectoryError:
        raise InputError(str(path), "is a folder") from None
    except OSError as error:
        raise InputError(str(path), f"cannot read file ({error.strerror})") from None


def _decode_as(path: Path, data: bytes, encoding: str) -> DecodedFile:
    """The encoding the user named, or an error: a choice made by hand is not second-guessed."""
    try:
        return DecodedFile(path, data.decode(encoding))
    except LookupError:
        raise InputError(str(path), f"unknown encoding {encoding!r}") from None
    except UnicodeDecodeError as error:
        raise InputError(
            str(path), f"not valid {encoding} (byte {error.start}: {error.reason})"
        ) from None


def _decode_guessing(path: Path, data: bytes) -> DecodedFile:
    """UTF-8 (with or without a BOM); otherwise the likeliest single-byte encoding, with
    a warning that says which, since the guess may be wrong."""
    try:
        return DecodedFile(path, data.decode("utf-8-sig"))
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("cp1252")
        label = "cp1252"
    except UnicodeDecodeError:
        text = data.decode("latin-1")
        label = "latin-1"
    return DecodedFile(
        path, text, f"{path}: not valid UTF-8; read as {label} (use --encoding to choose)"
    )


_CONTROL_BYTES = re.compile(rb"[\x00-\x08\x0e-\x1a\x1c-\x1f]")


def _looks_binary(data: bytes) -> bool:
    sample = data[:8192]
    if b"\x00" in sample:
        return True
    return len(_CONTROL_BYTES.findall(sample)) > max(8, len(sample) // 100)


# -- parsing --------------------------------------------------------------------------


def stored_name(path: Path) -> str:
    """The file name kept in an article's origin: the path as text, with any byte
    that is not UTF-8 written as a `\\xe9` escape. Python hands such bytes over as
    lone surrogates, which SQLite cannot store; an escape keeps the rest readable."""
    return os.fsencode(path).decode("utf-8", "backslashreplace")


def parse(decoded: DecodedFile) -> list[NewDocument]:
    """The articles in a decoded file. Raises InputError for malformed content."""
    suffix = decoded.path.suffix.lower()
    problem = surrogate_problem(decoded.text)
    if problem:
        raise InputError(str(decoded.path), problem)
    if suffix in JSONL_SUFFIXES:
        return parse_jsonl(decoded)
    # A page is held whole while it is cleaned and split, so it is checked whole.
    problem = _too_large(decoded.text, "page")
    if problem:
        raise InputError(str(decoded.path), problem)
    if suffix in HTML_SUFFIXES:
        return parse_html(decoded)
    text = decoded.text
    if suffix in {".md", ".markdown"}:
        text = _markdown_to_text(text)
    documents = parse_page(text, stored_name(decoded.path))
    if not documents:
        # Only blank lines, invisible characters or page furniture: say so, rather
        # than report a successful import of nothing.
        raise InputError(str(decoded.path), "no article text in this file")
    return documents


def parse_page(raw: str, file: str, page_date: str = "") -> list[NewDocument]:
    """A plain-text page: furniture removed, split into its articles.

    An aggregator block's relative time ("2 hours ago") is resolved against
    `page_date` (the page's own date, when it has one) or else kept as written.
    """
    articles = split_page(page_lines(raw))
    documents = []
    main_source = ""
    for article in articles:
        text = article.text()
        if not text.strip():
            continue
        source = article.source
        if article.kind == "main":
            source = main_source = outlet_from_text(text)
        elif article.kind == "teaser":
            source = main_source
        start, end = article.origin
        documents.append(
            NewDocument(
                text=text,
                title=article.title or derived_title(text),
                source=source,
                published=resolve(article.published, page_date) if article.published else "",
                origin={"file": file, "start": start, "end": end, "part": article.kind},
            )
        )
    return documents


_MD_IMAGE = re.compile(r"!\[[^\]]*\]\([^)]*\)")
_MD_LINK = re.compile(r"\[([^\]]+)\]\([^)]*\)")
_MD_HEADING = re.compile(r"^#{1,6}\s+", re.MULTILINE)


def _markdown_to_text(text: str) -> str:
    """Markdown syntax that would otherwise show: images, link targets, heading marks.

    Each replacement keeps the line structure, so origin ranges stay line-accurate.
    """
    text = _MD_IMAGE.sub("", text)
    text = _MD_LINK.sub(r"\1", text)
    return _MD_HEADING.sub("", text)


def parse_html(decoded: DecodedFile) -> list[NewDocument]:
    """Main text only, by trafilatura; then the same furniture rules as text pages."""
    import trafilatura  # imported here: it is slow to import and only HTML needs it

    result = trafilatura.bare_extraction(
        decoded.text, with_metadata=True, include_comments=False, favor_precision=True
    )
    if result is None or not (result.text or "").strip():
        raise InputError(str(decoded.path), "no article text found in this HTML page")
    meta = result.as_dict()
    body = meta.get("text") or ""
    title = (meta.get("title") or "").strip()
    lines = body.split("\n")
    if title and lines and lines[0].strip() == title:
        body = "\n".join(lines[1:])
    published = (meta.get("date") or "").strip()
    documents = parse_page(body, stored_name(decoded.path), published)
    if not documents:
        raise InputError(str(decoded.path), "no article text found in this HTML page")
    file = stored_name(decoded.path)
    whole = {"file": file, "start": 0, "end": len(decoded.text), "part": "html"}
    first = documents[0]
    documents[0] = NewDocument(
        text=first.text,
        title=title or first.title,
        source=(meta.get("sitename") or "").strip() or first.source,
        url=(meta.get("url") or "").strip(),
        published=published,
        origin=whole,
    )
    return documents


def parse_jsonl(decoded: DecodedFile) -> list[NewDocument]:
    """One article per line; any bad line rejects the whole file (with its number)."""
    documents = []
    where = stored_name(decoded.path)
    offset = 0
    for number, line in enumerate(decoded.text.splitlines(keepends=True), start=1):
        start = offset
        offset += len(line)
        if not line.strip():
            continue
        origin = {"file": where, "start": start, "end": offset, "line": number}
        try:
            documents.append(_jsonl_document(line, origin))
        except _BadLine as problem:
            raise InputError(where, f"line {number}: {problem}") from None
    if not documents:
        raise InputError(where, "no articles in this JSONL file")
    return documents


class _BadLine(Exception):
    """What is wrong with one JSONL line; `parse_jsonl` adds the file and line number."""


def _jsonl_document(line: str, origin: dict) -> NewDocument:
    record = _json_object(line)
    _check_jsonl_fields(record)
    text = clean_text(record.get("text") or "")
    if not text:
        raise _BadLine("'text' is missing or empty")
    problem = surrogate_problem(text)
    if problem:
        raise _BadLine(problem)
    return NewDocument(
        text=text,
        title=clean_text(record.get("title") or "") or derived_title(text),
        source=clean_text(record.get("source") or ""),
        url=(record.get("url") or "").strip(),
        published=(record.get("published") or "").strip(),
        origin=origin,
    )


def _json_object(line: str) -> dict:
    try:
        record = json.loads(line)
    except json.JSONDecodeError as error:
        raise _BadLine(f"not valid JSON ({error.msg})") from None
    except RecursionError:
        raise _BadLine("JSON nested too deeply") from None
    except ValueError:  # Python refuses integers of more than 4300 digits
        raise _BadLine("a number with too many digits") from None
    if not isinstance(record, dict):
        raise _BadLine("expected a JSON object")
    return record


def _check_jsonl_fields(record: dict) -> None:
    """Sizes and types first: nothing is cleaned or stored from a line that fails them."""
    problem = _too_large(record.get("text"), "article")
    if problem:
        raise _BadLine(problem)
    for key in JSONL_FIELDS[1:]:
        value = record.get(key)
        if isinstance(value, str) and len(value) > MAX_FIELD_CHARS:
            raise _BadLine(f"'{key}' is longer than {MAX_FIELD_CHARS:,} characters")
    for key in JSONL_FIELDS:
        if key in record and record[key] is not None and not isinstance(record[key], str):
            raise _BadLine(f"'{key}' must be a string")
        # JSON escapes can spell unpaired surrogates, which SQLite cannot store.
        if surrogate_problem(record.get(key) or ""):
            raise _BadLine(f"invalid Unicode (an unpaired surrogate) in '{key}'")


def _too_large(text: object, what: str) -> str | None:
    """Why `text` is over the article cap, or None (also for a non-string: checked later)."""
    if isinstance(text, str) and len(text) > MAX_ARTICLE_CHARS:
        return f"{what} is too large ({len(text):,} characters; limit {MAX_ARTICLE_CHARS:,})"
    return None


# -- storing -----------------------------------------------------------------------


@dataclass
class PreparedFile:
    """A file read, parsed and prepared for storing, or the reason it cannot be."""

    path: Path
    documents: list[PreparedDocument] = field(default_factory=list)
    warning: str | None = None
    error: str | None = None


def prepare_file(path: Path, encoding: str | None = None) -> PreparedFile:
    """Everything about a file that needs no database: pure, so it can run in a worker."""
    try:
        decoded = read_file(path, encoding)
        documents = [prepare_document(new) for new in parse(decoded)]
    except InputError as error:
        return PreparedFile(path, error=str(error))
    return PreparedFile(path, documents, decoded.warning)


# Below this many files a worker process costs more than it saves.
PARALLEL_MIN_FILES = 64


def import_paths(
    store: Store,
    paths: Iterable[str | Path],
    *,
    encoding: str | None = None,
    progress: Progress | None = None,
    parallel: bool = False,
) -> ImportReport:
    """Import files and folders; each file in its own transaction.

    With `parallel`, files are read and parsed in a worker process while this one
    writes, which nearly doubles throughput on large imports (the command line
    turns it on; callers with threads of their own should leave it off).
    """
    report = ImportReport()
    files = discover(paths, report)
    use_pool = parallel and len(files) >= PARALLEL_MIN_FILES and (os.cpu_count() or 1) > 1
    prepared_files = _prepare_all(files, encoding, use_pool)
    with store.bulk_writes():
        for done, prepared in enumerate(prepared_files, start=1):
            store.let_waiting_writers_in()
            if prepared.error:
                report.errors.append(prepared.error)
            else:
                _store_file(store, prepared, report)
            if progress:
                progress(done, len(files), str(prepared.path))
    return report


def _prepare_all(files: list[Path], encoding: str | None, use_pool: bool) -> Iterator[PreparedFile]:
    if not use_pool:
        for path in files:
            yield prepare_file(path, encoding)
        return
    yield from _prepared_by_worker(files, encoding)


def _prepared_by_worker(files: list[Path], encoding: str | None) -> Iterator[PreparedFile]:
    """Prepare files in a worker process, in order, while the caller stores them.

    A plain pipe rather than a process pool: a pool unpickles results in a thread of
    this process, which took the GIL from the thread writing to SQLite at every
    switch, slowing the writer down. Here the writer receives each file itself.
    The worker runs ahead only as far as the pipe's buffer (`PIPE_BYTES`), so
    memory stays flat.
    """
    import multiprocessing

    context = multiprocessing.get_context("fork" if os.name == "posix" else "spawn")
    receiver, sender = context.Pipe(duplex=False)
    _widen_pipe(receiver.fileno())
    worker = context.Process(target=_prepare_worker, args=(files, encoding, sender), daemon=True)
    worker.start()
    sender.close()  # the worker holds the only sending end: its exit ends our reads
    try:
        for path in files:
            try:
                outcome, value = receiver.recv()
            except EOFError:
                raise SidenoteError(
                    f"{path}: the process reading the files stopped unexpectedly "
                    f"(exit code {_exit_code(worker)}); files before this one were imported"
                ) from None
            if outcome == "failed":
                raise value
            documents, warning, error = value
            yield PreparedFile(path, documents, warning, error)
    finally:
        receiver.close()
        if worker.is_alive():
            worker.terminate()
        worker.join()


# The pipe ends when the worker closes it, just before it exits, so its exit code is
# known within moments; a worker stuck after that is stopped rather than waited for.
WORKER_EXIT_SECONDS = 30


def _exit_code(worker) -> int:
    """The worker's exit code, read only after it has been reaped (before `join()` the
    code is None, even though the pipe already says the worker is gone)."""
    worker.join(WORKER_EXIT_SECONDS)
    if worker.exitcode is None:
        worker.terminate()
        worker.join()
    return worker.exitcode


PIPE_BYTES = 1 << 20  # how far (~150 pages) the worker may run ahead of the writer


def _widen_pipe(fd: int) -> None:
    """Let the worker run further ahead than the 64 KB pipe default (~8 pages), so a
    slow page does not stall the writer. Linux only; elsewhere the default stays."""
    try:
        import fcntl
    except ImportError:
        return
    if hasattr(fcntl, "F_SETPIPE_SZ"):
        with contextlib.suppress(OSError):  # above the system's limit: keep the default
            fcntl.fcntl(fd, fcntl.F_SETPIPE_SZ, PIPE_BYTES)


def _prepare_worker(files: list[Path], encoding: str | None, sender) -> None:
    try:
        for path in files:
            try:
                prepared = prepare_file(path, encoding)
                # the path is known at the other end: a Path is slow to unpickle
                sender.send(("prepared", (prepared.documents, prepared.warning, prepared.error)))
            except Exception as error:  # a bug: re-raised in the importing process
                try:
                    sender.send(("failed", error))
                except Exception:  # an error that cannot be pickled
                    sender.send(("failed", RuntimeError(f"{type(error).__name__}: {error}")))
                return
    except (BrokenPipeError, OSError):
        return  # the importer stopped listening (it failed or was interrupted)
    finally:
        sender.close()


def _store_file(store: Store, prepared: PreparedFile, report: ImportReport) -> None:
    with store.transaction() as db:
        stored = []
        replaced = []
        for document in prepared.documents:
            doc_id, created = add_document(db, document)
            new = document.new
            stored.append(
                ImportedDocument(doc_id, new.title, new.source, stored_name(prepared.path), created)
            )
            if created:
                replacement = replace_previous_version(store, doc_id, new)
                if replacement is not None:
                    replaced.append(replacement.describe())
    report.replaced.extend(replaced)
    if prepared.warning:
        report.warnings.append(prepared.warning)
    report.files += 1
    for item in stored:
        report.documents.append(item)
        if item.created:
            report.added += 1
        else:
            report.unchanged += 1
