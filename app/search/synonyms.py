"""Words patients type for the words the articles use: searched as one.

Each group is a set of single words a reader may use for the same thing; a query word in a group
also matches the others. Kept small and reviewed, per language: everyday words and spellings
that neither stemming nor folding can join (a verb and its noun, a loanword and the native word).
"""

from __future__ import annotations

from functools import cache

from app.search.analysis import words

GROUPS: dict[str, list[list[str]]] = {
    "en": [
        ["cost", "costs", "price", "fee", "fees", "money"],
        ["india", "indian"],
        ["die", "death", "dying", "died"],
    ],
    "ar": [["يكلف", "تكلفة", "تكاليف", "رسوم", "سعر", "ثمن"], ["فيزا", "تأشيرة"]],
    "bn": [["ইন্ডিয়া", "ভারত"], ["মেশিন", "যন্ত্র"], ["খরচ", "টাকা", "ফি"]],
    "hi": [["खर्च", "कीमत", "फ़ीस", "पैसे"], ["इंडिया", "भारत"], ["वीजा", "वीज़ा"]],
    "ru": [["стоит", "стоимость", "цена", "плата", "деньги"]],
    "fr": [
        ["coût", "coûte", "prix", "frais", "argent"],
        ["sonde", "tube"],
        ["manger", "alimentation", "nourrir", "alimenter"],
        ["mourir", "décès", "mort", "meurent"],
        ["enfant", "enfants", "fertilité", "infertilité", "infertile"],
    ],
}


@cache
def _by_term(lang: str) -> dict[str, frozenset[str]]:
    table: dict[str, frozenset[str]] = {}
    for group in GROUPS.get(lang, []):
        terms = frozenset(t for word in group for t in words(lang, word))
        for term in terms:
            table[term] = table.get(term, frozenset()) | terms
    return table


def expand(lang: str, terms: list[str]) -> list[str]:
    """``terms`` and the index terms of every word grouped with them."""
    table = _by_term(lang)
    out = list(terms)
    for term in terms:
        out += [t for t in sorted(table.get(term, ())) if t not in out]
    return out
