"""axe-core on every page type in every language: no WCAG 2.1 A or AA violation."""

import pytest

LANGS = ["en", "hi", "ar", "bn", "ru", "fr"]
PAGES = {
    "home": "/{lang}/",
    "article": "/{lang}/articles/als-stem-cell-therapy",
    "related article": "/{lang}/articles/ms-stem-cell-therapy",
    "about": "/{lang}/about",
    "translation status": "/{lang}/translations",
    "search results": "/{lang}/search?q=stem",
    "no results": "/{lang}/search?q=zzqxj",
    "ask": "/{lang}/ask",
    "privacy": "/{lang}/privacy",
    "not found": "/{lang}/articles/no-such-article",
    "staff login": "/staff/login",
}
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
#: axe is injected as a script, which our Content-Security-Policy rightly forbids a page to run.
pytestmark = pytest.mark.browser_context(bypass_csp=True)


def axe(page, axe_script: str) -> list[dict]:
    page.add_script_tag(content=axe_script)
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", TAGS
    )
    return [
        {"id": v["id"], "help": v["help"], "nodes": [n["target"] for n in v["nodes"][:5]]}
        for v in result["violations"]
    ]


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("name", PAGES)
def test_no_wcag_violations(page, axe_script, name, lang):
    page.goto(PAGES[name].format(lang=lang))
    assert axe(page, axe_script) == []


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_no_violations_on_a_form_showing_errors(page, axe_script, lang):
    page.goto(f"/{lang}/ask")
    page.locator("form.ask-form button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator(".error-summary").is_visible()
    assert axe(page, axe_script) == []


@pytest.mark.parametrize("lang", LANGS)
def test_headings_are_in_order_and_landmarks_present(page, lang):
    page.goto(f"/{lang}/articles/als-stem-cell-therapy")
    levels = page.eval_on_selector_all(
        "h1, h2, h3, h4", "els => els.map(e => Number(e.tagName[1]))"
    )
    assert levels[0] == 1 and levels.count(1) == 1
    assert all(b - a <= 1 for a, b in zip(levels, levels[1:], strict=False))
    for landmark in ("header", "main", "footer", "nav"):
        assert page.locator(landmark).count() >= 1
