"""Result snippets: a short, escaped piece of the section with the reader's words marked.

Cut with the same analysis as the index (so an inflected word in the text is marked for the
stem the reader typed), but on the stored text alone: no index reads, no engine highlighter.
"""

from __future__ import annotations

from html import escape

from app.search.analysis import WORD_RE, word_terms

MAX_CHARS = 220
BEFORE = 60


def _matches(
    text: str, lang: str, wanted: set[str], prefixes: tuple[str, ...]
) -> list[tuple[int, int]]:
    """Matched word spans, from the first match to the end of the window it opens."""
    spans: list[tuple[int, int]] = []
    limit = len(text)
    for match in WORD_RE.finditer(text):
        if match.start() > limit:
            break
        terms = word_terms(lang, match.group())
        if any(t in wanted or t.startswith(prefixes or ("\0",)) for t in terms):
            if not spans:
                limit = match.start() + MAX_CHARS
            spans.append(match.span())
    return spans


def make_snippet(text: str, lang: str, wanted: set[str], prefixes: tuple[str, ...] = ()) -> str:
    """HTML: about ``MAX_CHARS`` of ``text`` around the first match, matches in ``<mark>``."""
    spans = _matches(text, lang, wanted, prefixes) if (wanted or prefixes) else []
    start = max(0, spans[0][0] - BEFORE) if spans else 0
    if start:
        space = text.find(" ", start)
        start = space + 1 if 0 <= space < spans[0][0] else start
    end = min(len(text), start + MAX_CHARS)
    if end < len(text):
        space = text.rfind(" ", start, end)
        end = space if space > start else end
    out = ["… " if start else ""]
    cursor = start
    for begin, finish in spans:
        if begin < start or finish > end:
            continue
        out.append(escape(text[cursor:begin]))
        out.append(f"<mark>{escape(text[begin:finish])}</mark>")
        cursor = finish
    out.append(escape(text[cursor:end]))
    out.append(" …" if end < len(text) else "")
    return "".join(out).replace("\n", " ")
