"""Words patients type for the words the articles use: searched as one.

Two sources, per language. The translators' glossaries (``glossary``): each row with
"Readers also type" is a group of the agreed term and the other ways readers say it, and its
members are often phrases (नैदानिक परीक्षण for क्लिनिकल ट्रायल). And the groups below, kept
small and reviewed, of everyday words that are no glossary term: a verb and its noun, a word and
its topic (cost, price, money), and English, which has no glossary.

A group of single words joins index terms (``expand``): a query word in it also matches the
others. A group with a phrase in it, and every glossary group, is matched on the reader's
words in order (``matches``): where they say one member, the query also looks for the other
members, each as a phrase. Both are applied when a query is built, never when the index is, so
a glossary change needs no rebuild, only a restart (the glossaries are read once per process).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from app.search import glossary
from app.search.analysis import WORD_RE, words

GROUPS: dict[str, list[list[str]]] = {
    "en": [
        ["cost", "costs", "price", "fee", "fees", "money"],
        ["india", "indian"],
        ["die", "death", "dying", "died"],
        ["doctor", "physician"],
        ["chemotherapy", "chemo"],
        ["infertility", "infertile", "fertility", "sterility"],
        ["lumbar puncture", "spinal tap"],
        ["side effect", "adverse effect", "adverse reaction"],
        ["spinal fluid", "cerebrospinal fluid", "CSF"],
    ],
    "ar": [["يكلف", "تكلفة", "تكاليف", "رسوم", "سعر", "ثمن"], ["فيزا", "تأشيرة"]],
    "bn": [["ইন্ডিয়া", "ভারত"], ["মেশিন", "যন্ত্র"], ["খরচ", "টাকা", "ফি"]],
    "hi": [["खर्च", "कीमत", "फ़ीस", "पैसे"], ["इंडिया", "भारत"], ["वीजा", "वीज़ा"]],
    "ru": [["стоит", "стоимость", "цена", "плата", "деньги"]],
    "fr": [
        ["coût", "coûte", "prix", "frais", "argent"],
        ["manger", "alimentation", "nourrir", "alimenter"],
        ["mourir", "décès", "mort", "meurent"],
        ["enfant", "enfants", "fertilité", "infertilité", "infertile"],
    ],
}

#: A word or phrase as index terms: for each of its words, that word's terms (the first is the
#: one a phrase query uses; Bengali and French give a word more than one).
Member = tuple[tuple[str, ...], ...]


def member(lang: str, text: str) -> Member:
    """``text`` as index terms, word by word; words with none (stop words) left out."""
    found = (tuple(words(lang, m.group())) for m in WORD_RE.finditer(text))
    return tuple(terms for terms in found if terms)


def _single_words(lang: str, group: list[str]) -> bool:
    return all(len(member(lang, text)) == 1 for text in group)


@cache
def _by_term(lang: str) -> dict[str, frozenset[str]]:
    table: dict[str, frozenset[str]] = {}
    for group in GROUPS.get(lang, []):
        if not _single_words(lang, group):
            continue
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


@dataclass(frozen=True)
class Match:
    """Words ``start`` to ``end`` (not included) of a query say a member of a group."""

    start: int
    end: int
    #: The other members of the group (of every group, when two name these words).
    others: tuple[Member, ...]


#: Groups of members, and for each word's term the members whose first word has it.
_Phrases = tuple[tuple[tuple[Member, ...], ...], dict[str, list[tuple[Member, int]]]]


@cache
def _phrases(lang: str, glossaries: Path | None) -> _Phrases:
    texts = [group for group in GROUPS.get(lang, []) if not _single_words(lang, group)]
    if glossaries is not None:
        texts += [list(group) for group in glossary.groups(glossaries, lang)]
    groups = []
    for texts_of_group in texts:
        members = tuple(dict.fromkeys(m for m in (member(lang, t) for t in texts_of_group) if m))
        if len(members) > 1:
            groups.append(members)
    starts: dict[str, list[tuple[Member, int]]] = defaultdict(list)
    for number, members in enumerate(groups):
        for found in members:
            for term in found[0]:
                starts[term].append((found, number))
    return tuple(groups), dict(starts)


def _says(typed: Sequence[Sequence[str]], at: int, found: Member) -> bool:
    if at + len(found) > len(typed):
        return False
    return all(set(typed[at + i]) & set(terms) for i, terms in enumerate(found))


def _within(part: Member, whole: Member) -> bool:
    """``part`` is ``whole`` or some of its words in a row ("ट्रायल" in "क्लिनिकल ट्रायल"): as
    an alternative it would only loosen what the reader typed."""
    return any(whole[i : i + len(part)] == part for i in range(len(whole) - len(part) + 1))


def matches(lang: str, typed: Sequence[Sequence[str]], glossaries: Path | None) -> list[Match]:
    """Where a reader's words (each as its index terms, in order; none for a word that must
    not be matched) say a member of a group, longest first from the left, without overlaps,
    with the members to look for too: the group's others, less those inside what was said."""
    groups, starts = _phrases(lang, glossaries)
    out = []
    at = 0
    while at < len(typed):
        candidates = [c for term in typed[at] for c in starts.get(term, ())]
        said = [(found, number) for found, number in candidates if _says(typed, at, found)]
        if not said:
            at += 1
            continue
        longest = max(len(found) for found, _ in said)
        numbers = dict.fromkeys(number for found, number in said if len(found) == longest)
        here = [found for found, _ in said if len(found) == longest]
        others = dict.fromkeys(
            m for n in numbers for m in groups[n] if not any(_within(m, h) for h in here)
        )
        if others:
            out.append(Match(at, at + longest, tuple(others)))
        at += longest
    return out
