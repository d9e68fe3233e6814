"""Getting articles in: reading files, parsing pages into documents, boilerplate
(`furniture`), sentences, and new versions of an article (`versions`, `reanchor`)."""
