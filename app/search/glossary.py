"""The translators' glossaries (``translations/<lang>/glossary.md``), read for search.

A glossary is Markdown tables with the columns ``English | Translation | Readers also type |
Note``. "Readers also type" lists, separated by semicolons, the other ways readers say the
agreed Translation: the other register, the English loanword in the script, common spellings.
Search takes a row's Translation (its terms separated by ``;`` or ``/``) and those words as one
group (see ``synonyms``), so translators keep one list for both; text in brackets is a comment
in either column and is not searched. ``problems`` is what ``flask translate check`` reports.

Plain Python: the search core and the translators' workflow both read it.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from app.search.analysis import words

FILE = "glossary.md"
#: The column names, compared without case; a table without the first two is not read.
ENGLISH = "english"
TRANSLATION = "translation"
ALSO = "readers also type"
#: Between the words of "Readers also type" (Arabic text may use its own semicolon).
SEPARATOR = re.compile(r"[;؛]")
#: Between the terms of a Translation cell: "X; Y" and "X / Y".
TERM_SEPARATOR = re.compile(r"[;؛/]")
BRACKETS = re.compile(r"\([^()]*\)")
QUOTES = "«»“”„\"' "
CELL = re.compile(r"(?<!\\)\|")
RULE = re.compile(r"\s*:?-{3,}:?\s*")


@dataclass(frozen=True)
class Entry:
    """One row of a glossary table."""

    english: str
    translation: str
    also: tuple[str, ...]
    #: The row's line in its file (from 1), for messages.
    line: int

    @property
    def terms(self) -> tuple[str, ...]:
        """The Translation's terms, without the text in brackets."""
        return split(self.translation, TERM_SEPARATOR)

    @property
    def group(self) -> tuple[str, ...]:
        """What search treats as one: the Translation's terms and what readers also type."""
        return tuple(dict.fromkeys(self.terms + self.also)) if self.also else ()

    @property
    def key(self) -> str:
        """The English term as an identity: case, spacing and brackets do not matter."""
        return " ".join(BRACKETS.sub(" ", self.english).casefold().split())


def split(cell: str, separator: re.Pattern[str]) -> tuple[str, ...]:
    """The parts of a cell between separators, each without brackets, quotes and spacing."""
    text, previous = cell, None
    while text != previous:  # innermost brackets first: "(a (b) c)"
        previous, text = text, BRACKETS.sub(" ", text)
    parts = (" ".join(part.split()).strip(QUOTES) for part in separator.split(text))
    return tuple(dict.fromkeys(part for part in parts if part))


def _cells(line: str) -> list[str]:
    inner = line.strip()[1:]
    if inner.endswith("|") and not inner.endswith("\\|"):
        inner = inner[:-1]
    return [cell.replace("\\|", "|").strip() for cell in CELL.split(inner)]


def _rows(text: str) -> Iterator[tuple[int, list[str], list[str]]]:
    """Every body row of every table: its line, its table's header cells, its cells."""
    lines = text.splitlines()
    header: list[str] | None = None
    for number, line in enumerate(lines, 1):
        if not line.strip().startswith("|"):
            header = None
            continue
        cells = _cells(line)
        if header is None:
            following = lines[number] if number < len(lines) else ""
            ruled = following.strip().startswith("|") and all(
                RULE.fullmatch(cell) for cell in _cells(following)
            )
            header = [cell.casefold() for cell in cells] if ruled else []
            continue
        if not all(RULE.fullmatch(cell) for cell in cells):
            yield number, header, cells


def parse(text: str) -> list[Entry]:
    """The rows of the glossary tables in ``text`` (tables without English and Translation
    columns, and the old three-column layout's missing column, are read as empty)."""
    entries = []
    for number, header, cells in _rows(text):
        columns = {name: i for i, name in reversed(list(enumerate(header)))}
        if ENGLISH not in columns or TRANSLATION not in columns:
            continue

        def cell(name: str, columns: dict[str, int] = columns, cells: list[str] = cells) -> str:
            index = columns.get(name)
            return cells[index] if index is not None and index < len(cells) else ""

        also = split(cell(ALSO), SEPARATOR)
        entries.append(Entry(cell(ENGLISH), cell(TRANSLATION), also, number))
    return entries


def path(translations: Path, lang: str) -> Path:
    return Path(translations) / lang / FILE


@cache
def load(file: Path) -> tuple[Entry, ...]:
    """The entries of one glossary, read once per process; none when there is no file."""
    try:
        return tuple(parse(file.read_text(encoding="utf-8")))
    except FileNotFoundError:
        return ()


def groups(translations: Path, lang: str) -> tuple[tuple[str, ...], ...]:
    """The language's groups for search: one per row that says what readers also type."""
    return tuple(entry.group for entry in load(path(translations, lang)) if entry.also)


def _search_key(lang: str, text: str) -> tuple[str, ...]:
    """Two spellings are one word for search when they analyse to the same terms."""
    return tuple(words(lang, text))


def problems(translations: Path, languages: Iterable[str] | None = None) -> list[str]:
    """What is wrong with the glossaries: a row without its table's columns, and a word
    readers type listed for two different English terms (search cannot tell which one the
    reader means), or listed for one term while it is another term's Translation."""
    translations = Path(translations)
    if languages is None:
        found = translations.glob(f"*/{FILE}") if translations.is_dir() else []
        languages = sorted(p.parent.name for p in found)
    out = []
    for lang in languages:
        file = path(translations, lang)
        if not file.is_file():
            continue
        text = file.read_text(encoding="utf-8")
        for number, header, cells in _rows(text):
            if header and len(cells) != len(header):
                out.append(
                    f"{file}:{number}: the row has {len(cells)} cells, its table has "
                    f"{len(header)} columns (a missing or extra '|')"
                )
        uses: dict[tuple[str, ...], list[tuple[Entry, str, bool]]] = defaultdict(list)
        for entry in parse(text):
            for word in entry.also:
                uses[_search_key(lang, word)].append((entry, word, True))
            for term in entry.terms:
                uses[_search_key(lang, term)].append((entry, term, False))
        reported: set[frozenset[int]] = set()  # each pair of rows once
        for key, found_uses in uses.items():
            for entry, word, also in found_uses if key else ():
                for other, other_word, other_also in found_uses:
                    pair = frozenset((entry.line, other.line))
                    if not also or other.key == entry.key or pair in reported:
                        continue
                    reported.add(pair)
                    where = "also listed" if other_also else "the Translation"
                    out.append(
                        f"{file}:{entry.line}: '{word}' is listed for readers of "
                        f"'{entry.english}' and is {where} for '{other.english}' "
                        f"(line {other.line}, '{other_word}'): a word readers type can "
                        "stand for one glossary term only"
                    )
    return out
