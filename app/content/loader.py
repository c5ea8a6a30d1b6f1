"""Turn the Markdown files in ``content/`` into Articles, failing loudly on anything invalid.

Every error names the file and line, because the person who sees it is an editor who has just
changed a file and needs to know where.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

import yaml
from markdown_it import MarkdownIt
from markdown_it.token import Token

from app.content.model import Article, Block, Reviewer, Section, Source
from app.content.render import CITATION_RE

REQUIRED_FIELDS = (
    "slug",
    "title",
    "summary",
    "published",
    "reviewed",
    "next_review",
    "reviewed_by",
    "sources",
    "related",
)
SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
HEADING_ID_RE = re.compile(r"^(?P<text>.*?)\s*\{#(?P<id>[a-z0-9]+(?:-[a-z0-9]+)*)\}$")

_parser = MarkdownIt("commonmark")


class ContentError(ValueError):
    """Invalid content, with the file and line where it is."""

    def __init__(self, path: Path, line: int, message: str) -> None:
        super().__init__(f"{path}:{line}: {message}")
        self.path = path
        self.line = line


@dataclass(frozen=True)
class Library:
    """All articles, in the order they are listed on the home page."""

    articles: tuple[Article, ...]
    #: Hash of every content file: changes whenever any article text changes.
    version: str

    def get(self, slug: str) -> Article | None:
        return next((a for a in self.articles if a.slug == slug), None)

    @property
    def slugs(self) -> tuple[str, ...]:
        return tuple(a.slug for a in self.articles)


def load_library(directory: Path | str) -> Library:
    """Load every ``*.md`` file in ``directory`` and check links between articles."""
    directory = Path(directory)
    paths = sorted(directory.glob("*.md"))
    articles = [load_article(p) for p in paths]
    by_slug: dict[str, Article] = {}
    for article in articles:
        if article.slug in by_slug:
            raise ContentError(
                article.path,
                article.lines.get("slug", 1),
                f"slug {article.slug!r} is already used by {by_slug[article.slug].path.name}",
            )
        by_slug[article.slug] = article
    for article in articles:
        for slug in article.related:
            if slug not in by_slug:
                raise ContentError(
                    article.path,
                    article.lines.get("related", 1),
                    f"related article {slug!r} does not exist",
                )
    digest = hashlib.sha256()
    for path in paths:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return Library(articles=tuple(articles), version=digest.hexdigest()[:12])


def load_article(path: Path | str) -> Article:
    path = Path(path)
    text = path.read_text(encoding="utf-8")
    meta, lines, body, body_offset = _split_front_matter(path, text)
    for name in REQUIRED_FIELDS:
        if meta.get(name) in (None, ""):
            raise ContentError(path, lines.get(name, 1), f"front matter field {name!r} is missing")
    slug = str(meta["slug"])
    if not SLUG_RE.match(slug):
        raise ContentError(path, lines["slug"], f"slug {slug!r} must be lowercase kebab-case")
    if path.stem != slug:
        raise ContentError(path, lines["slug"], f"slug {slug!r} must match the file name")
    sources = _sources(path, meta["sources"], lines["sources"])
    sections = _sections(path, body, body_offset)
    _check_citations(path, sections, sources, lines["sources"])
    related = meta["related"]
    if not isinstance(related, list) or not all(isinstance(s, str) for s in related):
        raise ContentError(path, lines["related"], "related must be a list of article slugs")
    reviewer = meta["reviewed_by"]
    if not isinstance(reviewer, dict) or not reviewer.get("name") or not reviewer.get("role"):
        raise ContentError(path, lines["reviewed_by"], "reviewed_by needs a name and a role")
    return Article(
        slug=slug,
        title=_inline_text(meta["title"]),
        summary=_inline_text(meta["summary"]),
        published=_date(path, meta, lines, "published"),
        reviewed=_date(path, meta, lines, "reviewed"),
        next_review=_date(path, meta, lines, "next_review"),
        reviewed_by=Reviewer(name=str(reviewer["name"]), role=_inline_text(reviewer["role"])),
        sources=sources,
        related=tuple(related),
        sections=sections,
        path=path,
        lines=lines,
    )


def _split_front_matter(path: Path, text: str) -> tuple[dict, dict[str, int], str, int]:
    if not text.startswith("---\n"):
        raise ContentError(path, 1, "the file must start with YAML front matter ('---')")
    end = text.find("\n---\n", 3)
    if end == -1:
        raise ContentError(path, 1, "the front matter is not closed with '---'")
    raw = text[4 : end + 1]
    try:
        node = yaml.compose(raw, Loader=yaml.SafeLoader)
        meta = yaml.safe_load(raw)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 2 if mark else 1
        raise ContentError(path, line, f"invalid front matter: {exc}") from None
    if not isinstance(meta, dict):
        raise ContentError(path, 2, "the front matter must be a mapping of fields")
    lines = {k.value: k.start_mark.line + 2 for k, _ in node.value} if node else {}
    body_offset = raw.count("\n") + 3
    return meta, lines, text[end + 5 :], body_offset


def _date(path: Path, meta: dict, lines: dict[str, int], name: str) -> dt.date:
    value = meta[name]
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise ContentError(path, lines[name], f"{name} must be a date (YYYY-MM-DD)") from None


def _sources(path: Path, raw: object, line: int) -> tuple[Source, ...]:
    if not isinstance(raw, list) or not raw:
        raise ContentError(path, line, "sources must be a non-empty list")
    sources: list[Source] = []
    seen: set[str] = set()
    for entry in raw:
        if not isinstance(entry, dict):
            raise ContentError(path, line, "each source must be a mapping")
        for name in ("id", "title", "publisher"):
            if not entry.get(name):
                raise ContentError(path, line, f"a source is missing {name!r}: {entry}")
        source_id = str(entry["id"])
        if source_id in seen:
            raise ContentError(path, line, f"source id {source_id!r} is used twice")
        seen.add(source_id)
        sources.append(
            Source(
                id=source_id,
                title=str(entry["title"]),
                publisher=str(entry["publisher"]),
                year=str(entry["year"]) if entry.get("year") is not None else None,
                authors=entry.get("authors"),
                url=entry.get("url"),
            )
        )
    return tuple(sources)


def _sections(path: Path, body: str, offset: int) -> tuple[Section, ...]:
    tokens = _parser.parse(body)
    sections: list[Section] = []
    heading: Block | None = None
    section_id = ""
    blocks: list[Block] = []
    list_count = 0
    container: list[str] = []

    def close_section() -> None:
        if heading is not None:
            if not blocks:
                raise ContentError(path, heading.line, f"section {section_id!r} has no text")
            sections.append(Section(id=section_id, heading=heading, blocks=tuple(blocks)))

    for index, token in enumerate(tokens):
        line = offset + token.map[0] if token.map else offset
        if token.type == "heading_open":
            inline = _inline_text(tokens[index + 1].content)
            if token.tag == "h2":
                match = HEADING_ID_RE.match(inline)
                if not match:
                    raise ContentError(path, line, "a section heading needs an id: '## Text {#id}'")
                if any(s.id == match["id"] for s in sections) or match["id"] == section_id:
                    raise ContentError(path, line, f"section id {match['id']!r} is used twice")
                close_section()
                heading = Block("heading", match["text"], line)
                section_id, blocks, list_count = match["id"], [], 0
            elif token.tag == "h3":
                _require_section(path, line, heading)
                blocks.append(Block("subheading", inline, line))
            else:
                raise ContentError(path, line, f"{token.tag} headings are not allowed")
        elif token.type in ("bullet_list_open", "ordered_list_open"):
            if container:
                raise ContentError(path, line, "nested lists and lists in notes are not allowed")
            _require_section(path, line, heading)
            list_count += 1
            container.append(token.type)
        elif token.type in ("bullet_list_close", "ordered_list_close", "blockquote_close"):
            container.pop()
        elif token.type == "blockquote_open":
            if container:
                raise ContentError(path, line, "notes cannot be nested")
            _require_section(path, line, heading)
            container.append(token.type)
        elif token.type == "inline":
            if tokens[index - 1].type == "heading_open":
                continue
            _require_section(path, line, heading)
            _check_inline(path, line, token)
            text = _inline_text(token.content)
            if not container:
                blocks.append(Block("paragraph", text, line))
            elif container[-1] == "blockquote_open":
                if (
                    blocks
                    and blocks[-1].kind == "note"
                    and tokens[index - 2].type != "blockquote_open"
                ):
                    raise ContentError(path, line, "a note must be a single paragraph")
                blocks.append(Block("note", text, line))
            else:
                if tokens[index - 2].type != "list_item_open":
                    raise ContentError(path, line, "a list item must be a single paragraph")
                ordered = container[-1] == "ordered_list_open"
                blocks.append(Block("item", text, line, list_index=list_count, ordered=ordered))
        elif token.type in (
            "heading_close",
            "paragraph_open",
            "paragraph_close",
            "list_item_open",
            "list_item_close",
        ):
            continue
        else:
            raise ContentError(path, line, f"{token.type.replace('_', ' ')} is not allowed here")
    close_section()
    if not sections:
        raise ContentError(path, offset, "the article has no sections ('## Heading {#id}')")
    return tuple(sections)


def _require_section(path: Path, line: int, heading: Block | None) -> None:
    if heading is None:
        raise ContentError(
            path, line, "text must come after a section heading ('## Heading {#id}')"
        )


def _check_inline(path: Path, line: int, token: Token) -> None:
    for child in token.children or ():
        if child.type == "html_inline":
            raise ContentError(path, line, f"raw HTML is not allowed: {child.content!r}")
        if child.type == "image":
            raise ContentError(path, line, "images are not allowed")
        if child.type == "link_open":
            href = str(child.attrs.get("href", ""))
            if not href.startswith(("https://", "http://", "#", "/")):
                raise ContentError(path, line, f"link target {href!r} is not allowed")


def _check_citations(
    path: Path, sections: tuple[Section, ...], sources: tuple[Source, ...], sources_line: int
) -> None:
    known = {s.id for s in sources}
    cited: set[str] = set()
    for section in sections:
        for block in (section.heading, *section.blocks):
            for source_id in CITATION_RE.findall(block.text):
                if source_id not in known:
                    raise ContentError(path, block.line, f"citation [@{source_id}] has no source")
                cited.add(source_id)
    unused = [s.id for s in sources if s.id not in cited]
    if unused:
        raise ContentError(path, sources_line, f"sources never cited: {', '.join(unused)}")


def _inline_text(value: object) -> str:
    return " ".join(str(value).split())
