"""Inline Markdown of one block to safe HTML, with ``[@source-id]`` citations as numbered links."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.rules_inline import StateInline

CITATION_RE = re.compile(r"\[@([a-z0-9][a-z0-9_-]*)\]")


def _citation_rule(state: StateInline, silent: bool) -> bool:
    match = CITATION_RE.match(state.src, state.pos)
    if not match:
        return False
    if not silent:
        token = state.push("citation", "", 0)
        token.meta = {"id": match[1]}
    state.pos = match.end()
    return True


def _render_citation(self, tokens, idx, options, env) -> str:  # noqa: ANN001 - markdown-it API
    source_id = tokens[idx].meta["id"]
    number = env["format"](env["number"](source_id))
    label = env.get("label", "Source {number}").format(number=number)
    return (
        f'<a class="cite" href="#source-{source_id}" aria-label="{escapeHtml(label)}">'
        f"[{escapeHtml(number)}]</a>"
    )


def _make_renderer() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": False})
    md.disable(["image"])
    md.inline.ruler.before("link", "citation", _citation_rule)
    md.add_render_rule("citation", _render_citation)
    return md


_md = _make_renderer()


def render_inline(
    text: str,
    number: Callable[[str], int | None],
    label: str = "",
    format_number: Callable[[int | None], str] = str,
) -> str:
    """Render ``text`` as HTML; raw HTML in it is escaped, never passed through.

    ``number`` maps a source id to its number in the article's source list; ``label`` is the
    accessible name of a citation link, with ``{number}`` in it, in the reader's language;
    ``format_number`` writes the number in the reader's digits.
    """
    env: dict[str, Any] = {"number": number, "format": format_number}
    if label:
        env["label"] = label
    return _md.renderInline(text, env)


def plain_text(text: str) -> str:
    """The words of a block without markup or citations, for search and summaries."""
    tokens = _md.parseInline(CITATION_RE.sub("", text), {})
    parts: list[str] = []
    for child in tokens[0].children or () if tokens else ():
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
    return " ".join("".join(parts).split())
