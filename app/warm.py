"""What the server's master loads before its workers fork, so that they share it copy-on-write
instead of each loading its own on first use: Babel's locale data and the ask form's sorted
country and language lists, the compiled templates and message catalogs, and the search
engine's modules.

Pages are asked of the app as a reader would ask for them, one of each kind in every language,
so nothing here needs to know what each page loads. Never the search index: its files are
opened in each worker, after the fork (``app.search.service``). Database connections made here
are closed before the fork.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, url_for

from app.content.site import store
from app.database import db
from app.i18n.languages import languages_of
from app.search.site import import_engine

log = logging.getLogger(__name__)

#: One page of each kind; ``articles.article`` is asked for the library's first article.
ENDPOINTS = ("articles.home", "articles.about", "ask.form")


def warm(app: Flask) -> int:
    """Ask for one page of each kind in every language; returns how many answered 200."""
    import_engine()
    pages: list[tuple[str, dict[str, Any]]] = [(endpoint, {}) for endpoint in ENDPOINTS]
    pages += [("articles.article", {"slug": slug}) for slug in store(app).library.slugs[:1]]
    with app.test_request_context():
        paths = [
            url_for(endpoint, lang=lang.code, **params)
            for lang in languages_of(app)
            for endpoint, params in pages
        ]
    client = app.test_client()
    answered = 0
    for path in paths:
        status = client.get(path, headers={"Accept-Encoding": "br"}).status_code
        if status == 200:
            answered += 1
        else:  # the site still serves; that page is loaded by each worker instead
            log.warning("warming %s answered %s", path, status)
    with app.app_context():
        db.engine.dispose()
    return answered
