"""Localised option lists for the ask form: countries and the languages we can answer in.

Names come from Babel's CLDR data in the reader's language, sorted with the Unicode Collation
Algorithm (pyuca), so that "Égypte" sorts with the E's and Devanagari, Bengali, Arabic and
Cyrillic names in their alphabet's order, not by code point.
"""

from __future__ import annotations

from functools import cache

from babel import Locale
from pyuca import Collator

#: Two-letter CLDR territory codes that are not countries a person lives in.
NOT_COUNTRIES = frozenset({"EU", "EZ", "UN", "ZZ", "QO", "XA", "XB"})

#: Languages the clinic answers in besides the site's own: those its patients often speak.
EXTRA_ANSWER_LANGUAGES = ("hi", "ar", "bn", "ru", "fr", "ur", "ne", "uz")


@cache
def _collator() -> Collator:
    return Collator()


def sort_key(text: str) -> tuple[int, ...]:
    return _collator().sort_key(text)


@cache
def countries(lang: str) -> tuple[tuple[str, str], ...]:
    """``(code, name)`` of every country, named in ``lang`` and in that language's order."""
    territories = Locale.parse(lang).territories
    found = [
        (code, name)
        for code, name in territories.items()
        if len(code) == 2 and code.isalpha() and code not in NOT_COUNTRIES
    ]
    return tuple(sorted(found, key=lambda item: sort_key(item[1])))


def country_codes() -> frozenset[str]:
    return frozenset(code for code, _ in countries("en"))


def language_name(code: str, lang: str) -> str:
    """``code``'s name in its own script, followed by its name in ``lang`` when they differ,
    so a reader finds their language whichever page they are on."""
    locale = Locale.parse(code)
    own = locale.get_display_name(code) or code
    theirs = locale.get_display_name(lang) or code
    own, theirs = own[:1].upper() + own[1:], theirs[:1].upper() + theirs[1:]
    return own if own == theirs else f"{own} ({theirs})"


def answer_language_codes(site_languages: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(dict.fromkeys((*site_languages, *EXTRA_ANSWER_LANGUAGES)))


def answer_languages(site_languages: tuple[str, ...], lang: str) -> list[tuple[str, str]]:
    """The site's languages first (in its order), then the others by name in ``lang``."""
    site = [(code, language_name(code, lang)) for code in site_languages]
    others = [
        (code, language_name(code, lang))
        for code in answer_language_codes(site_languages)
        if code not in site_languages
    ]
    return site + sorted(others, key=lambda item: sort_key(item[1]))
