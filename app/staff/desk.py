"""The translation desk (``/staff/translations/``): for translators, every entry of their
languages waiting for work, with the English change, the glossary and links to the page.

Read-only: translators work on the ``.po`` files (in their own tools, or through
``flask translate package``), which stay the one source of truth.
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template
from flask_login import current_user

from app.content.site import store
from app.i18n import desk, workflow
from app.i18n.languages import language, languages
from app.staff import views

bp = Blueprint("desk", __name__, url_prefix="/staff/translations")
bp.after_request(views.private)


@bp.before_request
def require_translator():
    """Logged in (with every staff session rule), and given at least one language."""
    refused = views.require_login()
    if refused is not None:
        return refused
    if not current_user.desk_languages:
        abort(403)
    return None


def _settings() -> workflow.Settings:
    return workflow.settings(current_app.config)


def _mine() -> list[str]:
    shipped = {lang.code for lang in languages()}
    return [code for code in current_user.desk_languages if code in shipped]


@bp.get("/")
def index():
    rows = workflow.status(_settings(), _mine()) if _mine() else []
    return render_template(
        "staff/desk_index.html", rows=[(language(row.lang), row.overall) for row in rows]
    )


@bp.get("/<code>")
def work(code: str):
    if code not in _mine():
        abort(404)
    groups = desk.waiting(_settings(), code)
    library = store().library
    headings = {
        (article.slug, section.id): section.title
        for article in library.articles
        for section in article.sections
    }
    titles = {article.slug: article.title for article in library.articles}
    return render_template(
        "staff/desk.html",
        desk_lang=language(code),
        groups=groups,
        headings=headings,
        titles=titles,
        total=sum(len(group.items) for group in groups),
        interface=workflow.INTERFACE,
    )
