"""Figures: hand-drawn SVG files under ``content/figures/``, checked, and served translated.

An SVG is parsed once when its article loads (defusedxml: no entities, no DTD) into a small tree
that keeps only what the format allows, with the line of every element, so a bad file fails
loading with file and line like any other content error. Every piece of visible text
(``<title>``, ``<desc>``, ``<text>``, ``<tspan>``) is a translation unit. ``to_svg`` writes the
tree back out in one language: the text translated, the font stack of the pages set on the root,
and, for right-to-left languages, the drawing mirrored and the text placed at mirrored positions
but never itself mirrored.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

# Parsing itself goes through defusedxml; these are its exception and handler types.
from xml.sax import SAXParseException  # nosec B406
from xml.sax.handler import ContentHandler  # nosec B406
from xml.sax.saxutils import escape, quoteattr  # nosec B406
from xml.sax.xmlreader import Locator  # nosec B406

import defusedxml.sax
from defusedxml import DefusedXmlException

from app.content.errors import ContentError

SVG_NS = "http://www.w3.org/2000/svg"
#: Elements a figure may use: shapes, text and arrowheads. No script, style, image, link,
#: foreignObject, use, filter or animation.
ELEMENTS = frozenset(
    "svg g rect circle ellipse line polyline polygon path text tspan title desc defs marker".split()
)
TEXT_ELEMENTS = frozenset({"title", "desc", "text", "tspan"})
#: Presentation attributes a figure may use; anything else (event handlers, href, style) is an
#: error rather than something silently dropped, so the author learns of it.
ATTRIBUTES = frozenset(
    """xmlns viewBox width height role class id x y x1 y1 x2 y2 cx cy r rx ry dx dy d points
    fill stroke stroke-width stroke-linecap stroke-linejoin stroke-dasharray opacity fill-opacity
    transform text-anchor font-size font-weight marker-start marker-end refX refY markerWidth
    markerHeight orient markerUnits aria-labelledby aria-hidden font-style stroke-opacity
    dominant-baseline letter-spacing""".split()
)
LOCAL_URL = re.compile(r"^url\(#[A-Za-z][\w-]*\)$")
#: The pages' font stacks (``app/static/site.css``), so figure text is drawn in the same fonts
#: with a font for every script. A test checks the stylesheet carries the same stacks.
FONT_STACK = (
    'system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "Noto Sans Devanagari", '
    '"Noto Sans Bengali", "Noto Sans Arabic", "Nirmala UI", "Mangal", "Vrinda", Tahoma, Arial, '
    "sans-serif"
)
FONT_STACK_ARABIC = (
    '"Noto Naskh Arabic", "Noto Sans Arabic", "Segoe UI", Tahoma, "Geeza Pro", Arial, sans-serif'
)
MAX_BYTES = 32 * 1024


class FigureError(ContentError):
    """An invalid figure file; ``line`` is the line in the SVG file."""


@dataclass(frozen=True)
class Node:
    tag: str
    attrs: tuple[tuple[str, str], ...]
    #: Children in order: nodes, and strings for text.
    children: tuple[Node | str, ...]
    line: int

    def attr(self, name: str) -> str | None:
        return dict(self.attrs).get(name)


@dataclass(frozen=True)
class SvgText:
    """One piece of text in the drawing: what a translator translates."""

    text: str
    line: int
    #: title, desc, text or tspan.
    kind: str


@dataclass(frozen=True)
class Svg:
    path: Path
    root: Node
    width: float
    height: float

    @property
    def texts(self) -> tuple[SvgText, ...]:
        """Every visible text, in document order."""
        found: list[SvgText] = []

        def walk(node: Node) -> None:
            if node.tag in TEXT_ELEMENTS:
                own = _own_text(node)
                if own:
                    found.append(SvgText(own, node.line, node.tag))
            for child in node.children:
                if isinstance(child, Node):
                    walk(child)

        walk(self.root)
        return tuple(found)


def _own_text(node: Node) -> str:
    return " ".join("".join(c for c in node.children if isinstance(c, str)).split())


class _Builder(ContentHandler):
    def __init__(self, path: Path) -> None:
        super().__init__()
        self.path = path
        self.stack: list[tuple[str, list[tuple[str, str]], list[Node | str], int]] = []
        self.root: Node | None = None
        # Set by the parser through setDocumentLocator(); typeshed leaves it out of ContentHandler.
        self._locator: Locator | None = None

    def _line(self) -> int:
        line = self._locator.getLineNumber() if self._locator else None
        return line or 1

    def startElementNS(self, name, qname, attrs) -> None:  # noqa: ANN001, N802 - SAX API
        namespace, tag = name
        line = self._line()
        if namespace != SVG_NS:
            raise FigureError(self.path, line, f"<{tag}> is not an SVG element")
        if tag not in ELEMENTS:
            raise FigureError(self.path, line, f"<{tag}> is not allowed in a figure")
        kept: list[tuple[str, str]] = []
        for (attr_ns, attr), value in attrs.items():
            if attr_ns is not None or attr not in ATTRIBUTES:
                raise FigureError(self.path, line, f"attribute {attr!r} is not allowed")
            if "url(" in value and not LOCAL_URL.match(value):
                raise FigureError(self.path, line, f"{attr}={value!r}: only url(#id) is allowed")
            kept.append((attr, value))
        if tag == "svg" and self.stack:
            raise FigureError(self.path, line, "<svg> cannot be nested")
        self.stack.append((tag, kept, [], line))

    def endElementNS(self, name, qname) -> None:  # noqa: ANN001, N802 - SAX API
        tag, attrs, children, line = self.stack.pop()
        node = Node(tag, tuple(attrs), tuple(children), line)
        if self.stack:
            self.stack[-1][2].append(node)
        else:
            self.root = node

    def characters(self, content: str) -> None:
        if not self.stack:
            return
        if content.strip() and self.stack[-1][0] not in TEXT_ELEMENTS:
            tag = self.stack[-1][0]
            raise FigureError(self.path, self._line(), f"text is not allowed directly in <{tag}>")
        self.stack[-1][2].append(content)


def load_svg(path: Path) -> Svg:
    """Parse and check one figure file; raise ``FigureError`` with the line of any problem."""
    if not path.is_file():
        raise FigureError(path, 1, "the figure file does not exist")
    data = path.read_bytes()
    if len(data) > MAX_BYTES:
        raise FigureError(path, 1, f"the figure is over {MAX_BYTES // 1024} KB: simplify it")
    builder = _Builder(path)
    parser = defusedxml.sax.make_parser()
    parser.setFeature("http://xml.org/sax/features/namespaces", True)
    parser.setContentHandler(builder)
    try:
        # parse(), not feed(): only parse() hands the handler the locator that gives lines.
        parser.parse(io.BytesIO(data))
    except SAXParseException as exc:
        raise FigureError(
            path, exc.getLineNumber() or 1, f"not valid XML: {exc.getMessage()}"
        ) from None
    except DefusedXmlException as exc:
        raise FigureError(path, 1, f"not allowed in a figure: {exc}") from None
    root = builder.root
    if root is None or root.tag != "svg":
        raise FigureError(path, 1, "the file must be one <svg> element")
    view_box = (root.attr("viewBox") or "").split()
    if len(view_box) != 4:
        raise FigureError(path, root.line, "the <svg> needs a viewBox='0 0 WIDTH HEIGHT'")
    try:
        width, height = float(view_box[2]), float(view_box[3])
    except ValueError:
        raise FigureError(path, root.line, "the viewBox must be four numbers") from None
    svg = Svg(path=path, root=root, width=width, height=height)
    kinds = {t.kind for t in svg.texts}
    if "title" not in kinds:
        raise FigureError(path, root.line, "the figure needs a <title>")
    for child in root.children:
        if isinstance(child, Node) and child.tag in ("g", "defs"):
            _no_text_inside(path, child)
        elif isinstance(child, Node) and child.tag == "text":
            if child.attr("transform") or child.attr("x") is None or child.attr("y") is None:
                raise FigureError(path, child.line, "a <text> needs x and y, and no transform")
    return svg


def _no_text_inside(path: Path, node: Node) -> None:
    for child in node.children:
        if isinstance(child, Node):
            if child.tag == "text":
                raise FigureError(
                    path, child.line, "put <text> directly in <svg>, after the drawing's <g>"
                )
            _no_text_inside(path, child)


def to_svg(svg: Svg, lang: str, rtl: bool, translate: Callable[[str], tuple[str, bool]]) -> str:
    """The figure in ``lang``: ``translate`` gives each text's translation and whether it is one
    (an untranslated text keeps the English and is marked ``lang="en"``)."""
    width = svg.width

    def mirrored_x(value: str | None) -> str | None:
        if value is None or not rtl:
            return value
        try:
            return f"{width - float(value):g}"
        except ValueError:
            return value

    def write(node: Node, in_text: bool) -> str:
        attrs = dict(node.attrs)
        extra: dict[str, str] = {}
        if node.tag == "svg":
            attrs["xmlns"] = SVG_NS
            attrs["role"] = "img"
            attrs.pop("width", None)
            attrs.pop("height", None)
            extra["lang"] = lang
            extra["font-family"] = FONT_STACK_ARABIC if lang == "ar" else FONT_STACK
        if rtl and node.tag in ("text", "tspan"):
            attrs["x"] = mirrored_x(attrs.get("x")) or ""
            if not attrs["x"]:
                del attrs["x"]
            anchor = attrs.get("text-anchor")
            if anchor in ("start", "end"):
                attrs["text-anchor"] = "end" if anchor == "start" else "start"
            if node.tag == "text":
                extra["direction"] = "rtl"
        if rtl and node.tag == "g" and "art" in (attrs.get("class") or "").split():
            mirror = f"matrix(-1 0 0 1 {width:g} 0)"
            attrs["transform"] = (
                f"{mirror} {attrs['transform']}" if "transform" in attrs else mirror
            )
        body: list[str] = []
        if node.tag in TEXT_ELEMENTS:
            source = _own_text(node)
            value, translated = translate(source) if source else ("", True)
            if source and not translated and lang != "en":
                extra["lang"] = "en"
                extra["direction"] = "ltr"
            if value:
                body.append(escape(value))
            body.extend(write(c, True) for c in node.children if isinstance(c, Node))
        else:
            body.extend(write(c, in_text) for c in node.children if isinstance(c, Node))
        rendered = "".join(f" {k}={quoteattr(v)}" for k, v in {**attrs, **extra}.items())
        return f"<{node.tag}{rendered}>{''.join(body)}</{node.tag}>"

    return write(svg.root, False)
