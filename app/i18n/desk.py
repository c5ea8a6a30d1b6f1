"""The translation desk's content: every entry of a language waiting for work (fuzzy or not
translated yet), grouped by article and section, with what changed in the English word by word
and the glossary terms it contains.

Read-only, straight from the ``.po`` files: they stay the one source of truth, and review and
history stay in version control.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from babel.messages.catalog import Message

from app.content.conventions import ARTICLES, article_of
from app.i18n.workflow import INTERFACE, Settings, read
from app.search.glossary import parse

WORD = re.compile(r"\s+|[^\s]+")


@dataclass(frozen=True)
class Change:
    """A run of words in a diff: ``kind`` is "same", "removed" or "added"."""

    kind: str
    text: str


@dataclass(frozen=True)
class Term:
    english: str
    translation: str


@dataclass(frozen=True)
class Item:
    context: str | None
    english: str
    translation: str
    fuzzy: bool
    #: The English the current translation was made from, for a fuzzy entry.
    previous: str | None
    diff: tuple[Change, ...]
    terms: tuple[Term, ...]


@dataclass
class Group:
    """The entries of one part (an article, or the interface) and one section of it."""

    part: str
    section: str | None
    items: list[Item] = field(default_factory=list)


def word_diff(old: str, new: str) -> tuple[Change, ...]:
    """``old`` to ``new`` as runs of unchanged, removed and added words (spaces kept)."""
    a, b = WORD.findall(old), WORD.findall(new)
    changes: list[Change] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            changes.append(Change("same", "".join(a[i1:i2])))
            continue
        if op in ("replace", "delete"):
            changes.append(Change("removed", "".join(a[i1:i2])))
        if op in ("replace", "insert"):
            changes.append(Change("added", "".join(b[j1:j2])))
    return tuple(changes)


def glossary(path: Path) -> list[Term]:
    """The English and agreed translation of every row of a language's ``glossary.md``, read
    afresh (the desk shows the file as it is now), with the parser search uses."""
    if not path.is_file():
        return []
    return [Term(e.english, e.translation) for e in parse(path.read_text(encoding="utf-8"))]


def terms_in(text: str, terms: Iterable[Term]) -> tuple[Term, ...]:
    """The glossary terms whose English (any of its "/" or ";" forms, without a bracketed
    note) appears in ``text`` as whole words, ignoring case."""
    found = []
    lowered = text.lower()
    for term in terms:
        forms = re.split(r"\s*[/;]\s*", re.sub(r"\([^)]*\)", "", term.english))
        for form in (f.strip().lower() for f in forms):
            if form and re.search(rf"(?<!\w){re.escape(form)}(?!\w)", lowered):
                found.append(term)
                break
    return tuple(found)


def _text(value: str | tuple | list | None) -> str:
    """A message's id or string; a plural's forms joined, as the desk shows them."""
    if isinstance(value, (tuple, list)):
        return " / ".join(v for v in value if v)
    return value or ""


def _waiting(message: Message) -> bool:
    if not message.id:
        return False
    forms = message.string if isinstance(message.string, (tuple, list)) else (message.string,)
    return bool(message.fuzzy or not all(forms))


def waiting(config: Settings, lang: str) -> list[Group]:
    """Every entry of ``lang`` waiting for work, the interface first, then each article in
    catalog order, grouped by section."""
    terms = glossary(config.translations / lang / "glossary.md")
    groups: dict[tuple[str, str | None], Group] = {}
    for domain in config.domains:
        path = config.po(lang, domain)
        if not path.is_file():
            continue
        for message in read(path, domain, lang):
            if not _waiting(message):
                continue
            context = message.context
            part = article_of(context) if domain == ARTICLES else INTERFACE
            section = context.split("#", 1)[1] if context and "#" in context else None
            english = _text(message.id)
            previous = _text(message.previous_id) if message.fuzzy else ""
            item = Item(
                context=context,
                english=english,
                translation=_text(message.string),
                fuzzy=message.fuzzy,
                previous=previous or None,
                diff=word_diff(previous, english) if previous else (),
                terms=terms_in(english, terms),
            )
            groups.setdefault((part, section), Group(part, section)).items.append(item)
    return sorted(groups.values(), key=lambda g: g.part != INTERFACE)
