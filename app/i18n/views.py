"""The translation status page: how much of each article is current in each language."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template

from app.content.site import store
from app.i18n import workflow
from app.i18n.languages import SOURCE_LANGUAGE, language, languages
from app.web.caching import cached_page

bp = Blueprint("status", __name__, url_prefix="/<lang:lang>")


def _status() -> list[workflow.LanguageStatus]:
    """Read from the .po files once per process: they only change with a deployment."""
    found = current_app.extensions.get("translation_status")
    if found is None:
        codes = [lang.code for lang in languages() if lang.code != SOURCE_LANGUAGE]
        found = workflow.status(workflow.settings(current_app.config), codes) if codes else []
        current_app.extensions["translation_status"] = found
    return found


@bp.get("/translations")
@cached_page()
def translations():
    rows = [(language(entry.lang), entry) for entry in _status()]
    titles = {
        (lang.code, article.slug): store().localized(article.slug, lang.code).title  # type: ignore[union-attr]
        for lang, _ in rows
        for article in store().library.articles
    }
    return render_template(
        "status/translations.html", rows=rows, titles=titles, interface=workflow.INTERFACE
    )
