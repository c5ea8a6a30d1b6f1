"""Pages from memory with validators, compression, fingerprinted static files, page weight."""

import gzip
import re

import brotli
import pytest

ARTICLE = "/en/articles/als-stem-cell-therapy"
BUDGET = 25 * 1024


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
def test_article_page_with_its_stylesheet_fits_the_weight_budget(client, lang, slug):
    headers = {"Accept-Encoding": "br, gzip"}
    page = client.get(f"/{lang}/articles/{slug}", headers=headers)
    css = re.search(r'href="(/static/site\.css[^"]*)"', brotli.decompress(page.data).decode())[1]
    with client.get(css, headers=headers) as stylesheet:
        total = len(page.data) + len(stylesheet.data)
    assert total <= BUDGET, f"{lang}/{slug}: {total} bytes"


def test_hosts_do_not_share_cached_pages(client):
    a = client.get("/en/", base_url="http://one.example").get_data(as_text=True)
    b = client.get("/en/", base_url="http://two.example").get_data(as_text=True)
    assert "http://one.example/en/" in a and "http://two.example/en/" in b
    assert "one.example" not in b
