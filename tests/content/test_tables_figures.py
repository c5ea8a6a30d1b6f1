"""Tables and figures in the content format: loading, errors with file and line, translation
units, rendering in every script, the translated drawing, and search (issue 14)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from app.content import ContentError, load_article
from app.content.catalog import units
from app.content.figures import load_svg, to_svg
from tests.helpers import GOOD, write

SVG = """<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 200 100">
<title>Two steps</title>
<desc>A box, an arrow, another box.</desc>
<g class="art">
<rect x="10" y="10" width="60" height="40"/>
<line x1="70" y1="30" x2="130" y2="30" marker-end="url(#a)"/>
</g>
<text x="40" y="80" text-anchor="middle">Collect<tspan x="40" dy="12">cells</tspan></text>
<text x="20" y="95" text-anchor="start">Left</text>
</svg>
"""

TABLE_AND_FIGURE = """
## Compare {#compare}

Table: Trial or clinic {#table-compare}

| | Trial | Clinic |
|---|---|---|
| Cost | Free [@one] | **High** |
| Proof | Published | Yes |

Figure: How cells travel {#figure-steps}

![A box with an arrow to another box.](figures/steps.svg)

Description: First the cells are collected, then they are given back.
"""


def article(tmp_path: Path, body: str = TABLE_AND_FIGURE, svg: str | None = SVG) -> Path:
    if svg is not None:
        (tmp_path / "figures").mkdir(exist_ok=True)
        (tmp_path / "figures" / "steps.svg").write_text(svg, encoding="utf-8")
    return write(tmp_path, GOOD + body)


def test_a_table_is_one_block_with_its_cells_and_a_figure_holds_its_parts(tmp_path):
    loaded = load_article(article(tmp_path))
    table, figure = loaded.section("compare").blocks
    assert (table.kind, table.anchor, table.text) == ("table", "table-compare", "Trial or clinic")
    assert [c.text for c in table.rows[0]] == ["", "Trial", "Clinic"]
    assert [c.text for c in table.rows[1]] == ["Cost", "Free [@one]", "**High**"]
    assert (figure.kind, figure.anchor, figure.src) == (
        "figure",
        "figure-steps",
        "figures/steps.svg",
    )
    kinds = [(p.kind, p.text) for p in figure.parts]
    assert kinds[:2] == [
        ("alt", "A box with an arrow to another box."),
        ("description", "First the cells are collected, then they are given back."),
    ]
    assert [t for k, t in kinds if k == "figure-text"] == [
        "Two steps", "A box, an arrow, another box.", "Collect", "cells", "Left"
    ]  # fmt: skip


def test_every_cell_and_figure_part_is_a_unit_that_names_its_table_and_column(tmp_path):
    found = {u.text: u for u in units(load_article(article(tmp_path)))}
    assert found["Trial or clinic"].comment == "Section: Compare (table caption)"
    assert found["Trial"].comment == "Section: Compare (table 'Trial or clinic', column heading)"
    assert found["Cost"].comment == "Section: Compare (table 'Trial or clinic', row heading)"
    assert found["Free [@one]"].comment == (
        "Section: Compare (table 'Trial or clinic', column 'Trial')"
    )
    assert "alternative text" in found["A box with an arrow to another box."].comment
    assert "text inside the picture" in found["Collect"].comment
    assert all(u.context == "sample#compare" for u in found.values() if "(table" in u.comment)
    assert "" not in found


def test_identical_cells_are_one_message(tmp_path):
    body = TABLE_AND_FIGURE.replace("| Proof | Published | Yes |", "| Proof | Free [@one] | Yes |")
    texts = [u.text for u in units(load_article(article(tmp_path, body)))]
    assert texts.count("Free [@one]") == 2  # the extractor yields both; the catalog keeps one
    from babel.messages.catalog import Catalog

    catalog = Catalog()
    for unit in units(load_article(article(tmp_path, body))):
        catalog.add(unit.text, context=unit.context)
    assert len([m for m in catalog if m.id == "Free [@one]"]) == 1


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("Table: Trial or clinic {#table-compare}\n\n", ""), "a table needs a caption line"),
        (("{#table-compare}", "{#compare-table}"), "needs a caption line"),
        (("|---|---|---|", "|---|---|"), "a table caption must be followed by its table"),
        (("|---|---|---|\n| Cost", "|---|---|---|\n| Cost | x | y |\n| Cost"), None),
        (("figures/steps.svg", "figures/missing.svg"), "the figure file does not exist"),
        (("figures/steps.svg", "http://evil.example/x.svg"), "must be 'figures/<name>.svg'"),
        (("![A box with an arrow to another box.]", "![]"), "needs alternative text"),
        (("Description: First", "Text: First"), None),
        (("\n![A box", "\nNot a picture.\n\n![A box"), "must be followed by '![alternative"),
        (("{#figure-steps}", "{#table-compare}"), "is used twice"),
        (("Free [@one]", "Free [@nobody]"), "citation [@nobody] has no source"),
    ],
)
def test_malformed_tables_and_figures_stop_loading_with_file_and_line(tmp_path, change, message):
    path = article(tmp_path, TABLE_AND_FIGURE.replace(*change))
    if message is None:
        load_article(path)
        return
    with pytest.raises(ContentError, match=re.escape(message)) as raised:
        load_article(path)
    if raised.value.path.suffix == ".md":
        assert raised.value.line > 20
    else:
        assert "(figure in sample.md:" in str(raised.value)


@pytest.mark.parametrize(
    ("svg", "message", "line"),
    [
        (SVG.replace("<g class", "<script>alert(1)</script>\n<g class"),
         "<script> is not allowed", 4),
        (SVG.replace('<rect x="10"', '<rect onclick="x()" x="10"'), "'onclick' is not allowed", 5),
        (SVG.replace("</g>", '<foreignObject width="1" height="1"></foreignObject>\n</g>'),
         "<foreignObject> is not allowed", 7),
        (SVG.replace("</g>", '<image width="1" height="1"/>\n</g>'), "<image> is not allowed", 7),
        (SVG.replace('marker-end="url(#a)"', 'marker-end="url(http://evil.example/#a)"'),
         "only url(#id)", 6),
        (SVG.replace("<title>Two steps</title>\n", ""), "needs a <title>", 1),
        (SVG.replace('viewBox="0 0 200 100"', ""), "needs a viewBox", 1),
        (SVG.replace("</svg>", ""), "not valid XML", 11),
        ('<!DOCTYPE svg [<!ENTITY x "boom">]>\n' + SVG, "not allowed in a figure", 1),
        (SVG.replace('<rect x="10"', '<text x="1" y="1">In the art</text><rect x="10"'),
         "put <text> directly in <svg>", 5),
    ],
)  # fmt: skip
def test_unsafe_or_broken_drawings_stop_loading_with_their_line(tmp_path, svg, message, line):
    with pytest.raises(ContentError, match=re.escape(message)) as raised:
        load_article(article(tmp_path, svg=svg))
    assert raised.value.path.name == "steps.svg"
    assert raised.value.line == line


def test_the_served_drawing_is_translated_and_mirrored_for_right_to_left(tmp_path):
    svg = load_svg(article(tmp_path).parent / "figures" / "steps.svg")
    words = {"Collect": "اجمع", "cells": "الخلايا", "Two steps": "خطوتان"}
    out = to_svg(svg, "ar", True, lambda s: (words[s], True) if s in words else (s, False))
    assert 'lang="ar"' in out and "Noto Naskh Arabic" in out
    assert '<g class="art" transform="matrix(-1 0 0 1 200 0)">' in out
    assert '<text x="160" y="80" text-anchor="middle" direction="rtl">اجمع' in out
    assert 'x="180" y="95" text-anchor="end"' in out  # "start" becomes "end" when mirrored
    assert '<desc lang="en" direction="ltr">A box, an arrow, another box.</desc>' in out
    left = to_svg(svg, "hi", False, lambda s: (s, False))
    assert '<g class="art">' in left and 'x="40"' in left and "Noto Sans Devanagari" in left
    assert "<script" not in out and "on" + "click" not in out


def test_the_font_stacks_of_figures_are_the_pages_own():
    from app.content.figures import FONT_STACK, FONT_STACK_ARABIC
    from tests.conftest import ROOT

    css = " ".join((ROOT / "app" / "static" / "site.css").read_text().split())
    assert FONT_STACK in css and FONT_STACK_ARABIC in css
