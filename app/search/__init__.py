"""Full-text search over article sections: the only package that knows the search engine.

``analysis`` holds the per-language text analysis, ``index`` builds and swaps the index,
``query`` turns a reader's words into a safe, bounded query and runs it, and ``service`` keeps
one open index per worker process. On the site: ``site`` opens the service for an app,
``views`` is the search page, ``api`` the JSON API and ``cli`` is ``flask search``.
"""

from flask import Flask

from app.i18n.languages import languages_of
from app.search import api, cli, site, views
from app.search.index import BuildError, IndexInfo, build_index, current_info
from app.search.query import SearchPage, SearchResult
from app.search.service import SearchService, SearchUnavailable
from app.web import limits

__all__ = [
    "BuildError",
    "IndexInfo",
    "SearchPage",
    "SearchResult",
    "SearchService",
    "SearchUnavailable",
    "build_index",
    "current_info",
    "init_app",
]


def init_app(app: Flask) -> None:
    site.install(app, [lang.code for lang in languages_of(app)])
    # The page and the API share one count: a new search costs a worker real work either way.
    limits.limit(
        app, [views.bp, api.bp], "SEARCH_RATE_LIMIT", endpoints={"search.search", "api.search"}
    )
    app.register_blueprint(views.bp)
    app.register_blueprint(api.bp)
    app.cli.add_command(cli.search)
