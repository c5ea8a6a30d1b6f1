"""The search page: a plain GET form that works without JavaScript."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_babel import gettext as _

from app.i18n.languages import current_language
from app.search.query import MAX_PAGE, is_blank
from app.search.service import SearchUnavailable
from app.search.site import service
from app.web.caching import cached_page

bp = Blueprint("search", __name__, url_prefix="/<lang:lang>")


def page_number(raw: str | None) -> int | None:
    """The requested page, or None when it is not a page number we serve."""
    if raw is None or raw == "":
        return 1
    if not raw.isascii() or not raw.isdigit() or not 1 <= int(raw) <= MAX_PAGE:
        return None
    return int(raw)


@bp.get("/search")
@cached_page("search_page_cache", quality=5, by_query=True)
def search():
    text = request.args.get("q", "")
    page = page_number(request.args.get("page"))
    if page is None:
        message = _("That page of results does not exist.")
        return render_template("search/results.html", q=text, result=None, error=message), 400
    if is_blank(text):
        return render_template("search/results.html", q="", result=None, error=None)
    try:
        result = service().search(text, current_language(), page)
    except SearchUnavailable:
        return (
            render_template("search/unavailable.html", q=text),
            503,
            {"Retry-After": "30"},
        )
    page_html = render_template("search/results.html", q=text, result=result, error=None)
    if result.partial:
        # Cut short by the time budget: a quieter moment may find them all, so neither our page
        # cache nor a CDN keeps this answer.
        return page_html, 200, {"Cache-Control": "no-store"}
    return page_html
