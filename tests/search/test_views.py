import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.search import site as search_site
from app.search.query import MAX_TERMS


@pytest.mark.parametrize("path", ["/en/", "/ar/articles/als-stem-cell-therapy", "/fr/about"])
def test_every_page_has_a_plain_get_search_form_in_the_header(client, path):
    page = client.get(path).get_data(as_text=True)
    header = re.search(r"<header.*?</header>", page, re.S)[0]
    lang = path.split("/")[1]
    assert (
        f'<form class="search-form" role="search" action="/{lang}/search" method="get">' in header
    )
    assert '<label for="site-q" class="visually-hidden">' in header


def test_results_link_to_the_section_with_a_highlighted_snippet(client):
    page = client.get("/en/search?q=lenzumestrocel").get_data(as_text=True)
    assert 'href="/en/articles/als-stem-cell-therapy#trial-evidence"' in page
    assert "<mark>Lenzumestrocel</mark>" in page
    assert "1 section found" in page


def test_results_are_paginated(client):
    first = client.get("/en/search?q=stem").get_data(as_text=True)
    assert 'rel="next" href="/en/search?q=stem&amp;page=2"' in first
    second = client.get("/en/search?q=stem&page=2").get_data(as_text=True)
    assert 'rel="prev"' in second
    assert re.search(r'<ol class="results" start="11"', second)


def test_misspelling_shows_the_results_of_the_respelling_and_says_so(client):
    page = client.get("/en/search?q=rilzole").get_data(as_text=True)
    assert "Nothing matched “rilzole”. Showing results for:" in page
    assert '<a href="/en/search?q=riluzole">riluzole</a>' in page
    assert 'href="/en/articles/als-stem-cell-therapy#proven-treatments"' in page


def test_one_misspelled_word_among_several_is_corrected_before_any_word_matches(client):
    page = client.get("/en/search?q=lumbar+puncure").get_data(as_text=True)
    assert "Showing results for:" in page
    assert "lumbar puncture" in page


def test_nothing_found_page_helps_the_reader_on(client):
    page = client.get("/en/search?q=zzqxj").get_data(as_text=True)
    assert "No sections match “zzqxj”." in page
    assert 'href="/en/"' in page


@pytest.mark.parametrize("lang", ["hi", "ar", "ru"])
def test_nothing_in_the_readers_language_offers_labelled_english_results(client, lang):
    page = client.get(f"/{lang}/search?q=wheelchair").get_data(as_text=True)
    assert '<ol class="results" start="1" lang="en" dir="ltr" data-untranslated>' in page
    assert 'href="/en/articles/als-stem-cell-therapy#benefits-and-risks"' in page
    assert '<p class="translation-note">' in page


def test_search_terms_are_escaped_in_the_page(client):
    page = client.get('/en/search?q=<script>alert(1)</script>"><img src=x>').get_data(as_text=True)
    assert "<script>alert(1)" not in page
    assert "<img src=x>" not in page


@pytest.mark.parametrize("page", ["0", "-1", "abc", "999", "1.5", "²"])
def test_impossible_page_numbers_are_a_clear_400_keeping_the_query(client, page):
    response = client.get(f"/en/search?q=riluzole&page={page}")
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert "That page of results does not exist." in body
    assert 'value="riluzole"' in body


def test_empty_query_shows_the_search_form(client):
    response = client.get("/en/search?q=")
    assert response.status_code == 200
    assert '<input type="search" id="q" name="q" value=""' in response.get_data(as_text=True)


def test_language_switch_on_a_results_page_keeps_the_query(client):
    page = client.get("/en/search?q=riluzole").get_data(as_text=True)
    assert "/language/fr?next=/fr/search?q%3Driluzole" in page


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    text=st.text(
        alphabet=st.one_of(
            st.characters(codec="utf-8", exclude_categories=["Cs"]),
            st.sampled_from(list('*?~^"[]{}():-+!\\ ANDORNT\x00\u200c\u200dकিاжé')),
        ),
        max_size=300,
    ),
    lang=st.sampled_from(["en", "hi", "ar", "bn", "ru", "fr"]),
)
def test_any_query_in_any_script_gets_a_page_never_an_error(client, app, text, lang):
    response = client.get(f"/{lang}/search", query_string={"q": text})
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    page = search_site.service(app).search(text, lang)
    assert len(page.query.words) <= MAX_TERMS
    assert len(page.results) <= page.page_size
