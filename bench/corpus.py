"""Synthetic corpora of N articles in every shipped language, for the search benchmark.

Two kinds. ``copies``: the two real articles cloned under new slugs, translations re-keyed; real
text, but every copy has the same words, so a query matches a hundred times what it would in a
library of different articles. ``realistic``: different articles, each section shaped like a
real one (blocks and their lengths in each language) and written in the real vocabulary of each
language, each article with its own mix of it (see ``Writer``). Both are deterministic.
"""

from __future__ import annotations

import io
import json
import random
import re
import shutil
import sys
from bisect import bisect_right
from collections import Counter
from dataclasses import dataclass
from itertools import accumulate
from pathlib import Path

import regex
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.content.conventions import ARTICLES as DOMAIN  # noqa: E402
from app.content.conventions import (  # noqa: E402
    LC_MESSAGES,
    article_of,
    field_context,
    section_context,
)
from app.content.loader import load_library  # noqa: E402
from app.content.render import plain_text  # noqa: E402
from app.i18n import workflow  # noqa: E402
from app.search.analysis import WORD_RE, words  # noqa: E402

KINDS = ("copies", "realistic")
GRAPHEME = regex.compile(r"\X")


def make_corpus(
    target: Path, articles: int, languages: list[str], kind: str = "copies", seed: int = 1
) -> Path:
    """Write ``articles`` article files and compiled catalogs of ``kind`` under ``target``."""
    if kind == "realistic":
        return make_realistic(target, articles, languages, seed)
    if kind != "copies":
        raise ValueError(f"kind must be one of {KINDS}, not {kind!r}")
    return make_copies(target, articles, languages)


def _write_catalogs(target: Path, catalogs: dict[str, Catalog]) -> None:
    """Compiled catalogs where the store reads them, as ``flask translate compile`` writes."""
    for lang, catalog in catalogs.items():
        out = target / "translations" / lang / LC_MESSAGES
        out.mkdir(parents=True, exist_ok=True)
        buffer = io.BytesIO()
        write_mo(buffer, catalog)
        (out / f"{DOMAIN}.mo").write_bytes(buffer.getvalue())


def make_copies(target: Path, articles: int, languages: list[str]) -> Path:
    """``articles`` copies of the real articles, in turn, with their real translations."""
    content = target / "content"
    content.mkdir(parents=True, exist_ok=True)
    # The articles' drawings, which every copy of an article refers to.
    shutil.copytree(ROOT / "content" / "figures", content / "figures", dirs_exist_ok=True)
    sources = sorted((ROOT / "content").glob("*.md"))
    slugs = []
    for i in range(articles):
        source = sources[i % len(sources)]
        base = source.stem
        slug = f"{base}-{i:04d}"
        text = source.read_text(encoding="utf-8")
        text = text.replace(f"slug: {base}", f"slug: {slug}", 1)
        text = re.sub(r"related:\n(  - .*\n)+", "related: []\n", text, count=1)
        (content / f"{slug}.md").write_text(text, encoding="utf-8")
        slugs.append((base, slug))
    config = workflow.Settings(ROOT / "translations", ROOT / "content")
    catalogs = {}
    for lang in languages:
        if lang == "en":
            continue
        original = workflow.read(config.po(lang, DOMAIN), DOMAIN, lang)
        scaled = catalogs[lang] = Catalog(locale=lang, domain=DOMAIN)
        for message in original:
            if not message.id or not message.string or message.fuzzy:
                continue
            base = article_of(message.context)
            rest = message.context[len(base) :]
            for source_slug, slug in slugs:
                if source_slug == base:
                    scaled.add(message.id, message.string, context=slug + rest)
    _write_catalogs(target, catalogs)
    return target


#: Spread of a word's per-article rate around its rate in the real articles (log-normal,
#: mean 1): at 2.0 the median article uses a topic word at about a seventh of its real rate,
#: and one article in forty at seven times it, so each article has its own frequent words.
SPREAD = 2.0
#: Real text is copied in runs of up to this many words (weights): real phrases ("clinical
#: trial", "bone marrow") stay together, while every word of a run follows the article's mix.
RUNS = (1, 2, 3, 4)
RUN_WEIGHTS = (4, 3, 2, 1)
#: Invented words per article and language (names of drugs, trials, places), and how often a
#: word of the text is one of them.
RARE_WORDS = 6
RARE_RATE = 0.003
SOURCE = "source-1"


@dataclass(frozen=True)
class Unit:
    """One message of a real article: its length in words in every language (None where the
    real catalog has no translation, so the generated one is in English there too)."""

    lengths: dict[str, int | None]


@dataclass(frozen=True)
class Shape:
    """A real section's blocks: (kind, units), a table's units row by row after its caption."""

    heading: Unit
    blocks: tuple[tuple[str, tuple[Unit, ...], int], ...]


@dataclass
class Language:
    """A language's real text as one stream of words, and which of them are stop words."""

    stream: list[str]
    stop: list[bool]
    end: str


def _count(text: str) -> int:
    return len(WORD_RE.findall(plain_text(text)))


@dataclass(frozen=True)
class Template:
    """A real article's own fields and its sections' shapes."""

    fields: dict[str, Unit]
    sections: list[Shape]


def _real_shapes(languages: list[str]) -> tuple[list[Template], dict[str, Language]]:
    """Each real article's fields and section shapes, and each language's real text."""
    config = workflow.Settings(ROOT / "translations", ROOT / "content")
    catalogs = {
        lang: {
            (m.context, m.id): m.string
            for m in workflow.read(config.po(lang, DOMAIN), DOMAIN, lang)
            if m.id and m.string and not m.fuzzy
        }
        for lang in languages
        if lang != "en"
    }
    texts: dict[str, list[str]] = {lang: [] for lang in languages}

    def unit(context: str, text: str) -> Unit:
        lengths: dict[str, int | None] = {}
        for lang in languages:
            found = text if lang == "en" else catalogs[lang].get((context, text))
            lengths[lang] = _count(found) if found else None
            if found:
                texts[lang].append(plain_text(found))
        return Unit(lengths)

    articles = []
    for article in load_library(ROOT / "content").articles:
        shapes = []
        for section in article.sections:
            context = section_context(article.slug, section.id)
            blocks = []
            for block in section.blocks:
                found = tuple(unit(context, u.text) for u in block.units)
                if block.kind == "figure":
                    merged = {
                        lang: sum(u.lengths[lang] or 0 for u in found) or None for lang in languages
                    }
                    blocks.append(("paragraph", (Unit(merged),), 0))
                elif block.kind == "table":
                    cells = tuple(
                        unit(context, cell.text) if cell.text else Unit({})
                        for row in block.rows
                        for cell in row
                    )
                    blocks.append(("table", (found[0], *cells), len(block.rows[0])))
                else:
                    blocks.append((block.kind, found, block.list_index or 0))
            shapes.append(Shape(unit(context, section.heading.text), tuple(blocks)))
        own = {
            "title": article.title,
            "summary": article.summary,
            "reviewer": article.reviewed_by.name,
            "reviewed-by": article.reviewed_by.role,
        }
        fields = {name: unit(field_context(article.slug, name), text) for name, text in own.items()}
        articles.append(Template(fields, shapes))
    found_languages = {}
    for lang, blocks in texts.items():
        stream = [w for text in blocks for w in WORD_RE.findall(text)]
        ends = Counter(
            t.rstrip()[-1] for t in blocks if t.rstrip() and not t.rstrip()[-1].isalnum()
        )
        found_languages[lang] = Language(
            stream, [not words(lang, w) for w in stream], ends.most_common(1)[0][0]
        )
    return articles, found_languages


class Writer:
    """Text in one language for one article: runs of the real text, their first words drawn
    with the article's own weights, and now and then one of the article's invented words."""

    def __init__(self, language: Language, rng: random.Random) -> None:
        self.language = language
        self.rng = rng
        rate: dict[str, float] = {}
        for word, stop in zip(language.stream, language.stop, strict=True):
            if word not in rate:
                rate[word] = 1.0 if stop else rng.lognormvariate(-(SPREAD**2) / 2, SPREAD)
        self.rate = rate
        self.cumulative = list(accumulate(rate[w] for w in language.stream))
        long = sorted(
            {w for w, stop in zip(language.stream, language.stop, strict=True) if not stop}
        )
        long = [w for w in long if len(GRAPHEME.findall(w)) >= 4] or long
        self.rare = [self._invent(long) for _ in range(RARE_WORDS)]

    def _invent(self, long: list[str]) -> str:
        first, second = (GRAPHEME.findall(self.rng.choice(long)) for _ in range(2))
        return "".join(first[: len(first) // 2] + second[len(second) // 2 :])

    def text(self, count: int, named: bool = False) -> str:
        """``count`` words; ``named`` ones start with one of the article's own names, as a
        real section heading names its subject ("Risks of AHSCT", "NurOwn (MSC-NTF cells)")."""
        stream = self.language.stream
        out = [self.rng.choice(self.rare)] if named else []
        total = self.cumulative[-1]
        while len(out) < count:
            if self.rng.random() < RARE_RATE:
                out.append(self.rng.choice(self.rare))
                continue
            start = bisect_right(self.cumulative, self.rng.random() * total)
            out.append(stream[start])
            # The run goes on into a word as often as the article favours that word.
            for word in stream[start + 1 : start + self.rng.choices(RUNS, RUN_WEIGHTS)[0]]:
                if self.rng.random() >= self.rate[word]:
                    break
                out.append(word)
        out = out[: max(count, 1)]
        if out[0].isdigit():
            # A number and a full stop at the start of a line would be a Markdown list.
            out[0] = self.rng.choice(self.rare)
        return " ".join(out)


def _article(
    slug: str,
    template: Template,
    sections: list[Shape],
    writers: dict[str, Writer],
    catalogs: dict[str, Catalog],
) -> str:
    """One article's Markdown; its translations go into ``catalogs``."""

    def say(
        context: str, unit: Unit, end: str = "", cite: bool = False, named: bool = False
    ) -> str:
        english = writers["en"].text(unit.lengths.get("en") or 1, named) + end
        suffix = f" [@{SOURCE}]" if cite else ""
        for lang, catalog in catalogs.items():
            length = unit.lengths.get(lang)
            if length:
                writer = writers[lang]
                mark = writer.language.end if end else ""
                translated = writer.text(length, named) + mark + suffix
                catalog.add(english + suffix, translated, context=context)
        return english + suffix

    own = {
        name: json.dumps(say(field_context(slug, name), unit, "." if name == "summary" else ""))
        for name, unit in template.fields.items()
    }
    lines = [
        "---",
        f"slug: {slug}",
        f"title: {own['title']}",
        f"summary: {own['summary']}",
        "published: 2026-11-26",
        "reviewed: 2026-11-29",
        "next_review: 2027-05-29",
        "reviewed_by:",
        f"  name: {own['reviewer']}",
        f"  role: {own['reviewed-by']}",
        "sources:",
        f"  - id: {SOURCE}",
        "    title: A source",
        "    publisher: A publisher",
        "    url: https://example.org/",
        "related: []",
        "---",
        "",
    ]
    cited = False
    for number, shape in enumerate(sections):
        section_id = f"section-{number}"
        context = section_context(slug, section_id)
        lines += [f"## {say(context, shape.heading, named=True)} {{#{section_id}}}", ""]
        previous = None
        for kind, units, detail in shape.blocks:
            cite = not cited
            cited = True
            if kind == "item":
                marker = "-" if detail % 2 else "*"
                if previous not in (None, ("item", detail)):
                    lines.append("")
                lines.append(f"{marker} {say(context, units[0], '.', cite)}")
            elif kind == "table":
                caption = say(context, units[0], cite=cite)
                anchor = f"table-{number}-{len(lines)}"
                cells = [say(context, u) if u.lengths else "" for u in units[1:]]
                rows = [cells[i : i + detail] for i in range(0, len(cells), detail)]
                lines += ["", f"Table: {caption} {{#{anchor}}}", ""]
                lines.append("| " + " | ".join(rows[0]) + " |")
                lines.append("|" + "---|" * detail)
                lines += ["| " + " | ".join(row) + " |" for row in rows[1:]]
                lines.append("")
            else:
                prefix = {"subheading": "### ", "note": "> "}.get(kind, "")
                end = "" if kind == "subheading" else "."
                lines += ["", prefix + say(context, units[0], end, cite), ""]
            previous = (kind, detail)
        lines.append("")
    return "\n".join(lines)


def make_realistic(target: Path, articles: int, languages: list[str], seed: int = 1) -> Path:
    """``articles`` different articles in every language under ``target``: each section shaped
    like a real section (its blocks, and their lengths in each language), its words the real
    vocabulary of the language in the article's own mix. The same seed writes the same files."""
    templates, found = _real_shapes(languages)
    openings = [t.sections[0] for t in templates]
    bodies = [shape for t in templates for shape in t.sections[1:]]
    content = target / "content"
    content.mkdir(parents=True, exist_ok=True)
    catalogs = {lang: Catalog(locale=lang, domain=DOMAIN) for lang in languages if lang != "en"}
    for number in range(articles):
        rng = random.Random(f"{seed}-{number}")
        writers = {lang: Writer(found[lang], rng) for lang in languages}
        template = rng.choice(templates)
        sections = [rng.choice(openings)] + [
            rng.choice(bodies) for _ in range(len(template.sections) - 1)
        ]
        slug = f"article-{number:04d}"
        text = _article(slug, template, sections, writers, catalogs)
        (content / f"{slug}.md").write_text(text, encoding="utf-8")
    _write_catalogs(target, catalogs)
    return target
