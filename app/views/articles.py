"""Reading pages: the home page with the article list, an article, and the about page."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import Blueprint, render_template
from flask_babel import format_decimal
from flask_babel import gettext as _
from markupsafe import Markup

from app.caching import cached_page
from app.content.catalog import LocalizedArticle, LocalizedSection, Text
from app.content.render import render_inline
from app.i18n import SOURCE_LANGUAGE, current_language
from app.views.content import localized_or_404, store

bp = Blueprint("articles", __name__, url_prefix="/<lang:lang>")


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


def html(article: LocalizedArticle, text: Text) -> Markup:
    label = _("Source %(number)s", number="{number}")
    rendered = render_inline(
        text.value, article.article.source_number, label, format_number=format_decimal
    )
    # Safe: the renderer escapes all text and never passes raw HTML through (render.py).
    return Markup(rendered)  # nosec B704


def fallback_lang(text: Text) -> str | None:
    if text.translated or current_language() == SOURCE_LANGUAGE:
        return None
    return SOURCE_LANGUAGE


def elements(article: LocalizedArticle, section: LocalizedSection) -> list[Element]:
    out: list[Element] = []
    for block, text in section.blocks:
        element = Element(tag="", html=html(article, text), lang=fallback_lang(text))
        if block.kind == "item":
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
        fallback_lang=fallback_lang,
    )


@bp.get("/about")
@cached_page()
def about():
    return render_template("articles/about.html")
