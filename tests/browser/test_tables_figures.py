"""Tables and figures in a real browser, in every language: a wide table scrolls inside its
own region on a phone, right-to-left mirrors it, the figure loads as a picture, and the
drawing's Devanagari and Bengali text is shaped with a font for the script (issue 14)."""

import pytest

from tests.conftest import ROOT

LANGS = ["en", "hi", "ar", "bn", "ru", "fr"]
PHONE = {"width": 360, "height": 740}
ARTICLE = "/{lang}/articles/als-stem-cell-therapy"
TABLE = "#table-trial-vs-clinic"


@pytest.mark.browser_context(viewport=PHONE, is_mobile=True, has_touch=True)
@pytest.mark.parametrize("lang", LANGS)
def test_a_wide_table_scrolls_in_its_own_region_never_the_page(page, lang):
    page.goto(ARTICLE.format(lang=lang))
    page_overflow = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert page_overflow <= 0
    region = page.locator(TABLE)
    widths = region.evaluate("e => [e.scrollWidth, e.clientWidth]")
    assert widths[0] >= widths[1] > 0
    region.focus()
    assert page.evaluate("() => document.activeElement.id") == TABLE[1:]


def test_the_arabic_table_reads_right_to_left(page):
    page.goto(ARTICLE.format(lang="ar"))
    row = page.locator(f"{TABLE} tbody tr").first
    header = row.locator("th").bounding_box()
    first_cell = row.locator("td").first.bounding_box()
    assert header["x"] > first_cell["x"]


@pytest.mark.parametrize("lang", LANGS)
def test_every_figure_loads_as_a_picture(page, lang):
    page.goto(ARTICLE.format(lang=lang))
    for image in page.locator("figure.figure img").all():
        image.scroll_into_view_if_needed()
        image.evaluate("img => img.decode()")
        assert image.evaluate("img => img.naturalWidth") > 0


@pytest.mark.parametrize(("lang", "script"), [("hi", "Devanagari"), ("bn", "Bengali")])
def test_text_in_the_figure_is_shaped_with_a_font_for_the_script(page, lang, script):
    page.goto(ARTICLE.format(lang=lang))
    src = page.locator("#figure-trial-path img").get_attribute("src")
    page.goto(src)
    letters = {"hi": "\\u0900-\\u097f", "bn": "\\u0980-\\u09ff"}[lang]
    page.evaluate(
        """letters => [...document.querySelectorAll('text')]
             .find(t => new RegExp('[' + letters + ']').test(t.textContent))
             .setAttribute('data-probe', '')""",
        letters,
    )
    session = page.context.new_cdp_session(page)
    session.send("DOM.enable")
    session.send("CSS.enable")
    root = session.send("DOM.getDocument")["root"]["nodeId"]
    label = session.send("DOM.querySelector", {"nodeId": root, "selector": "[data-probe]"})[
        "nodeId"
    ]
    fonts = session.send("CSS.getPlatformFontsForNode", {"nodeId": label})["fonts"]
    assert any(script in f["familyName"] for f in fonts), fonts
    joined, apart = {"hi": ("क्ष", "क्\u200cष"), "bn": ("ক্ষ", "ক্\u200cষ")}[lang]
    widths = page.evaluate(
        """([joined, apart]) => [joined, apart].map(text => {
             const t = document.createElementNS('http://www.w3.org/2000/svg', 'text');
             t.setAttribute('y', '40');
             t.setAttribute('font-size', '40');
             t.textContent = text;
             document.documentElement.appendChild(t);
             const width = t.getComputedTextLength();
             t.remove();
             return width;
           })""",
        [joined, apart],
    )
    assert 0 < widths[0] < widths[1] * 0.9, widths
    shots = ROOT / "tests" / "browser" / "screenshots"
    shots.mkdir(exist_ok=True)
    image = page.screenshot(path=str(shots / f"figure-{lang}.png"))
    assert len(image) > 5000


@pytest.mark.parametrize(("lang", "rtl"), [("en", False), ("ar", True)])
def test_the_figure_reads_in_the_languages_direction(page, lang, rtl):
    """Step 1 of the trial path is drawn at the left in English and at the right in Arabic."""
    page.goto(ARTICLE.format(lang=lang))
    page.goto(page.locator("#figure-trial-path img").get_attribute("src"))
    first, second = page.evaluate(
        "() => [...document.querySelectorAll('text')].slice(0, 2).map(t => t.getBBox().x)"
    )
    assert (first > second) is rtl
