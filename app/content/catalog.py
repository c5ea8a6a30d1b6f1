"""Article text in the reader's language, from compiled gettext catalogs (domain ``articles``).

A block is shown translated only when the compiled catalog has it. Compiling leaves out fuzzy
entries, so a translation whose English source has changed falls back to the English text, and
the page can say so: an outdated translation is never shown as if it were current.
"""

from __future__ import annotations

import hashlib
import io
from collections import OrderedDict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from babel.messages.mofile import read_mo

from app.content.conventions import field_context, section_context
from app.content.model import Article, Block


@dataclass(frozen=True)
class Unit:
    """One translatable message of an article, as translators see it in the catalog."""

    context: str
    text: str
    comment: str
    line: int


def units(article: Article) -> Iterator[Unit]:
    """Every translatable message of ``article``, in reading order.

    The context names the article and section so that one English sentence can be translated
    differently where it must; the comment carries the section heading for the translator.
    """
    yield Unit(
        field_context(article.slug, "title"),
        article.title,
        "Article title",
        article.lines.get("title", 1),
    )
    yield Unit(
        field_context(article.slug, "summary"),
        article.summary,
        "Article summary",
        article.lines.get("summary", 1),
    )
    yield Unit(
        field_context(article.slug, "reviewer"),
        article.reviewed_by.name,
        "Name of the reviewer or reviewing team (a person's name stays as it is)",
        article.lines.get("reviewed_by", 1),
    )
    yield Unit(
        field_context(article.slug, "reviewed-by"),
        article.reviewed_by.role,
        "Who reviewed the article, and how",
        article.lines.get("reviewed_by", 1),
    )
    for section in article.sections:
        context = section_context(article.slug, section.id)
        for block in (section.heading, *section.blocks):
            for unit, what in _described(block):
                yield Unit(context, unit.text, f"Section: {section.title} ({what})", unit.line)


#: What each kind of unit inside a figure is, for the translator.
_PART_NOTES = {
    "alt": "alternative text, read aloud in place of the picture",
    "description": "long description of the picture, shown under it",
    "figure-text": "text inside the picture: keep it short, it must fit the drawing",
}


def _described(block: Block) -> Iterator[tuple[Block, str]]:
    """A block's units with what each is: tables name their caption and column."""
    if block.kind == "table":
        yield block, "table caption"
        header = block.rows[0]
        for number, row in enumerate(block.rows):
            for column, cell in enumerate(row):
                if not cell.text:
                    continue
                where = "column heading" if number == 0 else f"column '{header[column].text}'"
                if column == 0 and number > 0:
                    where = "row heading"
                yield cell, f"table '{block.text}', {where}"
    elif block.kind == "figure":
        yield block, "figure caption"
        for part in block.parts:
            if part.text:
                yield part, f"figure '{block.text}', {_PART_NOTES[part.kind]}"
    else:
        yield block, block.kind


#: Catalogs already read in this process, by a digest of their bytes (as for libraries in
#: ``loader``: one app per process in production, hundreds from the same files in the tests).
_LOADED: OrderedDict[str, ArticleCatalog] = OrderedDict()
_LOADED_MAX = 32


class ArticleCatalog:
    """The compiled article translations of one language; read only once made."""

    def __init__(self, messages: dict[tuple[str | None, str], str]) -> None:
        self._messages = messages

    @classmethod
    def load(cls, mo_path: Path) -> ArticleCatalog:
        """Read a compiled catalog; a missing file is an empty catalog (everything in English)."""
        if not mo_path.is_file():
            return cls({})
        data = mo_path.read_bytes()
        key = hashlib.sha256(data).hexdigest()
        found = _LOADED.get(key)
        if found is None:
            found = _LOADED[key] = cls._parse(data)
            while len(_LOADED) > _LOADED_MAX:
                _LOADED.popitem(last=False)
        return found

    @classmethod
    def _parse(cls, data: bytes) -> ArticleCatalog:
        catalog = read_mo(io.BytesIO(data))
        messages = {
            (_text(m.context), m.id): m.string
            for m in catalog
            if m.id and isinstance(m.id, str) and isinstance(m.string, str) and m.string
        }
        return cls(messages)

    def get(self, context: str, text: str) -> str | None:
        return self._messages.get((context, text))

    def __len__(self) -> int:
        return len(self._messages)


def _text(context: str | bytes | None) -> str | None:
    """Babel's ``read_mo`` leaves contexts as bytes; catalogs are always UTF-8 here."""
    return context.decode("utf-8") if isinstance(context, bytes) else context


@dataclass(frozen=True)
class Text:
    """A message as shown to a reader: ``value`` is in the reader's language unless not
    ``translated``, in which case it is the English source."""

    value: str
    translated: bool


@dataclass(frozen=True)
class LocalizedSection:
    id: str
    heading: Text
    blocks: tuple[tuple[Block, Text], ...]
    #: The text of every cell of a table and every part of a figure, by block.
    parts: Mapping[Block, Text] = field(default_factory=dict)

    def text(self, part: Block) -> Text:
        """A table cell's or figure part's text in the reader's language (or English)."""
        return self.parts[part]

    @property
    def texts(self) -> list[Text]:
        return [self.heading, *(t for _, t in self.blocks), *self.parts.values()]

    @property
    def translated(self) -> bool:
        return all(t.translated for t in self.texts)


@dataclass(frozen=True)
class LocalizedArticle:
    article: Article
    lang: str
    title: Text
    summary: Text
    reviewer: Text
    reviewer_role: Text
    sections: tuple[LocalizedSection, ...]

    @property
    def total(self) -> int:
        return 4 + sum(len(s.texts) for s in self.sections)

    @property
    def translated_count(self) -> int:
        texts = [self.title, self.summary, self.reviewer, self.reviewer_role]
        for section in self.sections:
            texts.extend(section.texts)
        return sum(t.translated for t in texts)

    @property
    def complete(self) -> bool:
        return self.translated_count == self.total

    @property
    def percent(self) -> int:
        """Share of the article in the reader's language, rounded down so 99.6% is not 100%."""
        return self.translated_count * 100 // self.total


def localize(article: Article, lang: str, catalog: ArticleCatalog | None) -> LocalizedArticle:
    """``article`` in ``lang``, block by block, falling back to English where no current
    translation exists. English (the source language) passes ``catalog=None``."""

    def text(context: str, source: str) -> Text:
        if catalog is None:
            return Text(source, True)
        found = catalog.get(context, source)
        return Text(found, True) if found else Text(source, False)

    sections = []
    for section in article.sections:
        context = section_context(article.slug, section.id)
        parts = {
            unit: text(context, unit.text) for block in section.blocks for unit in block.units[1:]
        }
        sections.append(
            LocalizedSection(
                id=section.id,
                heading=text(context, section.heading.text),
                blocks=tuple((b, text(context, b.text)) for b in section.blocks),
                parts=parts,
            )
        )
    return LocalizedArticle(
        article=article,
        lang=lang,
        title=text(field_context(article.slug, "title"), article.title),
        summary=text(field_context(article.slug, "summary"), article.summary),
        reviewer=text(field_context(article.slug, "reviewer"), article.reviewed_by.name),
        reviewer_role=text(field_context(article.slug, "reviewed-by"), article.reviewed_by.role),
        sections=tuple(sections),
    )
