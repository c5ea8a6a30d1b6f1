"""Turn the Markdown files in ``content/`` into Articles, failing loudly on anything invalid.

Every error names the file and line, because the person who sees it is an editor who has just
changed a file and needs to know where.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import re
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

import yaml
from markdown_it import MarkdownIt
from markdown_it.token import Token

from app.content.errors import ContentError
from app.content.figures import FigureError, load_svg
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
#: ``Table: caption {#table-id}`` before a pipe table; ``Figure: caption {#figure-id}`` before a
#: paragraph holding only ``![alternative text](figures/name.svg)``, which an optional
#: ``Description: ...`` paragraph may follow.
CAPTION_RE = re.compile(
    r"^(?P<kind>Table|Figure):\s*(?P<text>.+?)\s*"
    r"\{#(?P<id>(?:table|figure)-[a-z0-9]+(?:-[a-z0-9]+)*)\}$"
)
DESCRIPTION_PREFIX = "Description:"
FIGURE_SRC_RE = re.compile(r"^figures/[a-z0-9]+(?:-[a-z0-9]+)*\.svg$")

_parser = MarkdownIt("commonmark").enable("table")


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


#: Libraries already parsed in this process, by a digest of every file under their folder.
#: An app is made once per process in production; the test suite makes hundreds, from the
#: same bytes. Keyed by content, not by modification time, so an edited file is never missed.
_PARSED: OrderedDict[str, Library] = OrderedDict()
_PARSED_MAX = 4


def load_library(directory: Path | str) -> Library:
    """Load every ``*.md`` file in ``directory`` and check links between articles."""
    directory = Path(directory)
    digest = hashlib.sha256()
    for path in sorted(p for p in directory.rglob("*") if p.is_file()):
        digest.update(str(path.relative_to(directory)).encode() + b"\0")
        digest.update(path.read_bytes())
    key = f"{directory.resolve()}:{digest.hexdigest()}"
    found = _PARSED.get(key)
    if found is None:
        found = _PARSED[key] = _parse_library(directory)
        while len(_PARSED) > _PARSED_MAX:
            _PARSED.popitem(last=False)
    return found


def _parse_library(directory: Path) -> Library:
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
    figures = sorted({b.svg.path for a in articles for b in _figures(a) if b.svg})
    for path in [*paths, *figures]:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return Library(articles=tuple(articles), version=digest.hexdigest()[:12])


def _figures(article: Article) -> list[Block]:
    return [b for s in article.sections for b in s.blocks if b.kind == "figure"]


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


#: libyaml's safe loader where PyYAML was built with it (its wheels are): parsing the front
#: matter in pure Python was two thirds of every worker's start-up. Bandit cannot tell that
#: this name is a safe loader, hence its ``nosec``.
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _split_front_matter(path: Path, text: str) -> tuple[dict, dict[str, int], str, int]:
    if not text.startswith("---\n"):
        raise ContentError(path, 1, "the file must start with YAML front matter ('---')")
    end = text.find("\n---\n", 3)
    if end == -1:
        raise ContentError(path, 1, "the front matter is not closed with '---'")
    raw = text[4 : end + 1]
    try:
        node = yaml.compose(raw, Loader=SAFE_LOADER)
        meta = yaml.load(raw, Loader=SAFE_LOADER)  # nosec B506
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
        for name in ("id", "title", "publisher", "url"):
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
    anchors: set[str] = set()
    #: A ``Table:`` or ``Figure:`` caption waiting for its table or picture: (kind, text, id, line).
    caption: tuple[str, str, str, int] | None = None

    def close_section() -> None:
        if caption is not None:
            raise ContentError(
                path,
                caption[3],
                f"the {caption[0].lower()} caption has no {caption[0].lower()} after it",
            )
        if heading is not None:
            if not blocks:
                raise ContentError(path, heading.line, f"section {section_id!r} has no text")
            sections.append(Section(id=section_id, heading=heading, blocks=tuple(blocks)))

    index = 0
    while index < len(tokens):
        token = tokens[index]
        line = offset + token.map[0] if token.map else offset
        if caption is not None and token.type not in (
            "paragraph_open",
            "paragraph_close",
            "table_open",
            "inline",
        ):
            raise ContentError(
                path,
                caption[3],
                f"the {caption[0].lower()} caption has no {caption[0].lower()} after it",
            )
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
        elif token.type == "table_open":
            _require_section(path, line, heading)
            if caption is None or caption[0] != "Table" or container:
                raise ContentError(
                    path,
                    line,
                    "a table needs a caption line before it: 'Table: Caption {#table-id}'",
                )
            end = next(i for i in range(index, len(tokens)) if tokens[i].type == "table_close")
            blocks.append(_table(path, offset, tokens[index:end], caption))
            caption = None
            index = end
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
                index += 1
                continue
            _require_section(path, line, heading)
            text = _inline_text(token.content)
            found = CAPTION_RE.match(text) if not container else None
            if found:
                if caption is not None:
                    raise ContentError(
                        path, caption[3], "a caption must be followed by its table or figure"
                    )
                if found["id"] in anchors or found["id"] == section_id:
                    raise ContentError(path, line, f"id {found['id']!r} is used twice")
                if not found["id"].startswith(found["kind"].lower() + "-"):
                    raise ContentError(
                        path,
                        line,
                        f"a {found['kind'].lower()} id must start with '{found['kind'].lower()}-'",
                    )
                anchors.add(found["id"])
                caption = (found["kind"], found["text"], found["id"], line)
            elif caption is not None and caption[0] == "Figure":
                blocks.append(_figure(path, line, token, caption))
                caption = None
            elif caption is not None:
                raise ContentError(
                    path, caption[3], "a table caption must be followed by its table"
                )
            elif text.startswith(DESCRIPTION_PREFIX) and not container:
                last = blocks[-1] if blocks else None
                if (
                    last is None
                    or last.kind != "figure"
                    or any(p.kind == "description" for p in last.parts)
                ):
                    raise ContentError(path, line, "'Description:' must come right after a figure")
                _check_inline(path, line, token)
                described = Block("description", text[len(DESCRIPTION_PREFIX) :].strip(), line)
                blocks[-1] = dataclasses.replace(
                    last, parts=(last.parts[0], described, *last.parts[1:])
                )
            else:
                _check_inline(path, line, token)
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
            pass
        else:
            raise ContentError(path, line, f"{token.type.replace('_', ' ')} is not allowed here")
        index += 1
    close_section()
    if not sections:
        raise ContentError(path, offset, "the article has no sections ('## Heading {#id}')")
    return tuple(sections)


def _table(
    path: Path, offset: int, tokens: list[Token], caption: tuple[str, str, str, int]
) -> Block:
    """A pipe table: one block for the caption holding the cells, header row first."""
    rows: list[tuple[Block, ...]] = []
    row: list[Block] = []
    for token in tokens:
        line = offset + token.map[0] if token.map else caption[3]
        if token.type == "tr_open":
            row = []
        elif token.type == "tr_close":
            rows.append(tuple(row))
        elif token.type == "inline":
            _check_inline(path, line, token)
            row.append(Block("cell", _inline_text(token.content), line))
    if len(rows) < 2:
        raise ContentError(path, caption[3], "a table needs a header row and at least one row")
    width = len(rows[0])
    for cells in rows:
        if len(cells) != width:
            raise ContentError(
                path, cells[0].line if cells else caption[3], f"every row needs {width} cells"
            )
    if not any(cell.text for cell in rows[0]):
        raise ContentError(path, caption[3], "a table needs column headings in its first row")
    return Block("table", caption[1], caption[3], anchor=caption[2], rows=tuple(rows))


def _figure(path: Path, line: int, token: Token, caption: tuple[str, str, str, int]) -> Block:
    """``![alternative text](figures/name.svg)`` after a ``Figure:`` caption."""
    children = [c for c in token.children or () if not (c.type == "text" and not c.content.strip())]
    if len(children) != 1 or children[0].type != "image":
        raise ContentError(
            path,
            caption[3],
            "a figure caption must be followed by '![alternative text](figures/name.svg)'",
        )
    image = children[0]
    src = str(image.attrs.get("src", ""))
    alt = _inline_text(image.content)
    if not FIGURE_SRC_RE.match(src):
        raise ContentError(path, line, f"figure {src!r} must be 'figures/<name>.svg'")
    if not alt:
        raise ContentError(path, line, "a figure needs alternative text: ![what it shows](...)")
    try:
        svg = load_svg(path.parent / src)
    except FigureError as exc:
        raise ContentError(
            exc.path, exc.line, f"{exc.message} (figure in {path.name}:{line})"
        ) from None
    parts = (Block("alt", alt, line), *(Block("figure-text", t.text, line) for t in svg.texts))
    return Block("figure", caption[1], caption[3], anchor=caption[2], parts=parts, src=src, svg=svg)


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
            for unit in block.units:
                for source_id in CITATION_RE.findall(unit.text):
                    if source_id not in known:
                        raise ContentError(
                            path, unit.line, f"citation [@{source_id}] has no source"
                        )
                    cited.add(source_id)
    unused = [s.id for s in sources if s.id not in cited]
    if unused:
        raise ContentError(path, sources_line, f"sources never cited: {', '.join(unused)}")


def _inline_text(value: object) -> str:
    return " ".join(str(value).split())
