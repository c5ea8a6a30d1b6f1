"""Reading pages: the home page with the article list, an article, and the about page."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from functools import partial

from flask import Blueprint, abort, render_template, url_for
from flask_babel import format_decimal
from flask_babel import gettext as _
from markupsafe import Markup, escape

from app.content.catalog import LocalizedArticle, LocalizedSection, Text
from app.content.figures import to_svg
from app.content.model import Block
from app.content.render import plain_text, render_inline
from app.content.site import store
from app.i18n.languages import SOURCE_LANGUAGE, current_language, language
from app.web.caching import cached_page, serve_generated

bp = Blueprint("articles", __name__, url_prefix="/<lang:lang>")


def localized_or_404(slug: str) -> LocalizedArticle:
    found = store().localized(slug, current_language())
    if found is None:
        abort(404)
    return found


@dataclass
class Element:
    """One rendered element of a section: a paragraph, sub-heading, note or a whole list."""

    tag: str
    html: Markup = Markup("")
    #: Set to the source language when the text is shown untranslated.
    lang: str | None = None
    items: list[Element] = field(default_factory=list)
    #: For a list: which list of the section it is, so adjacent lists stay apart.
    list_index: int | None = None
    #: Tables and figures: the anchor, and (tables) the header cells and body rows.
    anchor: str | None = None
    header: list[Element] = field(default_factory=list)
    rows: list[list[Element]] = field(default_factory=list)
    #: Figures: where the drawing is, its size, alternative text and description.
    src: str | None = None
    width: int = 0
    height: int = 0
    alt: Element | None = None
    description: Element | None = None


def html(article: LocalizedArticle, text: Text) -> Markup:
    label = _("Source %(number)s", number="{number}")
    rendered = render_inline(
        text.value, article.article.source_number, label, format_number=format_decimal
    )
    # Safe: the renderer escapes all text and never passes raw HTML through (render.py).
    return Markup(rendered)  # nosec B704


@bp.app_template_global()
def fallback_lang(text: Text) -> str | None:
    """The language ``text`` is shown in when it is not the page's (the source's), or None."""
    if text.translated or current_language() == SOURCE_LANGUAGE:
        return None
    return SOURCE_LANGUAGE


def _part(article: LocalizedArticle, section: LocalizedSection, block: Block) -> Element:
    text = section.text(block) if block.text else Text("", True)
    return Element(tag="", html=html(article, text), lang=fallback_lang(text))


def elements(article: LocalizedArticle, section: LocalizedSection) -> list[Element]:
    out: list[Element] = []
    for block, text in section.blocks:
        element = Element(tag="", html=html(article, text), lang=fallback_lang(text))
        if block.kind == "table":
            element.tag, element.anchor = "table", block.anchor
            element.header = [_part(article, section, c) for c in block.rows[0]]
            element.rows = [[_part(article, section, c) for c in row] for row in block.rows[1:]]
            out.append(element)
        elif block.kind == "figure":
            element.tag, element.anchor = "figure", block.anchor
            element.src = figure_url(article, section, block)
            if block.svg is not None:  # the loader sets it on every figure
                element.width, element.height = round(block.svg.width), round(block.svg.height)
            for part in block.parts:
                if part.kind == "alt":
                    alt = section.text(part)
                    element.alt = Element(
                        tag="", html=escape(plain_text(alt.value)), lang=fallback_lang(alt)
                    )
                elif part.kind == "description":
                    element.description = _part(article, section, part)
            out.append(element)
        elif block.kind == "item":
            tag = "ol" if block.ordered else "ul"
            if not (out and out[-1].tag == tag and out[-1].list_index == block.list_index):
                out.append(Element(tag=tag, list_index=block.list_index))
            element.tag = "li"
            out[-1].items.append(element)
        else:
            element.tag = {"paragraph": "p", "subheading": "h3", "note": "note"}[block.kind]
            out.append(element)
    return out


@bp.get("/")
@cached_page()
def home():
    return render_template("articles/home.html", articles=store().all_localized(current_language()))


@bp.get("/articles/<slug>")
@cached_page()
def article(slug: str):
    localized = localized_or_404(slug)
    related = [store().localized(s, current_language()) for s in localized.article.related]
    return render_template(
        "articles/article.html",
        article=localized,
        related=related,
        elements=elements,
        html=html,
    )


def figure_svg(article: LocalizedArticle, section: LocalizedSection, block: Block) -> bytes:
    """A figure's drawing in the article's language: text translated (English where it is not
    yet, marked), right-to-left languages mirrored."""
    texts = {p.text: section.text(p) for p in block.parts if p.kind == "figure-text"}

    def translate(source: str) -> tuple[str, bool]:
        found = texts.get(source)
        return (found.value, found.translated) if found else (source, False)

    if block.svg is None:
        raise ValueError(f"figure {block.anchor!r} has no drawing")
    rtl = language(article.lang).dir == "rtl"
    return to_svg(block.svg, article.lang, rtl, translate).encode()


def figure_url(article: LocalizedArticle, section: LocalizedSection, block: Block) -> str:
    """The drawing's address, fingerprinted by its own bytes: a change to another figure, or to
    another article, leaves it (and the pages that show it) as they were."""
    digest = hashlib.sha256(figure_svg(article, section, block)).hexdigest()[:10]
    return url_for("articles.figure", slug=article.article.slug, anchor=block.anchor, v=digest)


@bp.get("/articles/<slug>/figures/<anchor>.svg")
def figure(slug: str, anchor: str):
    """A figure's drawing in the reader's language, made once per language and content
    version; the address a page uses carries the drawing's fingerprint (``figure_url``), so it
    is cached for a year."""
    localized = localized_or_404(slug)
    for section in localized.sections:
        for block, _text in section.blocks:
            if block.kind == "figure" and block.anchor == anchor and block.svg is not None:
                key = ("figure", localized.lang, slug, anchor, store().version)
                make = partial(figure_svg, localized, section, block)
                return serve_generated(key, make, "image/svg+xml", store().modified)
    abort(404)


@bp.get("/about")
@cached_page()
def about():
    return render_template("articles/about.html")
