"""Language-less addresses, health check and sitemap: the routes outside ``/<lang>/``."""

from __future__ import annotations

from urllib.parse import quote

from flask import Blueprint, Response, abort, current_app, redirect, render_template, request
from werkzeug.exceptions import MethodNotAllowed, NotFound
from werkzeug.routing import RequestRedirect
from werkzeug.wrappers import Response as BaseResponse

from app.config import VERSION
from app.content.site import store
from app.i18n.languages import LANG_COOKIE, languages, negotiate
from app.web.caching import cached_page
from app.web.security import FORWARDED_IGNORED, is_safe_local_path

bp = Blueprint("meta", __name__)


def _negotiated_redirect(path: str) -> BaseResponse:
    response = redirect(path, code=302)
    response.vary.update(("Accept-Language", "Cookie"))
    return response


@bp.get("/")
def root():
    return _negotiated_redirect(f"/{negotiate()}/")


@bp.get("/<path:path>")
def language_less(path: str):
    """``/articles/x`` and other addresses without a language go to the reader's language."""
    target = f"/{negotiate()}/{quote(path, safe='/')}"
    adapter = current_app.url_map.bind("localhost")
    try:
        endpoint, _ = adapter.match(target, method="GET")
    except RequestRedirect as exc:
        target = exc.new_url.removeprefix("http://localhost")
    except (NotFound, MethodNotAllowed):
        abort(404)
    else:
        if endpoint == "meta.language_less":
            abort(404)
    query = quote(request.query_string.decode("latin-1"), safe="=&%+;,/:@!$'()*?~-._")
    return _negotiated_redirect(target + (f"?{query}" if query else ""))


@bp.get("/healthz")
def healthz():
    content = store()
    return {
        "status": "ok",
        "version": VERSION,
        "content_version": content.version,
        "languages": [lang.code for lang in languages()],
        # True once a client came through a proxy that TRUSTED_PROXIES does not count.
        "forwarded_headers_ignored": bool(current_app.extensions.get(FORWARDED_IGNORED)),
    }


@bp.get("/sitemap.xml")
@cached_page()
def sitemap():
    pages = [("articles.home", {}), ("articles.about", {})]
    pages += [("articles.article", {"slug": slug}) for slug in store().library.slugs]
    body = render_template("sitemap.xml", pages=pages)
    return Response(body, mimetype="application/xml")


@bp.get("/robots.txt")
@cached_page()
def robots():
    """Everything may be crawled except staff pages, search results and the API; the sitemap
    address comes from SITE_URL."""
    lines = [
        "User-agent: *",
        "Disallow: /staff/",
        "Disallow: /api/",
        *(f"Disallow: /{lang.code}/search" for lang in languages()),
        f"Sitemap: {current_app.config['SITE_URL']}/sitemap.xml",
        "",
    ]
    return Response("\n".join(lines), mimetype="text/plain")


@bp.get("/language/<code>")
def switch_language(code: str):
    """Remember the reader's choice, then go to ``next`` if it is a page of that language."""
    codes = {lang.code for lang in languages()}
    if code not in codes:
        abort(404)
    target = request.args.get("next", "")
    if not (is_safe_local_path(target) and target.startswith(f"/{code}/")) or "//" in target:
        target = f"/{code}/"
    response = redirect(target, code=303)
    response.set_cookie(
        LANG_COOKIE,
        code,
        max_age=365 * 24 * 3600,
        samesite="Lax",
        secure=request.is_secure,
        httponly=True,
    )
    return response
