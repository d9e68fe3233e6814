"""Runs doccano 1.8.4's own import and export code on a JSONL file; started by
tests/exchange/test_doccano_real.py with the Python of a separate environment
holding doccano and its pinned dependencies (not importable from the suite's).

    python doccano_driver.py FILE.jsonl WORKDIR ENCODING...

For each ENCODING (a choice of doccano's import form; "" for the form's default),
imports FILE into a new sequence-labelling project the way the import task does
(data_import/celery_tasks.py `import_dataset`: `load_dataset(...).save(user)`),
exports it the way the export task does (data_export/celery_tasks.py
`create_collaborative_dataset`) to WORKDIR/ENCODING.jsonl, and prints one JSON
object: per encoding the parser's errors (or the exception it raised) and each
stored example with its span rows. The database is doccano's own models on SQLite,
its tables made from those models (`migrate --run-syncdb`): its migration history
reaches apps (auto_labeling, api) whose imports need packages this path never uses.
"""

from __future__ import annotations

import json
import pathlib
import sys

import backend  # doccano's wheel: its Django apps are top-level modules inside it

sys.path.insert(0, str(pathlib.Path(backend.__file__).parent))

import django  # noqa: E402
from django.conf import settings  # noqa: E402

APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "polymorphic",
    "django_drf_filepond",
    "roles",
    "projects",
    "examples",
    "labels",
    "label_types",
    "data_import",
    "data_export",
]


def configure(work: pathlib.Path) -> None:
    settings.configure(
        INSTALLED_APPS=APPS,
        MIGRATION_MODULES={app.rpartition(".")[2]: None for app in APPS},
        DATABASES={
            "default": {"ENGINE": "django.db.backends.sqlite3", "NAME": str(work / "doccano.db")}
        },
        DJANGO_DRF_FILEPOND_UPLOAD_TMP=str(work / "uploads"),
        DJANGO_DRF_FILEPOND_FILE_STORE_PATH=str(work / "stored"),
        DEFAULT_AUTO_FIELD="django.db.models.AutoField",
        USE_TZ=True,
    )
    django.setup()
    from django.core.management import call_command

    call_command("migrate", run_syncdb=True, verbosity=0)


def form_defaults() -> dict:
    """The options doccano's import page sends for JSONL in a sequence-labelling
    project: each property's default from the catalog it is built from."""
    from data_import.pipeline.catalog import Options
    from projects.models import ProjectType

    for option in Options.filter_by_task(ProjectType.SEQUENCE_LABELING):
        if option["display_name"] == "JSONL":
            return {name: prop["default"] for name, prop in option["properties"].items()}
    raise LookupError("doccano's catalog has no JSONL option for sequence labelling")


def import_and_export(user, path: str, encoding: str, out: pathlib.Path) -> dict:
    from data_export.models import ExportedExample
    from data_export.pipeline.dataset import Dataset
    from data_export.pipeline.factories import (
        create_comment,
        create_formatter,
        create_labels,
        create_writer,
    )
    from data_export.pipeline.services import ExportApplicationService
    from data_import.datasets import load_dataset
    from data_import.pipeline.catalog import create_file_format
    from data_import.pipeline.readers import FileName
    from labels.models import Span
    from projects.models import ProjectType, SequenceLabelingProject

    project = SequenceLabelingProject.objects.create(
        name=encoding or "default",
        project_type=ProjectType.SEQUENCE_LABELING,
        created_by=user,
        collaborative_annotation=True,  # one export file, as one annotator sees it
    )
    options = form_defaults()
    if encoding:
        options["encoding"] = encoding
    name = pathlib.Path(path).name
    try:
        dataset = load_dataset(
            ProjectType.SEQUENCE_LABELING,
            create_file_format("JSONL"),
            [FileName(full_path=path, generated_name=name, upload_name=name)],
            project,
            **options,
        )
        dataset.save(user)
    except Exception as error:  # the import task would fail (and be retried)
        return {"options": options, "exception": repr(error)}
    examples = ExportedExample.objects.filter(project=project)
    ExportApplicationService(
        Dataset(examples, create_labels(project, examples), create_comment(examples), True),
        create_formatter(project, "JSONL"),
        create_writer("JSONL"),
    ).export(str(out))
    return {
        "options": options,
        "errors": [error.dict() for error in dataset.errors],
        "examples": [
            {
                "text": example.text,
                "meta": example.meta,
                "spans": [
                    [span.start_offset, span.end_offset, span.label.text]
                    for span in Span.objects.filter(example=example).order_by("start_offset")
                ],
            }
            for example in project.examples.order_by("id")
        ],
        "export": str(out),
    }


def main(path: str, work: str, *encodings: str) -> None:
    workdir = pathlib.Path(work)
    configure(workdir)
    from django.contrib.auth.models import User

    user = User.objects.create(username="annotator")
    result = {}
    for encoding in encodings:
        out = workdir / f"{encoding or 'default'}.jsonl"
        result[encoding] = import_and_export(user, path, encoding, out)
    sys.stdout.write(json.dumps(result) + "\n")


if __name__ == "__main__":
    main(*sys.argv[1:])
