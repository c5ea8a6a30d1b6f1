"""What a reader does, in every language, in a real browser."""

import re

import pytest
from babel.messages.mofile import read_mo

from tests.conftest import ROOT

LANGS = ["en", "hi", "ar", "bn", "ru", "fr"]
LOCALES = {"en": "en-GB", "hi": "hi-IN", "ar": "ar-OM", "bn": "bn-BD", "ru": "ru-RU", "fr": "fr-FR"}
ARTICLE = "als-stem-cell-therapy"
#: A word from each language's text of the risks section, to search for from the header.
SEARCH_WORDS = {
    "en": "meningitis",
    "hi": "मेनिनजाइटिस",
    "ar": "التهاب السحايا",
    "bn": "মেনিনজাইটিস",
    "ru": "менингит",
    "fr": "méningite",
}


def translated(lang: str, message: str) -> str:
    """The interface string as the reader sees it in ``lang``, from the compiled catalog."""
    if lang == "en":
        return message
    with (ROOT / "translations" / lang / "LC_MESSAGES" / "messages.mo").open("rb") as handle:
        catalog = read_mo(handle)
    found = catalog.get(message)
    return found.string if found and found.string else message


@pytest.mark.parametrize("lang", LANGS)
def test_root_redirects_to_the_browsers_language(browser, site_origin, lang):
    context = browser.new_context(locale=LOCALES[lang], base_url=site_origin)
    page = context.new_page()
    page.goto("/")
    assert page.url == f"{site_origin}/{lang}/"
    assert page.locator("html").get_attribute("lang") == lang
    context.close()


@pytest.mark.parametrize("lang", LANGS)
def test_read_the_article_and_jump_through_the_contents(page, lang):
    page.goto(f"/{lang}/articles/{ARTICLE}")
    links = page.locator("nav.toc a")
    assert links.count() >= 12
    for index in (1, 6, links.count() - 2):
        link = links.nth(index)
        target = link.get_attribute("href")
        link.click()
        assert page.url.endswith(target)
        heading = page.locator(f"{target} h2")
        assert heading.is_visible()
        top = heading.evaluate("el => el.getBoundingClientRect().top")
        assert -2 <= top < 200, f"{target} scrolled to {top}px"


@pytest.mark.parametrize("lang", LANGS)
def test_switching_language_keeps_the_page_and_section(page, lang):
    other = "fr" if lang != "fr" else "ar"
    page.goto(f"/{lang}/articles/{ARTICLE}#risks")
    page.locator(f'nav.languages a[hreflang="{other}"]').click()
    page.wait_for_url(re.compile(rf"/{other}/articles/{ARTICLE}"))
    assert page.url.endswith(f"/{other}/articles/{ARTICLE}#risks")
    assert page.locator("html").get_attribute("lang") == other
    page.goto("/")
    assert page.url.endswith(f"/{other}/"), "the choice is remembered"


@pytest.mark.parametrize("lang", LANGS)
def test_search_from_the_header_and_open_a_result_at_its_section(page, lang):
    page.goto(f"/{lang}/")
    page.locator("#site-q").fill(SEARCH_WORDS[lang])
    page.locator("header form.search-form button").click()
    page.wait_for_url(re.compile(rf"/{lang}/search\?q="))
    results = page.locator("ol.results li h2 a")
    assert results.count() >= 1
    assert page.locator("ol.results").get_attribute("lang") in (None, lang)
    href = results.first.get_attribute("href")
    results.first.click()
    assert page.url.endswith(href)
    assert "#" in href and page.locator(href[href.index("#") :]).is_visible()


def send_question(page, lang: str) -> None:
    page.goto(f"/{lang}/articles/{ARTICLE}")
    page.locator("#risks .section-links a[href*='/ask']").click()
    page.wait_for_url(re.compile(rf"/{lang}/ask\?"))
    page.fill("#name", "Amina Yusuf")
    page.fill("#email", "amina@example.org")
    page.select_option("#country", "NG")
    page.fill("#question", "Is a lumbar puncture safe for my father, who has weak breathing?")
    page.check("#consent")
    page.locator("form.ask-form button[type=submit]").click()
    page.wait_for_url(re.compile(rf"/{lang}/ask/sent/"))


@pytest.mark.parametrize("lang", LANGS)
def test_send_a_question_and_see_the_reference(page, lang):
    send_question(page, lang)
    reference = page.url.rsplit("/", 1)[1]
    assert re.fullmatch(r"[A-Z0-9]{8}", reference)
    assert reference in page.locator("main").inner_text()


@pytest.mark.browser_context(java_script_enabled=False)
@pytest.mark.parametrize("lang", ["en", "ar", "hi"])
def test_the_form_works_without_javascript(page, lang):
    send_question(page, lang)
    assert page.locator("main").inner_text()


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_a_mistake_keeps_everything_typed_and_points_at_the_field(page, lang):
    page.goto(f"/{lang}/ask")
    page.fill("#name", "Dmitri")
    page.fill("#question", "Сколько стоит лечение и сколько дней нужно быть в больнице?")
    page.locator("form.ask-form button[type=submit]").click()
    assert page.locator("#name").input_value() == "Dmitri"
    assert "Сколько стоит" in page.locator("#question").input_value()
    invalid = page.locator("[aria-invalid=true]")
    assert invalid.count() >= 1
    described = invalid.first.get_attribute("aria-describedby")
    error_id = next(i for i in described.split() if i.endswith("-error"))
    assert page.locator(f"#{error_id}").inner_text().strip()
