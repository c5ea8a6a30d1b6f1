"""Pages from memory with validators, compression, fingerprinted static files, page weight."""

import gzip
import re

import brotli
import pytest

from app.content import site as content_site
from app.web.caching import FAST_BROTLI

ARTICLE = "/en/articles/als-stem-cell-therapy"
BUDGET = 25 * 1024
#: Figures load lazily, each on its own: every one must stay this small, compressed.
FIGURE_BUDGET = 3 * 1024


def test_article_page_is_served_with_a_strong_etag_and_revalidates_to_304(client):
    first = client.get(ARTICLE)
    assert first.status_code == 200
    etag = first.headers["ETag"]
    assert not etag.startswith("W/")
    assert "public" in first.headers["Cache-Control"]
    assert first.headers["Last-Modified"]
    again = client.get(ARTICLE, headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.data == b""


def test_rendered_once_per_address_and_content_version(app, client):
    cache = app.extensions["page_cache"]
    client.get(ARTICLE)
    client.get(ARTICLE)
    client.get(ARTICLE, headers={"Accept-Encoding": "br"})
    assert len(cache) == 1


@pytest.mark.parametrize(
    ("encoding", "decode"), [("br", brotli.decompress), ("gzip", gzip.decompress)]
)
def test_pages_are_compressed_and_say_they_vary_by_encoding(client, encoding, decode):
    plain = client.get(ARTICLE).data
    response = client.get(ARTICLE, headers={"Accept-Encoding": encoding})
    assert response.headers["Content-Encoding"] == encoding
    assert "Accept-Encoding" in response.headers["Vary"]
    assert decode(response.data) == plain


def test_errors_are_not_cached(app, client):
    assert client.get("/en/articles/nope").status_code == 404
    assert len(app.extensions["page_cache"]) == 0


def test_static_files_are_fingerprinted_and_cached_for_a_year(client):
    page = client.get("/en/").get_data(as_text=True)
    css = re.search(r'href="(/static/site\.css\?v=[0-9a-f]{10})"', page)[1]
    with client.get(css) as response:
        assert response.status_code == 200
        assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"


@pytest.mark.parametrize("lang", ["en", "hi", "ar", "bn", "ru", "fr"])
@pytest.mark.parametrize("slug", ["als-stem-cell-therapy", "ms-stem-cell-therapy"])
def test_article_page_with_its_stylesheet_fits_the_weight_budget(app, client, lang, slug):
    """As readers get them once read before: recompressed at the best level."""
    headers = {"Accept-Encoding": "br, gzip"}
    for _ in range(2):
        page = client.get(f"/{lang}/articles/{slug}", headers=headers)
        css = re.search(r'href="(/static/site\.css[^"]*)"', brotli.decompress(page.data).decode())
        client.get(css[1], headers=headers).close()
    app.extensions["recompressor"].wait()
    page = client.get(f"/{lang}/articles/{slug}", headers=headers)
    with client.get(css[1], headers=headers) as stylesheet:
        total = len(page.data) + len(stylesheet.data)
    assert total <= BUDGET, f"{lang}/{slug}: {total} bytes"


@pytest.mark.parametrize("lang", ["en", "hi", "ar", "bn", "ru", "fr"])
@pytest.mark.parametrize("slug", ["als-stem-cell-therapy", "ms-stem-cell-therapy"])
def test_every_figure_fits_its_own_budget(client, lang, slug):
    """The page budget holds without the figures (they load lazily); each figure has its own."""
    body = client.get(f"/{lang}/articles/{slug}", headers={"Accept-Encoding": "identity"})
    sources = re.findall(r'<img src="([^"]+\.svg\?v=[^"]+)"', body.get_data(as_text=True))
    assert sources
    for src in sources:
        figure = client.get(src, headers={"Accept-Encoding": "br"})
        assert figure.headers["Content-Encoding"] == "br"
        assert len(figure.data) <= FIGURE_BUDGET, f"{src}: {len(figure.data)} bytes"


def test_a_page_is_the_same_whatever_host_asked_for_it(client):
    """Links come from SITE_URL, never the Host: one cached page serves every host name."""
    a = client.get("/en/", base_url="http://one.example").get_data(as_text=True)
    b = client.get("/en/", base_url="http://two.example").get_data(as_text=True)
    assert a == b
    assert "one.example" not in a and "http://localhost/en/" in a


def test_an_invented_query_string_neither_renders_again_nor_changes_the_page(app, client):
    """Reading pages do not depend on their query string: it is not part of the cache key."""
    first = client.get("/en/articles/als-stem-cell-therapy").get_data()
    pages = app.extensions["page_cache"]
    size = len(pages)
    for junk in range(5):
        again = client.get(f"/en/articles/als-stem-cell-therapy?junk={junk}").get_data()
        assert again == first
    assert len(pages) == size


def test_a_fresh_page_is_compressed_fast_and_at_the_best_level_once_read_again(app, client):
    """An uncached page never costs a brotli 11 on the request path: it is sent at a fast
    level, and recompressed in the background only when it is asked for again."""
    headers = {"Accept-Encoding": "br"}
    first = client.get(ARTICLE, headers=headers)
    key = (ARTICLE, content_site.store(app).version)
    page = app.extensions["page_cache"].get(key)
    assert page.level("br") == FAST_BROTLI
    assert first.headers["ETag"] == f'"{page.etag}-br{FAST_BROTLI}"'
    plain = brotli.decompress(first.data)

    client.get(ARTICLE, headers=headers)
    app.extensions["recompressor"].wait()
    assert page.level("br") == 11
    best = client.get(ARTICLE, headers=headers)
    assert best.headers["ETag"] == f'"{page.etag}-br"'
    assert brotli.decompress(best.data) == plain
    assert len(best.data) < len(first.data)
    assert (
        client.get(ARTICLE, headers={**headers, "If-None-Match": first.headers["ETag"]}).status_code
        == 200
    )
