"""What the server's master loads before its workers fork, so that they share it copy-on-write
instead of each loading its own on first use: Babel's locale data and the ask form's sorted
country and language lists, the compiled templates and message catalogs, the search engine's
modules, and every reading page, rendered and compressed at its best level.

Pages are asked of the app as a reader would ask for them, so nothing here needs to know what
each page loads. A reading page is asked for twice in each encoding and its best-level forms
are awaited: so no reader, not even a worker's first, gets a page compressed at the fast level
(heavier on a slow connection). Not when the export serves the reading pages
(``EXPORT_SERVES_PAGES``): then the app keeps none, and asks for one of each kind. Never the
search index: its files are opened in each worker, after the fork (``app.search.service``).
Database connections made here are closed before the fork.
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

#: Reading pages, kept in the page cache: the home and about pages and every article.
READING = ("articles.home", "articles.about")
#: Other pages, asked for once to load what they use.
OTHERS = ("ask.form",)
ENCODINGS = ("br", "gzip")


def _paths(app: Flask, endpoints: list[tuple[str, dict[str, Any]]]) -> list[str]:
    with app.test_request_context():
        return [
            url_for(endpoint, lang=lang.code, **params)
            for lang in languages_of(app)
            for endpoint, params in endpoints
        ]


def warm(app: Flask) -> int:
    """Ask for the reading pages (every one, or one of each kind when the export serves them)
    and one of each other kind, in every language; returns how many answered 200."""
    import_engine()
    keep = not app.config.get("EXPORT_SERVES_PAGES")
    slugs = store(app).library.slugs
    reading: list[tuple[str, dict[str, Any]]] = [(endpoint, {}) for endpoint in READING]
    reading += [("articles.article", {"slug": slug}) for slug in (slugs if keep else slugs[:1])]
    # A kept page is read twice in each encoding: the second reading has it recompressed.
    twice = ENCODINGS * 2 if keep else ENCODINGS[:1]
    asks = [(path, twice) for path in _paths(app, reading)]
    asks += [(path, ENCODINGS[:1]) for path in _paths(app, [(e, {}) for e in OTHERS])]
    client = app.test_client()
    answered = 0
    for path, encodings in asks:
        statuses = {
            client.get(path, headers={"Accept-Encoding": encoding}).status_code
            for encoding in encodings
        }
        if statuses == {200}:
            answered += 1
        else:  # the site still serves; that page is loaded by each worker instead
            log.warning("warming %s answered %s", path, sorted(statuses))
    app.extensions["recompressor"].wait()
    with app.app_context():
        db.engine.dispose()
    return answered
