"""Annotations in and out of Sidenote, by job: `records` reads the database into
records (one consistent walk, article by article), `write` turns them into each
format, `formats` is the table of formats and runs an export, and `read` imports
annotation files (our `jsonl` export); `annotation_schema.json` describes a record.
The formats are described field by field in docs/formats.md."""
