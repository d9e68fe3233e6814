"""Annotations in and out of Sidenote: `export` writes every format, `read` imports
annotation files (our `jsonl` export); `annotation_schema.json` describes a record."""
