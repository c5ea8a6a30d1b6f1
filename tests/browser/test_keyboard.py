"""Keyboard only: a skip link first, visible focus, and every control reachable."""

import pytest

LANGS = ["en", "ar", "hi"]


def focused(page) -> dict:
    return page.evaluate(
        """() => { const e = document.activeElement; const s = getComputedStyle(e);
                   return {tag: e.tagName, id: e.id, cls: e.className, key: e.dataset.kbd,
                           outline: s.outlineStyle, width: parseFloat(s.outlineWidth),
                           visible: e.getBoundingClientRect().width > 0}; }"""
    )


@pytest.mark.parametrize("lang", LANGS)
def test_skip_link_comes_first_and_moves_to_the_main_content(page, lang):
    page.goto(f"/{lang}/articles/als-stem-cell-therapy")
    page.keyboard.press("Tab")
    first = focused(page)
    assert first["cls"] == "skip-link" and first["visible"]
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('main') !== null")


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("path", ["/{lang}/", "/{lang}/ask", "/{lang}/search?q=stem"])
def test_every_control_is_reachable_with_a_visible_focus(page, lang, path):
    page.goto(path.format(lang=lang))
    wanted = page.eval_on_selector_all(
        "a[href], button, input:not([type=hidden]), select, textarea",
        """els => els.filter(e => e.offsetParent !== null && e.tabIndex >= 0)
                   .map((e, i) => { e.dataset.kbd = String(i); return i; }).length""",
    )
    seen = []
    for _ in range(wanted + 5):
        page.keyboard.press("Tab")
        info = focused(page)
        if info["tag"] == "BODY":
            break
        assert info["outline"] != "none" and info["width"] >= 2, info
        if seen and info["key"] == seen[0]:
            break
        seen.append(info["key"])
    assert {str(i) for i in range(wanted)} <= set(seen)


def test_the_form_can_be_filled_and_sent_with_the_keyboard(page):
    page.goto("/en/ask")
    page.focus("#name")
    page.keyboard.type("Asha Rao")
    page.keyboard.press("Tab")
    page.keyboard.type("asha@example.org")
    page.focus("#country")
    page.keyboard.type("India")
    assert page.input_value("#country") == "IN"
    page.focus("#question")
    page.keyboard.type("Can my mother travel with her breathing machine?")
    page.focus("#consent")
    page.keyboard.press("Space")
    page.focus("form.ask-form button[type=submit]")
    page.keyboard.press("Enter")
    page.wait_for_url("**/ask/sent/**")
