"""The gettext conventions the whole project shares, defined here once: the two domains, the
message contexts of article text, the catalog layout on disk, and a catalog language.

Plain Python (the content core and the translators' workflow both import it), so it lives with
the content core rather than in the Flask-facing ``app.i18n``. Change a convention here and
extraction, the site and the workflow change together.
"""

from __future__ import annotations

import re
from pathlib import Path

#: Interface text, extracted from the code and templates.
MESSAGES = "messages"
#: Article text, extracted from the content folder, one message per block.
ARTICLES = "articles"
DOMAINS = (MESSAGES, ARTICLES)
#: The folder under each language that gettext expects.
LC_MESSAGES = "LC_MESSAGES"


def catalog_path(translations: Path, lang: str, domain: str, suffix: str = ".po") -> Path:
    """``<translations>/<lang>/LC_MESSAGES/<domain>.po`` (or ``.mo``, ``suffix``)."""
    return translations / lang / LC_MESSAGES / f"{domain}{suffix}"


def catalog_languages(translations: Path) -> list[str]:
    """The language codes that have a catalog folder, in code order (the source's too)."""
    if not translations.is_dir():
        return []
    return sorted(p.name for p in translations.iterdir() if (p / LC_MESSAGES).is_dir())


def field_context(slug: str, field: str) -> str:
    """The context of an article's own field: ``als-stem-cell-therapy:title``."""
    return f"{slug}:{field}"


def section_context(slug: str, section_id: str) -> str:
    """The context of every block of a section: ``als-stem-cell-therapy#risks``."""
    return f"{slug}#{section_id}"


def article_of(context: str | None) -> str:
    """The article slug a context belongs to, or "unknown" for none."""
    return re.split(r"[:#]", context or "", maxsplit=1)[0] or "unknown"
