"""``/api/v1``: search results as JSON, for other sites to embed, with an OpenAPI description."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, g, request
from flask_babel import gettext as _

from app.config import VERSION
from app.errors import render_error
from app.i18n.languages import languages
from app.search.query import NOT_BLANK, is_blank
from app.search.service import SearchUnavailable
from app.search.site import service
from app.search.views import page_number

bp = Blueprint("api", __name__, url_prefix="/api/v1")


@bp.url_value_preprocessor
def language(endpoint: str | None, values: dict | None) -> None:
    """Errors raised before the view (too many requests) speak the language asked for."""
    lang = request.args.get("lang")
    if lang in {language.code for language in languages()}:
        g.lang = lang


@bp.after_request
def allow_embedding(response: Response) -> Response:
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


@bp.get("/search")
def search():
    codes = [lang.code for lang in languages()]
    lang = request.args.get("lang", "en")
    if lang not in codes:
        return render_error(
            400, _("Unknown language. Use one of: %(codes)s", codes=", ".join(codes))
        )
    g.lang = lang
    page = page_number(request.args.get("page"))
    if page is None:
        return render_error(400, _("That page of results does not exist."))
    text = request.args.get("q", "")
    if is_blank(text):
        return render_error(400, _("Type one or more words to search for."))
    try:
        result = service().search(text, lang, page)
    except SearchUnavailable:
        body, code = render_error(503, _("Search is being rebuilt. Please try again shortly."))
        return body, code, {"Retry-After": "30"}
    body = {
        "query": result.query.text,
        "truncated": result.query.truncated,
        "lang": result.lang,
        "fallback": result.fallback,
        "suggestion": result.suggestion,
        "corrected": result.corrected,
        "total": result.total,
        "page": result.page,
        "pages": result.pages,
        "partial": result.partial,
        "results": [
            {
                "article": r.slug,
                "section": r.section,
                "lang": r.lang,
                "title": r.title,
                "heading": r.heading,
                "snippet_html": r.snippet,
                "url": current_app.config["SITE_URL"] + r.url,
            }
            for r in result.results
        ],
    }
    # An answer the time budget cut short is kept by no cache (see the search page).
    return (body, 200, {"Cache-Control": "no-store"}) if result.partial else body


@bp.get("/openapi.json")
def openapi():
    codes = [lang.code for lang in languages()]
    error = {"$ref": "#/components/schemas/Error"}
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Patient information search",
            "version": VERSION,
            "description": "Full-text search over the sections of our patient-education articles.",
        },
        "servers": [{"url": current_app.config["SITE_URL"]}],
        "paths": {
            "/api/v1/search": {
                "get": {
                    "operationId": "search",
                    "summary": "Search article sections in one language",
                    "parameters": [
                        {
                            "name": "q",
                            "in": "query",
                            "required": True,
                            "schema": {
                                "type": "string",
                                "minLength": 1,
                                "maxLength": 300,
                                "pattern": NOT_BLANK,
                            },
                        },
                        {
                            "name": "lang",
                            "in": "query",
                            "required": False,
                            "schema": {"type": "string", "enum": codes, "default": "en"},
                        },
                        {
                            "name": "page",
                            "in": "query",
                            "required": False,
                            "schema": {
                                "type": "integer",
                                "minimum": 1,
                                "maximum": 50,
                                "default": 1,
                            },
                        },
                    ],
                    "responses": {
                        "200": {
                            "description": "Results",
                            "content": {
                                "application/json": {
                                    "schema": {"$ref": "#/components/schemas/SearchPage"}
                                }
                            },
                        },
                        "400": {
                            "description": "Bad parameters",
                            "content": {"application/json": {"schema": error}},
                        },
                        "429": {
                            "description": "Too many searches from this client",
                            "headers": {"Retry-After": {"schema": {"type": "integer"}}},
                            "content": {"application/json": {"schema": error}},
                        },
                        "503": {
                            "description": "Index being rebuilt",
                            "content": {"application/json": {"schema": error}},
                        },
                    },
                }
            }
        },
        "components": {
            "schemas": {
                "Error": {
                    "type": "object",
                    "required": ["error"],
                    "properties": {
                        "error": {
                            "type": "object",
                            "properties": {
                                "code": {"type": "integer"},
                                "title": {"type": "string"},
                                "message": {"type": "string"},
                            },
                        }
                    },
                },
                "SearchPage": {
                    "type": "object",
                    "required": ["query", "lang", "total", "page", "pages", "results", "fallback"],
                    "properties": {
                        "query": {
                            "type": "string",
                            "description": "The query as searched, after cleaning",
                        },
                        "truncated": {"type": "boolean"},
                        "lang": {"type": "string", "description": "Language of the results"},
                        "fallback": {
                            "type": "boolean",
                            "description": "True when the results are English ones",
                        },
                        "suggestion": {
                            "type": ["string", "null"],
                            "description": "A respelling of the query",
                        },
                        "corrected": {
                            "type": "boolean",
                            "description": "True when the results are those of the suggestion",
                        },
                        "total": {"type": "integer"},
                        "page": {"type": "integer"},
                        "pages": {"type": "integer"},
                        "partial": {
                            "type": "boolean",
                            "description": "True when the search was stopped early to answer "
                            "quickly: these may not be all the results",
                        },
                        "results": {
                            "type": "array",
                            "items": {
                                "type": "object",
                                "properties": {
                                    "article": {"type": "string"},
                                    "section": {"type": "string"},
                                    "lang": {"type": "string"},
                                    "title": {"type": "string"},
                                    "heading": {"type": "string"},
                                    "snippet_html": {"type": "string"},
                                    "url": {"type": "string", "format": "uri"},
                                },
                            },
                        },
                    },
                },
            }
        },
    }
