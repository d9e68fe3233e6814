"""Matching statements across articles: pure functions over text, no database."""
