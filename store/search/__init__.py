"""Search over annotations and linked statements, grouped by statement, and over
the text of articles.

    query.py       the user's string as words and phrases, and as FTS5 syntax
    hits.py        candidates from the FTS indexes, ranked against the query
    vocabulary.py  the typo fallback's words: kept current, corrections chosen
    group.py       hits grouped by statement, with every article it appears in
    statements.py  `search`: the three steps in order
    articles.py    `search_articles`: the full text of articles
    results.py     what `search` returns
    trigrams.py    the trigram indexes (scripts without spaces) kept current

The names the app, the command line and the tests use are re-exported here.
"""

from .articles import ArticleMatch, search_articles
from .query import parse_query
from .results import DEFAULT_LIMIT, Appearance, StatementGroup
from .statements import search
from .vocabulary import refresh_vocabulary, warm_up

__all__ = [
    "DEFAULT_LIMIT",
    "Appearance",
    "ArticleMatch",
    "StatementGroup",
    "parse_query",
    "refresh_vocabulary",
    "search",
    "search_articles",
    "warm_up",
]
