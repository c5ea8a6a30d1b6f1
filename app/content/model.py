"""The article model: an Article is Sections of Blocks, and every Block is one translation unit."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from app.content.figures import Svg

#: Block kinds, in the words translators see in their catalog comments.
BLOCK_KINDS = ("heading", "subheading", "paragraph", "item", "note", "table", "figure")
#: Kinds of the units inside a table or figure block (its ``parts``).
PART_KINDS = ("cell", "alt", "description", "figure-text")


@dataclass(frozen=True)
class Block:
    """One unit of text: what a translator translates and what the page renders as one element.

    ``text`` is inline Markdown with soft line breaks folded to spaces, so that re-wrapping the
    source file never changes the message a translator sees.
    """

    kind: str
    text: str
    line: int
    #: For list items: the list they belong to (numbered within the section) and its type.
    list_index: int | None = None
    ordered: bool = False
    #: Tables and figures: the id written after the caption, their anchor on the page.
    anchor: str | None = None
    #: A table's cells, row by row, the header row first (an empty cell has empty text).
    rows: tuple[tuple[Block, ...], ...] = ()
    #: A figure's units besides its caption: alternative text, description, and each text
    #: inside the drawing.
    parts: tuple[Block, ...] = ()
    #: A figure's drawing, relative to the content folder, and the checked SVG.
    src: str | None = None
    svg: Svg | None = field(default=None, compare=False, repr=False)

    @property
    def units(self) -> tuple[Block, ...]:
        """This block's translation units: itself, then its cells or parts that have text."""
        inner = [cell for row in self.rows for cell in row] + list(self.parts)
        return (self, *(b for b in inner if b.text))


@dataclass(frozen=True)
class Section:
    id: str
    heading: Block
    blocks: tuple[Block, ...]

    @property
    def title(self) -> str:
        return self.heading.text


@dataclass(frozen=True)
class Source:
    id: str
    title: str
    publisher: str
    year: str | None = None
    authors: str | None = None
    url: str | None = None


@dataclass(frozen=True)
class Reviewer:
    name: str
    role: str


@dataclass(frozen=True)
class Article:
    slug: str
    title: str
    summary: str
    published: dt.date
    reviewed: dt.date
    next_review: dt.date
    reviewed_by: Reviewer
    sources: tuple[Source, ...]
    related: tuple[str, ...]
    sections: tuple[Section, ...]
    path: Path = field(compare=False)
    #: Line of each front matter field, for error messages that point at the file.
    lines: dict[str, int] = field(default_factory=dict, compare=False, repr=False)

    def section(self, section_id: str) -> Section | None:
        return next((s for s in self.sections if s.id == section_id), None)

    def source_number(self, source_id: str) -> int | None:
        """The 1-based number under which a source is cited on the page."""
        for number, source in enumerate(self.sources, 1):
            if source.id == source_id:
                return number
        return None

    @property
    def word_count(self) -> int:
        """Words a reader reads: markup and citation markers do not count."""
        from app.content.render import plain_text

        return sum(
            len(plain_text(u.text).split())
            for s in self.sections
            for b in (s.heading, *s.blocks)
            for u in b.units
        )
