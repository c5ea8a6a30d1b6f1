"""Right to left, phone-sized screens, Indic scripts and print, checked by a real browser."""

import pytest

LANGS = ["en", "hi", "ar", "bn", "ru", "fr"]
PHONE = {"width": 360, "height": 740}
PAGES = [
    "/{lang}/",
    "/{lang}/articles/als-stem-cell-therapy",
    "/{lang}/search?q=stem",
    "/{lang}/ask",
    "/{lang}/privacy",
    "/{lang}/translations",
]
#: Interactive elements outside running text must be easy to hit with a finger.
TARGETS = (
    ".site-header a, .site-header button, .site-header input, nav a, footer a, .toc a, "
    ".section-links a, "
    "button, input:not([type=hidden]):not([type=checkbox]), select, textarea, .pagination a"
)


def overflow(page) -> int:
    return page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )


@pytest.mark.browser_context(viewport=PHONE, is_mobile=True, has_touch=True)
@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("path", PAGES)
def test_phone_screen_has_no_horizontal_scrolling(page, lang, path):
    page.goto(path.format(lang=lang))
    assert overflow(page) <= 0


@pytest.mark.parametrize("lang", ["en", "ar"])
@pytest.mark.parametrize("path", PAGES)
def test_desktop_has_no_horizontal_scrolling(page, lang, path):
    page.goto(path.format(lang=lang))
    assert overflow(page) <= 0


@pytest.mark.browser_context(viewport=PHONE, is_mobile=True, has_touch=True)
@pytest.mark.parametrize("lang", ["en", "ar", "hi"])
@pytest.mark.parametrize("path", PAGES)
def test_tap_targets_are_at_least_44_px(page, lang, path):
    page.goto(path.format(lang=lang))
    small = page.eval_on_selector_all(
        TARGETS,
        """els => els.filter(e => e.offsetParent !== null && !e.closest('.hp'))
                     .map(e => [e.outerHTML.slice(0, 80), e.getBoundingClientRect()])
                     .filter(([, r]) => r.height < 44 || r.width < 44)
                     .map(([html, r]) =>
                          `${Math.round(r.width)}x${Math.round(r.height)} ${html}`)""",
    )
    assert small == []


def box(page, selector: str) -> dict:
    return page.locator(selector).first.bounding_box()


def test_arabic_is_right_to_left_and_mirrored(page):
    page.goto("/en/articles/als-stem-cell-therapy")
    en_brand, en_toc, en_list = box(page, ".brand"), box(page, ".toc li a"), box(page, ".toc")
    page.goto("/ar/articles/als-stem-cell-therapy")
    assert page.locator("html").get_attribute("dir") == "rtl"
    assert page.evaluate("getComputedStyle(document.body).direction") == "rtl"
    width = page.viewport_size["width"]
    ar_brand = box(page, ".brand")
    assert en_brand["x"] < width / 2 < ar_brand["x"] + ar_brand["width"]
    ar_toc, ar_list = box(page, ".toc li a"), box(page, ".toc")
    # The contents start at the right edge of their box in Arabic, at the left in English.
    assert ar_list["x"] + ar_list["width"] - (ar_toc["x"] + ar_toc["width"]) < 60
    assert en_toc["x"] - en_list["x"] < 60
    # Latin citations and sources inside Arabic text keep their own direction.
    assert page.locator("#sources ol").get_attribute("dir") == "ltr"


@pytest.mark.parametrize("lang", ["ar", "hi", "bn"])
def test_nothing_overlaps_in_the_header(page, lang):
    page.goto(f"/{lang}/articles/als-stem-cell-therapy")
    boxes = page.eval_on_selector_all(
        "header .brand, header form, header nav li",
        "els => els.map(e => e.getBoundingClientRect())"
        ".map(r => [r.left, r.top, r.right, r.bottom])",
    )
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            apart = a[2] <= b[0] + 1 or b[2] <= a[0] + 1 or a[3] <= b[1] + 1 or b[3] <= a[1] + 1
            assert apart, (a, b)


#: A conjunct, and the same letters kept apart (with a zero-width non-joiner): shaped text
#: draws the conjunct narrower than its parts side by side.
CONJUNCTS = {"hi": ("क्ष", "क्\u200cष"), "bn": ("ক্ষ", "ক্\u200cষ")}


@pytest.mark.parametrize("lang", ["hi", "bn"])
def test_indic_conjuncts_are_shaped_with_a_font_for_the_script(page, lang):
    page.goto(f"/{lang}/articles/als-stem-cell-therapy")
    joined, apart = CONJUNCTS[lang]
    widths = page.evaluate(
        """([joined, apart]) => [joined, apart].map(text => {
             const span = document.createElement('span');
             span.lang = document.documentElement.lang;
             span.style.fontSize = '40px';
             span.textContent = text;
             document.querySelector('h1').appendChild(span);
             const width = span.getBoundingClientRect().width;
             span.remove();
             return width;
           })""",
        [joined, apart],
    )
    assert 0 < widths[0] < widths[1] * 0.9, widths
    session = page.context.new_cdp_session(page)
    session.send("DOM.enable")
    session.send("CSS.enable")
    root = session.send("DOM.getDocument")["root"]["nodeId"]
    heading = session.send("DOM.querySelector", {"nodeId": root, "selector": "h1"})["nodeId"]
    fonts = session.send("CSS.getPlatformFontsForNode", {"nodeId": heading})["fonts"]
    script = {"hi": "Devanagari", "bn": "Bengali"}[lang]
    assert any(script in f["familyName"] for f in fonts), fonts


@pytest.mark.parametrize("lang", ["en", "hi", "ar"])
def test_article_prints_cleanly_with_sources_and_review_date(page, lang):
    page.goto(f"/{lang}/articles/als-stem-cell-therapy")
    page.emulate_media(media="print")
    for hidden in ("header.site-header", "footer.site-footer", "nav.toc", ".skip-link"):
        assert not page.locator(hidden).is_visible(), hidden
    for shown in ("#sources", ".review", ".disclaimer", "h1"):
        assert page.locator(shown).is_visible(), shown
    pdf = page.pdf(format="A4")
    assert pdf.startswith(b"%PDF") and len(pdf) > 10_000
