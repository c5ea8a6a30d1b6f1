"""Full-text search over article sections: the only package that knows the search engine.

``analysis`` holds the per-language text analysis, ``index`` builds and swaps the index,
``query`` turns a reader's words into a safe, bounded query and runs it, and ``service`` keeps
one open index per worker process.
"""

from app.search.index import BuildError, IndexInfo, build_index, current_info
from app.search.query import SearchPage, SearchResult
from app.search.service import SearchService, SearchUnavailable

__all__ = [
    "BuildError",
    "IndexInfo",
    "SearchPage",
    "SearchResult",
    "SearchService",
    "SearchUnavailable",
    "build_index",
    "current_info",
]
