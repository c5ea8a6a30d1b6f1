"""Access to the loaded articles from a request, shared by the blueprints that show them."""

from __future__ import annotations

from flask import abort, current_app

from app.content.catalog import LocalizedArticle
from app.content.store import ContentStore
from app.i18n.languages import current_language


def store() -> ContentStore:
    return current_app.extensions["content"]


def localized_or_404(slug: str) -> LocalizedArticle:
    found = store().localized(slug, current_language())
    if found is None:
        abort(404)
    return found
