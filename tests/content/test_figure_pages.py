"""Tables and figures as readers get them: real tables, pictures in their language, English
marked where a translation is missing, and search hits that lead to the table (issue 14)."""

from __future__ import annotations

import re

import pytest
from babel.messages.pofile import read_po, write_po

from app import create_app
from tests.helpers import invoke

ALS = "/{lang}/articles/als-stem-cell-therapy"
LANGS = ["en", "hi", "ar", "bn", "ru", "fr"]


def page(client, lang: str = "en") -> str:
    return client.get(ALS.format(lang=lang)).get_data(as_text=True)


def test_a_table_is_a_real_table_in_a_labelled_focusable_region(client):
    body = page(client)
    wrap = re.search(r'<div class="table-wrap" id="table-trial-vs-clinic"[^>]*>', body)[0]
    assert 'role="region"' in wrap and 'tabindex="0"' in wrap
    assert 'aria-labelledby="table-trial-vs-clinic-caption"' in wrap
    table = body[body.index(wrap) : body.index("</table>", body.index(wrap))]
    assert '<caption id="table-trial-vs-clinic-caption">' in table
    assert '<th scope="col">Genuine clinical trial</th>' in table
    assert '<th scope="row">Registration</th>' in table
    assert '<a class="cite" href="#source-' in table


@pytest.mark.parametrize("lang", LANGS)
def test_figures_are_pictures_with_alternative_text_and_a_description(client, lang):
    body = page(client, lang)
    figure = re.search(r'<figure class="figure" id="figure-trial-path">.*?</figure>', body, re.S)[0]
    img = re.search(r"<img [^>]*>", figure)[0]
    assert 'loading="lazy"' in img and 'width="640"' in img and re.search(r'alt="[^"]{20,}"', img)
    assert "<figcaption" in figure and "<details" in figure and "<summary>" in figure
    if lang != "en":
        assert "data-untranslated" not in figure
        assert 'lang="en"' not in img


@pytest.mark.parametrize("lang", LANGS)
def test_the_drawing_is_served_in_the_readers_language_and_cached_by_version(client, lang):
    src = re.search(r'<img src="([^"]+figure-trial-path[^"]+)"', page(client, lang))[1]
    response = client.get(src, headers={"Accept-Encoding": "identity"})
    assert response.status_code == 200
    assert response.mimetype == "image/svg+xml"
    assert "immutable" in response.headers["Cache-Control"]
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]
    svg = response.get_data(as_text=True)
    assert f'lang="{lang}"' in svg
    assert "<script" not in svg and "href" not in svg
    scripts = {
        "hi": "\u0900-\u097f",
        "bn": "\u0980-\u09ff",
        "ar": "\u0600-\u06ff",
        "ru": "\u0400-\u04ff",
    }
    if lang in scripts:
        assert re.search(f"<text[^>]*>[{scripts[lang]}]", svg)
    if lang == "ar":
        assert 'transform="matrix(-1 0 0 1 640 0)"' in svg and 'direction="rtl"' in svg
        assert "Noto Naskh Arabic" in svg
    else:
        assert "matrix(-1" not in svg


def test_an_unknown_figure_is_a_404(client):
    response = client.get("/en/articles/als-stem-cell-therapy/figures/figure-nothing.svg")
    assert response.status_code == 404


def test_an_untranslated_cell_is_shown_in_english_and_counted(project_config, project):
    po = project / "translations" / "hi" / "LC_MESSAGES" / "articles.po"
    with po.open("rb") as handle:
        catalog = read_po(handle, locale="hi")
    cell = catalog.get("Genuine clinical trial", context="als-stem-cell-therapy#warning-signs")
    assert cell is not None and cell.string
    cell.string = ""
    with po.open("wb") as handle:
        write_po(handle, catalog, width=0)
    assert invoke(project_config, "compile", "hi").exit_code == 0
    body = (
        create_app(project_config).test_client().get(ALS.format(lang="hi")).get_data(as_text=True)
    )
    assert (
        '<th scope="col" lang="en" dir="ltr" data-untranslated>Genuine clinical trial</th>' in body
    )
    note = re.search(r'<p class="translation-note">(.*?)</p>', body, re.S)[1]
    assert "99" in note


def test_a_search_hit_in_a_table_cell_links_to_the_table(client):
    body = client.get("/en/search?q=vague+claims").get_data(as_text=True)
    assert "/en/articles/als-stem-cell-therapy#table-trial-vs-clinic" in body


def test_alternative_text_is_escaped_in_the_page(project_config, project):
    article = project / "content" / "als-stem-cell-therapy.md"
    text = article.read_text(encoding="utf-8")
    alt = re.search(r"!\[([^\]]+)\]\(figures/als-trial-cell-path.svg\)", text)[1]
    article.write_text(text.replace(alt, 'Steps "in order" & <script>x()</script>'), "utf-8")
    body = create_app(project_config).test_client().get(ALS.format(lang="en"))
    html = body.get_data(as_text=True)
    assert 'alt="Steps &#34;in order&#34; &amp; &lt;script&gt;x()&lt;/script&gt;"' in html
    assert "<script>x()" not in html
