import re

import pytest

from app.content import load_library
from tests.conftest import ROOT

LIBRARY = load_library(ROOT / "content")


@pytest.mark.parametrize("slug", LIBRARY.slugs)
def test_article_page_has_toc_anchors_sources_dates_and_disclaimer(client, slug):
    article = LIBRARY.get(slug)
    response = client.get(f"/en/articles/{slug}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert '<html lang="en" dir="ltr">' in page
    for section in article.sections:
        assert f'<section id="{section.id}"' in page
        assert f'href="#{section.id}"' in page
    for source in article.sources:
        assert f'id="source-{source.id}"' in page
    assert "Last reviewed" in page and "Next review due" in page
    assert "Medical disclaimer" in page
    for related in article.related:
        assert f'href="/en/articles/{related}"' in page


def test_every_citation_on_the_page_points_at_a_listed_source(client):
    page = client.get("/en/articles/als-stem-cell-therapy").get_data(as_text=True)
    cited = set(re.findall(r'class="cite" href="#(source-[^"]+)"', page))
    listed = set(re.findall(r'<li id="(source-[^"]+)"', page))
    assert cited and cited <= listed


def test_home_lists_both_articles(client):
    page = client.get("/en/").get_data(as_text=True)
    for article in LIBRARY.articles:
        assert f'href="/en/articles/{article.slug}"' in page
        assert article.title in page


def test_about_page(client):
    response = client.get("/en/about")
    assert response.status_code == 200
    assert "How articles are reviewed" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "path",
    ["/en/articles/no-such-article", "/xx/", "/zz/articles/als-stem-cell-therapy", "/en/nowhere"],
)
def test_unknown_pages_are_helpful_404s(client, path):
    response = client.get(path)
    assert response.status_code == 404
    page = response.get_data(as_text=True)
    assert "Page not found" in page
    assert 'href="/en/"' in page
    assert "Traceback" not in page


def test_root_redirects_to_the_readers_language_and_says_it_varies(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response.headers["Location"] == "/en/"
    assert "Accept-Language" in response.headers["Vary"]


def test_language_less_article_link_redirects_keeping_the_query(client):
    response = client.get("/articles/als-stem-cell-therapy?x=1")
    assert response.status_code == 302
    assert response.headers["Location"] == "/en/articles/als-stem-cell-therapy?x=1"


def test_healthz_reports_versions_and_languages(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "ok"
    assert body["version"]
    assert re.fullmatch(r"[0-9a-f]{12}", body["content_version"])
    assert body["languages"][0] == "en"


def test_sitemap_lists_every_article(client):
    response = client.get("/sitemap.xml")
    assert response.mimetype == "application/xml"
    body = response.get_data(as_text=True)
    for slug in LIBRARY.slugs:
        assert f"http://localhost/en/articles/{slug}</loc>" in body


def test_method_not_allowed_is_a_page_not_a_trace(client):
    response = client.post("/en/about")
    assert response.status_code == 405
    assert "Allow" in response.headers


def test_the_disclaimer_and_emergency_number_come_before_the_article_text(client):
    for lang in ("en", "hi", "ar"):
        page = client.get(f"/{lang}/articles/als-stem-cell-therapy").get_data(as_text=True)
        disclaimer = page.index('class="disclaimer"')
        assert disclaimer < page.index('<nav class="toc"') < page.index('id="key-points"')
        assert "112" in page[disclaimer : page.index('<nav class="toc"')]
        assert f'href="/{lang}/about#publisher"' in page


def test_the_about_page_never_invents_a_publisher(make_app):
    page = make_app().test_client().get("/en/about").get_data(as_text=True)
    assert 'id="publisher"' in page and "has not yet said who publishes it" in page
    named = make_app(PUBLISHER_NAME="Example Clinic Trust", PUBLISHER_FUNDING="Donations only")
    page = named.test_client().get("/en/about").get_data(as_text=True)
    assert "Example Clinic Trust" in page and "Donations only" in page
    assert "has not yet said" not in page


def test_text_shown_in_english_is_marked_alike_on_every_page(make_app, tmp_path):
    """A language with no article translations yet: the home page's titles and summaries and
    the article's text carry the one marking (language, direction, the style sheet's hook)."""
    (tmp_path / "catalogs" / "hi" / "LC_MESSAGES").mkdir(parents=True)
    client = make_app(TRANSLATIONS_DIR=str(tmp_path / "catalogs")).test_client()
    marked = 'lang="en" dir="ltr" data-untranslated>'
    home = client.get("/hi/").get_data(as_text=True)
    assert home.count(marked) == 4  # two articles, each a title and a summary
    article = client.get("/hi/articles/als-stem-cell-therapy").get_data(as_text=True)
    assert f"<h1 {marked}" in article
    assert 'lang="en" dir="ltr">' not in home  # never marked only halfway
