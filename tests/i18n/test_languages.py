"""Reading in your language: language in the URL, negotiation, switcher, alternates."""

import re

import pytest

SHIPPED = {"en": "ltr", "hi": "ltr", "ar": "rtl", "bn": "ltr", "ru": "ltr", "fr": "ltr"}
NAMES = {"hi": "हिन्दी", "ar": "العربية", "bn": "বাংলা", "ru": "Русский", "fr": "Français"}


@pytest.mark.parametrize(("code", "direction"), SHIPPED.items())
@pytest.mark.parametrize(
    "path", ["/", "/articles/als-stem-cell-therapy", "/about", "/translations"]
)
def test_every_page_declares_its_language_and_direction(client, code, direction, path):
    response = client.get(f"/{code}{path}")
    assert response.status_code == 200
    assert f'<html lang="{code}" dir="{direction}">' in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("headers", "cookie", "expected"),
    [
        ({"Accept-Language": "fr-FR,fr;q=0.9,en;q=0.5"}, None, "/fr/"),
        ({"Accept-Language": "ar-OM"}, None, "/ar/"),
        ({"Accept-Language": "de-DE,de;q=0.9"}, None, "/en/"),
        ({}, None, "/en/"),
        ({"Accept-Language": "fr"}, "bn", "/bn/"),
        ({"Accept-Language": "fr"}, "xx", "/fr/"),
    ],
)
def test_root_negotiates_saved_choice_then_browser_then_english(client, headers, cookie, expected):
    if cookie:
        client.set_cookie("lang", cookie)
    response = client.get("/", headers=headers)
    assert response.headers["Location"] == expected
    assert {"Accept-Language", "Cookie"} <= set(response.vary)


def test_switcher_names_languages_in_their_own_script_without_flags(client):
    page = client.get("/en/articles/als-stem-cell-therapy").get_data(as_text=True)
    switcher = re.search(r'<nav class="wrap languages".*?</nav>', page, re.S)[0]
    for code, name in NAMES.items():
        assert f'lang="{code}"' in switcher and name in switcher
    assert "<img" not in switcher
    assert not re.search("[\U0001f1e6-\U0001f1ff]", switcher)


def test_switcher_keeps_the_page_and_remembers_the_choice(client):
    page = client.get("/en/articles/als-stem-cell-therapy").get_data(as_text=True)
    link = re.search(r'href="(/language/hi[^"]*)"', page)[1].replace("&amp;", "&")
    response = client.get(link)
    assert response.status_code == 303
    assert response.headers["Location"] == "/hi/articles/als-stem-cell-therapy"
    assert "lang=hi" in response.headers["Set-Cookie"]
    assert client.get("/").headers["Location"] == "/hi/"


@pytest.mark.parametrize(
    "target", ["//evil.example/", "https://evil.example/", "/en/about", "/fr/\\evil", "/fr//evil"]
)
def test_switcher_never_redirects_off_site_or_to_another_language(client, target):
    response = client.get("/language/fr", query_string={"next": target})
    assert response.headers["Location"] == "/fr/"


def test_unknown_language_in_switcher_is_404(client):
    assert client.get("/language/xx").status_code == 404


def test_every_page_lists_hreflang_alternates_and_x_default(client):
    page = client.get("/ru/articles/ms-stem-cell-therapy").get_data(as_text=True)
    for code in SHIPPED:
        assert (
            f'<link rel="alternate" hreflang="{code}" '
            f'href="http://localhost/{code}/articles/ms-stem-cell-therapy">'
        ) in page
    assert (
        '<link rel="alternate" hreflang="x-default" '
        'href="http://localhost/articles/ms-stem-cell-therapy">'
    ) in page


def test_sitemap_lists_every_page_in_every_language_with_alternates(client):
    body = client.get("/sitemap.xml").get_data(as_text=True)
    locs = re.findall(r"<loc>(.*?)</loc>", body)
    assert len(locs) == len(SHIPPED) * 4
    assert "http://localhost/ar/articles/als-stem-cell-therapy" in locs
    assert body.count('hreflang="x-default"') == len(locs)


@pytest.mark.parametrize(
    ("code", "date"),
    [("en", "November 26, 2026"), ("fr", "26 novembre 2026"), ("ru", "26 ноября 2026")],
)
def test_dates_follow_the_locale(client, code, date):
    page = client.get(f"/{code}/articles/als-stem-cell-therapy").get_data(as_text=True)
    assert date in page


def test_translated_article_links_its_english_original(client):
    page = client.get("/fr/articles/als-stem-cell-therapy").get_data(as_text=True)
    assert 'href="/en/articles/als-stem-cell-therapy" hreflang="en"' in page


def test_status_page_is_linked_from_about_and_counts_every_language(client):
    about = client.get("/en/about").get_data(as_text=True)
    assert 'href="/en/translations"' in about
    page = client.get("/en/translations").get_data(as_text=True)
    for code in NAMES:
        assert f'id="status-{code}"' in page
