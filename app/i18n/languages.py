"""Which languages the site speaks, and which one a request is answered in.

A language is shipped when ``translations/<code>/`` holds its catalogs, so adding one is
``flask translate init CODE`` plus the translator's work: no code changes.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from babel import Locale
from flask import Flask, current_app, g, request, url_for
from flask_babel import Babel
from werkzeug.routing import BaseConverter, ValidationError

from app.content.conventions import MESSAGES, catalog_languages

SOURCE_LANGUAGE = "en"
LANG_COOKIE = "lang"


@dataclass(frozen=True)
class Language:
    code: str
    #: The language's name in its own script, as readers look for it.
    name: str
    dir: str

    @property
    def english_name(self) -> str:
        return Locale.parse(self.code).get_display_name("en") or self.code


@cache
def _language(code: str) -> Language:
    locale = Locale.parse(code)
    name = locale.display_name or code
    return Language(code=code, name=name[:1].upper() + name[1:], dir=locale.text_direction)


def discover_languages(translations_dir: Path) -> tuple[Language, ...]:
    """English first, then every language with a catalog directory, in code order."""
    codes = [code for code in catalog_languages(translations_dir) if code != SOURCE_LANGUAGE]
    return tuple(_language(c) for c in (SOURCE_LANGUAGE, *codes))


def languages() -> tuple[Language, ...]:
    return languages_of(current_app)


def languages_of(app: Flask) -> tuple[Language, ...]:
    return app.extensions["languages"]


def language(code: str) -> Language:
    return next(lang for lang in languages() if lang.code == code)


def negotiate() -> str:
    """Saved choice, then the browser's Accept-Language, then English."""
    codes = [lang.code for lang in languages()]
    saved = request.cookies.get(LANG_COOKIE)
    if saved in codes:
        return saved
    return request.accept_languages.best_match(codes) or SOURCE_LANGUAGE


def current_language() -> str:
    """The page's language; for an address that matched no page (a 404), the language its
    path starts with, so the error page is in the reader's language too."""
    lang = g.get("lang")
    if lang is None:
        first = request.path.strip("/").split("/", 1)[0]
        codes = {language.code for language in languages()}
        lang = g.lang = first if first in codes else negotiate()
    return lang


class LanguageConverter(BaseConverter):
    """Matches only shipped language codes, so ``/xx/...`` is a plain 404."""

    regex = r"[a-z]{2,3}(?:[-_][A-Za-z0-9]{2,8})?"

    def to_python(self, value: str) -> str:
        if value not in {lang.code for lang in languages()}:
            raise ValidationError
        return value


def init_app(app: Flask) -> None:
    app.extensions["languages"] = discover_languages(Path(app.config["TRANSLATIONS_DIR"]))
    app.url_map.converters["lang"] = LanguageConverter
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", app.config["TRANSLATIONS_DIR"])
    app.config.setdefault("BABEL_DOMAIN", MESSAGES)
    Babel(app, locale_selector=current_language)

    @app.url_value_preprocessor
    def take_language(endpoint: str | None, values: dict | None) -> None:
        if values and "lang" in values:
            g.lang = values.pop("lang")
            g.view_args = dict(values)

    @app.url_defaults
    def add_language(endpoint: str, values: dict) -> None:
        if "lang" not in values and app.url_map.is_endpoint_expecting(endpoint, "lang"):
            values["lang"] = current_language()

    @app.context_processor
    def language_context() -> dict:
        lang = current_language()
        return {
            "languages": languages(),
            "lang": language(lang),
            "alternates": alternates,
            "canonical_url": canonical_url,
            "switch_language_url": switch_language_url,
        }


@dataclass(frozen=True)
class Alternate:
    hreflang: str
    url: str


def page_url(code: str, external: bool = False) -> str | None:
    """This page in language ``code``, or None when the page has no language in its address."""
    endpoint = request.endpoint
    view_args = g.get("view_args")
    if endpoint is None or view_args is None or "lang" not in g:
        return None
    return url_for(endpoint, lang=code, **view_args, _external=external)


def alternates() -> list[Alternate]:
    """``hreflang`` alternates of this page in every language, plus ``x-default``."""
    found: list[Alternate] = []
    for lang in languages():
        # None for one language is None for all: the page has no language in its address.
        url = page_url(lang.code, external=True)
        if url is None:
            return []
        found.append(Alternate(lang.code, url))
    if not found:
        return []
    default = found[0].url.replace(f"/{SOURCE_LANGUAGE}/", "/", 1)
    return [*found, Alternate("x-default", default)]


def canonical_url() -> str | None:
    """This page's one public address (from SITE_URL), without any query string."""
    return page_url(current_language(), external=True)


def switch_language_url(code: str) -> str:
    """Saves the choice, then shows this same page (with its query, e.g. a search) in ``code``."""
    target = page_url(code)
    if target and request.query_string:
        target += "?" + request.query_string.decode("latin-1")
    return url_for("meta.switch_language", code=code, next=target)
